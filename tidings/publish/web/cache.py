"""A small in-process cache of rendered responses, so busy pages are built once per few seconds.

Keys are the request's path and query. A miss is built once even when many requests for
the same page arrive together (the others wait for it). Once an entry is older than ``ttl``
it is still served (for up to ``stale`` more seconds) while one background task rebuilds it,
so readers never queue behind a rebuild.

The cache is safe across threads: :meth:`ResponseCache.clear` is called by the scheduler's
thread after an update while the server's event loop reads and fills the cache. A lock
guards the entries, and a page whose build began before a clear is not kept after it (it
may show the data from before the update).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Cached:
    body: bytes
    status: int
    media_type: str
    headers: dict[str, str]


class ResponseCache:
    def __init__(self, ttl: float = 10.0, stale: float = 60.0, max_entries: int = 512) -> None:
        self.ttl = ttl
        self.stale = stale
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, Cached]] = OrderedDict()  # key -> (built at, value)
        self._building: dict[str, asyncio.Future[Cached]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._lock = threading.Lock()  # guards _entries and _generation (clear() comes from other threads)
        self._generation = 0  # bumped by clear(): builds begun before it are not kept

    def clear(self) -> None:
        """Forget every entry (after new data arrived); safe to call from any thread."""
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def _lookup(self, key: str) -> tuple[float, Cached] | None:
        with self._lock:
            return self._entries.get(key)

    def _store(self, key: str, value: Cached, generation: int) -> None:
        if value.status != 200:
            return
        with self._lock:
            if generation != self._generation:
                return  # built from the data before a clear()
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    async def _build(self, key: str, build: Callable[[], Awaitable[Cached]]) -> Cached:
        pending = self._building.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Cached] = asyncio.get_running_loop().create_future()
        self._building[key] = future
        with self._lock:
            generation = self._generation
        try:
            value = await build()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here; waiters re-raise it themselves
            raise
        finally:
            self._building.pop(key, None)
        future.set_result(value)
        self._store(key, value, generation)
        return value

    async def get_or_build(self, key: str, build: Callable[[], Awaitable[Cached]]) -> Cached:
        if self.ttl <= 0:
            return await build()
        hit = self._lookup(key)
        if hit is not None:
            age = time.monotonic() - hit[0]
            if age < self.ttl:
                return hit[1]
            if age < self.ttl + self.stale:
                if key not in self._building:
                    task = asyncio.create_task(self._build(key, build))
                    self._tasks.add(task)
                    task.add_done_callback(self._done)
                return hit[1]
        return await self._build(key, build)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("rebuilding a cached page failed: %r", task.exception())
