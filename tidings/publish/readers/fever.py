"""The Fever API at ``/api/fever.php`` (API version 3, as feedafever.com documented it).

Every call is a POST with ``api_key`` = md5("email:API password") in the form and the request in
the query: ``?api`` alone checks the key; ``&groups``, ``&feeds``, ``&favicons``, ``&links``
(always empty here), ``&items`` (50 at a time: ``since_id`` oldest first, ``max_id`` newest first,
``with_ids`` up to 50 ids), ``&unread_item_ids``, ``&saved_item_ids``, and ``mark=item|feed|group``
with ``as=read|unread|saved|unsaved``, ``id`` and, for feeds and groups, ``before`` (seconds: items
listed before then). Groups are the sections; group 0 is everything. An item's ``feed_id`` is its
section's feed. A wrong key answers ``auth: 0`` with status 200, as Fever did and as its clients
expect (``freshrss-api`` reports bad credentials only then; a 401 reads to it as a network failure);
a malformed parameter answers 400 with a short ``error``; neither changes anything."""

from __future__ import annotations

import time
from datetime import timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.publish.readers import accounts
from tidings.publish.readers.accounts import ReaderUser
from tidings.publish.readers.items import ItemView, load_items
from tidings.publish.readers.service import (
    Answer,
    ApiError,
    ReaderContext,
    asked_key,
    base_url,
    client_ip,
    context,
    encode,
    in_thread,
    json_answer,
    params,
    wants_gzip,
)
from tidings.publish.readers.state import (
    Feed,
    Query,
    Stream,
    all_ids,
    count,
    existing_ids,
    item_rows,
    mark,
    mark_stream_read,
    rows_by_ids,
    section_feed_id,
)

API_VERSION = 3
PAGE = 50
# a 1x1 grey GIF: apps want a favicon per feed
FAVICON = "image/gif;base64,R0lGODlhAQABAIAAAMzMzAAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="


def _reply(data: dict[str, Any], status: int = 200) -> Response:
    return json_answer((encode(data), False), status)


def _number(values: dict[str, list[str]], name: str) -> int | None:
    raw = (values.get(name) or [""])[-1].strip()
    if raw == "":
        return None
    if not raw.isdigit() or len(raw) > 20:
        raise ApiError(400, f"{name} must be a non-negative integer")
    return int(raw)


def _id_list(values: dict[str, list[str]], name: str, limit: int) -> list[int]:
    raw = (values.get(name) or [""])[-1]
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if len(parts) > limit:
        raise ApiError(400, f"at most {limit} ids in {name}")
    if any(not p.isdigit() or len(p) > 20 for p in parts):
        raise ApiError(400, f"{name} must be comma-separated integers")
    return [int(p) for p in parts]


def item_json(item: ItemView, feeds_by_section: dict[str, Feed]) -> dict[str, Any]:
    feed = feeds_by_section.get(item.section)
    created = int(item.published.astimezone(timezone.utc).timestamp()) if item.published else item.id // 10**6
    return {"id": item.id, "feed_id": feed.id if feed else section_feed_id(item.section), "title": item.title,
            "author": item.author, "html": item.html, "url": item.url, "is_saved": int(item.starred),
            "is_read": int(item.read), "created_on_time": created}


