"""A small in-process cache of rendered responses, so busy pages are built once per few seconds.

Keys are the request's path and query; a miss is built once even when many requests for
the same page arrive together (the others wait for it).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(slots=True)
class Cached:
    body: bytes
    status: int
    media_type: str
    headers: dict[str, str]


class ResponseCache:
    def __init__(self, ttl: float = 10.0, max_entries: int = 512) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, Cached]] = OrderedDict()
        self._building: dict[str, asyncio.Future[Cached]] = {}

    def clear(self) -> None:
        self._entries.clear()

    async def get_or_build(self, key: str, build: Callable[[], Awaitable[Cached]]) -> Cached:
        if self.ttl <= 0:
            return await build()
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        pending = self._building.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Cached] = asyncio.get_running_loop().create_future()
        self._building[key] = future
        try:
            value = await build()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            self._building.pop(key, None)
        future.set_result(value)
        if value.status == 200:
            self._entries[key] = (time.monotonic() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value
