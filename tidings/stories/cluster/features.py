"""An article's features for the clusterer: the embedding of its title and lead, its keys, its language."""

from __future__ import annotations

from typing import Any

from tidings.records import Article
from tidings.stories.cluster.config import ClusterConfig
from tidings.stories.cluster.state import ArticleFeatures
from tidings.text.numbers import number_keys
from tidings.timeutil import as_utc


def lead_text(text: str, words: int) -> str:
    return " ".join(text.split()[:words])


def title_and_lead(title: str | None, text: str | None, lead_words: int = 80) -> str:
    """The text that stands for an article in the embedding space: its title, then its first words."""
    return f"{title or ''}\n{lead_text(text or '', lead_words)}".strip()


def embed_text(article: Article, lead_words: int = 80) -> str:
    """:func:`title_and_lead` of an article record."""
    return title_and_lead(article.title, article.text, lead_words)


def article_keys(title: str, text: str, language: str | None) -> set[str]:
    """Entity keys (:func:`tidings.stories.entities.entity_keys`) and number keys."""
    from tidings.stories.entities import entity_keys

    return set(entity_keys(title, text, language)) | number_keys(f"{title}\n{text}")


def detect_language(title: str, text: str) -> str | None:
    from tidings.stories.entities import detect_language as detect

    return detect(f"{title}\n{text[:1000]}")


def features_for(articles: list[Article], embedder: Any = None,
                 config: ClusterConfig | None = None) -> list[ArticleFeatures]:
    """Features of many articles at once (one batched embedding call)."""
    from tidings.stories.embed import get_embedder

    config = config or ClusterConfig()
    embedder = embedder or get_embedder(config.embedder)
    if not articles:
        return []
    from tidings.stories.entities import entity_keys_many

    vectors = embedder.embed([embed_text(a, config.lead_words) for a in articles], kind=config.embed_kind)
    heads = [article.text[: config.key_chars] for article in articles]
    languages = [(article.language or detect_language(article.title, head) or "").split("-")[0].lower() or None
                 for article, head in zip(articles, heads, strict=True)]
    # the names of the whole batch in one spaCy pass a language; the same keys as article_keys
    names = entity_keys_many([(a.title, head, lang) for a, head, lang in zip(articles, heads, languages, strict=True)])
    return [
        ArticleFeatures(
            id=article.id,
            vector=vector,
            published=as_utc(article.published),
            keys=frozenset(keys | number_keys(f"{article.title}\n{head}")),
            language=language,
            title=article.title,
        )
        for article, vector, head, language, keys in zip(articles, vectors, heads, languages, names, strict=True)
    ]
