"""Extractive multi-document summaries with citations.

:func:`summarize_articles` turns the articles of one story into a
:class:`~tidings.summarize.types.StorySummary`: a headline picked from the
source headlines, a one-sentence lead and a few summary sentences, each taken
verbatim from an article (after :mod:`~tidings.summarize.cleanup`) and citing
every article that states it or a near paraphrase of it.

How sentences are chosen (pure functions; no model is needed):

* cleanup drops datelines, boilerplate, captions, questions, unbalanced quotes,
  headings and sentences that need context they do not carry;
* an English sentence may also compete in a shorter version, without its asides
  (``cleanup.compress_sentence``: a dash aside, an age, a leading connective, a
  non-restrictive relative clause or appositive; never a quotation, an
  attribution or a negation); at most one of the two is chosen, and the shorter
  wins unless the words it drops carried concepts;
* *concepts* are stemmed word bigrams (not made of two stop words) and single
  content words; only concepts that at least 35 % of the articles share count,
  so what several outlets report weighs most. In a story of two or more
  articles a concept is worth ``10 p**2`` (a single word 0.3 of that), ``p``
  the probability that a human summary would use it, from a logistic model over
  where and how widely the story's articles mention it
  (:mod:`~tidings.summarize.concept_weights`, fitted on DUC 2003); in a
  one-article story, the number of times it comes back. (Before round four the
  worth was counted: articles that mention it plus three per article that has
  it in its first three sentences, single words at a tenth; ``concept_model=
  "counts"`` keeps that rule.)
* an exact budgeted maximum-coverage program (an ILP solved by HiGHS through
  ``scipy.optimize.milp``) picks at most six sentences within the word budget
  maximising the worth of the concepts they cover, plus a small salience bonus
  (centrality to the story's TF-IDF centroid, position in the article,
  agreement: how many articles carry a near-identical sentence, and how central
  the sentence's article is to the story: its main thread); no two chosen
  sentences may be near-duplicates or state one fact (the same distinctive
  number, most of the words) twice. Coverage counts each concept once, so a
  sentence repeating what is already said gains nothing. A greedy
  gain-per-length selection is the fallback when the solver runs out of time;
* the chosen sentences are ordered by their article's date, then their position.

Headline, lead and sentences never repeat one another. Titles are for the
headline only: a line of an article's text that is (nearly) one of the story's
headlines, pasted in by the extractor or quoted from another article, is not a
sentence of the text and is dropped before anything is counted. The headline is
picked first, from the titles. The **lead is picked next**, before the summary:
an article's first sentence (else one of its first three) of news-lead length
(18-45 words) that covers most of what the outlets share, from an article
central to the story (the main thread, not an analysis piece or side story),
and not (nearly) the headline's words. The summary sentences are then chosen
from the other sentences with the lead's concepts counted as already said, and
none may repeat the lead, so the page reads headline, lead, then what the lead
did not say (seed 004's layout). Picking the lead first, rather than taking it
out of a finished summary, keeps the best opener as the lead and lets the
summary spend its whole budget on new facts. The lead carries no citation of its
own (it is a verbatim sentence of the article it came from). A story with a
single usable sentence has it as its summary and no separate lead.

The defaults were tuned on DUC 2003 and are measured on DUC 2004 by
``benchmarks/duc.py`` (docs/evaluation.md, "Summaries (DUC 2004)").

Citations use TF-IDF cosine between sentences of the same language and, when an
embedder is given (``tidings.stories.embed.get_embedder()``), embedding cosine
for articles in other languages.

Modules of one job, whose public names this module re-exports:
:mod:`~tidings.summarize.sentence_words` (tokens, stems, concepts),
:mod:`~tidings.summarize.redundancy` (when two sentences say one thing),
:mod:`~tidings.summarize.headline` (the headline) and
:mod:`~tidings.summarize.story_language` (a story's languages).
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from tidings.records import Article
from tidings.summarize.cleanup import compress_sentence, reject_reason, strip_sentence, word_count
from tidings.summarize.concept_weights import (
    COEFFICIENTS,
    INTERCEPT,
    Mention,
    concept_features,
    learned_weights,
    share_bar,
)
from tidings.summarize.headline import clean_headline, headline_penalty, is_title, pick_headline
from tidings.summarize.redundancy import distinctive_numbers, retells, same_fact, same_numbers, same_words
from tidings.summarize.sentence_words import (
    concepts_of,
    loose_concepts_of,
    stem_word,
    stems,
    stopwords,
    tokens,
    unigram_concepts_of,
)
from tidings.summarize.story_language import article_language, detect_language, story_languages
from tidings.summarize.types import CitedSentence, StorySummary
from tidings.text import WORD
from tidings.text.sentences import split_sentences

# re-exported: the summarizer's public names from before its split into modules of one job
__all__ = [
    "DEFAULT_CONFIG", "METHOD", "ExtractiveConfig", "article_language", "clean_headline", "concept_rows",
    "concepts_of", "detect_language", "distinctive_numbers", "headline_penalty", "is_title", "loose_concepts_of",
    "pick_headline", "retells", "same_fact", "same_numbers", "same_words", "sentence_cap",
    "solver_output_to_stderr", "stem_word", "stems", "stopwords", "story_concept_rows", "story_languages",
    "summarize_articles", "summary_text", "text_concepts", "tokens", "unigram_concepts_of", "with_config",
]

METHOD = "extractive"


_QUOTE = re.compile(r"[\"“”«»„]|``|''")


@dataclass(slots=True, frozen=True)
class ExtractiveConfig:
    """The summarizer's knobs; the defaults were tuned on DUC 2003 (``benchmarks/duc.py --tune``)."""

    concepts: str = "loose"  # "content": pairs of content words; "loose": any pair not made of two stop words
    # the counted worth (concept_model="counts"; the learned worth has its own knobs, learned_* below)
    min_df: int = 2  # a concept counts when at least this many articles mention it (1 for one-article stories)
    min_df_fraction: float = 0.35  # ... and at least this share of the story's articles (4 of 10, 35 of 100)
    lead_concept_boost: float = 3.0  # extra worth per article that has the concept in its first three sentences
    unigram_weight: float = 0.1  # single content words count too, at this share of their worth
    length_power: float = 0.6  # gain is divided by (sentence words) ** length_power
    salience_weight: float = 0.5  # weight of a sentence's own salience beside its concept gain
    position_weight: float = 1.0  # of the salience: earlier sentences in an article weigh more
    centrality_weight: float = 1.0  # of the salience: cosine to the story's centroid
    agreement_weight: float = 0.5  # of the salience: share of articles carrying a near-identical sentence
    article_weight: float = 0.25  # of the salience: how central the sentence's article is to the story
    redundancy_threshold: float = 0.5  # TF-IDF cosine above which a candidate repeats a chosen sentence
    cite_threshold: float = 0.5  # TF-IDF cosine at which another same-language sentence counts as stating it
    cite_embed_threshold: float = 0.88  # embedding cosine for a sentence in another language (for an unknown model)
    agree_threshold: float = 0.6  # TF-IDF cosine for "near-identical" when counting agreement
    min_words: int = 10
    max_words: int = 55
    max_sentences: int = 6  # the sentence cap at short budgets; it follows the budget (``words_per_sentence``)
    words_per_sentence: int = 20  # past ``max_sentences``, a summary may have one sentence per this many words
    # the word budget is what a reader sees: the lead counts in it (False: the budget is the summary sentences')
    lead_in_budget: bool = True
    # past the budget: "nearest" adds the best further sentence when the summary then ends nearer the budget than
    # without it ("about N words"); "always" adds it whatever its length, for evaluations that cut the text at N
    # words; "none" stays within the budget
    fill: str = "nearest"
    # "nearest" may also run this share of the budget past it (DUC 2003: 0.2 as good as "always")
    fill_slack: float = 0.2
    min_sentences: int = 3
    lead_length_power: float = 0.0  # the lead's worth is divided by (its words) ** this
    ilp_bonus: float = 0.1  # scale of the salience bonus in the ILP objective, per word, beside the concepts' worth
    quotes: bool = True  # sentences with a quotation may be chosen (the product keeps quotes, verbatim)
    selector: str = "ilp"  # "ilp": exact budgeted coverage (HiGHS via scipy), "greedy": ratio greedy
    ilp_pool: int = 50  # the ILP considers this many candidates, the best by the greedy score
    ilp_time_limit: float = 5.0  # seconds; past it the best solution found so far (or the greedy one) is used
    fact_overlap: float = 0.4  # two sentences with one distinctive number and this share of words: one fact
    # a chosen sentence that adds no concept worth beyond the lead and the other chosen sentences, and is this
    # close (TF-IDF cosine) to one of them, retells it and goes: long budgets otherwise fill with retellings
    retelling_similarity: float = 0.25
    # two outlets' wordings of one fact: a sentence that shares at least ``retell_words`` content words with
    # another, and at least ``retell_share`` of the shorter one's, says it again ("Under the arrangement, Stratus
    # has put 8 billion dollars into Corvid ..." after a lead that said so); 0 words: off
    retell_words: int = 4
    retell_share: float = 0.5
    retell_numbers: int = 3  # ... or that gives this many of the same numbers (0: off)
    # compression rules (cleanup.COMPRESSION_RULES) whose shorter version of a sentence competes with it;
    # "paren" is left out (it cost DUC 2003 a little, and brackets often hold a unit conversion or a name's acronym)
    compress: tuple[str, ...] = ("dash", "age", "connective", "relative", "appositive", "trailing")
    # concept worth for stories of two or more articles: "learned" (concept_weights: a logistic model's probability
    # that a human summary uses the concept, fitted on DUC 2003) or "counts" (articles mentioning it, plus the
    # early-mention boost: the rule before round four, still the rule for one-article stories)
    concept_model: str = "learned"
    learned_coefficients: tuple[float, ...] = ()  # intercept then weights; () = concept_weights' fitted ones
    learned_min_df: int = 2  # learned worth is given to concepts that at least this many articles mention ...
    learned_df_fraction: float = 0.35  # ... and at least this share of them (the bar falls for small stories)
    learned_scale: float = 10.0  # worth = scale * max(0, p - floor) ** power
    learned_floor: float = 0.0
    learned_power: float = 2.0
    learned_unigram: float = 0.3  # single words' learned worth is multiplied by this


