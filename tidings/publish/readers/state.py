"""What a reader app asks for: its feeds, the items of a stream, unread counts; and its marks.

Feeds are the sections (and, by ``[readers] feeds``, the sources and followed tags), each with
a stable integer id: a source's feed id is the source id; a section's and a tag's are derived
from the name (CRC-32, in their own ranges). A stream is a :class:`Stream`: everything, starred,
read, unread, or one feed. Queries run per user: one user's marks are never another's."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import Text, and_, bindparam, cast, delete, func, insert, not_, or_, select, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from tidings.publish.readers.accounts import ReaderUser
from tidings.publish.readers.items import OTHER_SECTION
from tidings.publish.readers.settings import ReaderSettings
from tidings.publish.web.queries import slugify
from tidings.sanitize import plain_text
from tidings.store.models import Article, Source, Story, Summary
from tidings.store.newsletter_models import User
from tidings.store.reader_models import ReaderAccount, ReaderItem, ReaderState
from tidings.timeutil import utcnow

SECTION_BASE, TAG_BASE, ID_SPAN = 0x40000000, 0x60000000, 0x1FFFFFFF


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    kind: str  # section, source, tag
    key: str  # the section name, the source id, the tag key
    title: str
    html_path: str  # the site's page of this feed, relative to the base URL
    feed_path: str  # its Atom feed on the site

    @property
    def section(self) -> str | None:
        return self.key if self.kind == "section" else None


@dataclass(frozen=True, slots=True)
class Stream:
    kind: str  # all, starred, read, unread, feed
    feed: Feed | None = None


def section_feed_id(name: str) -> int:
    return SECTION_BASE + (zlib.crc32(f"section:{name}".encode()) & ID_SPAN) % (TAG_BASE - SECTION_BASE)


def tag_feed_id(key: str) -> int:
    return TAG_BASE + (zlib.crc32(f"tag:{key}".encode()) & ID_SPAN)


def list_feeds(session: Session, configured_sections: list[str], settings: ReaderSettings) -> list[Feed]:
    names = list(configured_sections)
    for (name,) in session.execute(select(Story.section).where(Story.merged_into.is_(None)).distinct()):
        name = name or OTHER_SECTION
        if name not in names:
            names.append(name)
    feeds = [Feed(section_feed_id(n), "section", n, n, f"/section/{slugify(n)}", f"/section/{slugify(n)}/feed.atom")
             for n in names]
    if "sources" in settings.feeds:
        for source in session.scalars(select(Source).where(Source.active.is_(True)).order_by(Source.name, Source.id)):
            feeds.append(Feed(source.id, "source", str(source.id), plain_text(source.name) or f"Source {source.id}",
                              f"/source/{source.id}", f"/source/{source.id}"))
    if "tags" in settings.feeds:
        for key in settings.follow_tags:
            path = "/tag/" + quote(key, safe="")
            feeds.append(Feed(tag_feed_id(key), "tag", key, key, path, path + "/feed.atom"))
    return feeds


def read_condition(user: ReaderUser):
    """True for items this user has read (and, with unread_on_update, that did not change since:
    no new article in the story, no new summary; base_query joins the summary for it)."""
    if not user.unread_on_update:
        return ReaderState.read_at.is_not(None)
    return and_(ReaderState.read_at.is_not(None),
                or_(Story.updated_at.is_(None), ReaderState.read_at >= Story.updated_at),
                or_(Summary.created_at.is_(None), ReaderState.read_at >= Summary.created_at))


def stream_condition(user: ReaderUser, stream: Stream):
    if stream.kind == "all":
        return true()
    if stream.kind == "starred":
        return ReaderState.starred_at.is_not(None)
    if stream.kind == "read":
        return read_condition(user)
    if stream.kind == "unread":
        return not_(read_condition(user))
    feed = stream.feed
    assert feed is not None
    if feed.kind == "section":
        # compared through coalesce(): see base_query
        return func.coalesce(Story.section, OTHER_SECTION) == feed.key
    if feed.kind == "source":
        return Story.id.in_(select(Article.story_id).where(Article.source_id == int(feed.key)))
    # tags are a JSON list; both backends keep the text SQLAlchemy wrote, so a LIKE finds the key
    return cast(Story.tags, Text).contains(f'"key": {json.dumps(feed.key)}', autoescape=True)


def base_query(user: ReaderUser, columns: tuple[Any, ...], with_summary: bool = False):
    """Live items joined with their story and this user's state.

    The stories' columns are compared through ``coalesce()`` so that SQLite walks the items in id
    order and stops after a page, instead of using the stories' ``merged_into`` or ``section``
    index and sorting every live story. The current summary is joined when the columns or the
    user's unread rule need it."""
    query = (select(*columns).select_from(ReaderItem).join(Story, Story.id == ReaderItem.story_id)
             .outerjoin(ReaderState, and_(ReaderState.item_id == ReaderItem.id, ReaderState.user_id == user.id)))
    if with_summary or user.unread_on_update:
        query = query.outerjoin(Summary, Summary.id == Story.summary_id)
    return query.where(func.coalesce(Story.merged_into, "") == "")


