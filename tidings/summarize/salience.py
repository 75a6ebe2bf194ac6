"""How much a candidate sentence stands for its story, apart from the concepts it covers: its centrality to
the story's TF-IDF centroid, its position in its article, the share of other articles carrying a
near-identical sentence, and how central its article is to the story (the main thread, not an analysis piece
or a side story). :func:`salience` sets ``Sentence.salience``; the selection weighs it beside the concepts."""

from __future__ import annotations

import math

from tidings.summarize.extractive_config import ExtractiveConfig
from tidings.summarize.sentence_space import Sentence, Space


def _article_centrality(space: Space) -> dict[int, float]:
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


def salience(space: Space, candidates: list[Sentence], n_articles: int, config: ExtractiveConfig) -> None:
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
