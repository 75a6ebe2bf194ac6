"""The ranking of tag candidates: feature names, fitted weights, the linear score, and the ranking itself
(:func:`rank_candidates`, :func:`tags_for`: the best candidates as tags, a share of places kept for names).

:func:`tidings.stories.tag_candidates.tag_candidates` describes each candidate of a story by the
named features below (language-agnostic counts and positions; ``w_*`` for a single word,
``p_*`` for a two-word phrase, ``e_*`` for a named entity; a word that is also a name has
both blocks). A candidate's score is the sum of weight times value: a logistic model's
log-odds that readers would pick it as a keyphrase.

The weights were fitted on the dev slice of 500N-KPCrowd only (every fifth document in
file-name order, 100 English news articles; a candidate is positive when its
Porter-stemmed display name is one of the crowd's keyphrases), the features and the
regularisation chosen by cross-validation inside that slice. Only these weights come from
the data: no word list. Refit and print the tables with

    .venv/bin/python -m benchmarks.keyphrases --fit             # WEIGHTS_NO_TABLE (the product's path)
    .venv/bin/python -m benchmarks.keyphrases --fit --doc-freq  # WEIGHTS

and paste them below (the features are computed by ``tag_candidates``: a new feature
needs a line there, a name here and a refit).

(see docs/evaluation.md, "Tags (500N-KPCrowd)")."""

from __future__ import annotations

from collections.abc import Mapping

from tidings.stories.entities import AliasTable
from tidings.stories.tag_candidates import Candidate, DocFreq, tag_candidates
from tidings.stories.tag_words import Tag

RANKER = "learned"  # "learned": the weights below; "hand": the hand-set weights of tidings.stories.tag_candidates

FEATURES: tuple[str, ...] = (
    # a single word (variants of one stem merged)
    "w",  # 1 for a word
    "w_count",  # log(1 + uses)
    "w_once",  # used once
    "w_position",  # 1 at the start of the story, 0 at its end
    "w_spread",  # share of the story between its first and last use
    "w_title",  # used in a title
    "w_title_only",  # used only in titles where there is a text
    "w_capital",  # share of mid-sentence uses capitalised (reversed where every noun is)
    "w_common",  # 1 - rarity among other stories (0 without a doc_freq table)
    "w_length",  # characters / 10, at most 1.5
    "w_central",  # TextRank-style centrality among the story's words (1 for the most central)
    # a lower-case two-word phrase from YAKE
    "p",  # 1 for a phrase
    "p_rank",  # 1 / sqrt(1 + YAKE rank)
    "p_count",  # log(1 + uses)
    "p_position",  # 1 at the start, 0 at the end
    "p_title",  # used in a title
    "p_common",  # mean of its words' w_common
    # a named entity
    "e",  # 1 for a name
    "e_count",  # log(1 + mentions)
    "e_title",  # named in a title
    "e_words",  # words in the name - 1, at most 2
    "e_long",  # several words, not a person, not in a title
    "e_person", "e_org", "e_place", "e_other",  # its label
    "e_position",  # 1 at the start, 0 at the end
    "e_common",  # 1 - rarity of a one-word name (0 without a table)
    "e_surname",  # a person shown by the surname
)

# fitted with a doc_freq table (the benchmark's leave-one-out table over its 500 documents); C = 0.1,
# chosen by 5-fold cross-validation inside the dev slice (F@10 0.187 there, hand-set weights 0.183)
WEIGHTS: dict[str, float] = {
    'w': -0.879,
    'w_count': 0.2774,
    'w_once': -0.4995,
    'w_position': 0.1495,
    'w_spread': 0.2385,
    'w_title': 0.1597,
    'w_title_only': -0.1741,
    'w_capital': -0.3948,
    'w_common': -0.3316,
    'w_length': 1.9864,
    'w_central': 1.2773,
    'p': 0.0926,
    'p_rank': 0.1894,
    'p_count': 0.103,
    'p_position': 0.0706,
    'p_title': 0.139,
    'p_common': 0.0055,
    'e': -0.036,
    'e_count': 0.398,
    'e_title': 0.0957,
    'e_words': -0.5039,
    'e_long': -0.3117,
    'e_person': 0.0155,
    'e_org': 0.1975,
    'e_place': -0.0063,
    'e_other': -0.2426,
    'e_position': 0.2667,
    'e_common': -0.2151,
    'e_surname': 0.6753,
}

