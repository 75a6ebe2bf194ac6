"""Retention: keep articles' full text for N days (``[retention] article_text_days``, default
0 = forever); older text is pruned.

Pruning empties an article's ``text`` (and the older versions kept in
``article_versions``) and stamps ``text_pruned_at``; its row stays, with its title, link,
outlet, dates, story, content hash and MinHash signature, so stories, summaries, the
citations in them, search by title and deduplication keep working: a citation to a
pruned article still shows its outlet, title and link. Ages are counted from when
Tidings first saw the article. The search index drops the pruned text at the next
reindex (done here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update

from tidings.config_schema import SettingError
from tidings.store.db import Store
from tidings.store.models import Article, ArticleVersion
from tidings.timeutil import utcnow

BATCH = 500


@dataclass(frozen=True, slots=True)
class RetentionConfig:
    """The ``[retention]`` table of tidings.toml."""

    article_text_days: int = 0  # keep full text this many days after first seen; 0: forever

    def __post_init__(self) -> None:
        if self.article_text_days < 0:
            raise SettingError("article_text_days",
                               f"expected a whole number of days (0: forever), got {self.article_text_days}")

    @classmethod
    def from_config(cls, config: Any) -> RetentionConfig:
        """The ``[retention]`` settings of a loaded configuration (checked when it was loaded)."""
        settings: RetentionConfig = config.settings("retention") if config is not None else cls()
        return settings


@dataclass
class PruneReport:
    articles: int = 0  # articles whose text was pruned now
    versions: int = 0  # older versions deleted
    cutoff: str | None = None  # articles first seen before this lost their text

    def as_dict(self) -> dict[str, Any]:
        return {"articles": self.articles, "versions": self.versions, "cutoff": self.cutoff}


def prune(store: Store, days: int, *, now=None) -> PruneReport:
    """Prune the text of articles first seen more than ``days`` days ago (``days`` 0: nothing)."""
    report = PruneReport()
    if days <= 0:
        return report
    cutoff = (now or utcnow()) - timedelta(days=days)
    report.cutoff = cutoff.isoformat()
    while True:  # in batches, each its own transaction: a large first prune never holds the writer long
        with store.transaction() as session:
            ids = list(session.scalars(
                select(Article.id).where(Article.first_seen_at < cutoff, Article.text_pruned_at.is_(None))
                .order_by(Article.id).limit(BATCH)))
            if not ids:
                break
            session.execute(update(Article).where(Article.id.in_(ids)).values(text="", text_pruned_at=utcnow()))
            deleted = session.execute(delete(ArticleVersion).where(ArticleVersion.article_id.in_(ids)))
            report.versions += cast(CursorResult[Any], deleted).rowcount or 0
            _forget_indexed_text(session, ids)
            report.articles += len(ids)
    if report.articles:
        from tidings.store.search import reindex

        reindex(store)
    return report


def _forget_indexed_text(session: Any, ids: list[int]) -> None:
    """Drop the pruned articles' search documents; the reindex adds them back without the text."""
    from sqlalchemy import bindparam, text

    session.execute(text("DELETE FROM search_documents WHERE kind = 'article' AND ref IN :refs")
                    .bindparams(bindparam("refs", expanding=True)), {"refs": [str(i) for i in ids]})


def prune_configured(config: Any, store: Store) -> PruneReport:
    """Prune as ``[retention]`` says (nothing when it keeps text forever)."""
    return prune(store, RetentionConfig.from_config(config).article_text_days)
