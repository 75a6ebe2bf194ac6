"""Statistics of the summary benchmarks (benchmarks/duc.py), tested in tests/summarize/test_concept_weights.py:
the logistic fit of the learned concept weights, leave-clusters-out folds and a paired bootstrap."""

from __future__ import annotations

from statistics import mean


def fit_concept_model(examples: list[tuple[list, object, object]], c: float = 1.0,
                      features: tuple[int, ...] | None = None) -> tuple[float, ...]:
    """Logistic regression of "a reference uses the concept" on the feature rows; the target is the share of
    the references, given as two weighted rows (1 with weight share, 0 with weight 1 - share). Returns the
    intercept then one coefficient per feature (0 for a feature left out)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([e[1] for e in examples])
    y = np.concatenate([e[2] for e in examples])
    columns = list(features) if features is not None else list(range(x.shape[1]))
    xs = np.vstack([x[:, columns], x[:, columns]])
    labels = np.concatenate([np.ones(len(y)), np.zeros(len(y))])
    weights = np.concatenate([y, 1.0 - y])
    keep = weights > 0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(xs[keep], labels[keep], sample_weight=weights[keep])
    coefficients = [0.0] * x.shape[1]
    for k, column in enumerate(columns):
        coefficients[column] = float(model.coef_[0][k])
    return (float(model.intercept_[0]), *coefficients)


def folds_of(n: int, folds: int) -> list[list[int]]:
    """Leave-clusters-out folds: cluster k goes to fold k mod ``folds``."""
    return [[k for k in range(n) if k % folds == f] for f in range(folds)]


def paired(per_a: list, per_b: list, rounds: int = 10_000, seed: int = 0) -> tuple[float, float, float, int]:
    """Paired bootstrap over clusters of the R-1 difference b - a (in points): mean, 95 % interval and the
    number of clusters where b is ahead."""
    import random

    diffs = [100 * (b[0] - a[0]) for a, b in zip(per_a, per_b)]
    rng = random.Random(seed)
    means = sorted(mean(rng.choices(diffs, k=len(diffs))) for _ in range(rounds))
    return mean(diffs), means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1], sum(d > 0 for d in diffs)
