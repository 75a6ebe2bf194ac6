"""What both reader APIs share on a running app: settings, signer, rate limiter, the feed list,
the authenticated user, request parameters and short error answers."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tidings.config import Config
from tidings.publish.editions.security import Signer, load_secret
from tidings.publish.ratelimit import DbLimiter
from tidings.publish.readers.accounts import ReaderUser
from tidings.publish.readers.items import sync_items
from tidings.publish.readers.settings import ReaderSettings, reader_settings
from tidings.publish.readers.state import Feed, list_feeds, user_and_version, version
from tidings.store.db import Store

MAX_BODY = 256 * 1024
FEEDS_TTL = 60.0
RESPONSE_BYTES = 64 * 1024 * 1024  # encoded answers kept per process, the least recently used dropped first


class ApiError(Exception):
    """A request that is refused: ``status`` and a short message; nothing was changed."""

    def __init__(self, status: int, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


Answer = tuple[bytes, bool]  # an encoded JSON answer, and whether those bytes are gzip-compressed
GZIP_MIN = 1024  # smaller answers go as they are


NO_STORE = {"cache-control": "no-store"}


def encode(data: Any) -> bytes:
    """The compact UTF-8 JSON both APIs answer with."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def json_answer(answer: Answer, status: int = 200) -> Response:
    """An encoded answer as a response, marked gzip when it is, never stored by a proxy."""
    body, packed = answer
    headers = {**NO_STORE, "content-encoding": "gzip", "vary": "Accept-Encoding"} if packed else NO_STORE
    return Response(body, status, media_type="application/json; charset=utf-8", headers=headers)


def asked_key(values: dict[str, list[str]], *where: Any, ignore: tuple[str, ...] = ()) -> tuple[Any, ...]:
    """What a read asks for, in a form two equal requests share: ``where`` (the API, path, base
    URL) and every parameter but the credentials in ``ignore``."""
    return (*where, tuple(sorted((k, tuple(v)) for k, v in values.items() if k not in ignore)))


def wants_gzip(request: Request) -> bool:
    """The client takes a gzip-compressed answer (the apps' HTTP libraries all ask for one)."""
    return "gzip" in request.headers.get("accept-encoding", "").lower()


