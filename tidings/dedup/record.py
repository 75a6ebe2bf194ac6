"""Recording one extracted article: new, edited in place, unchanged, or a copy.

One canonical URL is one article. An edited title or text updates the row in
place and keeps the earlier state in ``article_versions``. A text already
stored at another URL (exactly, or as a near-duplicate syndicated copy) is
stored as its own article — every outlet keeps its attribution — with
``copy_of_id`` pointing at the group's original.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tidings.config import DedupConfig
from tidings.dedup.fingerprint import Fingerprint, fingerprint
from tidings.dedup.lookup import find_original, index_fingerprint
from tidings.records import ExtractedArticle
from tidings.store.models import Article, ArticleVersion
from tidings.timeutil import utcnow


@dataclass(frozen=True, slots=True)
class Recorded:
    article_id: int
    status: str  # "new", "updated", "unchanged"
    copy_kind: str | None = None  # "exact" / "near" when the article copies another
    copy_of_id: int | None = None


def _fingerprint_text(item: ExtractedArticle) -> str:
    return item.text or item.title or ""


def record_article(
    session: Session,
    item: ExtractedArticle,
    *,
    source_id: int | None,
    guid: str | None,
    dedup: DedupConfig,
    fp: Fingerprint | None = None,
) -> Recorded:
    """Insert or update the article for ``item.canonical_url`` in ``session`` (not committed).

    ``fp``: the text's fingerprint when a worker computed it already (the ``extract`` stage)."""
    existing = session.scalar(select(Article).where(Article.canonical_url == item.canonical_url))
    if fp is None:
        fp = fingerprint(_fingerprint_text(item), num_perm=dedup.num_perm, shingle_size=dedup.shingle_size,
                         threshold=dedup.threshold)
    now = utcnow()
    if existing is not None:
        if existing.text_source == "page" and item.text_source == "feed":
            # the page could not be had this time: never replace full text with a teaser
            return Recorded(existing.id, "unchanged", existing.copy_kind, existing.copy_of_id)
        if existing.content_hash == fp.content_hash and (existing.title or "") == (item.title or ""):
            return Recorded(existing.id, "unchanged", existing.copy_kind, existing.copy_of_id)
        session.add(
            ArticleVersion(
                article_id=existing.id,
                version=existing.version,
                title=existing.title,
                text=existing.text,
                content_hash=existing.content_hash,
                recorded_at=existing.updated_at or now,
            )
        )
        _apply(existing, item)
        existing.version += 1
        existing.updated_at = now
        match = find_original(session, fp, threshold=dedup.threshold, shingle_size=dedup.shingle_size,
                              exclude_id=existing.id)
        if match is not None and match.original_id != existing.id:
            existing.copy_of_id, existing.copy_kind, existing.copy_similarity = (
                match.original_id, match.kind, match.similarity)
        else:
            existing.copy_of_id = existing.copy_kind = existing.copy_similarity = None
        index_fingerprint(session, existing, fp)
        return Recorded(existing.id, "updated", existing.copy_kind, existing.copy_of_id)

    match = find_original(session, fp, threshold=dedup.threshold, shingle_size=dedup.shingle_size)
    article = Article(
        canonical_url=item.canonical_url,
        url=item.url,
        source_id=source_id,
        guid=guid,
        content_hash=fp.content_hash,
        version=1,
        first_seen_at=now,
        updated_at=now,
    )
    _apply(article, item)
    if match is not None:
        article.copy_of_id, article.copy_kind, article.copy_similarity = match.original_id, match.kind, match.similarity
    session.add(article)
    session.flush()
    index_fingerprint(session, article, fp)
    return Recorded(article.id, "new", article.copy_kind, article.copy_of_id)


def _apply(article: Article, item: ExtractedArticle) -> None:
    article.url = item.url
    article.title = item.title
    article.text = item.text
    article.description = item.description
    article.author = (item.author or None) and item.author[:500]
    article.published_at = item.published or article.published_at
    article.language = item.language
    article.image_url = item.image
    article.site_name = item.site_name
    article.text_source = item.text_source
