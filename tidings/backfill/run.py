"""The backfill driver: archives in, stored articles, placed stories and summaries out.

Plan, compute, commit, a chunk of records at a time: the readers stream records
(:mod:`tidings.backfill.readers`); the records already stored (by URL) are skipped, so a
killed backfill resumes where it stopped; the executor extracts and fingerprints the rest in
parallel (the ``archive`` stage); the driver dedups and stores each chunk in one transaction
(a savepoint per record, so one bad record never costs its neighbours). Then the stories
stage places every unplaced article in publication order (embedding in parallel, each chunk
of placements committed on its own) and the summaries stage writes the touched stories'
summaries in parallel: the same drivers as ``tidings update``, so a backfill killed after
storing resumes there too. Nothing is stored twice: one canonical URL is one article.

Each site (host) becomes an inactive source named after it, so articles keep their outlet.
"""

from __future__ import annotations

import resource
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tidings.backfill.readers import MAX_RECORD_BYTES, ArchiveRecord, read_archive
from tidings.config import Config
from tidings.dedup.stage import Extracted
from tidings.engine.executors import Executor
from tidings.store.db import Store
from tidings.store.models import Article, Source
from tidings.timeutil import stage_seconds

CHUNK = 512  # records extracted and committed together
MAX_ERROR_SAMPLES = 50

Progress = Callable[[str, dict[str, Any]], None]


@dataclass
class BackfillReport:
    records: int = 0  # records read (every kind)
    already: int = 0  # stored by an earlier (or killed) backfill: skipped
    new: int = 0
    updated: int = 0
    unchanged: int = 0  # the same URL again within the archives
    copies: int = 0  # new articles that copy another (exactly or nearly)
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[dict[str, str]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=stage_seconds)
    stories: Any = None  # StoriesReport
    summaries: Any = None  # SummariesReport
    elapsed: float = 0.0
    peak_rss_mb: float = 0.0

    def error(self, kind: str, origin: str, message: str) -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append({"kind": kind, "origin": origin, "message": message[:500]})

    def as_dict(self) -> dict[str, Any]:
        return {"records": self.records, "already": self.already, "new": self.new, "updated": self.updated,
                "unchanged": self.unchanged, "copies": self.copies, "errors": dict(self.errors),
                "error_samples": self.error_samples, "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
                "stories": self.stories.as_dict() if self.stories else None,
                "summaries": self.summaries.as_dict() if self.summaries else None,
                "elapsed": round(self.elapsed, 3), "peak_rss_mb": round(self.peak_rss_mb, 1)}


