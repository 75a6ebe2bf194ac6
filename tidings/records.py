"""Typed records passed between the stages of a story's trip through Tidings.

Each stage takes plain dataclasses in and gives plain dataclasses out, so the
NLP steps stay pure functions that can run in one process today and on a
distributed engine tomorrow. The database rows live in :mod:`tidings.store.models`;
these are the values that travel between the stages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class FetchResult:
    """What one HTTP fetch gave back, after redirects, decoding and limits."""

    url: str  # the URL asked for
    final_url: str  # the URL after redirects
    status: int  # HTTP status; 304 means "not modified"
    headers: dict[str, str]
    body: bytes = b""
    text: str | None = None  # body decoded with the detected charset, when textual
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    elapsed: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass(slots=True)
class FeedEntry:
    """One item of a feed or one URL of a sitemap, before its page is fetched."""

    url: str
    guid: str | None = None
    title: str | None = None
    summary: str | None = None  # short description, plain text
    content_html: str | None = None  # full content when the feed carries it
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    language: str | None = None
    image: str | None = None

    def __post_init__(self) -> None:
        from tidings.text.bounds import bound_lead, bound_short, bound_title

        self.title = bound_title(self.title)
        self.summary = bound_lead(self.summary)
        self.author = bound_short(self.author)


@dataclass(slots=True)
class ParsedFeed:
    """A feed or sitemap as parsed: its own metadata and its entries."""

    kind: str  # "rss", "atom", "jsonfeed", "sitemap", "sitemapindex"
    title: str | None = None
    homepage: str | None = None
    language: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # child sitemaps of an index
    warnings: list[str] = field(default_factory=list)  # recoverable problems (malformed XML that still parsed)


@dataclass(slots=True)
class ExtractedArticle:
    """Full text and metadata of one article page (or of its feed entry)."""

    url: str
    canonical_url: str
    title: str | None
    text: str
    author: str | None = None
    published: datetime | None = None
    language: str | None = None
    image: str | None = None
    site_name: str | None = None
    description: str | None = None
    text_source: str = "page"  # "page": extracted from the article page; "feed": from the feed entry

    def __post_init__(self) -> None:
        from tidings.text.bounds import bound_lead, bound_short, bound_stored_text, bound_title

        self.title = bound_title(self.title)
        self.text = bound_stored_text(self.text) or ""
        self.description = bound_lead(self.description)
        self.author = bound_short(self.author)
        self.site_name = bound_short(self.site_name)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data


@dataclass(slots=True)
class Article:
    """An article as the story stages see it (the JSON Lines input of
    ``tidings cluster``, ``classify``, ``tags``, ``summarize`` ...)."""

    id: str
    title: str
    text: str
    published: datetime | None = None
    language: str | None = None
    url: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        # every stage input is bounded (tidings.text.bounds): records read from JSON Lines,
        # from the database (stored before a bound was lowered) or built by the pipeline
        from tidings.text.bounds import bound_text, bound_title

        self.title = bound_title(self.title) or ""
        self.text = bound_text(self.text) or ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Article:
        from tidings.timeutil import parse_datetime

        if "id" not in data:
            raise ValueError("article has no 'id'")
        title = data.get("title") or ""
        text = data.get("text") or ""
        if not title and not text:
            raise ValueError("article has neither 'title' nor 'text'")
        return cls(
            id=str(data["id"]),
            title=str(title),
            text=str(text),
            published=parse_datetime(data.get("published")),
            language=data.get("language"),
            url=data.get("url"),
            source=data.get("source"),
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data