DEFAULT_CONFIG = ExtractiveConfig()

# Embedding cosine at which a sentence in another language states the same thing, per model: the two
# models spread their cosines very differently (e5 puts unrelated news sentences near 0.75-0.82 and
# translations above 0.88; USE puts unrelated ones near 0.1-0.4 and translations above 0.65).
EMBED_CITE_THRESHOLDS: dict[str, float] = {"multilingual-e5-small": 0.88, "use-multilingual-v3": 0.65}


@dataclass(slots=True)
class _Sentence:
    article: int  # index into the story's articles
    index: int  # position among that article's sentences (headlines pasted into the text not counted)
    text: str
    words: int
    language: str
    stems: list[str]
    row: int = -1  # this sentence's row in its language's TF-IDF space
    concepts: frozenset[tuple[str, str]] = frozenset()
    candidate: bool = False
    salience: float = 0.0
    number: int = -1  # its number among the sentences the splitter found in the article's text
    original: str | None = None  # for a compressed version, the sentence as the article has it


# ---------------------------------------------------------------- text helpers


def _epoch(dt: datetime | None) -> float:
    if dt is None:
        return float("inf")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


# ---------------------------------------------------------------- analysis


@dataclass(slots=True)
class _Space:
    """TF-IDF rows (unit length, sparse) of every sentence of one language."""

    matrix: Any  # scipy.sparse.csr_matrix, one row per sentence in ``members`` order
    members: list[_Sentence]