def _chunks(records: Iterable[ArchiveRecord], size: int) -> Iterator[list[ArchiveRecord]]:
    chunk: list[ArchiveRecord] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Backfill:
    def __init__(self, config: Config, store: Store, executor: Executor, *, progress: Progress | None = None,
                 max_bytes: int = MAX_RECORD_BYTES, chunk: int = CHUNK) -> None:
        self.config, self.store, self.executor = config, store, executor
        self.progress = progress or (lambda _e, _i: None)
        self.max_bytes, self.chunk = max_bytes, chunk
        self.report = BackfillReport()
        self._sources: dict[str, int] = {}
        self._known: set[str] = set()

    def _load_known(self) -> None:
        """Plan: the URLs stored already (a resumed backfill skips them before any work)."""
        with self.store.reading() as session:
            for url, canonical in session.execute(select(Article.url, Article.canonical_url)):
                self._known.add(url)
                self._known.add(canonical)
            for source_id, url in session.execute(select(Source.id, Source.url).where(Source.kind == "archive")):
                self._sources[url] = source_id

    def _source_id(self, session, url: str, site_name: str | None) -> int | None:
        host = (urlsplit(url).hostname or "").lower()
        if not host:
            return None
        key = f"archive:{host}"
        if key not in self._sources:
            row = session.scalar(select(Source).where(Source.url == key))
            if row is None:
                row = Source(url=key[:2048], kind="archive", name=(site_name or host)[:300],
                             homepage=f"https://{host}/", active=False)
                session.add(row)
                session.flush()
            self._sources[key] = row.id
        return self._sources[key]

    def _store(self, pairs: list[tuple[ArchiveRecord, Extracted]]) -> None:
        from tidings.dedup.record import record_article

        with self.store.transaction() as session:
            for record, result in pairs:
                article = result.article
                if article is None:  # _process passes only pages that gave an article
                    continue
                try:
                    with session.begin_nested():
                        recorded = record_article(session, article, dedup=self.config.dedup, fp=result.fingerprint,
                                                  source_id=self._source_id(session, article.url, article.site_name),
                                                  guid=None)
                except IntegrityError as exc:
                    self.report.error("store", record.origin, str(exc.orig))
                    continue
                setattr(self.report, recorded.status, getattr(self.report, recorded.status) + 1)
                if recorded.status == "new" and recorded.copy_kind:
                    self.report.copies += 1
                self._known.update((record.url, article.url, article.canonical_url))

    def _process(self, chunk: list[ArchiveRecord]) -> None:
        todo: list[ArchiveRecord] = []
        for record in chunk:
            if record.error:
                kind, _, message = record.error.partition(": ")
                self.report.error(kind, record.origin, message)
            elif record.url in self._known:
                self.report.already += 1
            else:
                todo.append(record)
        started = time.perf_counter()
        pairs: list[tuple[ArchiveRecord, Extracted]] = []
        for record, result in zip(todo, self.executor.map("archive", todo, self.config.dedup), strict=True):
            if not isinstance(result, Extracted) or result.article is None:
                text = getattr(result, "error", None) or str(result)
                kind, _, message = text.partition(": ")
                self.report.error(kind, record.origin, message)
            else:
                self.report.seconds["extract_cpu"] += result.seconds
                pairs.append((record, result))
        self.report.seconds["extract"] += time.perf_counter() - started
        started = time.perf_counter()
        self._store(pairs)
        self.report.seconds["store"] += time.perf_counter() - started

    def run(self, paths: list[Path]) -> BackfillReport:
        from tidings.stories.update import update_stories
        from tidings.summarize.refresh import refresh_summaries

        started = time.perf_counter()
        self._load_known()
        total = sum(p.stat().st_size for p in paths)
        self.progress("read_start", {"bytes": total, "files": len(paths)})
        done_bytes = 0
        for path in paths:
            position = [0]
            for chunk in _chunks(read_archive(path, max_bytes=self.max_bytes, position=position), self.chunk):
                self.report.records += len(chunk)
                self._process(chunk)
                self.progress("read", {"bytes": done_bytes + position[0], "records": len(chunk)})
            done_bytes += path.stat().st_size
            self.progress("read", {"bytes": done_bytes, "records": 0})
        t = time.perf_counter()
        self.report.stories = update_stories(self.config, self.store, progress=self.progress, executor=self.executor)
        self.report.seconds["stories"] += time.perf_counter() - t
        t = time.perf_counter()
        self.report.summaries = refresh_summaries(self.config, self.store, progress=self.progress,
                                                  executor=self.executor)
        self.report.seconds["summaries"] += time.perf_counter() - t
        self.report.elapsed = time.perf_counter() - started
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.report.peak_rss_mb = max(own, kids) / 1024
        return self.report


def backfill(config: Config, store: Store, paths: list[Path], *, executor: Executor | None = None,
             progress: Progress | None = None, max_bytes: int = MAX_RECORD_BYTES, chunk: int = CHUNK
             ) -> BackfillReport:
    """Backfill ``paths`` into ``store`` with ``executor`` (default: the ``[engine]`` one)."""
    from tidings.engine.config import engine_config
    from tidings.engine.executors import open_executor
    from tidings.stories.cluster import ClusterConfig

    own = executor is None
    if executor is None:
        embedder = ClusterConfig.from_table(config.table("cluster")).embedder
        executor = open_executor(engine_config(config), embedder=embedder,
                                 warm_stages=("features", "tags", "summaries"))
    try:
        return Backfill(config, store, executor, progress=progress, max_bytes=max_bytes, chunk=chunk).run(paths)
    finally:
        if own:
            executor.close()
