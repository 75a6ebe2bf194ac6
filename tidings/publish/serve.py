"""The scheduler that keeps a served site fresh (``tidings serve``, :mod:`tidings.cli.serve`, runs it).

It is a daemon thread: every ``schedule.interval_minutes`` it runs
``tidings.pipeline.update``, refreshes the search index (``tidings.store.search.reindex``),
runs the newsletter's due editions (``tidings.publish.editions.scheduler.run_due``), and empties the page cache. One failing tick is logged and the next one runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("tidings.serve")


def tick_line(report: dict, seconds: float) -> str:
    """One line saying what a scheduled round did, for the operator watching `tidings serve`."""
    update = report.get("update")
    if isinstance(update, str):
        return f"scheduler: update {update} ({seconds:.0f} s)"
    ingest, stories, summaries = (update or {}).get("ingest"), (update or {}).get("stories"), (update or {}).get("summaries")
    parts = []
    if ingest is not None:
        errors = sum(ingest.errors.values())
        parts.append(f"{ingest.new} new articles from {ingest.sources} sources")
        if errors:
            parts.append(f"{errors} errors (`tidings doctor`)")
    if stories is not None:
        parts.append(f"{stories.touched} stories changed")
    if summaries is not None:
        parts.append(f"{summaries.summarized} summaries written" + (f", {summaries.failed} failed" if summaries.failed else ""))
    return f"scheduler: update done in {seconds:.0f} s: " + ", ".join(parts)


def tick(config, store, on_done: Callable[[], None] | None = None,
         say: Callable[[str], None] | None = None) -> dict:
    """One round of the scheduler; returns what each step reported (or its error). ``say`` hears
    one line when the round starts and one when it ends."""
    import time

    from tidings.pipeline import update
    from tidings.store.search import reindex

    started = time.perf_counter()
    if say is not None:
        say("scheduler: update started")
    from tidings.store.locks import RunInProgress, writer_lock

    def locked_update():  # one writer at a time: a hand-started `tidings update` may be running
        from tidings.store.retention import prune_configured

        with writer_lock(store, "update"):
            result = update(config, store)
            result["retention"] = prune_configured(config, store)
            return result

    report: dict = {}
    for name, step in (("update", locked_update), ("search", lambda: reindex(store))):
        try:
            report[name] = step()
        except RunInProgress as exc:
            log.info("scheduled update skipped: %s", exc)
            report[name] = f"skipped: {exc}"
        except Exception as exc:  # noqa: BLE001 - the server keeps running; the next tick retries
            log.exception("scheduled %s failed", name)
            report[name] = f"failed: {exc}"
    from tidings.publish.editions.scheduler import run_due

    try:
        report["editions"] = run_due(config, store)
    except Exception as exc:  # noqa: BLE001
        log.exception("scheduled editions failed")
        report["editions"] = f"failed: {exc}"
    if say is not None:
        say(tick_line(report, time.perf_counter() - started))
    if on_done is not None:
        on_done()
    return report


class Scheduler:
    """Runs :func:`tick` now and then every ``interval`` seconds until stopped."""

    def __init__(self, config, store, interval: float, on_done: Callable[[], None] | None = None,
                 say: Callable[[str], None] | None = None) -> None:
        self.config, self.store, self.interval, self.on_done, self.say = config, store, interval, on_done, say
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="tidings-scheduler", daemon=True)

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            tick(self.config, self.store, self.on_done, self.say)
            self.stop_event.wait(self.interval)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