def _analyse(articles: Sequence[Article], langs: Sequence[str], main: str | None,
             config: ExtractiveConfig) -> tuple[list[_Sentence], dict[str, _Space]]:
    sentences: list[_Sentence] = []
    titles = [clean_headline(article.title) for article in articles if article.title.strip()]
    for a, (article, lang) in enumerate(zip(articles, langs, strict=True)):
        index = 0
        for number, raw in enumerate(split_sentences(article.text, lang)):
            text = strip_sentence(raw)
            if not text or is_title(text, titles):
                continue  # a headline pasted into the text is a title, not a sentence of it
            st = stems(text, lang)
            s = _Sentence(article=a, index=index, text=text, words=word_count(text), language=lang, stems=st,
                          number=number)
            index += 1
            s.candidate = lang == main and reject_reason(text, config.min_words, config.max_words) is None
            if s.candidate and not config.quotes and _QUOTE.search(text):
                s.candidate = False
            s.concepts = _concepts(text, st, lang, config)
            sentences.append(s)
            short = compress_sentence(text, lang, config.compress) if config.compress and lang == main else text
            if short != text:
                # the shorter version competes with the sentence it came from; at most one of them is chosen
                v = _Sentence(article=a, index=s.index, text=short, words=word_count(short), language=lang,
                              stems=stems(short, lang), number=number, original=text)
                v.candidate = reject_reason(short, config.min_words, config.max_words) is None and (
                    config.quotes or not _QUOTE.search(short))
                v.concepts = _concepts(short, v.stems, lang, config)
                sentences.append(v)
    spaces: dict[str, _Space] = {}
    by_lang: dict[str, list[_Sentence]] = defaultdict(list)
    for s in sentences:
        by_lang[s.language].append(s)
    for lang, group in by_lang.items():
        spaces[lang] = _space(group)
    return sentences, spaces


def _concepts(text: str, stemmed: list[str], lang: str, config: ExtractiveConfig) -> frozenset[tuple[str, str]]:
    found = concepts_of(stemmed) if config.concepts == "content" else loose_concepts_of(text, lang)
    return found | unigram_concepts_of(stemmed) if config.unigram_weight else found


def _full_words(s: _Sentence) -> int:
    return word_count(s.original) if s.original is not None else s.words


def _twins(a: _Sentence, b: _Sentence) -> bool:
    """``a`` and ``b`` are one sentence of one article (a sentence and its compressed version)."""
    return a.article == b.article and a.number == b.number


def _space(group: list[_Sentence]) -> _Space:
    import numpy as np
    from scipy.sparse import csr_matrix

    df: Counter[str] = Counter()
    per_article: dict[int, set[str]] = defaultdict(set)
    for s in group:
        per_article[s.article].update(t for t in s.stems if t)
    for terms in per_article.values():
        df.update(terms)
    n = len(per_article) + 1
    vocab = {t: j for j, t in enumerate(df)}
    idf = np.array([math.log(n / df[t]) + 1.0 for t in vocab], dtype=np.float64)
    rows, cols, vals = [], [], []
    for r, s in enumerate(group):
        s.row = r
        for t, c in Counter(t for t in s.stems if t).items():
            rows.append(r)
            cols.append(vocab[t])
            vals.append((1.0 + math.log(c)) * idf[vocab[t]])
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(group), max(1, len(vocab))), dtype=np.float64)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = csr_matrix(matrix.multiply(1.0 / norms[:, None]))
    return _Space(matrix=matrix, members=group)


