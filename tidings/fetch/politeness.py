"""Bounded concurrency overall and per host, and a minimum delay between two
requests to one host.

A request first takes one of the host's ``per_host`` slots, then, holding the
host's lock, waits until the host's next allowed start, takes a global slot and
only then stamps its start: so two requests to one host START at least
``delay`` seconds apart even when the global pool is busy, and a request that
waits for its host holds no global slot (other hosts keep going).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

MAX_IDLE_HOSTS = 10_000  # past this many remembered hosts, idle ones are forgotten


@dataclass(slots=True)
class _HostState:
    slots: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = float("-inf")
    delay: float | None = None  # a host's own delay (robots.txt Crawl-delay), when larger
    users: int = 0  # requests holding or waiting for this host's slots


class HostGate:
    """``async with gate.slot("example.com"): ...`` around each request."""

    def __init__(self, concurrency: int, per_host: int, delay: float) -> None:
        if concurrency < 1 or per_host < 1:
            raise ValueError("concurrency and per_host_concurrency must be at least 1")
        self.concurrency = concurrency
        self.per_host = per_host
        self.delay = max(0.0, delay)
        self._global = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        key = host.lower()
        state = self._hosts.get(key)
        if state is None:
            if len(self._hosts) >= MAX_IDLE_HOSTS:
                self._forget_idle()
            state = self._hosts[key] = _HostState(asyncio.Semaphore(self.per_host))
        return state

    def _forget_idle(self) -> None:
        """Drop hosts nobody is using whose delay has passed (a long ``serve`` meets many hosts)."""
        now = time.monotonic()
        for key in [k for k, st in self._hosts.items() if st.users == 0 and st.next_start <= now and st.delay is None]:
            del self._hosts[key]

    def set_host_delay(self, host: str, seconds: float | None) -> None:
        """Make one host's delay longer than the default (never shorter)."""
        self._state(host).delay = seconds

    def host_delay(self, host: str) -> float:
        own = self._state(host).delay
        return max(self.delay, own or 0.0)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        state = self._state(host)
        state.users += 1
        try:
            async with state.slots:
                async with state.lock:
                    wait = state.next_start - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    await self._global.acquire()
                    state.next_start = time.monotonic() + self.host_delay(host)
                try:
                    yield
                finally:
                    self._global.release()
        finally:
            state.users -= 1
