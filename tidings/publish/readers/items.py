"""Stories as reader items: their ids, and the item each app shows.

:func:`sync_items` gives every live story an item id (microseconds since the epoch when it was
first listed, unique and increasing, see :mod:`.models`); it looks only at stories changed since
its last look, so it costs one indexed query per request. :func:`load_items` builds the items
of many stories at once (three queries whatever their number, and none for a story whose built item
is still in the cache: its key holds the summary id and the last change): title = headline, content = the
lead and the cited summary, each citation a link to its article, then the sources with outlet
and rank, all passed through the site's sanitizer; author = the outlets; link = the story page;
published = the first report; updated = the last time the story gained articles or a new summary."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tidings.publish.web.queries import LEAD_CHARS, outlet_rank_labels
from tidings.sanitize import clean_html, plain_text, safe_url
from tidings.store.db import Store
from tidings.store.models import Article, Source, Story, Summary
from tidings.store.reader_models import ReaderItem

OTHER_SECTION = "Other"  # the feed of stories without a section
MAX_AUTHORS = 8
LATE_COMMIT = timedelta(minutes=10)
SYNC_EVERY = 1.0  # seconds between two looks for new stories (a new story shows within a second)


def usec(moment: datetime | None) -> int:
    if moment is None:
        return 0
    return int(moment.astimezone(timezone.utc).timestamp() * 1_000_000)


class ItemSync:
    """Keeps ``reader_items`` in step with the stories; one per store (per process)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.watermark: datetime | None = None  # the newest story change seen at the last look
        self.lock = threading.Lock()
        self.looked = float("-inf")

    def __call__(self) -> int:
        """Give new stories their item ids (at most one look per ``SYNC_EVERY`` seconds); returns
        how many were added."""
        if time.monotonic() - self.looked < SYNC_EVERY:
            return 0
        with self.lock:
            self.looked = time.monotonic()
            for attempt in range(5):
                try:
                    return self._sync()
                except IntegrityError:  # another process numbered the same stories first: look again
                    if attempt == 4:
                        raise
            return 0

    def _sync(self) -> int:
        with self.store.transaction() as session:
            newest = session.scalar(select(func.max(Story.updated_at)))
            if newest is None or (self.watermark is not None and newest <= self.watermark):
                return 0
            query = (select(Story.id, Story.created_at).outerjoin(ReaderItem, ReaderItem.story_id == Story.id)
                     .where(ReaderItem.id.is_(None), Story.merged_into.is_(None)))
            if self.watermark is not None:  # with a margin for a writer that committed late
                query = query.where(Story.updated_at > self.watermark - LATE_COMMIT)
            missing = session.execute(query.order_by(Story.created_at, Story.id)).all()
            last = session.scalar(select(func.max(ReaderItem.id))) or 0
            rows = []
            for story_id, created in missing:
                last = max(usec(created), last + 1)
                rows.append({"id": last, "story_id": story_id})
            if rows:
                session.execute(insert(ReaderItem), rows)
        self.watermark = newest
        return len(rows)


_SYNCS: dict[int, ItemSync] = {}
_SYNCS_LOCK = threading.Lock()


def sync_items(store: Store) -> int:
    with _SYNCS_LOCK:
        sync = _SYNCS.get(id(store))
        if sync is None or sync.store is not store:
            sync = _SYNCS[id(store)] = ItemSync(store)
    return sync()


def item_hex(item_id: int) -> str:
    return f"tag:google.com,2005:reader/item/{item_id:016x}"


@dataclass(slots=True)
class ItemView:
    id: int
    story_id: str
    title: str
    html: str
    author: str
    url: str
    section: str
    published: datetime | None
    updated: datetime | None
    read: bool
    starred: bool
    language: str | None


def story_url(base_url: str, story_id: str) -> str:
    return f"{base_url}/story/{quote(story_id, safe='')}"


def content_html(lead: str, sentences: list[tuple[str, list[tuple[int, str | None]]]],
                 sources: list[dict[str, Any]], url: str) -> str:
    """The item's body: lead, cited sentences, numbered sources, then the story page; sanitized."""
    parts = [f"<p><strong>{escape(lead)}</strong></p>"] if lead else []
    for text, cites in sentences:
        links = "".join(f' <a href="{escape(href)}">[{n}]</a>' if href else f" [{n}]" for n, href in cites)
        parts.append(f"<p>{escape(text)}{links}</p>")
    if sources:
        lines = []
        for s in sources:
            who = escape(s["outlet"]) + (f" ({escape(s['rank'])})" if s["rank"] else "")
            title = f'<a href="{escape(s["url"])}">{escape(s["title"])}</a>' if s["url"] else escape(s["title"])
            lines.append(f"<li>{who}: {title}</li>")
        parts.append(f"<p>Sources:</p><ol>{''.join(lines)}</ol>")
    parts.append(f'<p><a href="{escape(url)}">The story on Tidings</a></p>')
    return clean_html("".join(parts))


@dataclass(frozen=True, slots=True)
class ItemBody:
    """What an item shows, the same for every user."""

    title: str
    html: str
    author: str
    url: str
    language: str | None


