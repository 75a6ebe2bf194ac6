"""Politeness seen from the server: per-host spacing and in-flight limits."""

from __future__ import annotations

import asyncio
import threading
import time

from tests.fetch.conftest import make_config
from tests.loopback import LoopbackServer, Reply, Request
from tidings.fetch import Fetcher


class InFlight:
    """A handler that holds each request for a moment and records how many overlap."""

    def __init__(self, hold: float) -> None:
        self.hold = hold
        self.now = 0
        self.most = 0
        self.starts: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        with self._lock:
            self.starts.append(time.monotonic())
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(self.hold)
        with self._lock:
            self.now -= 1
        return Reply(body="ok")


async def test_requests_to_one_host_spaced_by_delay(server):
    delay = 0.3
    handler = InFlight(hold=0.0)
    server.route("/item", handler)
    async with Fetcher(make_config(per_host_delay=delay, per_host_concurrency=4)) as fetcher:
        await asyncio.gather(*(fetcher.get(server.url(f"/item?n={n}"), check_robots=False) for n in range(4)))
    gaps = [b - a for a, b in zip(handler.starts, handler.starts[1:])]
    assert len(gaps) == 3
    # server-side receive times jitter on a busy machine; without the delay the gaps are ~1 ms
    assert min(gaps) >= delay - 0.1


async def test_per_host_concurrency_never_exceeded(server):
    handler = InFlight(hold=0.15)
    server.route("/slow", handler)
    async with Fetcher(make_config(per_host_concurrency=2, concurrency=8)) as fetcher:
        await asyncio.gather(*(fetcher.get(server.url(f"/slow?n={n}"), check_robots=False) for n in range(8)))
    assert len(handler.starts) == 8
    assert handler.most == 2  # reached, never passed


async def test_overall_concurrency_bounds_all_hosts_together():
    handler = InFlight(hold=0.15)
    config = make_config(allow_networks=["127.0.0.2/32", "127.0.0.3/32"], concurrency=2, per_host_concurrency=3)
    with LoopbackServer("127.0.0.2") as one, LoopbackServer("127.0.0.3") as two:
        one.route("/slow", handler)
        two.route("/slow", handler)
        urls = [srv.url(f"/slow?n={n}") for n in range(4) for srv in (one, two)]
        async with Fetcher(config) as fetcher:
            await asyncio.gather(*(fetcher.get(url, check_robots=False) for url in urls))
    assert len(handler.starts) == 8
    assert handler.most == 2


async def test_robots_crawl_delay_slows_a_host(server):
    handler = InFlight(hold=0.0)
    server.route("/robots.txt", Reply(body="User-agent: *\nCrawl-delay: 0.3\n", content_type="text/plain"))
    server.route("/a", handler)
    async with Fetcher(make_config(per_host_delay=0.0)) as fetcher:
        for n in range(3):
            await fetcher.get(server.url(f"/a?n={n}"))
    gaps = [b - a for a, b in zip(handler.starts, handler.starts[1:])]
    assert min(gaps) >= 0.2


async def test_idle_hosts_forgotten_past_the_limit(monkeypatch):
    from tidings.fetch import politeness

    monkeypatch.setattr(politeness, "MAX_IDLE_HOSTS", 3)
    gate = politeness.HostGate(concurrency=4, per_host=1, delay=0.0)
    for n in range(10):
        async with gate.slot(f"host{n}.example"):
            pass
    assert len(gate._hosts) <= 3
    # a host in use is never forgotten
    async with gate.slot("busy.example"):
        for n in range(10, 20):
            async with gate.slot(f"host{n}.example"):
                pass
        assert "busy.example" in gate._hosts