def _groups(feeds: list[Feed]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    groups = [{"id": f.id, "title": f.title} for f in feeds if f.kind == "section"]
    links = [{"group_id": f.id, "feed_ids": str(f.id)} for f in feeds if f.kind == "section"]
    return groups, links


def _feed_for(feeds: list[Feed], feed_id: int, kind: str) -> Feed:
    for feed in feeds:
        if feed.id == feed_id and (kind == "feed" or feed.kind == "section"):
            return feed
    raise ApiError(400, f"no such {kind}: {feed_id}")


def read_key(values: dict[str, list[str]], base: str) -> tuple[Any, ...] | None:
    """What a request that marks nothing asks for (the key aside); None for a mark."""
    if (values.get("mark") or [""])[-1]:
        return None
    return asked_key(values, "fever", base, ignore=("api_key",))


def answer(ctx: ReaderContext, user: ReaderUser, values: dict[str, list[str]], base: str,
           gzip_ok: bool = False) -> Answer:
    """The whole Fever answer for one request, encoded (marks first, then what was asked for).

    A request that marks nothing is a read: its answer is reused while the user's marks, the
    items and the stories are unchanged (:meth:`ReaderContext.answer`)."""
    asked = read_key(values, base)
    if asked is not None:
        with ctx.store.reading() as session:
            return ctx.answer(session, user, asked, lambda: encode(_answer(ctx, session, user, values, base)),
                              gzip_ok)
    with ctx.store.transaction() as session:
        out = _answer(ctx, session, user, values, base)
    return encode(out), False


def _answer(ctx: ReaderContext, session, user: ReaderUser, values: dict[str, list[str]],
            base: str) -> dict[str, Any]:
    out: dict[str, Any] = {"api_version": API_VERSION, "auth": 1}
    feeds = ctx.feeds(session)
    by_section = {f.key: f for f in feeds if f.kind == "section"}
    what = (values.get("mark") or [""])[-1]
    if what:
        as_ = (values.get("as") or [""])[-1]
        target = _number(values, "id")
        if target is None:
            raise ApiError(400, "mark needs an id")
        if what == "item":
            if as_ not in ("read", "unread", "saved", "unsaved"):
                raise ApiError(400, "as must be read, unread, saved or unsaved")
            if not existing_ids(session, [target]):
                raise ApiError(400, f"no such item: {target}")
            mark(session, user, [target], read={"read": True, "unread": False}.get(as_),
                 starred={"saved": True, "unsaved": False}.get(as_))
        elif what in ("feed", "group"):
            if as_ != "read":
                raise ApiError(400, f"a {what} can only be marked read")
            before = _number(values, "before")
            up_to = before * 10**6 + 999_999 if before is not None else None
            if what == "group" and target == 0:
                stream = Stream("all")
            else:
                stream = Stream("feed", _feed_for(feeds, target, what))
            mark_stream_read(session, user, stream, up_to)
        else:
            raise ApiError(400, "mark must be item, feed or group")
        session.flush()
    if "groups" in values:
        out["groups"], out["feeds_groups"] = _groups(feeds)
    if "feeds" in values:
        out["feeds"] = [{"id": f.id, "favicon_id": 1, "title": f.title, "url": base + f.feed_path,
                         "site_url": base + f.html_path, "is_spark": 0,
                         "last_updated_on_time": int(time.time())} for f in feeds]
        out["feeds_groups"] = _groups(feeds)[1]
    if "favicons" in values:
        out["favicons"] = [{"id": 1, "data": FAVICON}]
    if "links" in values:
        out["links"] = []
    if "items" in values:
        with_ids = _id_list(values, "with_ids", PAGE)
        since_id, max_id = _number(values, "since_id"), _number(values, "max_id")
        if with_ids:
            rows = rows_by_ids(session, user, with_ids)
        elif since_id is not None:
            rows, _ = item_rows(session, user, Query(Stream("all"), after=since_id, ascending=True, limit=PAGE))
        elif max_id is not None:
            rows, _ = item_rows(session, user, Query(Stream("all"), after=max_id, limit=PAGE))
        else:
            rows, _ = item_rows(session, user, Query(Stream("all"), limit=PAGE))
        out["items"] = [item_json(i, by_section) for i in load_items(session, rows, base, user.unread_on_update)]
        out["total_items"] = count(session, user, Stream("all"))
    if "unread_item_ids" in values or what in ("item", "feed", "group"):
        out["unread_item_ids"] = ",".join(map(str, all_ids(session, user, Stream("unread"))))
    if "saved_item_ids" in values or what == "item":
        out["saved_item_ids"] = ",".join(map(str, all_ids(session, user, Stream("starred"))))
    out["last_refreshed_on_time"] = int(time.time())
    return out


def _authenticate(ctx: ReaderContext, ip: str, key: str, asked: tuple[Any, ...] | None,
                  gzip_ok: bool) -> tuple[float, ReaderUser | None, Answer | None]:
    """(seconds to wait, None, None) for an address that failed too often; else (0, the key's
    user or None, the failure then counted, and the answer kept for ``asked`` if the data is
    unchanged since it was built). New stories get their item ids. One trip to a worker thread."""
    wait = ctx.limiter.retry_after(ip, "")
    if wait > 0:
        return wait, None, None
    key_hash = accounts.fever_key_hash(key)
    found = ctx.identify(asked, gzip_ok, fever_key_hash=key_hash) if key_hash is not None else None
    if found is None:
        ctx.limiter.failed(ip, "")
        return 0.0, None, None
    return 0.0, *found


async def fever(request: Request) -> Response:
    ctx = context(request)
    try:
        values = await params(request)
        key = (values.get("api_key") or [""])[-1].strip()
        base = base_url(request)
        gzip_ok = wants_gzip(request)
        wait, user, kept = await in_thread(_authenticate, ctx, client_ip(request), key, read_key(values, base), gzip_ok)
        if wait > 0:
            response = _reply({"api_version": API_VERSION, "auth": 0, "error": "too many failed logins"}, 429)
            response.headers["Retry-After"] = str(int(wait) + 1)
            return response
        if user is None:
            return _reply({"api_version": API_VERSION, "auth": 0})  # what Fever apps expect: 200, auth 0
        return json_answer(kept if kept is not None else await in_thread(answer, ctx, user, values, base, gzip_ok))
    except ApiError as exc:
        return _reply({"api_version": API_VERSION, "auth": 1, "error": exc.message}, exc.status)


def routes() -> list[BaseRoute]:
    return [Route("/api/fever.php", fever, methods=["GET", "POST"]),
            Route("/api/fever", fever, methods=["GET", "POST"])]
