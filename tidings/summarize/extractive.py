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

This module runs the steps in that order; each is a module of one job, whose public names this module
re-exports: :mod:`~tidings.summarize.extractive_config` (the knobs),
:mod:`~tidings.summarize.sentence_words` (tokens, stems, concepts),
:mod:`~tidings.summarize.sentence_space` (the story's sentences, their TF-IDF rows, when two say one thing),
:mod:`~tidings.summarize.redundancy` (one fact told twice),
:mod:`~tidings.summarize.concept_worth` (what each concept is worth),
:mod:`~tidings.summarize.salience` (what a sentence stands for beside its concepts),
:mod:`~tidings.summarize.selection` (the lead, the coverage program, the retellings, the fill),
:mod:`~tidings.summarize.citations` (whom each sentence cites),
:mod:`~tidings.summarize.headline` (the headline) and
:mod:`~tidings.summarize.story_language` (a story's languages).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from tidings.records import Article
from tidings.summarize.citations import cite
from tidings.summarize.cleanup import reject_reason
from tidings.summarize.concept_worth import concept_rows, concept_worth, story_concept_rows, text_concepts
from tidings.summarize.extractive_config import DEFAULT_CONFIG, ExtractiveConfig, sentence_cap, with_config
from tidings.summarize.headline import clean_headline, headline_penalty, is_title, pick_headline
from tidings.summarize.redundancy import distinctive_numbers, retells, same_fact, same_numbers, same_words
from tidings.summarize.salience import salience
from tidings.summarize.selection import (
    drop_retellings,
    overflow,
    pick_lead,
    select_greedy,
    select_ilp,
    solver_output_to_stderr,
)
from tidings.summarize.sentence_space import Sentence, analyse, redundant, title_concepts, twins
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

# re-exported: the summarizer's public names from before its split into modules of one job
__all__ = [
    "DEFAULT_CONFIG", "METHOD", "ExtractiveConfig", "article_language", "clean_headline", "concept_rows",
    "concepts_of", "detect_language", "distinctive_numbers", "headline_penalty", "is_title", "loose_concepts_of",
    "pick_headline", "retells", "same_fact", "same_numbers", "same_words", "sentence_cap",
    "solver_output_to_stderr", "stem_word", "stems", "stopwords", "story_concept_rows", "story_languages",
    "summarize_articles", "text_concepts", "tokens", "unigram_concepts_of", "with_config",
]

METHOD = "extractive"


def _epoch(dt: datetime | None) -> float:
    if dt is None:
        return float("inf")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


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
    sentences, spaces = analyse(articles, langs, main, config)
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
    weights = concept_worth(main_sentences, n_main, config, title_concepts(articles, langs, main, config))
    headline = pick_headline(articles, langs, main, weights)
    chosen: list[Sentence] = []
    lead: Sentence | None = None
    extra: Sentence | None = None
    if candidates:
        assert main is not None  # the candidates are sentences in the main language
        space = spaces[main]
        salience(space, candidates, n_main, config)
        if not headline:
            # no usable title: the best opening sentence is the headline, and the lead must be another one
            top = pick_lead(candidates, weights, config)
            headline = top.text if top else ""
            candidates = [s for s in candidates if top is None or not twins(s, top)]
        lead = pick_lead([s for s in candidates if not same_words(s.text, headline, 0.6)], weights, config)
        body = candidates
        if lead is not None:
            to_lead = (space.matrix @ space.matrix[lead.row].T).toarray().ravel()  # cosine of every sentence
            body = [s for s in candidates if not redundant(space, lead, s, config, float(to_lead[s.row]))
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
        picked = select_ilp(space, body, body_weights, budget, config) if config.selector == "ilp" else None
        if picked is None:
            if config.selector == "ilp":
                notes.append("coverage solver found nothing in time; used the greedy selection")
            picked = select_greedy(space, body, body_weights, budget, config)
        chosen = drop_retellings(space, picked, lead, body_weights, config)
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
                extra = overflow(space, body, chosen, lead, body_weights, config, longest)
    dates = [_epoch(a.published) for a in articles]
    chosen.sort(key=lambda s: (dates[s.article], s.index, s.article))
    if extra is not None:
        chosen.append(extra)  # last, so that a fixed-length cut shortens only this one
    cites = cite(chosen, spaces, articles, config, embedder)
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