@dataclass(frozen=True, slots=True)
class Query:
    stream: Stream
    include: tuple[Stream, ...] = ()  # it=
    exclude: tuple[Stream, ...] = ()  # xt=
    oldest_usec: int | None = None  # ot= (seconds) as item-id microseconds
    newest_usec: int | None = None  # nt=
    after: int | None = None  # continuation: items past this id in the order asked
    ascending: bool = False  # r=o
    limit: int = 20


def _filtered(user: ReaderUser, q: Query, columns: tuple[Any, ...], with_summary: bool = False):
    query = base_query(user, columns, with_summary).where(stream_condition(user, q.stream))
    for s in q.include:
        query = query.where(stream_condition(user, s))
    for s in q.exclude:
        query = query.where(not_(stream_condition(user, s)))
    if q.oldest_usec is not None:
        query = query.where(ReaderItem.id >= q.oldest_usec)
    if q.newest_usec is not None:
        query = query.where(ReaderItem.id < q.newest_usec)
    if q.after is not None:
        query = query.where(ReaderItem.id > q.after if q.ascending else ReaderItem.id < q.after)
    return query.order_by(ReaderItem.id.asc() if q.ascending else ReaderItem.id.desc())


def item_ids(session: Session, user: ReaderUser, q: Query) -> tuple[list[int], int | None]:
    """Ids of one page, and the continuation (the last id) when there may be more."""
    ids = list(session.scalars(_filtered(user, q, (ReaderItem.id,)).limit(q.limit + 1)))
    more = len(ids) > q.limit
    ids = ids[:q.limit]
    return ids, (ids[-1] if more and ids else None)


# what an item is built from (plain rows: loading Story objects cost more than the query)
ROW = (ReaderItem.id.label("item_id"), Story.id.label("story_id"), Story.title, Story.summary_id, Story.section,
       Story.first_published, Story.updated_at, Story.language, ReaderState.read_at, ReaderState.starred_at,
       Summary.created_at.label("summary_at"))


def item_rows(session: Session, user: ReaderUser, q: Query) -> tuple[list[Any], int | None]:
    """The rows of one page (see :data:`ROW`), and the continuation when there may be more."""
    rows = list(session.execute(_filtered(user, q, ROW, with_summary=True).limit(q.limit + 1)))
    more = len(rows) > q.limit
    rows = rows[:q.limit]
    return rows, (rows[-1][0] if more and rows else None)


def rows_by_ids(session: Session, user: ReaderUser, ids: list[int]) -> list[Any]:
    if not ids:
        return []
    rows: dict[int, Any] = {}
    for start in range(0, len(ids), 500):
        rows.update((r[0], r) for r in session.execute(base_query(user, ROW, with_summary=True).where(
            ReaderItem.id.in_(ids[start:start + 500]))))
    return [rows[i] for i in dict.fromkeys(ids) if i in rows]


