"""The page cache builds a page once for many waiting readers and serves stale while rebuilding."""

from __future__ import annotations

import asyncio

from tidings.publish.web.cache import Cached, ResponseCache


async def test_one_build_for_concurrent_misses_then_stale_while_rebuilding():
    cache = ResponseCache(ttl=0.2, stale=5)
    builds = 0

    async def build() -> Cached:
        nonlocal builds
        builds += 1
        await asyncio.sleep(0.05)
        return Cached(f"v{builds}".encode(), 200, "text/plain", {})

    values = await asyncio.gather(*(cache.get_or_build("k", build) for _ in range(20)))
    assert builds == 1 and {v.body for v in values} == {b"v1"}
    await asyncio.sleep(0.25)  # expired: the old page comes back at once, one rebuild starts
    assert (await cache.get_or_build("k", build)).body == b"v1"
    assert (await cache.get_or_build("k", build)).body == b"v1"
    await asyncio.sleep(0.1)
    assert builds == 2 and (await cache.get_or_build("k", build)).body == b"v2"


async def test_errors_and_non_200_are_not_cached():
    cache = ResponseCache(ttl=10)
    calls = 0

    async def missing() -> Cached:
        nonlocal calls
        calls += 1
        return Cached(b"", 404, "text/plain", {})

    await cache.get_or_build("x", missing)
    await cache.get_or_build("x", missing)
    assert calls == 2
