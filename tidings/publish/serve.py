"""The scheduler that keeps a served site fresh (``tidings serve``, :mod:`tidings.cli.serve`, runs it).

The scheduler is a daemon thread: every ``schedule.interval_minutes`` it starts one
round (:func:`tick`): ``tidings.pipeline.update``, the search index
(``tidings.store.search.reindex``), the newsletter's due editions
(``tidings.publish.editions.scheduler.run_due``); then it empties the page cache.
One failing round is logged and the next one runs.

A round runs in its own process (started with ``spawn``, nothing inherited from the
threaded server) at a lower CPU priority (``[schedule] nice``, default 10): the models,
their threads and whatever memory a round takes live and die with that process, so the
pages keep answering at full speed while stories are built, and the server's own
memory stays flat from one round to the next. ``[schedule] in_process = true`` runs
rounds in a thread of the server instead (one process; pages slow down while a round
runs).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable

log = logging.getLogger("tidings.serve")


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
        except Exception as exc:
            log.exception("scheduled %s failed", name)
            report[name] = f"failed: {exc}"
    from tidings.publish.editions.scheduler import run_due

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


M_ARENA_MAX = -8  # glibc's mallopt() parameter number


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas for the serving process (unless ``MALLOC_ARENA_MAX`` is set).

    The site renders pages in a pool of up to 40 threads; after each scheduled round every page
    is rebuilt at once, and glibc gives threads arenas of their own (up to eight per core) that
    it seldom returns, so the server's resident memory grew about 3.5 MB a minute in the soak
    benchmark, with Python's own heap flat. With two arenas it stays flat
    (docs/reliability.md §5). Returns True when the cap was set."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to cap
        return False


def _tick_child(config, nice: int, answer) -> None:  # the body of a round's own process
    """Run one :func:`tick` on a store of its own and send back its closing line."""
    from tidings.store.db import open_store

    if nice > 0:
        os.nice(nice)
    store = open_store(config)
    lines: list[str] = []
    try:
        tick(config, store, say=lines.append)
    finally:
        store.close()
    try:
        answer.send(lines[-1] if lines else "scheduler: update ended without a report")
        answer.close()
    except OSError:  # the server went away meanwhile: nobody to tell
        pass


def tick_in_child(config, nice: int = 10, stop: threading.Event | None = None,
                  say: Callable[[str], None] | None = None) -> bool:
    """One :func:`tick` in a spawned process at CPU priority ``nice``; ``say`` hears the round's
    start and end. Returns False if the round's process died without reporting (it is then
    said in one line; a round loses nothing it committed). ``stop`` being set ends the round."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    # not a daemon: a round starts its own worker pool (the [engine] executor)
    child = context.Process(target=_tick_child, args=(config, nice, send), name="tidings-update")
    if say is not None:
        say("scheduler: update started")
    child.start()
    send.close()
    while child.is_alive() and not (stop is not None and stop.is_set()):
        child.join(0.5)
    if child.is_alive():  # the server is stopping: the next start finishes the work
        child.terminate()
        child.join(10)
    line = None
    try:
        if receive.poll():
            line = receive.recv()
    except (EOFError, OSError):
        line = None
    receive.close()
    if line is None:
        line = f"scheduler: update process ended without a report (exit code {child.exitcode})"
        log.warning(line)
    if say is not None:
        say(line)
    return child.exitcode == 0


class Scheduler:
    """Runs a round now and then every ``interval`` seconds until stopped: in its own process
    (:func:`tick_in_child`, the default) or, with ``in_process``, in this thread (:func:`tick`)."""

    def __init__(self, config, store, interval: float, on_done: Callable[[], None] | None = None,
                 say: Callable[[str], None] | None = None, in_process: bool | None = None,
                 nice: int | None = None) -> None:
        self.config, self.store, self.interval, self.on_done, self.say = config, store, interval, on_done, say
        schedule = getattr(config, "schedule", None)
        self.in_process = bool(getattr(schedule, "in_process", False)) if in_process is None else in_process
        self.nice = int(getattr(schedule, "nice", 10)) if nice is None else nice
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="tidings-scheduler", daemon=True)

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            if self.in_process:
                tick(self.config, self.store, self.on_done, self.say)
            else:
                try:
                    tick_in_child(self.config, self.nice, self.stop_event, self.say)
                except Exception:
                    log.exception("scheduled round could not start")
                if self.on_done is not None:
                    self.on_done()
            self.stop_event.wait(self.interval)

    def start(self) -> None:
        self.thread.start()

    def stop(self, wait: float = 0.0) -> None:
        """Stop after the current round (a round in its own process is ended now); ``wait``
        seconds for that to happen."""
        self.stop_event.set()
        if wait and self.thread.is_alive():
            self.thread.join(wait)
