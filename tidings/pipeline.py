"""The pipeline: from due sources to stored, deduplicated articles (``ingest``).

For each due source: a conditional GET of its feed or sitemap, parsing, then for
each entry not seen before (or changed since) the article page is fetched,
extracted and fingerprinted by the engine's executor (``extract`` stage, in worker
processes) and recorded in its own transaction. The event loop only fetches: every
database call runs in one store thread beside it. A source's
ETag / Last-Modified are saved only after all its entries were handled, so a
crash mid-run (even SIGKILL) loses nothing: the next run fetches the feed again,
skips what was stored and stores the rest, never twice.

One bad item never stops the run: its error is counted by kind, the source's
health records it, and the rest goes on.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from tidings.config import Config
from tidings.dedup.record import Recorded, record_article
from tidings.dedup.stage import Extracted, RawPage
from tidings.engine.executors import Executor, InlineExecutor, open_executor
from tidings.logs import event, report_fields
from tidings.records import ExtractedArticle, FeedEntry, ParsedFeed
from tidings.sources.registry import read_source_list, sync_sources
from tidings.store.db import Store
from tidings.store.models import IngestRun, SeenEntry, Source
from tidings.timeutil import stage_seconds, utcnow

if TYPE_CHECKING:
    from rich.table import Table

log = logging.getLogger(__name__)

MAX_ERROR_SAMPLES = 50
MAX_CHILD_SITEMAPS = 5
ENTRIES_IN_FLIGHT = 64  # bounds memory: pages fetched but not yet stored


@dataclass
class IngestReport:
    """What one ingest run did; printed as a table by ``tidings ingest``."""

    sources: int = 0  # sources due and attempted
    fetched: int = 0  # feeds/sitemaps that answered with content
    not_modified: int = 0  # answered 304
    failed: int = 0  # feed/sitemap could not be fetched or parsed
    entries: int = 0  # entries listed by the fetched feeds
    already_seen: int = 0  # entries skipped because stored and unchanged
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    copies_exact: int = 0  # new articles that copy another exactly
    copies_near: int = 0  # new articles that are near-duplicates (syndicated copies)
    from_feed: int = 0  # articles whose text came from the feed (page unavailable)
    errors: Counter[str] = field(default_factory=Counter)  # by kind
    error_samples: list[dict[str, str]] = field(default_factory=list)
    source_errors: int = 0  # errors of a whole source (its feed failed or is malformed), among ``errors``
    seconds: dict[str, float] = field(default_factory=stage_seconds)  # time per stage
    elapsed: float = 0.0
    peak_rss_mb: float = 0.0
    run_id: int | None = None

    def error(self, kind: str, url: str, message: str, source: str | None = None, *,
              whole_source: bool = False) -> None:
        """Count an error; a source's own failure (not one article's) is sampled ahead of the others."""
        self.errors[kind] += 1
        sample = {"kind": kind, "url": url, "message": message, "source": source or "",
                  "scope": "source" if whole_source else "article"}
        if whole_source:
            self.source_errors += 1
            self.error_samples.insert(sum(1 for s in self.error_samples if s.get("scope") == "source"), sample)
            del self.error_samples[MAX_ERROR_SAMPLES:]
        elif len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(sample)

    def rows(self) -> list[tuple[str, str]]:
        """The report as (what, count) rows, in the order ``tidings ingest`` shows them."""
        rows = [
            ("sources due", self.sources),
            ("fetched", self.fetched),
            ("not modified (304)", self.not_modified),
            ("failed", self.failed),
            ("entries listed", self.entries),
            ("already stored", self.already_seen),
            ("new articles", self.new),
            ("updated articles", self.updated),
            ("unchanged", self.unchanged),
            ("exact copies", self.copies_exact),
            ("near copies (syndicated)", self.copies_near),
            ("text from feed (page unavailable)", self.from_feed),
        ]
        return [(name, str(value)) for name, value in rows] + \
            [(f"error: {kind}", str(count)) for kind, count in sorted(self.errors.items())] + \
            [("seconds", f"{self.elapsed:.1f}")]

    def table(self) -> Table:
        """The rows as a rich table, as ``tidings ingest``, ``tidings update`` and the demo print them
        (errors in red)."""
        from rich.table import Table

        table = Table(title="ingest", show_header=True, header_style="bold")
        table.add_column("what")
        table.add_column("count", justify="right")
        for name, value in self.rows():
            table.add_row(f"[red]{name}[/red]" if name.startswith("error: ") else name, value)
        return table

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources, "fetched": self.fetched, "not_modified": self.not_modified,
            "failed": self.failed, "entries": self.entries, "already_seen": self.already_seen,
            "new": self.new, "updated": self.updated, "unchanged": self.unchanged,
            "copies_exact": self.copies_exact, "copies_near": self.copies_near, "from_feed": self.from_feed,
            "errors": dict(self.errors), "source_errors": self.source_errors, "error_samples": self.error_samples,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "elapsed": round(self.elapsed, 3), "peak_rss_mb": round(self.peak_rss_mb, 1),
        }


@dataclass(frozen=True, slots=True)
class SourceJob:
    """A snapshot of a source row, safe to use outside its session."""

    id: int
    url: str
    kind: str
    name: str
    etag: str | None
    last_modified: str | None
    consecutive_errors: int
    poll_minutes: int | None


ProgressHook = Callable[[str, dict[str, Any]], None]


def _entry_stamp(entry: FeedEntry) -> str | None:
    when = entry.updated or entry.published
    return when.isoformat() if when else None


class Ingestor:
    """One ingest run over a store; use :func:`ingest` unless you need the pieces."""

    def __init__(self, config: Config, store: Store, *, progress: ProgressHook | None = None,
                 executor: Executor | None = None) -> None:
        self.config = config
        self.store = store
        self.progress = progress or (lambda _event, _info: None)
        self.report = IngestReport()
        self._executor = executor
        self._own_executor = False
        self._slots: asyncio.Semaphore | None = None
        self._db: ThreadPoolExecutor | None = None  # the store thread: no database call on the event loop

    async def _in_store(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._db is None:
            self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tidings-store")
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

    # -- sources -------------------------------------------------------------------------------
    def _start_run(self) -> int:
        with self.store.transaction() as session:
            run = IngestRun(started_at=utcnow(), status="running", stats={})
            session.add(run)
            session.flush()
            return run.id

    def due_sources(self, force: bool = False, source_ids: list[int] | None = None) -> list[SourceJob]:
        now = utcnow()
        with self.store.transaction() as session:
            if self.config.sources_file:
                sync_sources(session, read_source_list(self.config.resolve(self.config.sources_file)))
            query = select(Source).where(Source.active.is_(True)).order_by(Source.id)
            if source_ids:
                query = query.where(Source.id.in_(source_ids))
            elif not force:
                query = query.where(or_(Source.next_due_at.is_(None), Source.next_due_at <= now))
            return [
                SourceJob(s.id, s.url, s.kind, s.name, s.etag, s.last_modified, s.consecutive_errors, s.poll_minutes)
                for s in session.scalars(query)
            ]

    def _source_failed(self, job: SourceJob, kind: str, message: str, status: int | None = None,
                       retry_after: float | None = None) -> None:
        from tidings.fetch.backoff import next_due

        self.report.failed += 1
        self.report.error(kind, job.url, message, job.name, whole_source=True)
        event(log, logging.WARNING, "source failed", source=job.id, name=job.name, url=job.url, kind=kind,
              status=status, reason=message)
        now = utcnow()
        with self.store.transaction() as session:
            source = session.get(Source, job.id)
            if source is None:
                return
            source.consecutive_errors += 1
            source.last_error = message[:2000]
            source.last_error_kind = kind
            source.last_status = status
            source.last_fetched_at = now
            source.next_due_at = next_due(source.consecutive_errors, now, self.config.fetch.backoff_base,
                                          self.config.fetch.backoff_max, retry_after=retry_after)

    def _source_succeeded(self, job: SourceJob, status: int, etag: str | None, last_modified: str | None,
                          warning: str | None = None) -> None:
        now = utcnow()
        with self.store.transaction() as session:
            source = session.get(Source, job.id)
            if source is None:
                return
            if status != 304:
                source.etag = etag
                source.last_modified = last_modified
            source.last_status = status
            if warning:
                # degraded, not down: it is polled on schedule, and doctor shows why it is flagged
                source.consecutive_errors += 1
                source.last_error, source.last_error_kind = warning[:2000], "malformed"
            elif status != 304 or source.last_error_kind != "malformed":
                source.consecutive_errors = 0
                source.last_error = source.last_error_kind = None
            source.last_fetched_at = source.last_success_at = now
            minutes = job.poll_minutes or self.config.schedule.default_source_interval_minutes
            source.next_due_at = now + timedelta(minutes=minutes)

    # -- one source ----------------------------------------------------------------------------
    async def _fetch_parsed(self, fetcher: Any, url: str, **conditional: Any) -> tuple[Any, ParsedFeed | None]:
        from tidings.parse.feeds import parse_feed

        started = time.perf_counter()
        result = await fetcher.get(url, **conditional)
        self.report.seconds["fetch_wait"] += time.perf_counter() - started
        if result.not_modified:
            return result, None
        started = time.perf_counter()
        parsed = parse_feed(result.body, result.final_url, result.content_type)
        self.report.seconds["parse"] += time.perf_counter() - started
        return result, parsed

    async def ingest_source(self, fetcher: Any, job: SourceJob) -> None:
        try:
            await self._ingest_source(fetcher, job)
        except Exception as exc:  # an unforeseen failure fails this source only; the run goes on
            await self._in_store(self._source_failed, job, "internal", f"{exc.__class__.__name__}: {exc}")
            self.progress("source_done", {"source": job.name, "status": "error"})

    async def _ingest_source(self, fetcher: Any, job: SourceJob) -> None:
        from tidings.fetch.errors import FetchError
        from tidings.parse.feeds import ParseError, unique_entries

        self.progress("source_start", {"source": job.name, "url": job.url})
        result = None
        try:
            result, parsed = await self._fetch_parsed(fetcher, job.url, etag=job.etag, last_modified=job.last_modified)
            if parsed is not None and parsed.kind == "sitemapindex":
                entries: list[FeedEntry] = []
                for child in parsed.sitemaps[:MAX_CHILD_SITEMAPS]:
                    _, child_parsed = await self._fetch_parsed(fetcher, child)
                    if child_parsed is not None:
                        entries.extend(child_parsed.entries)
                parsed.entries = entries
        except FetchError as exc:
            await self._in_store(self._source_failed, job, exc.kind, str(exc), getattr(exc, "status", None),
                                 getattr(exc, "retry_after", None))
            self.progress("source_done", {"source": job.name, "status": "error"})
            return
        except ParseError as exc:
            await self._in_store(self._source_failed, job, "parse", str(exc),
                                 result.status if result is not None else None)
            self.progress("source_done", {"source": job.name, "status": "error"})
            return
        if parsed is None:
            self.report.not_modified += 1
            await self._in_store(self._source_succeeded, job, 304, None, None)
            self.progress("source_done", {"source": job.name, "status": "not_modified"})
            return
        self.report.fetched += 1
        entries = unique_entries(parsed.entries)
        if job.kind == "sitemap" or parsed.kind in {"sitemap", "sitemapindex"}:
            horizon = utcnow() - timedelta(days=self.config.ingest.sitemap_max_age_days)
            entries = [e for e in entries if (when := e.updated or e.published) is None or when >= horizon]
        entries = entries[: self.config.ingest.max_entries_per_feed]
        self.report.entries += len(entries)
        self.progress("entries", {"source": job.name, "count": len(entries)})
        await asyncio.gather(*(self.ingest_entry(fetcher, job, entry) for entry in entries))
        warning = "; ".join(parsed.warnings) or None
        if warning:
            self.report.error("malformed", job.url, warning, job.name, whole_source=True)
            event(log, logging.WARNING, "source malformed", source=job.id, name=job.name, url=job.url,
                  kind="malformed", reason=warning)
        await self._in_store(self._source_succeeded, job, result.status, result.etag, result.last_modified, warning)
        self.progress("source_done", {"source": job.name, "status": "ok"})

    # -- one entry -----------------------------------------------------------------------------
    def _seen(self, source_id: int, key: str, stamp: str | None) -> bool:
        with self.store.reading() as session:
            row = session.scalar(select(SeenEntry).where(SeenEntry.source_id == source_id, SeenEntry.entry_key == key))
            return row is not None and row.article_id is not None and row.entry_stamp == stamp

    async def ingest_entry(self, fetcher: Any, job: SourceJob, entry: FeedEntry) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(ENTRIES_IN_FLIGHT)
        async with self._slots:
            try:
                await self._ingest_entry(fetcher, job, entry)
            except Exception as exc:  # an unforeseen failure loses this entry only, and it is retried next run
                self.report.error("internal", entry.url or "", f"{exc.__class__.__name__}: {exc}", job.name)
                self.progress("entry_done", {})

    async def _ingest_entry(self, fetcher: Any, job: SourceJob, entry: FeedEntry) -> None:
        from tidings.fetch.errors import FetchError
        from tidings.urls import canonicalize_url

        try:
            entry_url = canonicalize_url(entry.url)
        except ValueError as exc:
            self.report.error("invalid_url", entry.url or "", str(exc), job.name)
            self.progress("entry_done", {})
            return
        key = (entry.guid or entry_url)[:2048]
        stamp = _entry_stamp(entry)
        if await self._in_store(self._seen, job.id, key, stamp):
            self.report.already_seen += 1
            self.progress("entry_done", {})
            return
        html: str | None = None
        page_url = entry_url
        if self.config.ingest.fetch_pages:
            started = time.perf_counter()
            try:
                page = await fetcher.get(entry.url)
                html, page_url = page.text, page.final_url
            except FetchError as exc:
                self.report.error(f"page_{exc.kind}", entry.url, str(exc), job.name)
                event(log, logging.WARNING, "page fetch failed", source=job.id, url=entry.url, kind=exc.kind,
                      status=getattr(exc, "status", None), reason=str(exc))
            finally:
                self.report.seconds["fetch_wait"] += time.perf_counter() - started
        started = time.perf_counter()
        executor = self._executor or InlineExecutor()
        [result] = await asyncio.wrap_future(executor.submit("extract", [RawPage(page_url, html, entry)],
                                                              self.config.dedup))
        self.report.seconds["extract"] += getattr(result, "seconds", 0.0)
        self.report.seconds["extract_wait"] += time.perf_counter() - started
        if not isinstance(result, Extracted) or result.article is None:
            kind, _, message = (getattr(result, "error", None) or str(result) or "extract: unknown").partition(": ")
            self.report.error(kind, entry.url, message, job.name)
            self.progress("entry_done", {})
            return
        started = time.perf_counter()
        recorded = await self._in_store(self._record, job, entry, key, stamp, result.article, result.fingerprint)
        self.report.seconds["dedup_store"] += time.perf_counter() - started
        if recorded is not None:
            self._count(recorded, result.article)
        self.progress("entry_done", {})

    def _record(self, job: SourceJob, entry: FeedEntry, key: str, stamp: str | None,
                extracted: ExtractedArticle, fp: Any = None) -> Recorded | None:
        for attempt in (1, 2):
            try:
                with self.store.transaction() as session:
                    recorded = record_article(session, extracted, source_id=job.id, guid=entry.guid,
                                              dedup=self.config.dedup, fp=fp)
                    seen = session.scalar(
                        select(SeenEntry).where(SeenEntry.source_id == job.id, SeenEntry.entry_key == key))
                    if seen is None:
                        session.add(SeenEntry(source_id=job.id, entry_key=key, article_id=recorded.article_id,
                                              entry_stamp=stamp))
                    else:
                        seen.article_id, seen.entry_stamp, seen.seen_at = recorded.article_id, stamp, utcnow()
                    return recorded
            except IntegrityError as exc:
                # another process stored the same URL in between: the second attempt sees it
                if attempt == 2:
                    self.report.error("store", extracted.canonical_url, str(exc.orig), job.name)
        return None

    def _count(self, recorded: Recorded, extracted: ExtractedArticle) -> None:
        setattr(self.report, recorded.status, getattr(self.report, recorded.status) + 1)
        if recorded.status == "new":
            if recorded.copy_kind == "exact":
                self.report.copies_exact += 1
            elif recorded.copy_kind == "near":
                self.report.copies_near += 1
            if extracted.text_source == "feed":
                self.report.from_feed += 1

    # -- the run -------------------------------------------------------------------------------
    async def run(self, *, force: bool = False, source_ids: list[int] | None = None) -> IngestReport:
        from tidings.fetch.client import Fetcher

        started = time.perf_counter()
        jobs = await self._in_store(self.due_sources, force, source_ids)
        self.report.sources = len(jobs)
        self.report.run_id = await self._in_store(self._start_run)
        self.progress("start", {"sources": len(jobs)})
        if self._executor is None and self.config.ingest.extract_workers > 0 and jobs:
            from tidings.engine.config import engine_config

            self._executor = open_executor(engine_config(self.config))
            self._own_executor = True
        status = "failed"
        try:
            async with Fetcher(self.config.fetch) as fetcher:
                await asyncio.gather(*(self.ingest_source(fetcher, job) for job in jobs))
            status = "done"
        finally:
            if self._own_executor and self._executor is not None:
                self._executor.close()
            if self._db is not None:
                self._db.shutdown(wait=True)
            self.report.elapsed = time.perf_counter() - started
            own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            self.report.peak_rss_mb = max(own, kids) / 1024
            with self.store.transaction() as session:
                run_row = session.get(IngestRun, self.report.run_id)
                if run_row is not None:
                    run_row.status = status
                    run_row.finished_at = utcnow()
                    run_row.stats = self.report.as_dict()
            counts = {k: v for k, v in report_fields(self.report).items() if k not in ("run_id", "elapsed")}
            event(log, logging.INFO, "stage done", stage="ingest", status=status, run=self.report.run_id,
                  seconds=round(self.report.elapsed, 3), **counts)
        return self.report


def ingest(config: Config, store: Store, *, force: bool = False, source_ids: list[int] | None = None,
           progress: ProgressHook | None = None, executor: Executor | None = None) -> IngestReport:
    """Run one ingest over the due sources (``force``: all active sources)."""
    return asyncio.run(Ingestor(config, store, progress=progress, executor=executor)
                       .run(force=force, source_ids=source_ids))


def last_runs(store: Store, limit: int = 5) -> list[IngestRun]:
    """The newest ingest runs first, detached from the session with their values loaded."""
    with store.reading() as session:
        runs = list(session.scalars(select(IngestRun).order_by(IngestRun.id.desc()).limit(limit)))
        for run in runs:
            session.expunge(run)  # keeps the loaded values (a rollback would expire them)
        return runs


def update(config: Config, store: Store, *, ingest_first: bool = True, force: bool = False,
           progress: ProgressHook | None = None) -> dict[str, Any]:
    """``tidings update``: ingest, then the story stages, then fresh summaries.

    Each stage is incremental: it works on what changed since the last run. One executor
    (``[engine]``) serves the whole run, so its workers load their models once."""
    from tidings.engine.config import engine_config
    from tidings.stories.cluster import ClusterConfig
    from tidings.stories.update import update_stories
    from tidings.summarize.refresh import refresh_summaries

    report: dict[str, Any] = {"ingest": None}
    embedder = ClusterConfig.from_table(config.table("cluster")).embedder
    with open_executor(engine_config(config), embedder=embedder,
                       warm_stages=("features", "tags", "summaries")) as executor:
        if ingest_first:  # the ingest and summaries stages log their own line
            report["ingest"] = ingest(config, store, force=force, progress=progress,
                                      executor=executor if config.ingest.extract_workers > 0 else None)
        started = time.perf_counter()
        report["stories"] = update_stories(config, store, progress=progress, executor=executor)
        event(log, logging.INFO, "stage done", stage="stories", seconds=round(time.perf_counter() - started, 3),
              **report_fields(report["stories"]))
        report["summaries"] = refresh_summaries(config, store, progress=progress, executor=executor)
    from tidings.store.search import reindex

    started = time.perf_counter()
    report["search"] = reindex(store)
    event(log, logging.INFO, "stage done", stage="search", seconds=round(time.perf_counter() - started, 3),
          **report_fields(report["search"]))
    return report
