"""The Google Reader API at ``/api/greader/``, as FreshRSS and Miniflux serve it.

``accounts/ClientLogin`` trades the email and API password for a token (``Auth=...``); every
other call sends ``Authorization: GoogleLogin auth=TOKEN``. Under ``reader/api/0/``: ``token``
(the ``T`` of writes), ``user-info``, ``subscription/list``, ``tag/list``, ``unread-count``,
``stream/contents/STREAM``, ``stream/items/ids``, ``stream/items/contents``, ``edit-tag`` and
``mark-all-as-read``. Streams: ``user/-/state/com.google/reading-list``, ``starred``, ``read``,
``kept-unread``; ``user/-/label/SECTION``; ``feed/ID``. Paging: ``n``, ``c`` (continuation),
``ot``/``nt`` (seconds; compared with the time the item was listed, which its id encodes),
``xt``/``it`` (exclude / include a stream), ``r=o`` (oldest first). Item ids are accepted in the
long (``tag:google.com,2005:reader/item/<16 hex>``) and the decimal form. Parameters an app adds
that the API does not use (``ck``, ``client``, ``output``, ``likes`` ...) are ignored. A refused
request answers 400 or 401 with a one-line message and changes nothing."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timezone
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from tidings.publish.readers import accounts
from tidings.publish.readers.accounts import ReaderUser
from tidings.publish.readers.items import ItemView, item_hex, load_items
from tidings.publish.readers.service import (
    NO_STORE,
    Answer,
    ApiError,
    ReaderContext,
    asked_key,
    base_url,
    client_ip,
    context,
    encode,
    in_thread,
    integer,
    json_answer,
    one,
    params,
    wants_gzip,
)
from tidings.publish.readers.state import (
    Feed,
    Query,
    Stream,
    existing_ids,
    item_ids,
    item_rows,
    mark,
    mark_stream_read,
    rows_by_ids,
    unread_counts,
)

LONG_PREFIX = "tag:google.com,2005:reader/item/"
STATE = "user/-/state/com.google/"
LABEL = "user/-/label/"
READING_LIST = STATE + "reading-list"
_HEX = re.compile(r"[0-9a-fA-F]{1,16}")
_DECIMAL = re.compile(r"-?[0-9]{1,20}")
_USER_STREAM = re.compile(r"user/([^/]+)/(.*)")
MAX_EDIT = 1000


def _json(data: Any) -> Response:
    return json_answer((encode(data), False))


async def _read(request: Request, ctx: ReaderContext, user: ReaderUser, values: dict[str, list[str]], base: str,
                work: Callable[[Session], bytes]) -> Response:
    """A read's answer: ``work(session)`` builds it, kept while the data it shows is unchanged."""
    def answer() -> Answer:
        with ctx.store.reading() as session:
            return ctx.answer(session, user, request_key(request, values, base), lambda: work(session),
                              wants_gzip(request))

    return json_answer(await in_thread(answer))


def request_key(request: Request, values: dict[str, list[str]], base: str) -> tuple[Any, ...]:
    """What a read request asks for, in a form two equal requests share (the tokens aside)."""
    return asked_key(values, request.url.path, base, ignore=("T", "ck"))


def _error(exc: ApiError) -> Response:
    headers = dict(NO_STORE)
    if exc.status == 401:
        headers["Google-Bad-Token"] = "true"
    if exc.status == 429:
        headers["Retry-After"] = str(int(exc.retry_after) + 1)
    return PlainTextResponse(exc.message + "\n", exc.status, headers=headers)


def parse_item_id(raw: str) -> int:
    """An item id in the long (hex) or the short (signed decimal) form."""
    value = raw.strip()
    if "/" in value:
        tail = value.rsplit("/", 1)[1]
        if not value.startswith(LONG_PREFIX) or not _HEX.fullmatch(tail):
            raise ApiError(400, f"malformed item id: {raw[:80]!r}")
        return int(tail, 16)
    if not _DECIMAL.fullmatch(value):
        raise ApiError(400, f"malformed item id: {raw[:80]!r}")
    number = int(value)
    if not -(2**63) <= number < 2**64:
        raise ApiError(400, f"malformed item id: {raw[:80]!r}")
    return number + 2**64 if number < 0 else number


