"""The extractive summarizer's settings: :class:`ExtractiveConfig` (every knob, with the defaults tuned on
DUC 2003 by ``benchmarks/duc.py --tune``), :data:`DEFAULT_CONFIG`, :func:`with_config` for tuning and
:func:`sentence_cap`, the number of sentences a word budget allows. Data only: no text is read here."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any


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


def with_config(**changes: Any) -> ExtractiveConfig:
    """The default configuration with some knobs changed (for tuning)."""
    return replace(DEFAULT_CONFIG, **changes)


def sentence_cap(words: int, config: ExtractiveConfig = DEFAULT_CONFIG) -> int:
    """The most summary sentences a budget of ``words`` allows: ``max_sentences``, more for long budgets."""
    return max(config.max_sentences, math.ceil(words / max(1, config.words_per_sentence)))
