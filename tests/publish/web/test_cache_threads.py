"""The page cache across threads (issue #15, item 7): the scheduler's thread clears it after
an update while the event loop serves and fills it. A page whose build began before the
clear is not kept after it, and clearing while pages are read and built breaks nothing."""

from __future__ import annotations

import asyncio
import threading

from tidings.publish.web.cache import Cached, ResponseCache


def _page(text: str) -> Cached:
    return Cached(text.encode(), 200, "text/html", {})


def test_a_build_begun_before_a_clear_is_not_kept():
    cache = ResponseCache(ttl=60)

    async def scenario() -> bytes:
        started, release = asyncio.Event(), threading.Event()

        async def slow_old_build() -> Cached:
            started.set()
            await asyncio.get_running_loop().run_in_executor(None, release.wait)
            return _page("before the update")

        building = asyncio.create_task(cache.get_or_build("/", slow_old_build))
        await started.wait()
        clearing = threading.Thread(target=cache.clear)  # the scheduler, after an update
        clearing.start()
        clearing.join()
        release.set()
        assert (await building).body == b"before the update"  # the waiting reader gets its page

        async def new_build() -> Cached:
            return _page("after the update")

        return (await cache.get_or_build("/", new_build)).body

    assert asyncio.run(scenario()) == b"after the update"


def test_clearing_from_another_thread_while_serving_breaks_nothing():
    cache = ResponseCache(ttl=0.001, stale=60, max_entries=50)
    stop = threading.Event()
    clears = 0

    def scheduler() -> None:
        nonlocal clears
        while not stop.is_set():
            cache.clear()
            clears += 1

    async def serve() -> int:
        served = 0

        def build_for(key: str):
            async def build() -> Cached:
                await asyncio.sleep(0)
                return _page(key)
            return build

        for round_ in range(300):
            keys = [f"/story/{(round_ * 7 + i) % 120}" for i in range(20)]
            pages = await asyncio.gather(*(cache.get_or_build(k, build_for(k)) for k in keys))
            assert [p.body.decode() for p in pages] == keys
            served += len(pages)
        return served

    thread = threading.Thread(target=scheduler)
    thread.start()
    try:
        served = asyncio.run(serve())
    finally:
        stop.set()
        thread.join()
    assert served == 6000 and clears > 0