# fitted without a table (what tidings update does today); C = 0.03, chosen the same way (F@10 0.190,
# hand-set weights 0.171)
WEIGHTS_NO_TABLE: dict[str, float] = {
    'w': -0.4863,
    'w_count': 0.2709,
    'w_once': -0.4943,
    'w_position': 0.1147,
    'w_spread': 0.2455,
    'w_title': 0.1908,
    'w_title_only': -0.1008,
    'w_capital': -0.2907,
    'w_common': 0.0,
    'w_length': 1.6689,
    'w_central': 0.8656,
    'p': 0.1708,
    'p_rank': 0.1157,
    'p_count': 0.1536,
    'p_position': 0.1232,
    'p_title': 0.091,
    'p_common': 0.0,
    'e': 0.0199,
    'e_count': 0.3588,
    'e_title': 0.0968,
    'e_words': -0.3096,
    'e_long': -0.2206,
    'e_person': 0.0643,
    'e_org': 0.1059,
    'e_place': -0.0292,
    'e_other': -0.1211,
    'e_position': 0.2026,
    'e_common': 0.0,
    'e_surname': 0.3652,
}


def weights_for(has_table: bool) -> Mapping[str, float]:
    """The fitted weights for stories ranked with (``has_table``) or without a doc_freq table."""
    return WEIGHTS if has_table else WEIGHTS_NO_TABLE


def linear_score(features: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Sum of weight times value over ``features`` (a feature without a weight counts 0)."""
    return sum(weights.get(name, 0.0) * value for name, value in features.items())


NAME_SHARE = 0.25  # at least this share of the tags are names (named twice or in a title), where there are


def rank_candidates(candidates: list[Candidate], top: int = 10, min_names: int | None = None,
                    weights: Mapping[str, float] | None = None) -> list[Tag]:
    """The ``top`` best ``candidates`` as tags, best first: scored by the linear ``weights`` over
    their features (None: their hand-weighted score), a name taking the score of a word it
    absorbed where that is higher, with ``min_names`` places (None: ``NAME_SHARE`` of ``top``)
    kept for names named twice or in a title (:func:`reserve_names`)."""
    if top < 1 or not candidates:
        return []

    def value(c: Candidate) -> float:
        return c.hand if weights is None else linear_score(c.features, weights)

    scores = {c.key: max([value(c), *(value(a) for a in c.absorbs)]) for c in candidates}
    by_key = {c.key: c for c in candidates}
    ranked = sorted(scores, key=lambda k: (-scores[k], k))
    share = NAME_SHARE if min_names is None else min_names / max(1, top)
    names = {c.key for c in candidates if c.reservable and c.kind == "entity"}
    picked = reserve_names(ranked, names, top, share)
    return [Tag(by_key[k].name, k, by_key[k].kind, round(scores[k], 4)) for k in picked]


def tags_for(texts: list[str] | str, language: str | None = None, top: int = 10,
             aliases: AliasTable | None = None, doc_freq: DocFreq | None = None,
             min_names: int | None = None, ranker: str = RANKER) -> list[Tag]:
    """The ``top`` tags of a story whose articles' titles and texts are ``texts``, best first.

    Short one-line items are read as titles; ``language`` None detects it from the texts.
    Candidates: single words (frequency, first position, rarity; names are left to NER;
    variants of one stem merged), YAKE's lower-case two-word phrases, and named entities.
    ``doc_freq``, a table of how many other stories use each word (see
    :func:`document_frequencies`), ranks words common everywhere lower. ``min_names``
    places are kept for the best names (None: ``NAME_SHARE`` of ``top``). ``ranker``
    "learned" scores the candidates with the fitted weights of :mod:`tidings.stories.tag_rank`,
    "hand" with the hand-set weights above."""
    if top < 1:
        return []
    if ranker not in ("learned", "hand"):
        raise ValueError(f"unknown ranker {ranker!r}: 'learned' or 'hand'")
    candidates = tag_candidates(texts, language, aliases, doc_freq)
    weights = None if ranker == "hand" else weights_for(doc_freq is not None)
    return rank_candidates(candidates, top, min_names, weights)


def reserve_names(ranked: list[str], names: set[str], top: int, share: float) -> list[str]:
    """The ``top`` best of ``ranked`` keys, with at least ``share`` of them (rounded down) from
    ``names`` where there are that many: the best names left out take the places of the
    weakest other keys. Order stays by rank."""
    chosen = ranked[:top]
    wanted = int(share * top) - sum(k in names for k in chosen)
    if wanted <= 0:
        return chosen
    extra = [k for k in ranked[top:] if k in names][:wanted]
    dropped = set([k for k in chosen if k not in names][-len(extra):]) if extra else set()
    keep = set(chosen) - dropped | set(extra)
    return [k for k in ranked if k in keep]