def _title_concepts(articles: Sequence[Article], langs: Sequence[str], main: str | None,
                    config: ExtractiveConfig) -> dict[int, frozenset[tuple[str, str]]]:
    """The concepts of each main-language article's headline, by article index."""
    out: dict[int, frozenset[tuple[str, str]]] = {}
    for a, (article, lang) in enumerate(zip(articles, langs, strict=True)):
        if lang == main and article.title.strip():
            title = clean_headline(article.title)
            out[a] = _concepts(title, stems(title, lang), lang, config)
    return out


def _capitals(text: str, language: str) -> frozenset[str]:
    """Stems of the capitalised words of a sentence, its first word not counted."""
    lang = (language or "en")[:2]
    found = [m.group(0) for m in WORD.finditer(text)][1:]
    return frozenset(stem_word(w.lower().replace("’", "'"), lang) for w in found if w[:1].isupper())


@lru_cache(maxsize=32)
def _stemmed_stopwords(language: str) -> frozenset[str]:
    """A language's stop words as stems (built once per language, not once per story)."""
    return frozenset(stem_word(w, language[:2]) for w in stopwords(language))


def concept_rows(main_sentences: Sequence[_Sentence], n_articles: int,
                 titles: dict[int, frozenset[tuple[str, str]]]) -> dict[tuple[str, str], list[float]]:
    """The learned model's feature rows (``concept_weights.FEATURES``) for a story's main-language sentences."""
    originals = [s for s in main_sentences if s.original is None]
    lang = originals[0].language if originals else "en"
    mentions = [Mention(article=s.article, index=s.index, concepts=s.concepts, capitals=_capitals(s.text, lang))
                for s in originals]
    return concept_features(mentions, n_articles, titles, _stemmed_stopwords(lang))


def story_concept_rows(articles: Sequence[Article], config: ExtractiveConfig = DEFAULT_CONFIG
                       ) -> tuple[str | None, int, dict[tuple[str, str], list[float]]]:
    """A story's main language, its number of articles in that language and the learned model's feature rows of
    its concepts (for fitting the model)."""
    articles = list(articles)
    langs = [article_language(a) for a in articles]
    main, _ = story_languages(articles, langs)
    sentences, _ = _analyse(articles, langs, main, config)
    main_sentences = [s for s in sentences if s.language == main]
    n_main = len({s.article for s in main_sentences})
    return main, n_main, concept_rows(main_sentences, n_main, _title_concepts(articles, langs, main, config))


def text_concepts(text: str, language: str | None,
                  config: ExtractiveConfig = DEFAULT_CONFIG) -> frozenset[tuple[str, str]]:
    """The concepts of any text (a reference summary, when fitting the model), as sentences' concepts are made."""
    lang = (language or "en")[:2]
    return _concepts(text, stems(text, lang), lang, config)


def _concept_weights(main_sentences: Sequence[_Sentence], n_articles: int, config: ExtractiveConfig,
                     titles: dict[int, frozenset[tuple[str, str]]] | None = None) -> dict[tuple[str, str], float]:
    if n_articles > 1 and config.concept_model == "learned":
        coefficients = config.learned_coefficients or (INTERCEPT, *COEFFICIENTS)
        weights = learned_weights(concept_rows(main_sentences, n_articles, titles or {}), n_articles,
                                  min_df=config.learned_min_df, min_df_fraction=config.learned_df_fraction,
                                  scale=config.learned_scale,
                                  floor=config.learned_floor, power=config.learned_power,
                                  intercept=coefficients[0], coefficients=coefficients[1:])
        if config.learned_unigram != 1.0:
            weights = {c: (w * config.learned_unigram if c[1] == "" else w) for c, w in weights.items()}
        return weights
    if n_articles <= 1:
        # one article: a concept's worth is how often it comes back in the text
        counts: Counter[tuple[str, str]] = Counter()
        for s in main_sentences:
            if s.original is None:
                counts.update(s.concepts)
        return {c: float(k) for c, k in counts.items()}
    df: Counter[tuple[str, str]] = Counter()
    early: Counter[tuple[str, str]] = Counter()
    per_article: dict[int, set[tuple[str, str]]] = defaultdict(set)
    per_article_early: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for s in main_sentences:
        per_article[s.article].update(s.concepts)
        if s.index < 3:
            per_article_early[s.article].update(s.concepts)
    for concepts in per_article.values():
        df.update(concepts)
    for concepts in per_article_early.values():
        early.update(concepts)
    threshold = share_bar(df, n_articles, config.min_df, config.min_df_fraction)
    kept = {c: float(k) + config.lead_concept_boost * early[c] for c, k in df.items() if k >= threshold}
    if config.unigram_weight:
        kept = {c: (w * config.unigram_weight if c[1] == "" else w) for c, w in kept.items()}
    return kept