class ResponseMemo:
    """Encoded answers by request, each with the version of the data it was built from (and its
    gzip form once a client asked for it); at most ``budget`` bytes in all, the least recently
    used dropped first."""

    def __init__(self, budget: int = RESPONSE_BYTES) -> None:
        self.budget = budget
        self.size = 0
        self._entries: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], bytes, bytes | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], current: tuple[Any, ...]) -> bytes | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is None or hit[0] != current:
                return None
            self._entries.move_to_end(key)
            return hit[1]

    def put(self, key: tuple[Any, ...], current: tuple[Any, ...], body: bytes) -> None:
        if len(body) > self.budget // 4:
            return  # one answer may not push out everyone else's
        with self._lock:
            self._drop(key)
            self._entries[key] = (current, body, None)
            self.size += len(body)
            self._trim()

    def gzipped(self, key: tuple[Any, ...], body: bytes) -> bytes:
        """``body`` compressed, kept beside it (compressed once per version, not per request)."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[1] is body and hit[2] is not None:
                return hit[2]
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[1] is body and hit[2] is None:
                self._entries[key] = (hit[0], body, packed)
                self.size += len(packed)
                self._trim()
        return packed

    def _drop(self, key: tuple[Any, ...]) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= len(old[1]) + len(old[2] or b"")

    def _trim(self) -> None:
        while self.size > self.budget:
            _, (_, body, packed) = self._entries.popitem(last=False)
            self.size -= len(body) + len(packed or b"")

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


@dataclass(slots=True)
class ReaderContext:
    config: Config
    store: Store
    settings: ReaderSettings
    signer: Signer
    limiter: DbLimiter
    sections: list[str]
    _feeds: tuple[float, list[Feed]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    responses: ResponseMemo = field(default_factory=ResponseMemo)

    def identify(self, asked: tuple[Any, ...] | None, gzip_ok: bool, *, user_id: int | None = None,
                 fever_key_hash: str | None = None) -> tuple[ReaderUser, Answer | None] | None:
        """The user (by id, or by the hash of their Fever key) and, for a read ``asked`` before with
        the data unchanged since, the kept answer: one query on a bare connection (a third of a
        session's cost), run first on every authenticated request. New stories get their item ids."""
        self.sync()
        with self.store.engine.connect() as connection:
            found = user_and_version(connection, user_id=user_id, fever_key_hash=fever_key_hash)
        if found is None:
            return None
        user, current = found
        return user, self.reused(user, asked, current, gzip_ok) if asked is not None else None

    def reused(self, user: ReaderUser, key: tuple[Any, ...], current: tuple[Any, ...],
               gzip_ok: bool = False) -> Answer | None:
        """The answer kept for ``key`` if it was built from the data at ``current`` (see :meth:`answer`)."""
        full = (user.id, user.unread_on_update, *key)
        body = self.responses.get(full, current)
        return None if body is None else self._encoded(full, body, gzip_ok)

    def answer(self, session, user: ReaderUser, key: tuple[Any, ...], build: Callable[[], bytes],
               gzip_ok: bool = False) -> Answer:
        """The encoded answer to a read request (``key``: what the request asked, the user aside),
        reused while the user's marks, the items and the stories are unchanged. Apps poll the same
        few requests again and again; between two updates the answer is the same bytes."""
        full = (user.id, user.unread_on_update, *key)
        current = version(session, user)
        body = self.responses.get(full, current)
        if body is None:
            body = build()
            self.responses.put(full, current, body)
        return self._encoded(full, body, gzip_ok)

    def _encoded(self, full: tuple[Any, ...], body: bytes, gzip_ok: bool) -> Answer:
        if gzip_ok and len(body) >= GZIP_MIN:
            return self.responses.gzipped(full, body), True
        return body, False

    def feeds(self, session) -> list[Feed]:
        with self._lock:
            if self._feeds is None or time.monotonic() - self._feeds[0] > FEEDS_TTL:
                self._feeds = (time.monotonic(), list_feeds(session, self.sections, self.settings))
            return self._feeds[1]

    def sync(self) -> None:
        sync_items(self.store)


def context(request: Request) -> ReaderContext:
    state = request.app.state
    ctx = getattr(state, "reader_context", None)
    if ctx is None or ctx.config is not state.config or ctx.store is not state.store:
        ctx = ReaderContext(state.config, state.store, reader_settings(state.config),
                            Signer(load_secret(state.config)),
                            DbLimiter(state.store, "api", per_account=5, per_ip=20, window=900.0),
                            list(getattr(state, "sections", []) or []))
        state.reader_context = ctx
    return ctx


def base_url(request: Request) -> str:
    site = getattr(request.app.state, "site", None) or {}
    return site.get("base_url") or str(request.base_url).rstrip("/")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def params(request: Request) -> dict[str, list[str]]:
    """Query and (for a POST) form parameters together, every value kept."""
    out: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        out.setdefault(key, []).append(value)
    if request.method == "POST":
        body = await request.body()
        if len(body) > MAX_BODY:
            raise ApiError(413, "request body too large")
        if body:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ApiError(400, "the form is not UTF-8") from None
            for key, values in parse_qs(text, keep_blank_values=True).items():
                out.setdefault(key, []).extend(values)
    return out


def one(values: dict[str, list[str]], name: str, default: str | None = None) -> str | None:
    got = values.get(name)
    return got[-1] if got else default


def integer(values: dict[str, list[str]], name: str, low: int, high: int, default: int | None = None) -> int | None:
    raw = one(values, name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ApiError(400, f"{name} must be an integer") from None
    if not low <= value <= high:
        raise ApiError(400, f"{name} must be between {low} and {high}")
    return value


async def in_thread(func, *args):
    return await run_in_threadpool(func, *args)