def parse_stream(raw: str, user: ReaderUser, feeds: list[Feed], base: str) -> Stream:
    value = raw.strip()
    match = _USER_STREAM.fullmatch(value)
    if match:
        owner, rest = match.groups()
        if owner not in ("-", str(user.id)):
            raise ApiError(400, "that stream belongs to another user")
        value = "user/-/" + rest
    if value.startswith(STATE):
        state = value[len(STATE):]
        kinds = {"reading-list": "all", "starred": "starred", "read": "read", "kept-unread": "unread",
                 "unread": "unread"}
        if state in kinds:
            return Stream(kinds[state])
    elif value.startswith(LABEL):
        name = value[len(LABEL):]
        for feed in feeds:
            if feed.kind == "section" and feed.key == name:
                return Stream("feed", feed)
    elif value.startswith("feed/"):
        key = value[len("feed/"):]
        for feed in feeds:
            if key == str(feed.id) or key == base + feed.feed_path:
                return Stream("feed", feed)
    raise ApiError(400, f"unknown stream: {raw[:120]!r}")


def item_json(item: ItemView, feeds_by_section: dict[str, Feed], base: str) -> dict[str, Any]:
    feed = feeds_by_section.get(item.section)
    categories = [READING_LIST, LABEL + item.section]
    if item.read:
        categories.append(STATE + "read")
    if item.starred:
        categories.append(STATE + "starred")
    published = int(item.published.astimezone(timezone.utc).timestamp()) if item.published else item.id // 10**6
    updated = int(item.updated.astimezone(timezone.utc).timestamp()) if item.updated else published
    out: dict[str, Any] = {
        "id": item_hex(item.id), "crawlTimeMsec": str(item.id // 1000), "timestampUsec": str(item.id),
        "published": published, "updated": updated, "title": item.title,
        "summary": {"direction": "ltr", "content": item.html},
        "canonical": [{"href": item.url}], "alternate": [{"href": item.url, "type": "text/html"}],
        "categories": categories,
        "origin": {"streamId": f"feed/{feed.id}" if feed else "feed/0", "title": item.section,
                   "htmlUrl": base + feed.html_path if feed else base},
    }
    if item.author:
        out["author"] = item.author
    if item.language:
        out["language"] = item.language
    return out


# ---------------------------------------------------------------------------------------------
# authentication


def _token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    token = ""
    if header[:11].lower() == "googlelogin":
        token = header[11:].strip()
        if token[:5].lower() == "auth=":
            token = token[5:].strip()
    if not token:
        raise ApiError(401, "missing Authorization: GoogleLogin auth=TOKEN")
    return token


def _authorize(ctx: ReaderContext, token: str, asked: tuple[Any, ...] | None,
               gzip_ok: bool) -> tuple[ReaderUser, Answer | None]:
    """The token's user and, for a read asked before with the data unchanged since, its answer:
    one query, one trip to a worker thread. New stories are given their item ids first."""
    claims = accounts.token_claims(ctx.signer, token)
    found = ctx.identify(asked, gzip_ok, user_id=claims[0]) if claims is not None else None
    if found is None or claims is None or found[0].key_version != claims[1]:
        raise ApiError(401, "the token is wrong or has expired; log in again")
    return found


def _check_action(ctx: ReaderContext, user: ReaderUser, values: dict[str, list[str]]) -> None:
    t = (one(values, "T") or "").strip()
    # FeedMe sends no T and Reeder sends "x" (FreshRSS accepts both); anything else must be ours
    if t and t != "x" and not accounts.check_action_token(ctx.signer, user, t):
        raise ApiError(401, "the T token is wrong or has expired")


def endpoint(handler, *, write: bool = False, read: bool = False):
    """Wrap a handler(request, ctx, user, values) with authentication and error answers; a ``read``
    handler's answer is served again while the data it was built from is unchanged."""

    async def run(request: Request) -> Response:
        ctx = context(request)
        try:
            token = _token(request)
            values = await params(request)
            asked = request_key(request, values, base_url(request)) if read else None
            user, kept = await in_thread(_authorize, ctx, token, asked, wants_gzip(request))
            if kept is not None:
                return json_answer(kept)
            if write:
                if request.method != "POST":
                    raise ApiError(405, "use POST")
                _check_action(ctx, user, values)
            return await handler(request, ctx, user, values)
        except ApiError as exc:
            return _error(exc)

    run.__name__ = handler.__name__
    return run


async def client_login(request: Request) -> Response:
    ctx = context(request)
    try:
        values = await params(request)
        email, password = one(values, "Email") or "", one(values, "Passwd") or ""
        if not email or not password:
            raise ApiError(400, "Email and Passwd are required")
        ip = client_ip(request)
        wait = await in_thread(ctx.limiter.retry_after, ip, email)
        if wait > 0:
            raise ApiError(429, "too many failed logins; wait a while", wait)
        user = await in_thread(accounts.login, ctx.store, email, password)
        if user is None:
            await in_thread(ctx.limiter.failed, ip, email)
            raise ApiError(401, "Error=BadAuthentication")
        await in_thread(ctx.limiter.succeeded, email)
    except ApiError as exc:
        return _error(exc)
    token = accounts.issue_token(ctx.signer, user, ctx.settings.token_hours)
    return PlainTextResponse(f"SID={token}\nLSID=null\nAuth={token}\n", headers=NO_STORE)


# ---------------------------------------------------------------------------------------------
# reader/api/0


async def token(request: Request, ctx: ReaderContext, user: ReaderUser, values) -> Response:
    return PlainTextResponse(accounts.action_token(ctx.signer, user, ctx.settings.token_hours), headers=NO_STORE)


async def user_info(request: Request, ctx: ReaderContext, user: ReaderUser, values) -> Response:
    return _json({"userId": str(user.id), "userName": user.email, "userProfileId": str(user.id),
                  "userEmail": user.email, "isBloggerUser": False, "isMultiLoginEnabled": False})


def _feeds(ctx: ReaderContext) -> list[Feed]:
    with ctx.store.reading() as session:
        return ctx.feeds(session)


async def subscription_list(request: Request, ctx: ReaderContext, user: ReaderUser, values) -> Response:
    base = base_url(request)
    subs = []
    for feed in await in_thread(_feeds, ctx):
        sub: dict[str, Any] = {"id": f"feed/{feed.id}", "title": feed.title, "url": base + feed.feed_path,
                               "htmlUrl": base + feed.html_path, "iconUrl": "", "categories": []}
        if feed.kind == "section":
            sub["categories"] = [{"id": LABEL + feed.key, "label": feed.key}]
        subs.append(sub)
    return _json({"subscriptions": subs})


async def tag_list(request: Request, ctx: ReaderContext, user: ReaderUser, values) -> Response:
    tags = [{"id": STATE + "starred"}]
    tags += [{"id": LABEL + f.key, "type": "folder"} for f in await in_thread(_feeds, ctx) if f.kind == "section"]
    return _json({"tags": tags})


async def unread_count(request: Request, ctx: ReaderContext, user: ReaderUser, values) -> Response:
    def work(session) -> bytes:
        feeds = ctx.feeds(session)
        counts = unread_counts(session, user, feeds)
        out: list[dict[str, Any]] = []
        for feed in feeds:
            count, newest = counts.get(feed.id, (0, 0))
            out.append({"id": f"feed/{feed.id}", "count": count, "newestItemTimestampUsec": str(newest)})
            if feed.kind == "section":
                out.append({"id": LABEL + feed.key, "count": count, "newestItemTimestampUsec": str(newest)})
        total, newest = counts[0]
        out.append({"id": READING_LIST, "count": total, "newestItemTimestampUsec": str(newest)})
        return encode({"max": max([c["count"] for c in out] or [0]), "unreadcounts": out})

    return await _read(request, ctx, user, values, base_url(request), work)


def _query(ctx: ReaderContext, session, user: ReaderUser, values, stream_raw: str, base: str,
           max_n: int) -> Query:
    feeds = ctx.feeds(session)
    stream = parse_stream(stream_raw, user, feeds, base)
    order = one(values, "r", "d")
    if order not in ("d", "n", "o"):
        raise ApiError(400, "r must be d, n or o")
    n = integer(values, "n", 1, max_n, 20)
    ot = integer(values, "ot", 0, 2**40, None)
    nt = integer(values, "nt", 0, 2**40, None)
    after = None
    c = (one(values, "c") or "").strip()
    if c:
        if not c.isdigit() or len(c) > 20:
            raise ApiError(400, "malformed continuation")
        after = int(c)
        if not existing_ids(session, [after]):
            raise ApiError(400, "the continuation points nowhere")
    return Query(stream=stream,
                 include=tuple(parse_stream(s, user, feeds, base) for s in values.get("it", []) if s),
                 exclude=tuple(parse_stream(s, user, feeds, base) for s in values.get("xt", []) if s),
                 oldest_usec=ot * 10**6 if ot is not None else None,
                 newest_usec=nt * 10**6 if nt is not None else None,
                 after=after, ascending=order == "o", limit=n or 20)


def _items_json(ctx: ReaderContext, session, user: ReaderUser, rows, base: str) -> list[dict[str, Any]]:
    by_section = {f.key: f for f in ctx.feeds(session) if f.kind == "section"}
    return [item_json(i, by_section, base) for i in load_items(session, rows, base, user.unread_on_update)]


async def stream_contents(request: Request, ctx: ReaderContext, user: ReaderUser, values) -> Response:
    raw = request.path_params.get("stream") or one(values, "s") or READING_LIST
    base = base_url(request)

    def work(session) -> bytes:
        q = _query(ctx, session, user, values, raw, base, ctx.settings.max_items)
        rows, cont = item_rows(session, user, q)
        out: dict[str, Any] = {"id": raw, "updated": int(time.time()),
                               "items": _items_json(ctx, session, user, rows, base)}
        if q.stream.feed is not None:
            out["title"] = q.stream.feed.title
        if cont is not None:
            out["continuation"] = str(cont)
        return encode(out)

    return await _read(request, ctx, user, values, base, work)


async def items_ids(request: Request, ctx: ReaderContext, user: ReaderUser, values) -> Response:
    raw = one(values, "s") or READING_LIST
    base = base_url(request)

    def work(session) -> bytes:
        q = _query(ctx, session, user, values, raw, base, ctx.settings.max_ids)
        ids, cont = item_ids(session, user, q)
        out: dict[str, Any] = {"itemRefs": [{"id": str(i), "directStreamIds": [], "timestampUsec": str(i)}
                                            for i in ids]}
        if cont is not None:
            out["continuation"] = str(cont)
        return encode(out)

    return await _read(request, ctx, user, values, base, work)


def _ids(values, name: str = "i") -> list[int]:
    raw = [v for v in values.get(name, []) if v.strip()]
    if len(raw) > MAX_EDIT:
        raise ApiError(400, f"at most {MAX_EDIT} item ids at once")
    return [parse_item_id(v) for v in raw]


async def items_contents(request: Request, ctx: ReaderContext, user: ReaderUser, values) -> Response:
    ids = _ids(values)
    if not ids:
        raise ApiError(400, "no item id (i) given")
    if len(ids) > ctx.settings.max_items:
        raise ApiError(400, f"at most {ctx.settings.max_items} items at once")
    order = one(values, "r", "d")
    if order not in ("d", "n", "o"):
        raise ApiError(400, "r must be d, n or o")
    base = base_url(request)

    def work() -> dict[str, Any]:
        with ctx.store.reading() as session:
            rows = rows_by_ids(session, user, ids)
            rows.sort(key=lambda r: r[0], reverse=order != "o")
            return {"id": READING_LIST, "updated": int(time.time()),
                    "items": _items_json(ctx, session, user, rows, base)}

    return _json(await in_thread(work))


TAGS = {STATE + "read": "read", STATE + "starred": "starred", STATE + "kept-unread": "unread",
        STATE + "tracking-kept-unread": "unread"}
IGNORED_TAGS = (STATE + "broadcast", STATE + "like", STATE + "tracking-")


def _tag(raw: str, user: ReaderUser) -> str | None:
    value = raw.strip()
    match = _USER_STREAM.fullmatch(value)
    if match:
        if match.group(1) not in ("-", str(user.id)):
            raise ApiError(400, "that tag belongs to another user")
        value = "user/-/" + match.group(2)
    if value in TAGS:
        return TAGS[value]
    if value.startswith(IGNORED_TAGS):
        return None
    if value.startswith(LABEL):
        raise ApiError(400, "labels are Tidings' sections and cannot be edited")
    raise ApiError(400, f"unknown tag: {raw[:80]!r}")


async def edit_tag(request: Request, ctx: ReaderContext, user: ReaderUser, values) -> Response:
    ids = _ids(values)
    if not ids:
        raise ApiError(400, "no item id (i) given")
    add = [t for t in (_tag(v, user) for v in values.get("a", []) if v.strip()) if t]
    remove = [t for t in (_tag(v, user) for v in values.get("r", []) if v.strip()) if t]
    read: bool | None = None
    starred: bool | None = None
    for tag in add:
        if tag == "read":
            read = True
        elif tag == "unread":
            read = False
        else:
            starred = True
    for tag in remove:
        if tag == "read":
            read = False
        elif tag == "starred":
            starred = False

    def work() -> None:
        with ctx.store.transaction() as session:
            missing = set(ids) - existing_ids(session, ids)
            if missing:
                raise ApiError(400, f"no such item: {item_hex(min(missing))}")
            mark(session, user, ids, read=read, starred=starred)

    await in_thread(work)
    return PlainTextResponse("OK", headers=NO_STORE)


async def mark_all_as_read(request: Request, ctx: ReaderContext, user: ReaderUser, values) -> Response:
    raw = one(values, "s")
    if not raw:
        raise ApiError(400, "no stream (s) given")
    ts = (one(values, "ts") or "").strip()
    if ts and not (ts.isdigit() and len(ts) <= 20):
        raise ApiError(400, "ts must be a time in microseconds")
    up_to = int(ts) if ts else None
    if up_to is not None and up_to < 10**13:  # some apps send seconds
        up_to = up_to * 10**6 + 999_999
    base = base_url(request)

    def work() -> None:
        with ctx.store.transaction() as session:
            stream = parse_stream(raw, user, ctx.feeds(session), base)
            mark_stream_read(session, user, stream, up_to)

    await in_thread(work)
    return PlainTextResponse("OK", headers=NO_STORE)


def routes() -> list[BaseRoute]:
    get_post = ["GET", "POST"]
    api = [
        Route("/token", endpoint(token), methods=get_post),
        Route("/user-info", endpoint(user_info), methods=get_post),
        Route("/subscription/list", endpoint(subscription_list), methods=get_post),
        Route("/tag/list", endpoint(tag_list), methods=get_post),
        Route("/unread-count", endpoint(unread_count, read=True), methods=get_post),
        Route("/stream/contents", endpoint(stream_contents, read=True), methods=get_post),
        Route("/stream/contents/{stream:path}", endpoint(stream_contents, read=True), methods=get_post),
        Route("/stream/items/ids", endpoint(items_ids, read=True), methods=get_post),
        Route("/stream/items/contents", endpoint(items_contents), methods=get_post),
        Route("/edit-tag", endpoint(edit_tag, write=True), methods=get_post),
        Route("/mark-all-as-read", endpoint(mark_all_as_read, write=True), methods=get_post),
    ]
    return [Mount("/api/greader", routes=[
        Route("/accounts/ClientLogin", client_login, methods=get_post),
        Mount("/reader/api/0", routes=api),
    ])]
