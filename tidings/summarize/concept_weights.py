"""Learned concept worth for multi-document summaries (supervised, in the spirit of Li, Qian & Liu 2013 and
Hong & Nenkova's RegSum, 2014).

A *concept* is a stemmed word pair or a single word (see :mod:`tidings.summarize.extractive`). Instead of a
hand-set count ("articles that mention it, plus three per article that mentions it early"), a concept is worth
the probability, from a logistic model, that a human writing a summary of the story would use it. The model
reads only language-agnostic facts about the concept inside its story: the share and number of articles that
mention it, how often it comes back, how early it comes in the articles and whether the headlines carry it,
whether it is one word or two, the share of stop words in it, capitalised words and numbers.

:func:`concept_features` turns a story's sentences into one feature row per concept (pure; no model needed);
:func:`learned_weights` turns rows into worths with :data:`COEFFICIENTS`.

:data:`COEFFICIENTS` were fitted on DUC 2003 Task 2 (30 clusters, 4 human references each; the target is the
share of the references that contain the concept) with ``.venv/bin/python -m benchmarks.duc --fit``, which
prints the table to paste here; settings were chosen by leave-clusters-out cross-validation on DUC 2003 only
(docs/evaluation.md, "Summaries (DUC 2004)"). Nothing of DUC's text is shipped: only these numbers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Concept = tuple[str, str]

FEATURES: tuple[str, ...] = (
    "df_share",  # share of the story's articles that mention the concept
    "log_df",  # log of that number of articles
    "log_sentences",  # log of 1 + the sentences that carry it
    "early_share",  # share of the articles that have it in their first three sentences
    "first_share",  # share of the articles that have it in their first sentence
    "first_index",  # log of 1 + the earliest sentence index where it comes
    "relative_position",  # mean over the articles that mention it of (first index / the article's sentences)
    "title_share",  # share of the articles whose headline has it
    "unigram",  # 1 for a single word, 0 for a pair
    "stop_share",  # share of its words that are stop words
    "capital_share",  # share of its mentions where one of its words is capitalised (not opening the sentence)
    "number",  # 1 when one of its words is a number
)

# Fitted on all 30 DUC 2003 Task 2 clusters (benchmarks/duc.py --fit, the product's DEFAULT_CONFIG: the concepts
# that 35 % of a story's articles share: 4,680 of them, 1,533 pairs and 3,147 single words): the log-odds that a
# human summary uses a concept.
# DUC's articles carry no headlines, so title_share could not be fitted and weighs nothing until the model is
# refitted on data with headlines. Refit: run the command, paste its table here, re-run benchmarks/duc.py --cv.
INTERCEPT: float = -3.6766
COEFFICIENTS: tuple[float, ...] = (
    0.8864,  # df_share
    -0.1829,  # log_df
    0.8389,  # log_sentences
    1.0528,  # early_share
    1.0446,  # first_share
    -0.0310,  # first_index
    -0.6837,  # relative_position
    0.0000,  # title_share (no headlines in DUC)
    0.0058,  # unigram
    -0.1351,  # stop_share
    -0.1772,  # capital_share
    0.5029,  # number
)


@dataclass(slots=True, frozen=True)
class Mention:
    """What the features need of one sentence: its article, its place there, its concepts and the stems of its
    capitalised words (not counting the sentence's first word)."""

    article: int
    index: int
    concepts: frozenset[Concept]
    capitals: frozenset[str] = frozenset()


def concept_features(sentences: Sequence[Mention], n_articles: int, titles: dict[int, frozenset[Concept]],
                     stop: frozenset[str] = frozenset()) -> dict[Concept, list[float]]:
    """One row of :data:`FEATURES` per concept mentioned in ``sentences`` (the story's sentences in its main
    language, each sentence once); ``titles`` maps an article to its headline's concepts; ``stop`` holds the
    language's stop words as stemmed (a stop word in a loose pair)."""
    n = max(1, n_articles)
    length: dict[int, int] = defaultdict(int)
    for s in sentences:
        length[s.article] = max(length[s.article], s.index + 1)
    first_at: dict[Concept, dict[int, int]] = defaultdict(dict)
    mentions: dict[Concept, int] = defaultdict(int)
    capital: dict[Concept, int] = defaultdict(int)
    for s in sentences:
        for c in s.concepts:
            mentions[c] += 1
            seen = first_at[c]
            if s.article not in seen or s.index < seen[s.article]:
                seen[s.article] = s.index
            if (c[0] in s.capitals) or (c[1] and c[1] in s.capitals):
                capital[c] += 1
    rows: dict[Concept, list[float]] = {}
    for c, seen in first_at.items():
        df = len(seen)
        words = [w for w in c if w]
        rows[c] = [
            df / n,
            math.log(df),
            math.log1p(mentions[c]),
            sum(1 for i in seen.values() if i < 3) / n,
            sum(1 for i in seen.values() if i == 0) / n,
            math.log1p(min(seen.values())),
            sum(i / max(1, length[a]) for a, i in seen.items()) / df,
            sum(1 for a in seen if c in titles.get(a, ())) / n,
            1.0 if not c[1] else 0.0,
            sum(1 for w in words if w in stop) / max(1, len(words)),
            capital[c] / max(1, mentions[c]),
            1.0 if any(ch.isdigit() for w in words for ch in w) else 0.0,
        ]
    return rows


def probability(row: Sequence[float], intercept: float = INTERCEPT,
                coefficients: Sequence[float] = COEFFICIENTS) -> float:
    """The logistic model's probability that a summary uses a concept with these features."""
    z = intercept + sum(w * x for w, x in zip(coefficients, row, strict=True))
    return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0


def share_bar(df: Mapping[Concept, int], n_articles: int, min_df: int = 2, min_df_fraction: float = 0.0) -> int:
    """How many articles must mention a concept for it to count: ``max(min_df, min_df_fraction * n_articles)``,
    falling (not below one article) while fewer than ten concepts of ``df`` (articles mentioning each) clear it,
    so that a small or loosely related story still has something to cover."""
    threshold = max(min_df, math.ceil(min_df_fraction * n_articles - 1e-9))
    while threshold > 1 and sum(1 for k in df.values() if k >= threshold) < 10:
        threshold -= 1
    return threshold


def counted(rows: dict[Concept, list[float]], n_articles: int, min_df: int = 2,
            min_df_fraction: float = 0.0) -> list[Concept]:
    """The concepts that get a worth: mentioned by at least :func:`share_bar` articles."""
    log_df = FEATURES.index("log_df")
    df = {c: round(math.exp(row[log_df])) for c, row in rows.items()}
    bar = share_bar(df, n_articles, min_df, min_df_fraction)
    return [c for c in rows if df[c] >= bar]


def learned_weights(rows: dict[Concept, list[float]], n_articles: int, *, min_df: int = 2,
                    min_df_fraction: float = 0.0, scale: float = 10.0, floor: float = 0.0, power: float = 1.0,
                    intercept: float = INTERCEPT, coefficients: Sequence[float] = COEFFICIENTS) -> dict[Concept, float]:
    """Each concept that :func:`counted` keeps is worth ``scale * max(0, p - floor) ** power``, ``p`` the model's
    probability; concepts worth nothing are left out."""
    out: dict[Concept, float] = {}
    for c in counted(rows, n_articles, min_df, min_df_fraction):
        p = probability(rows[c], intercept, coefficients) - floor
        if p > 0:
            out[c] = scale * p ** power
    return out
