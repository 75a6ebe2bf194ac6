"""Database tables, as SQLAlchemy 2 typed declarative models.

The schema is owned by the Alembic migrations in ``tidings/store/migrations``;
these classes must match them (``tests/store/test_migrations.py`` checks it).
Times are stored as timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tidings.store.base import NAMING, Base, UTCDateTime  # noqa: F401 - re-exported
from tidings.timeutil import utcnow


class Source(Base):
    """A feed or a sitemap Tidings polls, with its outlet's metadata and its health."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)  # the address polled: feed or sitemap
    kind: Mapped[str] = mapped_column(String(16), default="feed")  # "feed" or "sitemap"
    homepage: Mapped[str | None] = mapped_column(String(2048))
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(8))  # ISO 3166-1 alpha-2, e.g. "US"
    language: Mapped[str | None] = mapped_column(String(16))  # ISO 639-1, e.g. "en"
    authority: Mapped[float] = mapped_column(Float, default=0.5)  # 0..1, feeds the source rank
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    poll_minutes: Mapped[int | None] = mapped_column(Integer)  # None: the configured default
    # conditional GET
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    # health
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_kind: Mapped[str | None] = mapped_column(String(32))
    consecutive_errors: Mapped[int] = mapped_column(Integer, default=0)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    articles: Mapped[list[Article]] = relationship(back_populates="source")

    @property
    def healthy(self) -> bool:
        return self.consecutive_errors == 0


class Article(Base):
    """One article: one canonical URL. Copies at other URLs point at their original."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    url: Mapped[str] = mapped_column(String(2048))  # the address it was found at
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"), index=True)
    guid: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    image_url: Mapped[str | None] = mapped_column(String(2048))
    site_name: Mapped[str | None] = mapped_column(String(300))
    text_source: Mapped[str] = mapped_column(String(8), default="page")  # "page" or "feed"
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)  # MinHash signature, uint64 little-endian
    copy_of_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"), index=True)
    copy_kind: Mapped[str | None] = mapped_column(String(8))  # "exact" or "near"
    copy_similarity: Mapped[float | None] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # stories (migration 0002)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)  # float32 little-endian, unit length
    embedding_model: Mapped[str | None] = mapped_column(String(64))
    embedded_version: Mapped[int | None] = mapped_column(Integer)  # the article version that was embedded
    story_id: Mapped[str | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), index=True)
    story_score: Mapped[float | None] = mapped_column(Float)  # the clusterer's score when it joined
    # retention (migration 0007): when the full text was pruned; title, link and outlet stay
    text_pruned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    source: Mapped[Source | None] = relationship(back_populates="articles")
    story: Mapped[Story | None] = relationship(back_populates="articles")
    copy_of: Mapped[Article | None] = relationship(remote_side="Article.id")
    versions: Mapped[list[ArticleVersion]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleVersion.version"
    )


class ArticleVersion(Base):
    """An earlier state of an article, kept when its title or text was edited."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    article: Mapped[Article] = relationship(back_populates="versions")


class SeenEntry(Base):
    """A feed entry or sitemap URL already handled, so unchanged entries are not fetched again."""

    __tablename__ = "seen_entries"
    __table_args__ = (UniqueConstraint("source_id", "entry_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    entry_key: Mapped[str] = mapped_column(String(2048))  # guid, else the entry's canonical URL
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    entry_stamp: Mapped[str | None] = mapped_column(String(64))  # updated/published time seen last
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ArticleBand(Base):
    """Locality-sensitive-hashing band keys of an article's MinHash (near-duplicate lookup)."""

    __tablename__ = "article_bands"
    __table_args__ = (Index("ix_article_bands_band_key", "band", "key"),)

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger)


class IngestRun(Base):
    """One run of ``tidings ingest`` (or of the ingest step of ``update``) and its counts."""

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, done, failed
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Story(Base):
    """One event, told by one or more articles from one or more outlets.

    ``id`` is stable across runs and days; a story merged into another keeps its
    row with ``merged_into`` set, so its old URL can redirect."""

    __tablename__ = "stories"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    first_published: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_published: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    merged_into: Mapped[str | None] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(Text, default="")  # best source headline until a summary exists
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    outlet_count: Mapped[int] = mapped_column(Integer, default=0)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(16))  # the main language
    section: Mapped[str | None] = mapped_column(String(100), index=True)
    section_scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # the text the section was chosen from, embedded (float32 little-endian, unit length); later updates
    # adapt the section prototypes to the recent stories' vectors (see stories/sections.refine_prototypes)
    section_vector: Mapped[bytes | None] = mapped_column(LargeBinary)
    tags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{name, key, kind, score}]
    score: Mapped[float] = mapped_column(Float, default=0.0, index=True)  # importance, see docs/ranking.md
    rank_signals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    similar: Mapped[list[str]] = mapped_column(JSON, default=list)  # ids of related, distinct stories
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the clusterer's StoryState
    summary_id: Mapped[int | None] = mapped_column(Integer)  # the current summary
    needs_summary: Mapped[bool] = mapped_column(Boolean, default=True)

    articles: Mapped[list[Article]] = relationship(back_populates="story")


class StoryDecision(Base):
    """An editor's decision about where an article belongs (migration 0008): moved to another story or
    split off into a story of its own. The article is pinned (no clusterer run or repair pass moves it)
    and, when ``apart`` is set, the two stories are never merged back (:mod:`tidings.stories.editing`)."""

    __tablename__ = "story_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))  # the editor's email, or "cli:<login>"
    action: Mapped[str] = mapped_column(String(16))  # "move" or "split"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    from_story: Mapped[str] = mapped_column(String(32), index=True)
    to_story: Mapped[str] = mapped_column(String(32), index=True)
    # the two stories are kept apart (False when the move emptied from_story, which now redirects to to_story)
    apart: Mapped[bool] = mapped_column(Boolean, default=True)


class Summary(Base):
    """One version of a story's headline, lead and cited summary (older versions are kept)."""

    __tablename__ = "summaries"
    __table_args__ = (UniqueConstraint("story_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[str] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    headline: Mapped[str] = mapped_column(Text)
    lead: Mapped[str] = mapped_column(Text)
    sentences: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{text, cites: [article ids], from}]
    language: Mapped[str | None] = mapped_column(String(16))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    method: Mapped[str] = mapped_column(String(16))  # extractive, llm, mixed
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)  # who wrote what, rejected sentences and why
    basis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # articles/outlets/facts it was built on


class RunLock(Base):
    """A writer job in progress (``update``, ``send`` ...): one row per job name while it runs.

    Used on SQLite, which has no advisory locks; PostgreSQL uses ``pg_advisory_lock``
    (see :mod:`tidings.store.locks`). A holder refreshes ``heartbeat_at``; a row whose
    heartbeat stopped (the process was killed) is taken over."""

    __tablename__ = "run_locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))  # a random token of the holding process
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))
    command: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuthFailure(Base):
    """One counted event for one key (``scope:ip:ADDRESS`` or ``scope:acct:ACCOUNT``)."""

    __tablename__ = "auth_failures"
    __table_args__ = (Index("ix_auth_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(400))
    at: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch


# The newsletter's and the reader apps' tables, in modules of their own; imported here so that one
# metadata covers every table (they import only tidings.store.base).
from tidings.store import newsletter_models as _newsletter_models  # noqa: E402,F401
from tidings.store import reader_models as _reader_models  # noqa: E402,F401