def _article_centrality(space: _Space) -> dict[int, float]:
    """Cosine of each article's words to the rest of the story's (1.0 for a lone article): the main thread
    of a story is what most of its articles share; an analysis piece or a side story shares less."""
    import numpy as np
    from scipy.sparse import csr_matrix

    articles = sorted({m.article for m in space.members})
    if len(articles) < 2:
        return dict.fromkeys(articles, 1.0)
    index = {a: k for k, a in enumerate(articles)}
    rows = [index[m.article] for m in space.members]
    ones = [0.0 if m.original is not None else 1.0 for m in space.members]  # compressed versions not counted
    member = csr_matrix((ones, (rows, range(len(rows)))), shape=(len(articles), len(rows)))
    vectors = np.asarray((member @ space.matrix).todense())
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
    total = vectors.sum(axis=0)
    out: dict[int, float] = {}
    for a, k in index.items():
        rest = total - vectors[k]
        out[a] = float(vectors[k] @ rest / (np.linalg.norm(rest) or 1.0))
    top = max(out.values()) or 1.0
    return {a: v / top for a, v in out.items()}


def _salience(space: _Space, candidates: list[_Sentence], n_articles: int, config: ExtractiveConfig) -> None:
    import numpy as np

    if not candidates:
        return
    rows = np.array([s.row for s in candidates])
    sub = space.matrix[rows]
    centroid = np.asarray(sub.sum(axis=0)).ravel()
    centroid /= np.linalg.norm(centroid) or 1.0
    centrality = sub @ centroid
    articles_of = np.array([s.article for s in space.members])
    main_thread = _article_centrality(space) if config.article_weight else {}
    if n_articles > 1:
        sims = (sub @ space.matrix.T).tocsr()
    for k, s in enumerate(candidates):
        agreement = 0.0
        if n_articles > 1:
            lo, hi = sims.indptr[k], sims.indptr[k + 1]
            close = sims.indices[lo:hi][sims.data[lo:hi] >= config.agree_threshold]
            others = set(articles_of[close].tolist()) - {s.article}
            agreement = len(others) / (n_articles - 1)
        position = 1.0 / math.sqrt(1.0 + s.index)
        s.salience = (config.centrality_weight * float(centrality[k]) + config.position_weight * position
                      + config.agreement_weight * agreement
                      + config.article_weight * main_thread.get(s.article, 1.0))


def _similarity(space: _Space, a: _Sentence, b: _Sentence) -> float:
    return float(space.matrix[a.row].multiply(space.matrix[b.row]).sum())


def _redundant(space: _Space, a: _Sentence, b: _Sentence, config: ExtractiveConfig,
               similarity: float | None = None) -> bool:
    """``b`` would repeat ``a``: one sentence in two versions, close TF-IDF vectors (``similarity`` when it is
    already known), one fact restated, most of one's words said again (:func:`retells`) or three of its
    numbers given again (:func:`same_numbers`)."""
    similarity = _similarity(space, a, b) if similarity is None else similarity
    return (_twins(a, b) or similarity > config.redundancy_threshold
            or same_fact(a.text, b.text, a.language, config.fact_overlap)
            or retells(a.stems, b.stems, config.retell_words, config.retell_share)
            or same_numbers(a.text, b.text, a.language, config.retell_numbers))


def _select(space: _Space, candidates: list[_Sentence], weights: dict[tuple[str, str], float], budget: int,
            config: ExtractiveConfig) -> list[_Sentence]:
    chosen: list[_Sentence] = []
    covered: set[tuple[str, str]] = set()
    used = 0
    top_salience = max((s.salience for s in candidates), default=1.0) or 1.0
    pool = [s for s in candidates if s.words <= budget]
    seen_texts: set[str] = set()
    while pool and len(chosen) < config.max_sentences:
        best, best_score = None, 0.0
        for s in pool:
            if used + s.words > budget:
                continue
            gain = sum(weights.get(c, 0.0) for c in s.concepts if c not in covered)
            score = gain * (1.0 + config.salience_weight * s.salience / top_salience) / (s.words ** config.length_power)
            if score > best_score:
                best, best_score = s, score
        if best is None:
            break
        pool.remove(best)
        key = " ".join(tokens(best.text))
        if key in seen_texts or any(_redundant(space, best, c, config) for c in chosen):
            continue
        seen_texts.add(key)
        chosen.append(best)
        covered.update(best.concepts)
        used += best.words
    return chosen


