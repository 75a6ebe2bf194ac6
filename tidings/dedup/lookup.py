"""Finding the article a new text copies, and indexing an article's fingerprint.

Exact copies are found by content hash; near copies by the LSH band keys stored
in ``article_bands`` (a database-backed MinHash LSH, so the index survives
restarts and is shared by every process), then confirmed by the exact Jaccard
similarity of the two texts' word shingles.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from tidings.dedup.fingerprint import Fingerprint, jaccard, shingles, words
from tidings.store.models import Article, ArticleBand


@dataclass(frozen=True, slots=True)
class CopyMatch:
    original_id: int  # the first-seen article of the group (never itself a copy)
    kind: str  # "exact" or "near"
    similarity: float


def _root(session: Session, article_id: int) -> int:
    seen = set()
    current = session.get(Article, article_id)
    while current is not None and current.copy_of_id is not None and current.id not in seen:
        seen.add(current.id)
        current = session.get(Article, current.copy_of_id)
    return current.id if current is not None else article_id


def find_original(session: Session, fp: Fingerprint, *, threshold: float, shingle_size: int = 5,
                  exclude_id: int | None = None) -> CopyMatch | None:
    """The article that ``fp``'s text copies, if any (its group's original)."""
    if not fp.eligible:
        return None
    query = select(Article.id).where(Article.content_hash == fp.content_hash).order_by(Article.id).limit(1)
    if exclude_id is not None:
        query = query.where(Article.id != exclude_id)
    exact = session.scalar(query)
    if exact is not None:
        return CopyMatch(_root(session, exact), "exact", 1.0)
    if not fp.bands:
        return None
    condition = or_(*(and_(ArticleBand.band == band, ArticleBand.key == key) for band, key in fp.bands))
    candidates = set(session.scalars(select(ArticleBand.article_id).where(condition)))
    candidates.discard(exclude_id)
    best: tuple[float, int] | None = None
    for article_id, text, title in session.execute(
        select(Article.id, Article.text, Article.title).where(Article.id.in_(candidates))
    ):
        sim = jaccard(fp.shingles, shingles(words(text or title or ""), shingle_size))
        if sim >= threshold and (best is None or (sim, -article_id) > (best[0], -best[1])):
            best = (sim, article_id)
    if best is None:
        return None
    return CopyMatch(_root(session, best[1]), "near", best[0])


def index_fingerprint(session: Session, article: Article, fp: Fingerprint) -> None:
    """Store the article's signature and (re)write its LSH band keys."""
    article.content_hash = fp.content_hash
    article.minhash = fp.signature_bytes() if fp.eligible else None
    session.execute(delete(ArticleBand).where(ArticleBand.article_id == article.id))
    if fp.eligible:
        session.add_all(ArticleBand(article_id=article.id, band=band, key=key) for band, key in fp.bands)
