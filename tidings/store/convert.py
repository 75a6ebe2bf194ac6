"""Stored rows to the typed records the stages take: written once, used by every driver."""

from __future__ import annotations

from tidings.records import Article as ArticleRecord
from tidings.store.models import Article


def article_record(article: Article) -> ArticleRecord:
    """The stage view of one stored article (its id as a string; undated: when first seen)."""
    return ArticleRecord(id=str(article.id), title=article.title or "", text=article.text or "",
                         published=article.published_at or article.first_seen_at, language=article.language,
                         url=article.canonical_url, source=article.source.name if article.source else None)


def article_records(articles: list[Article]) -> list[ArticleRecord]:
    return [article_record(a) for a in articles]