@contextmanager
def solver_output_to_stderr() -> Iterator[None]:
    """While the MILP solver runs, the process's standard output (file descriptor 1) goes to standard error:
    HiGHS sometimes prints a debug line there ("HighsMipSolverData::transformNewIntegerFeasibleSolution
    tmpSolver.run();", seen at 200 words on the demo), which broke ``tidings summarize``'s JSON Lines."""
    try:
        out_fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        err_fd = sys.__stderr__.fileno() if sys.__stderr__ is not None else 2
    except (OSError, ValueError):
        out_fd, err_fd = 1, 2
    try:
        saved = os.dup(out_fd)
    except OSError:  # no standard output to protect
        yield
        return
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
        os.dup2(err_fd, out_fd)
        yield
    finally:
        os.dup2(saved, out_fd)
        os.close(saved)


def _select_ilp(space: _Space, candidates: list[_Sentence], weights: dict[tuple[str, str], float], budget: int,
                config: ExtractiveConfig) -> list[_Sentence] | None:
    """Exact budgeted maximum coverage: choose sentences (at most ``max_sentences``, at most ``budget`` words,
    no two redundant ones) maximising the worth of the concepts they cover plus their salience.
    Returns ``None`` when the solver finds nothing in time."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    pool = [s for s in candidates if s.words <= budget]
    if not pool:
        return []
    top_salience = max((s.salience for s in pool), default=1.0) or 1.0

    def greedy_score(s: _Sentence) -> float:
        gain = sum(weights.get(c, 0.0) for c in s.concepts)
        return gain * (1.0 + config.salience_weight * s.salience / top_salience) / (s.words ** config.length_power)

    pool = sorted(pool, key=greedy_score, reverse=True)[: config.ilp_pool]
    concept_ids: dict[tuple[str, str], int] = {}
    for s in pool:
        for c in s.concepts:
            if c in weights and c not in concept_ids:
                concept_ids[c] = len(concept_ids)
    n, m = len(pool), len(concept_ids)
    words = np.array([s.words for s in pool], dtype=float)
    worth = np.array([weights[c] for c in concept_ids], dtype=float)
    per_word = (worth.sum() / max(1.0, words.sum())) if m else 1.0
    # the bonus grows with the words a sentence brings; a compressed version is credited with its original's
    # words, so that it wins over the original unless the words it drops carried concepts
    bonus = np.array([config.salience_weight * (s.salience / top_salience) * _full_words(s) * per_word
                      * config.ilp_bonus for s in pool])
    objective = -np.concatenate([bonus, worth])
    rows, cols, vals = [], [], []
    r = 0
    # budget and sentence count
    for j in range(n):
        rows += [0, 1]
        cols += [j, j]
        vals += [words[j], 1.0]
    lower, upper = [-np.inf, -np.inf], [float(budget), float(config.max_sentences)]
    r = 2
    # a concept counts only if a chosen sentence has it: y_i - sum_j x_j <= 0
    has: dict[int, list[int]] = defaultdict(list)
    for j, s in enumerate(pool):
        for c in s.concepts:
            if c in concept_ids:
                has[concept_ids[c]].append(j)
    for i in range(m):
        rows.append(r)
        cols.append(n + i)
        vals.append(1.0)
        for j in has[i]:
            rows.append(r)
            cols.append(j)
            vals.append(-1.0)
        lower.append(-np.inf)
        upper.append(0.0)
        r += 1
    # no two redundant sentences
    idx = np.array([s.row for s in pool])
    sims = (space.matrix[idx] @ space.matrix[idx].T).toarray()
    keys = [" ".join(tokens(s.text)) for s in pool]
    for a in range(n):
        for b in range(a + 1, n):
            if (sims[a, b] > config.redundancy_threshold or keys[a] == keys[b] or _twins(pool[a], pool[b])
                    or same_fact(pool[a].text, pool[b].text, pool[a].language, config.fact_overlap)
                    or retells(pool[a].stems, pool[b].stems, config.retell_words, config.retell_share)
                    or same_numbers(pool[a].text, pool[b].text, pool[a].language, config.retell_numbers)):
                rows += [r, r]
                cols += [a, b]
                vals += [1.0, 1.0]
                lower.append(-np.inf)
                upper.append(1.0)
                r += 1
    matrix = coo_matrix((np.array(vals), (np.array(rows), np.array(cols))), shape=(r, n + m)).tocsr()
    with solver_output_to_stderr():
        result = milp(
            objective,
            constraints=LinearConstraint(matrix, np.array(lower), np.array(upper)),
            integrality=np.ones(n + m, dtype=np.int_),
            bounds=Bounds(np.zeros(n + m), np.ones(n + m)),
            options={"time_limit": config.ilp_time_limit, "disp": False},
        )
    if result.x is None:
        return None
    return [pool[j] for j in range(n) if result.x[j] > 0.5]


# ---------------------------------------------------------------- headline and lead


def _pick_lead(candidates: Sequence[_Sentence], weights: dict[tuple[str, str], float],
               config: ExtractiveConfig = DEFAULT_CONFIG) -> _Sentence | None:
    """The story's one-line lead: an article's first sentence (else one of its first three) that covers much of
    what the outlets share, from a central article, of the length of a news lead (18-45 words)."""
    if not candidates:
        return None

    def score(s: _Sentence) -> float:
        worth = sum(weights.get(c, 0.0) for c in s.concepts)
        distance = max(0, 18 - s.words, s.words - 45)
        return (worth / s.words ** config.lead_length_power + 1.0) * math.exp(-distance / 15) * (1.0 + s.salience)
    early = ([s for s in candidates if s.index == 0 and 12 <= s.words <= 50]
             or [s for s in candidates if s.index <= 2 and 12 <= s.words <= 50] or list(candidates))
    return max(early, key=score)


# ---------------------------------------------------------------- citations


def _cite(chosen: Sequence[_Sentence], spaces: dict[str, _Space], articles: Sequence[Article],
          config: ExtractiveConfig, embedder: Any = None) -> list[list[str]]:
    """For each chosen sentence, the ids of every article that states it (its own first)."""
    import numpy as np

    found: list[set[int]] = [{s.article} for s in chosen]
    if not chosen:
        return []
    lang = chosen[0].language
    space = spaces[lang]
    rows = np.array([s.row for s in chosen])
    sims = (space.matrix[rows] @ space.matrix.T).toarray()  # chosen x same-language sentences
    articles_of = np.array([m.article for m in space.members])
    for k in range(len(chosen)):
        found[k].update(articles_of[sims[k] >= config.cite_threshold].tolist())
    others = [m for other, sp in spaces.items() if other != lang for m in sp.members]
    if embedder is not None and others:
        texts = [s.text for s in chosen] + [m.text for m in others]
        matrix = np.asarray(embedder.embed(texts, kind="passage"), dtype=np.float32)
        cross = matrix[: len(chosen)] @ matrix[len(chosen):].T
        threshold = EMBED_CITE_THRESHOLDS.get(str(getattr(embedder, "name", "")), config.cite_embed_threshold)
        other_articles = np.array([m.article for m in others])
        for k in range(len(chosen)):
            found[k].update(other_articles[cross[k] >= threshold].tolist())
    out: list[list[str]] = []
    for s, arts in zip(chosen, found, strict=True):
        ordered = [s.article] + sorted(arts - {s.article})
        ids: list[str] = []
        for a in ordered:
            if articles[a].id not in ids:
                ids.append(articles[a].id)
        out.append(ids)
    return out


# ---------------------------------------------------------------- entry point


def sentence_cap(words: int, config: ExtractiveConfig = DEFAULT_CONFIG) -> int:
    """The most summary sentences a budget of ``words`` allows: ``max_sentences``, more for long budgets."""
    return max(config.max_sentences, math.ceil(words / max(1, config.words_per_sentence)))


def summarize_articles(articles: Sequence[Article], words: int = 120, embedder: Any = None,
                       config: ExtractiveConfig = DEFAULT_CONFIG, *, lead_in_budget: bool | None = None,
                       fill: bool | str | None = None) -> StorySummary:
    """Summarize one story's articles: a headline, a lead and cited sentences, about ``words`` words in all.

    The lead is picked first and the summary sentences say what it does not (see the module docstring).
    ``lead_in_budget`` and ``fill`` override the configuration's (``True`` for ``fill`` is ``"always"``).
    """
    lead_in_budget = config.lead_in_budget if lead_in_budget is None else lead_in_budget
    fill_mode = config.fill if fill is None else ("always" if fill is True else "none" if fill is False else fill)
    if fill_mode not in ("none", "nearest", "always"):
        raise ValueError(f"fill must be 'none', 'nearest' or 'always', not {fill_mode!r}")
    config = replace(config, max_sentences=sentence_cap(words, config))
    articles = list(articles)
    if not articles:
        raise ValueError("a story needs at least one article")
    langs = [article_language(a) for a in articles]
    main, languages = story_languages(articles, langs)
    sentences, spaces = _analyse(articles, langs, main, config)
    candidates = [s for s in sentences if s.candidate]
    notes: list[str] = []
    if not candidates:
        # nothing passed cleanup (short feed snippets): accept short sentences, still none that needs context
        candidates = [s for s in sentences if s.language == main
                      and reject_reason(s.text, min(4, config.min_words), config.max_words) is None]
        for s in candidates:
            s.candidate = True
        notes.append("no sentence passed cleanup; accepted sentences of 4 words or more")
    main_sentences = [s for s in sentences if s.language == main]
    n_main = len({s.article for s in main_sentences})
    weights = _concept_weights(main_sentences, n_main, config, _title_concepts(articles, langs, main, config))
    headline = pick_headline(articles, langs, main, weights)
    chosen: list[_Sentence] = []
    lead: _Sentence | None = None
    extra: _Sentence | None = None
    if candidates:
        space = spaces[main]  # type: ignore[index]
        _salience(space, candidates, n_main, config)
        if not headline:
            # no usable title: the best opening sentence is the headline, and the lead must be another one
            top = _pick_lead(candidates, weights, config)
            headline = top.text if top else ""
            candidates = [s for s in candidates if top is None or not _twins(s, top)]
        lead = _pick_lead([s for s in candidates if not same_words(s.text, headline, 0.6)], weights, config)
        body = candidates
        if lead is not None:
            to_lead = (space.matrix @ space.matrix[lead.row].T).toarray().ravel()  # cosine of every sentence
            body = [s for s in candidates if not _redundant(space, lead, s, config, float(to_lead[s.row]))
                    and not same_words(s.text, lead.text, 0.6)]
            if not body:
                lead = None  # a single usable sentence: it is the summary, and there is no separate lead
                body = candidates
        body_weights = weights
        budget = words
        if lead is not None:
            body_weights = {c: w for c, w in weights.items() if c not in lead.concepts}  # the lead says these
            if lead_in_budget:
                budget = max(0, words - lead.words)
        body = [s for s in body if not same_words(s.text, headline, 0.6)] or body
        picked = _select_ilp(space, body, body_weights, budget, config) if config.selector == "ilp" else None
        if picked is None:
            if config.selector == "ilp":
                notes.append("coverage solver found nothing in time; used the greedy selection")
            picked = _select(space, body, body_weights, budget, config)
        chosen = _drop_retellings(space, picked, lead, body_weights, config)
        if len(chosen) < config.min_sentences and len(body) > len(chosen):
            notes.append(f"only {len(chosen)} sentence(s) fit in {words} words")
        extra = None
        if fill_mode != "none":
            used = sum(s.words for s in chosen) + (lead.words if lead is not None and lead_in_budget else 0)
            # "nearest": only a sentence that ends the summary nearer the budget than it is now, or at most
            # ``fill_slack`` of the budget past it
            longest = None if fill_mode == "always" else max(2 * (words - used) - 1,
                                                               words - used + int(config.fill_slack * words))
            if longest is None or longest > 0:
                extra = _overflow(space, body, chosen, lead, body_weights, config, longest)
    dates = [_epoch(a.published) for a in articles]
    chosen.sort(key=lambda s: (dates[s.article], s.index, s.article))
    if extra is not None:
        chosen.append(extra)  # last, so that a fixed-length cut shortens only this one
    cites = _cite(chosen, spaces, articles, config, embedder)
    out = [CitedSentence(text=s.text, cites=c, source_article=articles[s.article].id, source_index=s.number,
                         score=s.salience) for s, c in zip(chosen, cites, strict=True)]
    return StorySummary(
        headline=headline,
        lead=lead.text if lead else "",
        sentences=out,
        language=main,
        languages=languages,
        method=METHOD,
        notes=notes,
    )


def _drop_retellings(space: _Space, chosen: list[_Sentence], lead: _Sentence | None,
                     weights: dict[tuple[str, str], float], config: ExtractiveConfig) -> list[_Sentence]:
    """``chosen`` without retellings: a sentence none of whose worthy concepts is missing from the others kept
    (the lead's concepts are not in ``weights``) and that is close to the lead or to one of them (TF-IDF cosine
    above ``retelling_similarity``, or one fact at half the usual word overlap). The least worthy goes first."""
    kept = list(chosen)

    def adds(s: _Sentence) -> float:
        others = set().union(*(t.concepts for t in kept if t is not s))
        return sum(weights.get(c, 0.0) for c in s.concepts if c not in others)

    def retells(s: _Sentence) -> bool:
        near = [lead] * (lead is not None) + [t for t in kept if t is not s]
        return any(_similarity(space, t, s) > config.retelling_similarity  # type: ignore[arg-type]
                   or same_fact(t.text, s.text, s.language, config.fact_overlap / 2) for t in near)  # type: ignore[union-attr]

    changed = True
    while changed:
        changed = False
        for s in sorted(kept, key=adds):
            if adds(s) > 0:
                break
            if retells(s):
                kept.remove(s)
                changed = True
                break
    return kept


def _overflow(space: _Space, body: Sequence[_Sentence], chosen: Sequence[_Sentence], lead: _Sentence | None,
              weights: dict[tuple[str, str], float], config: ExtractiveConfig,
              longest: int | None = None) -> _Sentence | None:
    """The sentence that best adds to ``chosen`` past the budget, of at most ``longest`` words (None: any)."""
    taken = list(chosen) + ([lead] if lead else [])
    covered: set[tuple[str, str]] = set()
    for s in taken:
        covered.update(s.concepts)
    best, best_gain = None, 0.0
    for s in body:
        if s in taken or (longest is not None and s.words > longest) \
                or any(_redundant(space, t, s, config) for t in taken):
            continue
        gain = (sum(weights.get(c, 0.0) for c in s.concepts if c not in covered)
                * (1.0 + config.salience_weight * s.salience))
        if gain > best_gain:
            best, best_gain = s, gain
    return best


def with_config(**changes: Any) -> ExtractiveConfig:
    """The default configuration with some knobs changed (for tuning)."""
    return replace(DEFAULT_CONFIG, **changes)


def summary_text(summary: StorySummary) -> str:
    return " ".join(s.text for s in summary.sentences)
