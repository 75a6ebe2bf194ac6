"""Similar news: related stories that are not the same event, without repeats.

Seed 004's "similar news" lists the same Macron story twice and the same Lagarde
story twice. Here the candidates are other stories (the clusterer already folded
copies and translations of one event into one story), chosen by maximal
marginal relevance: each pick must be close to the story but not close to a
story already picked, and any candidate nearly identical to a pick is skipped.
Pure function over unit vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(slots=True)
class SimilarConfig:
    """Similar news listed beside a story."""

    count: int = 5  # stories listed
    min_similarity: float = 0.82  # cosine below this is unrelated (multilingual-e5 scale)
    max_similarity: float = 0.97  # above this a candidate is the same event missed by clustering: skip
    duplicate_similarity: float = 0.93  # a candidate this close to an earlier pick is a repeat: skip
    diversity: float = 0.3  # weight of "unlike what was picked" in the MMR score


def similar_stories(target: np.ndarray, candidate_ids: list[str], candidates: np.ndarray,
                    config: SimilarConfig | None = None) -> list[tuple[str, float]]:
    """Up to ``config.count`` ``(story id, cosine)`` pairs, best first.

    ``target`` is the story's unit centroid, ``candidates`` one unit centroid per id
    (the target itself must not be among them)."""
    config = config or SimilarConfig()
    if not candidate_ids:
        return []
    sims = candidates @ target
    pool = [i for i in np.argsort(-sims) if config.min_similarity <= sims[i] <= config.max_similarity]
    picked: list[int] = []
    while pool and len(picked) < config.count:
        if picked:
            chosen = candidates[picked]
            redundancy = (candidates[pool] @ chosen.T).max(axis=1)
        else:
            redundancy = np.zeros(len(pool))
        mmr = (1 - config.diversity) * sims[pool] - config.diversity * redundancy
        best = int(np.argmax(mmr))
        index = pool.pop(best)
        if picked and float(redundancy[best]) >= config.duplicate_similarity:
            continue
        picked.append(index)
    return [(candidate_ids[i], float(sims[i])) for i in picked]
