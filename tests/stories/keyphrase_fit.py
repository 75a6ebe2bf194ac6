"""Scoring and fitting of the learned tag ranking against gold keyphrases, shared by
benchmarks/keyphrases.py (500N-KPCrowd: its F@10 and ``--fit``) and tests/stories/test_tags.py: a tag
matches a gold phrase when their lower-cased, Porter-stemmed words are equal; the ranking's weights are
an L2-regularised logistic regression over the candidates' features (:mod:`tidings.stories.tag_rank`)."""

from __future__ import annotations

import re
from collections.abc import Callable

from tidings.stories.tag_rank import FEATURES
from tidings.stories.tags import Candidate, rank_candidates

Stem = Callable[[str], str]


def porter_stemmer():  # -> nltk's PorterStemmer, or None without nltk
    try:
        from nltk.stem.porter import PorterStemmer
    except ImportError:  # pragma: no cover - nltk comes with rouge-score (the test extra)
        return None
    return PorterStemmer()


def normalise(phrase: str, stem: Stem) -> str:
    text = phrase.lower().replace("-", "").replace("\u2019", "'")
    text = re.sub(r"'s\b", "", text)
    words = re.findall(r"\w+", text)
    return " ".join(stem(w) for w in words)


def score(predicted: list[str], gold: list[str], stem: Stem) -> tuple[float, float, float]:
    """Precision, recall and F of ``predicted`` against ``gold`` (stemmed exact match, duplicates once)."""
    gold_set = {normalise(g, stem) for g in gold} - {""}
    seen: list[str] = []
    for p in predicted:
        n = normalise(p, stem)
        if n and n not in seen:
            seen.append(n)
    if not seen or not gold_set:
        return 0.0, 0.0, 0.0
    hits = sum(1 for p in seen if p in gold_set)
    precision, recall = hits / len(seen), hits / len(gold_set)
    f = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f


def examples(cands: list[list[Candidate]], golds: list[list[str]], stem: Stem, features: tuple[str, ...]):
    """Feature matrix and labels over the candidates of the given documents: a candidate is
    positive when its stemmed display name is one of the document's gold keyphrases."""
    import numpy as np

    rows, labels = [], []
    for doc, gold in zip(cands, golds):
        gold_set = {normalise(g, stem) for g in gold} - {""}
        for c in doc:
            rows.append([c.features.get(f, 0.0) for f in features])
            labels.append(normalise(c.name, stem) in gold_set)
    return np.asarray(rows, dtype=float), np.asarray(labels, dtype=int)


def fit_weights(cands: list[list[Candidate]], golds: list[list[str]], stem: Stem, c: float,
                features: tuple[str, ...] = FEATURES, balanced: bool = False) -> dict[str, float]:
    """L2-regularised logistic regression over the candidates' features; the weights by feature
    name (the intercept is left out: it shifts every candidate alike)."""
    from sklearn.linear_model import LogisticRegression

    x, y = examples(cands, golds, stem, features)
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced" if balanced else None)
    model.fit(x, y)
    return {f: round(float(w), 4) for f, w in zip(features, model.coef_[0])}


def evaluate(cands: list[list[Candidate]], golds: list[list[str]], stem: Stem, weights, top: int = 10) -> float:
    """Mean F@``top`` of the product's ranking (:func:`rank_candidates`) under ``weights``."""
    values = [score([t.name for t in rank_candidates(doc, top, None, weights)], gold, stem)[2]
              for doc, gold in zip(cands, golds)]
    return sum(values) / max(1, len(values))
