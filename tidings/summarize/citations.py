"""Whom a summary sentence cites: every article that states it or a near paraphrase of it, its own first.
Same-language sentences by TF-IDF cosine; with an embedder, sentences in the story's other languages by
embedding cosine, at a threshold per model (:data:`EMBED_CITE_THRESHOLDS`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tidings.records import Article
from tidings.summarize.extractive_config import ExtractiveConfig
from tidings.summarize.sentence_space import Sentence, Space

# Embedding cosine at which a sentence in another language states the same thing, per model: the two
# models spread their cosines very differently (e5 puts unrelated news sentences near 0.75-0.82 and
# translations above 0.88; USE puts unrelated ones near 0.1-0.4 and translations above 0.65).
EMBED_CITE_THRESHOLDS: dict[str, float] = {"multilingual-e5-small": 0.88, "use-multilingual-v3": 0.65}


def cite(chosen: Sequence[Sentence], spaces: dict[str, Space], articles: Sequence[Article],
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