def existing_ids(session: Session, ids: list[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found.update(session.scalars(select(ReaderItem.id).where(ReaderItem.id.in_(ids[start:start + 500]))))
    return found


def all_ids(session: Session, user: ReaderUser, stream: Stream) -> list[int]:
    """Every id of a stream, oldest first (Fever's unread_item_ids and saved_item_ids)."""
    return list(session.scalars(base_query(user, (ReaderItem.id,)).where(stream_condition(user, stream))
                                .order_by(ReaderItem.id)))


_VERSION = (ReaderAccount.state_version, select(func.max(ReaderItem.id)).scalar_subquery(),
            select(func.max(Story.updated_at)).scalar_subquery(), select(func.max(Summary.id)).scalar_subquery())
_VERSION_OF = select(*_VERSION).where(ReaderAccount.user_id == bindparam("user_id"))
_USER = (User.id, User.email, ReaderAccount.unread_on_update, ReaderAccount.key_version)
_USER_AND_VERSION = (select(*_USER, *_VERSION).join(ReaderAccount, ReaderAccount.user_id == User.id)
                     .where(User.active.is_(True)))
_USER_BY_ID = _USER_AND_VERSION.where(User.id == bindparam("user_id"))
_USER_BY_FEVER_KEY = _USER_AND_VERSION.where(ReaderAccount.fever_key_hash == bindparam("key_hash"))


def version(session: Session, user: ReaderUser) -> tuple[Any, ...]:
    """What the user's lists depend on: their marks, the newest item, the newest story change and
    the newest summary."""
    return tuple(session.execute(_VERSION_OF, {"user_id": user.id}).one())


def user_and_version(session: Session | Connection, *, user_id: int | None = None,
                     fever_key_hash: str | None = None) -> tuple[ReaderUser, tuple[Any, ...]] | None:
    """An active user with an API password (by id, or by the hash of their Fever key), and
    :func:`version` for them, in one query: what every authenticated request reads first."""
    if user_id is not None:
        row = session.execute(_USER_BY_ID, {"user_id": user_id}).first()
    else:
        row = session.execute(_USER_BY_FEVER_KEY, {"key_hash": fever_key_hash}).first()
    if row is None:
        return None
    return ReaderUser(row[0], row[1], bool(row[2]), row[3]), tuple(row[4:])


def count(session: Session, user: ReaderUser, stream: Stream) -> int:
    return session.scalar(base_query(user, (func.count(),)).where(stream_condition(user, stream))) or 0


def unread_counts(session: Session, user: ReaderUser, feeds: list[Feed]) -> dict[int, tuple[int, int]]:
    """feed id -> (unread count, newest item id) for the section feeds, plus 0 -> the total."""
    unread = not_(read_condition(user))
    rows = session.execute(base_query(user, (Story.section, func.count(), func.max(ReaderItem.id)))
                           .where(unread).group_by(Story.section)).all()
    out: dict[int, tuple[int, int]] = {}
    total, newest = 0, 0
    for section, count, top in rows:
        out[section_feed_id(section or OTHER_SECTION)] = (count, top or 0)
        total += count
        newest = max(newest, top or 0)
    out[0] = (total, newest)
    for feed in feeds:
        if feed.kind != "section":
            count, top = session.execute(base_query(user, (func.count(), func.max(ReaderItem.id)))
                                         .where(unread, stream_condition(user, Stream("feed", feed)))).one()
            out[feed.id] = (count, top or 0)
    return out


def _ensure_rows(session: Session, user: ReaderUser, ids: list[int]) -> None:
    have: set[int] = set()
    for start in range(0, len(ids), 500):
        have.update(session.scalars(select(ReaderState.item_id).where(
            ReaderState.user_id == user.id, ReaderState.item_id.in_(ids[start:start + 500]))))
    missing = [i for i in dict.fromkeys(ids) if i not in have]
    if missing:
        session.execute(insert(ReaderState), [{"user_id": user.id, "item_id": i} for i in missing])


def mark(session: Session, user: ReaderUser, ids: list[int], *, read: bool | None = None,
         starred: bool | None = None, now: datetime | None = None) -> None:
    """Set or clear read / starred on items (ids known to exist)."""
    if not ids or (read is None and starred is None):
        return
    now = now or utcnow()
    session.execute(update(ReaderAccount).where(ReaderAccount.user_id == user.id)
                    .values(state_version=ReaderAccount.state_version + 1))
    _ensure_rows(session, user, ids)
    values: dict[str, Any] = {}
    if read is not None:
        values["read_at"] = now if read else None
    if starred is not None:
        values["starred_at"] = now if starred else None
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        query = update(ReaderState).where(ReaderState.user_id == user.id, ReaderState.item_id.in_(chunk))
        if starred:  # keep the first starring time
            session.execute(query.where(ReaderState.starred_at.is_(None)).values(starred_at=now))
            values.pop("starred_at", None)
        if values:
            session.execute(query.values(**values))
        session.execute(delete(ReaderState).where(ReaderState.user_id == user.id, ReaderState.item_id.in_(chunk),
                                                  ReaderState.read_at.is_(None), ReaderState.starred_at.is_(None)))


def mark_stream_read(session: Session, user: ReaderUser, stream: Stream, up_to_usec: int | None) -> int:
    """Mark every item of a stream read (only those listed up to ``up_to_usec``, when given)."""
    query = base_query(user, (ReaderItem.id,)).where(stream_condition(user, stream), not_(read_condition(user)))
    if up_to_usec is not None:
        query = query.where(ReaderItem.id <= up_to_usec)
    ids = list(session.scalars(query))
    mark(session, user, ids, read=True)
    return len(ids)
