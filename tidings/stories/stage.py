"""The story stages the engine runs (:mod:`tidings.engine`): pure functions over a batch, one result
per record, a failing record answered with :class:`tidings.engine.stages.StageError`.

``features``: :class:`tidings.records.Article` -> ``ArticleFeatures`` (embedding, keys); ``embed``: a
text -> its vector (the embedder alone); ``tags``: :class:`TagJob` -> the story's tags. (A story's
section vector is the mean of its articles' vectors, computed in the driver:
:func:`tidings.stories.sections.story_vector`.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.engine.stages import StageError
from tidings.records import Article


@dataclass(slots=True)
class TagJob:
    """A story's articles for tagging (:class:`tidings.stories.tags.TagText`: title, text, language)
    and its main language."""

    articles: list[Any]
    language: str | None


def features(batch: list[Article], cluster_config: Any) -> list[Any]:
    """The clusterer's features of each article (one batched embedding call)."""
    from tidings.stories.cluster import features_for
    from tidings.stories.embed import get_embedder

    embedder = get_embedder(cluster_config.embedder)
    try:
        return features_for(batch, embedder, cluster_config)
    except Exception:
        out: list[Any] = []
        for article in batch:
            try:
                out.extend(features_for([article], embedder, cluster_config))
            except Exception as exc:
                out.append(StageError(f"features: {exc.__class__.__name__}: {exc}"))
        return out


def embed(batch: list[str], params: tuple[str | None, str]) -> list[Any]:
    """The embedder alone: one vector a text; ``params`` is (embedder name, kind). What
    ``features`` pays for the embedding (``benchmarks.update_throughput``'s floor)."""
    from tidings.stories.embed import get_embedder

    name, kind = params
    return list(get_embedder(name).embed(list(batch), kind=kind))


def tags(batch: list[TagJob], top: int) -> list[Any]:
    """A story's displayed tags (:func:`tidings.stories.tags.story_tags_for`, the function
    ``tidings tags`` runs too)."""
    from tidings.stories.tags import story_tags_for

    out: list[Any] = []
    for job in batch:
        try:
            out.append([{"name": t.name, "key": t.key, "kind": t.kind, "score": t.score}
                        for t in story_tags_for(job.articles, job.language, top=top)])
        except Exception as exc:
            out.append(StageError(f"tags: {exc.__class__.__name__}: {exc}"))
    return out
