"""Tag candidates of a story: its words, YAKE's lower-case two-word phrases and its named entities, each
described by the named features that :mod:`tidings.stories.tag_rank` weighs (and by a hand-weighted score,
the "hand" ranker); the words of a name fold into it."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from tidings.stemming import stem_word
from tidings.stories.entities import AliasTable, default_aliases, extract_entities, normalise_key
from tidings.stories.tag_words import (
    NOUNS_CAPITALISED,
    DocFreq,
    _clean_phrase,
    _group_by_stem,
    _join,
    _only_past_forms,
    _prepare,
    _surname_form,
    _word_stats,
    cooccurrence_rank,
    display_name,
    is_not_a_tag,
    keyphrases,
    stem_key,
    tag_key,
)

# Hand-set ranking weights, set on a dev slice of 500N-KPCrowd (benchmarks/keyphrases.py,
# docs/evaluation.md): the "hand" ranker. By default candidates are ranked by the weights fitted on the
# same slice, in tidings.stories.tag_rank ("learned"); the rules below (what is a candidate, names folded,
# places kept for names) hold for both.
WORD_FREQ = 1.0  # times log(1 + uses) of a word
WORD_POSITION = 0.5  # bonus for a word seen early in the story (1 at the start, 0 at the end)
WORD_TITLE = 0.0  # bonus for a word of a title (the position bonus already favours them)
WORD_YAKE = 0.0  # bonus 1/sqrt(rank) for the word's place in YAKE's single-word ranking (0: YAKE not run)
WORD_TITLE_ONLY = -0.5  # for a word only the headlines use, when there is a text
WORD_CAPITALISED = -1.2  # times the share of mid-sentence capitalised uses: names are left to NER
PHRASE_WEIGHT = 1.2  # times 1/sqrt(rank) for YAKE's two-word phrases written in lower case
ENTITY_WEIGHT = 0.5  # times log(1 + mentions) for a named entity
ENTITY_TITLE = 0.5  # bonus for an entity named in a title
ENTITY_BASE = 0.5  # bonus for being a name at all
ENTITY_LONG = -1.0  # for a name of several words, not a person nor in a title ("Walk of Fame"): readers tag its words
DF_WEIGHT = 1.0  # times (1 - rarity) off a word found in many other documents (only with a doc_freq table)
SURNAME_TAGS = True  # show a person by the surname when the text uses it alone more than the full name
_TAG_LABELS = {"PERSON", "ORG", "PLACE", "PRODUCT", "EVENT", "WORK", "MISC"}  # not GROUP ("European")


@dataclass(slots=True)
class Candidate:
    """One tag candidate of a story before ranking: comparison ``key``, display ``name``, ``kind``
    ("keyphrase" or "entity"), ``hand`` (its score under the hand-set weights above), ``features``
    (named values, see :mod:`tidings.stories.tag_rank`), whether a reserved place may go to it
    (``reservable``: a name named twice or in a title) and the word candidates it ``absorbs``
    (the words of a name, which it is, and whose score it takes where that is higher)."""

    key: str
    name: str
    kind: str
    hand: float
    features: dict[str, float] = field(default_factory=dict)
    reservable: bool = False
    absorbs: list[Candidate] = field(default_factory=list)


_ENTITY_LABEL_FEATURES = {"PERSON": "e_person", "ORG": "e_org", "PLACE": "e_place"}  # others: e_other


def _first_at(haystack: str, needles: Iterable[str]) -> float:
    """Where the first of ``needles`` occurs in ``haystack`` (both case-folded), as a share of
    its length: 0 at the start, 1 where none occurs."""
    found = [i for n in needles if n and (i := haystack.find(n.casefold())) >= 0]
    return min(found) / max(1, len(haystack)) if found else 1.0


def tag_candidates(texts: list[str] | str, language: str | None = None, aliases: AliasTable | None = None,
                   doc_freq: DocFreq | None = None) -> list[Candidate]:
    """Every tag candidate of a story, with its hand-weighted score and its ranking features.

    Single words (variants of one stem merged; calendar and number words and English
    words used only in "-ed" forms left out), YAKE's lower-case two-word phrases, and
    named entities; the words of a name are folded into it (``Candidate.absorbs``)."""
    table = aliases or default_aliases()
    titles, bodies, lang, stop = _prepare(texts, language)
    if not titles and not bodies:
        return []
    joined = _join(titles + bodies)
    folded_text = joined.casefold()
    title_text = " ".join(titles).casefold()
    cands: dict[str, Candidate] = {}

    def common(stem: str) -> float:
        return 1 - doc_freq.rarity(stem) if doc_freq is not None else 0.0

    # single words
    stats, length = _word_stats(titles, bodies, stop, table)
    raw_stats = stats
    stats, stems = _group_by_stem(stats, lang, table)
    by_stem = {stem: g for g, stem in stems.items()}
    group_of = {k: by_stem[stem_key(k, lang)] for k in raw_stats}
    unused = {g: w.count for g, w in stats.items()}  # uses not yet read as parts of a name
    folded: set[str] = set()
    yake_words: dict[str, int] = {}
    for r, (p, _) in enumerate(keyphrases(joined, lang, n=1) if WORD_YAKE else []):
        yake_words.setdefault(stem_key(tag_key(_clean_phrase(p), table), lang), r)
    central = cooccurrence_rank({k: w.sentences for k, w in stats.items()})
    for key, w in stats.items():
        position = 1 - w.first / max(1, length)
        score = WORD_FREQ * math.log1p(w.count) + WORD_POSITION * position
        score += WORD_TITLE * w.in_title
        if stems[key] in yake_words:
            score += WORD_YAKE / math.sqrt(yake_words[stems[key]] + 1)
        if doc_freq is not None:
            score -= DF_WEIGHT * common(stems[key])
        capital = 0.0
        if w.mid_sentence:
            capital_share = w.capitalised / w.mid_sentence
            # German capitalises every noun: there a word mostly written in lower case is a verb or an
            # adjective ("stattgegeben", "wesentlichen"), and the nouns are what a reader wants as tags
            capital = (1 - capital_share) if lang in NOUNS_CAPITALISED else capital_share
            score += WORD_CAPITALISED * capital
        title_only = bool(bodies) and w.count == w.in_title_count
        if title_only:
            score += WORD_TITLE_ONLY  # headline verbs ("warns", "unveils") that the text never uses
        if is_not_a_tag(key) or (lang == "en" and _only_past_forms(w.forms or {})):
            continue
        if lang in NOUNS_CAPITALISED and w.mid_sentence and capital > 0.5:
            continue  # German: a word the text writes in lower case is a verb or an adjective, not a tag
        forms = w.forms
        assert forms is not None
        # the most used form, lower case first, and in English not a past tense ("release", not "released")
        form = max(forms, key=lambda f: (f.islower(), tag_key(f, table) == f.casefold(),
                                         not (lang == "en" and f.endswith("ed")), forms[f]))
        cands[key] = Candidate(key, display_name(form), "keyphrase", score, {
            "w": 1.0, "w_count": math.log1p(w.count), "w_once": float(w.count == 1), "w_position": position,
            "w_spread": (w.last - w.first) / max(1, length), "w_title": float(w.in_title),
            "w_title_only": float(title_only), "w_capital": capital, "w_common": common(stems[key]),
            "w_length": min(len(key), 15) / 10, "w_central": central.get(key, 0.0)})

    # lower-case two-word phrases ("open-source model", "artificial intelligence")
    for rank, (phrase, _) in enumerate(keyphrases(joined, lang, n=2)):
        phrase = _clean_phrase(phrase)
        if " " not in phrase or phrase != phrase.lower() or lang in NOUNS_CAPITALISED:
            continue  # (in German a phrase in lower case has no noun: "vorerst gestoppt")
        key = tag_key(phrase, table)
        if len(key) < 3 or key in cands or is_not_a_tag(key):
            continue
        words = key.split()
        cands[key] = Candidate(key, display_name(phrase), "keyphrase", PHRASE_WEIGHT / math.sqrt(rank + 1), {
            "p": 1.0, "p_rank": 1 / math.sqrt(rank + 1), "p_count": math.log1p(folded_text.count(phrase)),
            "p_position": 1 - _first_at(folded_text, [phrase]), "p_title": float(phrase in title_text),
            "p_common": sum(common(stem_word(x, lang)) for x in words) / len(words)})

    # named entities (those named twice or in a title may take reserved places, see reserve_names)
    entities = extract_entities(" ".join(_join([t]) for t in titles), "\n".join(_join([b]) for b in bodies),
                                lang, aliases=table)
    for e in entities:
        if e.label not in _TAG_LABELS or not e.text[:1].isupper() and not e.text[:1].isdigit():
            continue
        key = e.key.replace("-", " ") if e.key in table.display else tag_key(e.text, table)
        if len(key) < 2 or is_not_a_tag(key):
            continue
        score = ENTITY_BASE + ENTITY_WEIGHT * math.log1p(e.count) + (ENTITY_TITLE if e.in_title else 0.0)
        e_common = common(stem_key(key, lang)) if " " not in key else 0.0
        score -= DF_WEIGHT * e_common
        name = _surname_form(e.text, stats, table) if SURNAME_TAGS and e.label == "PERSON" else e.text
        long_name = " " in name and e.label != "PERSON" and not e.in_title
        if long_name:
            score += ENTITY_LONG
        features = {"e": 1.0, "e_count": math.log1p(e.count), "e_title": float(e.in_title),
                    "e_words": float(min(3, len(key.split())) - 1), "e_long": float(long_name),
                    _ENTITY_LABEL_FEATURES.get(e.label, "e_other"): 1.0,
                    "e_position": 1 - _first_at(folded_text, (e.text, *e.forms)), "e_common": e_common,
                    "e_surname": float(name != e.text)}
        c = cands.get(key)
        if c is None:
            c = cands[key] = Candidate(key, name, "entity", max(0.0, score), features)
        else:  # a word or phrase that is also a name: one candidate with both kinds' features
            for f, v in features.items():
                c.features[f] = max(c.features.get(f, v), v)
            c.name, c.kind, c.hand = name, "entity", max(c.hand, score)
        c.reservable = c.reservable or e.count >= 2 or e.in_title
        # a word of a longer name ("LeCun" of "Yann LeCun"), capitalised or not used outside it,
        # is that name, not a tag of its own
        name_words = {x for form in (e.text, *e.forms) for x in normalise_key(form.replace("-", " ")).split()}
        # (a stem group, "européen" with "européenne", goes once all its uses are in names)
        for part in sorted(name_words) if len(name_words) > 1 else []:
            used, group = raw_stats.get(part), group_of.get(part)
            if used is None or group is None or group not in cands or cands[group].kind != "keyphrase" \
                    or part in folded:
                continue
            capitalised = bool(used.mid_sentence and used.capitalised / used.mid_sentence > 0.5)
            if used.count <= e.count or capitalised:
                folded.add(part)
                unused[group] -= used.count
                if unused[group] <= 0 or capitalised:
                    c.absorbs.append(cands.pop(group))
    return list(cands.values())