class BodyCache:
    """Built item bodies, by story, summary and last change; entries also age out after ``ttl``
    seconds (the outlets' ranks in the sources list are recomputed once a minute)."""

    def __init__(self, size: int = 5000, ttl: float = 60.0) -> None:
        self.size, self.ttl = size, ttl
        self.entries: OrderedDict[tuple[Any, ...], tuple[float, ItemBody]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> ItemBody | None:
        with self.lock:
            hit = self.entries.get(key)
            if hit is None or time.monotonic() - hit[0] > self.ttl:
                return None
            self.entries.move_to_end(key)
            return hit[1]

    def put(self, key: tuple[Any, ...], body: ItemBody) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic(), body)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


BODIES = BodyCache()


def _bodies(session: Session, rows: list[Any], base_url: str) -> dict[str, ItemBody]:
    """Item bodies of the rows' stories (built with four queries for those not cached)."""
    out: dict[str, ItemBody] = {}
    missing = []
    for row in rows:
        body = BODIES.get((session.get_bind().engine.url, row.story_id, row.summary_id, row.updated_at, base_url))
        if body is None:
            missing.append(row)
        else:
            out[row.story_id] = body
    if not missing:
        return out
    summary_ids = [r.summary_id for r in missing if r.summary_id is not None]
    summaries = {m.id: m for m in session.execute(
        select(Summary.id, Summary.headline, Summary.lead, Summary.sentences, Summary.language)
        .where(Summary.id.in_(summary_ids)))} if summary_ids else {}
    by_story: dict[str, list[Any]] = {}
    for article in session.execute(
            select(Article.id, Article.title, Article.description, Article.canonical_url, Article.url,
                   Article.site_name, Article.story_id, Source.id.label("source_id"),
                   Source.name.label("source_name"))
            .outerjoin(Source, Article.source_id == Source.id)
            .where(Article.story_id.in_([r.story_id for r in missing]))
            .order_by(Article.published_at.asc().nulls_last(), Article.id)):
        by_story.setdefault(article.story_id, []).append(article)
    ranks = outlet_rank_labels(session)
    for row in missing:
        summary = summaries.get(row.summary_id) if row.summary_id is not None else None
        body = build_body(row, summary, by_story.get(row.story_id, []), ranks, base_url)
        BODIES.put((session.get_bind().engine.url, row.story_id, row.summary_id, row.updated_at, base_url), body)
        out[row.story_id] = body
    return out


def build_body(row: Any, summary: Any, articles: list[Any], ranks: dict[int, str], base_url: str) -> ItemBody:
    # citation numbers as on the story page: cited articles first, in citing order, then the rest
    order: list[int] = []
    for sentence in (summary.sentences if summary else None) or []:
        for cited in sentence.get("cites") or []:
            if isinstance(cited, int) and cited not in order:
                order.append(cited)
    found = {a.id: a for a in articles}
    order = [i for i in order if i in found] + [a.id for a in articles if a.id not in order]
    numbers = {aid: n for n, aid in enumerate(order, start=1)}
    sources = []
    outlets: list[str] = []
    for aid in order:
        article = found[aid]
        outlet = plain_text(article.source_name or article.site_name) or "Unknown outlet"
        if outlet not in outlets:
            outlets.append(outlet)
        sources.append({"outlet": outlet, "rank": ranks.get(article.source_id) if article.source_id else None,
                        "url": safe_url(article.canonical_url) or safe_url(article.url),
                        "title": plain_text(article.title) or plain_text(article.description, max_chars=120)
                        or "(untitled)"})
    sentences = []
    for sentence in (summary.sentences if summary else None) or []:
        text = plain_text(str(sentence.get("text") or ""))
        if text:
            cites = sorted({numbers[c] for c in sentence.get("cites") or [] if c in numbers})
            sentences.append((text, [(n, sources[n - 1]["url"]) for n in cites]))
    headline = plain_text(summary.headline if summary else row.title) or plain_text(row.title) or "Untitled story"
    lead = plain_text(summary.lead, max_chars=LEAD_CHARS) if summary else ""
    url = story_url(base_url, row.story_id)
    author = ", ".join(outlets[:MAX_AUTHORS]) + (f" and {len(outlets) - MAX_AUTHORS} more"
                                                 if len(outlets) > MAX_AUTHORS else "")
    return ItemBody(title=headline, html=content_html(lead, sentences, sources, url), author=author, url=url,
                    language=(summary.language if summary and summary.language else row.language))


def load_items(session: Session, rows: list[Any], base_url: str, unread_on_update: bool) -> list[ItemView]:
    """Items for rows of :data:`tidings.publish.readers.state.ROW`, in the same order."""
    bodies = _bodies(session, rows, base_url)
    items = []
    for row in rows:
        body = bodies[row.story_id]
        changed = max((t for t in (row.updated_at, row.summary_at) if t is not None), default=None)
        read = row.read_at is not None and not (unread_on_update and changed and row.read_at < changed)
        items.append(ItemView(
            id=row.item_id, story_id=row.story_id, title=body.title, html=body.html, author=body.author,
            url=body.url, section=row.section or OTHER_SECTION, published=row.first_published,
            updated=changed, read=read, starred=row.starred_at is not None, language=body.language))
    return items
