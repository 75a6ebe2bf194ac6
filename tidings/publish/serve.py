"""``tidings serve``: the web site under uvicorn, plus a scheduler that keeps it fresh.

The scheduler is a daemon thread: every ``schedule.interval_minutes`` it runs
``tidings.pipeline.update``, refreshes the search index (``tidings.publish.search.reindex``),
runs the newsletter's due editions when ``tidings.publish.editions.scheduler:run_due``
exists, and empties the page cache. One failing tick is logged and the next one runs.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
from collections.abc import Callable

import click

from tidings.cli import get_config

log = logging.getLogger("tidings.serve")
EDITIONS_SCHEDULER = "tidings.publish.editions.scheduler"


def editions_run_due() -> Callable | None:
    try:
        if importlib.util.find_spec(EDITIONS_SCHEDULER) is None:
            return None
    except ModuleNotFoundError:
        return None
    return getattr(importlib.import_module(EDITIONS_SCHEDULER), "run_due", None)


def tick_line(report: dict, seconds: float) -> str:
    """One line saying what a scheduled round did, for the operator watching `tidings serve`."""
    update = report.get("update")
    if isinstance(update, str):
        return f"scheduler: update {update} ({seconds:.0f} s)"
    done = update or {}
    ingest, stories, summaries = done.get("ingest"), done.get("stories"), done.get("summaries")
    parts = []
    if ingest is not None:
        errors = sum(ingest.errors.values())
        parts.append(f"{ingest.new} new articles from {ingest.sources} sources")
        if errors:
            parts.append(f"{errors} errors (`tidings doctor`)")
    if stories is not None:
        parts.append(f"{stories.touched} stories changed")
    if summaries is not None:
        failed = f", {summaries.failed} failed" if summaries.failed else ""
        parts.append(f"{summaries.summarized} summaries written{failed}")
    return f"scheduler: update done in {seconds:.0f} s: " + ", ".join(parts)


def tick(config, store, on_done: Callable[[], None] | None = None,
         say: Callable[[str], None] | None = None) -> dict:
    """One round of the scheduler; returns what each step reported (or its error). ``say`` hears
    one line when the round starts and one when it ends."""
    import time

    from tidings.pipeline import update
    from tidings.publish.search import reindex

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
        except Exception as exc:
            log.exception("scheduled %s failed", name)
            report[name] = f"failed: {exc}"
    run_due = editions_run_due()
    if run_due is not None:
        try:
            report["editions"] = run_due(config, store)
        except Exception as exc:
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


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on (0: any free port).")
@click.option("--no-scheduler", is_flag=True, help="Serve only; do not run `update` on a schedule.")
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, no_scheduler: bool) -> None:
    """Serve the web site, feeds and API (and run `update` every schedule.interval_minutes)."""
    import uvicorn

    from tidings.commands import open_store_or_fail
    from tidings.publish.search import reindex
    from tidings.publish.web.app import create_app

    config = get_config(ctx)
    store = open_store_or_fail(config)  # a schema that is behind: a message naming `tidings db upgrade`
    reindex(store)
    app = create_app(config, store)
    scheduler = None
    if not no_scheduler:
        scheduler = Scheduler(config, store, max(1, config.schedule.interval_minutes) * 60.0, app.state.cache.clear,
                              say=lambda line: click.echo(line, err=True))
        scheduler.start()
        click.echo(f"scheduler: update every {config.schedule.interval_minutes} min", err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
    finally:
        if scheduler is not None:
            scheduler.stop()
        store.close()
