"""Keeping story summaries fresh: the summaries stage of ``tidings update``.

A story is summarized again only when it changed materially since its current
summary: a new outlet covers it, or its articles now state facts (numbers and
names) the summary's basis did not have. Every version is kept; the story points
at the newest. The extractive summarizer runs by default; when ``[summarize.llm]``
is configured the LLM writes and the guard checks every sentence (falling back to
extractive sentences, with notes saying why).

Plan, compute, commit: the driver reads a chunk of flagged stories with their articles and
decides which changed materially; the executor writes their summaries (the ``summaries``
stage, in parallel, never inside a database transaction: an LLM call may take seconds); each
summary is then committed in its own short transaction.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from tidings.config import Config
from tidings.logs import event, report_fields
from tidings.records import Article as ArticleRecord
from tidings.store.convert import article_records
from tidings.store.db import Store
from tidings.store.models import Article, Story, Summary
from tidings.summarize.types import StorySummary
from tidings.timeutil import utcnow

if TYPE_CHECKING:
    from tidings.summarize.llm import ChatClient

log = logging.getLogger(__name__)

_FACT = re.compile(r"\b\d[\d.,]*\b|\b[A-ZÀ-Ý][\w-]+(?:\s+[A-ZÀ-Ý][\w-]+)*")
MAX_ARTICLES = 40  # the most recent articles a summary is built from (copies included)
CHUNK = 256  # stories planned, summarized and committed together

ProgressHook = Callable[[str, dict[str, Any]], None]


@dataclass
class SummariesReport:
    summarized: int = 0  # new summary versions written
    unchanged: int = 0  # stories flagged but not materially changed
    failed: int = 0
    methods: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"summarized": self.summarized, "unchanged": self.unchanged, "failed": self.failed,
                "methods": self.methods, "seconds": round(self.seconds, 3)}


def facts(texts: list[str]) -> set[str]:
    """Numbers and capitalised names: a cheap, language-agnostic fingerprint of what is reported."""
    out: set[str] = set()
    for text in texts:
        out.update(m.group(0).casefold() for m in _FACT.finditer(text))
    return out


def basis_of(articles: list[Article]) -> dict[str, Any]:
    return {
        "articles": sorted(a.id for a in articles),
        "outlets": sorted({a.source_id for a in articles if a.source_id is not None}),
        "facts": sorted(facts([f"{a.title or ''} {a.text or ''}" for a in articles])),
    }


def materially_changed(previous: dict[str, Any] | None, current: dict[str, Any], min_new_facts: int = 3) -> bool:
    """New outlets, or at least ``min_new_facts`` numbers/names not seen before."""
    if not previous:
        return True
    if set(current["outlets"]) - set(previous.get("outlets", [])):
        return True
    return len(set(current["facts"]) - set(previous.get("facts", []))) >= min_new_facts


class LazyEmbedder:
    """Loads the sentence embedder on first use: only stories in several languages (and the LLM's guard)
    need it."""

    def __init__(self, name: str | None = None) -> None:
        self._name = name
        self._embedder: Any = None

    @property
    def name(self) -> str:
        return getattr(self._embedder, "name", "") if self._embedder is not None else ""

    def embed(self, texts: list[str], kind: str = "passage") -> Any:
        if self._embedder is None:
            from tidings.stories.embed import get_embedder

            self._embedder = get_embedder(self._name)
        return self._embedder.embed(texts, kind=kind)


class Summarizer:
    """Writes one story's summary with the configured method (built once per run).

    The one path for summaries: ``tidings update``, ``tidings summarize`` and the benchmarks all call it, with
    ``[summarize] words`` (overridden by ``words``) and ``[summarize.llm]`` from the configuration."""

    def __init__(self, config: Config, *, words: int | None = None, embedder_name: str | None = None) -> None:
        from tidings.summarize.llm.config import llm_config

        self.words = int(words if words is not None else config.settings("summarize").words)
        self.llm = llm_config(config)
        # the model the stories stage loaded, unless told otherwise
        self.embedder = LazyEmbedder(embedder_name or config.table("cluster").get("embedder"))
        self._client: ChatClient | None = None

    def __call__(self, articles: list[ArticleRecord]) -> StorySummary:
        from tidings.summarize.extractive import summarize_articles

        extractive = summarize_articles(articles, words=self.words, embedder=self.embedder)
        if self.llm is None:
            return extractive
        from tidings.summarize.llm.clients import make_client
        from tidings.summarize.llm.flow import summarize_with_llm

        if self._client is None:
            self._client = make_client(self.llm)
        return summarize_with_llm(articles, self._client, words=self.words, embedder=self.embedder,
                                  extractive=extractive)


@dataclass(slots=True)
class SummaryJob:
    """One story to summarize, as planned from the store."""

    story_id: str
    articles: list[ArticleRecord]
    basis: dict[str, Any]


def plan_summary(session, story: Story, *, force: bool = False) -> SummaryJob | None:
    """The job for ``story`` if it changed materially since its summary (or ``force``), else None."""
    articles = list(session.scalars(
        select(Article).where(Article.story_id == story.id)
        .order_by(Article.published_at.desc().nulls_last(), Article.id.desc()).limit(MAX_ARTICLES)))
    if not articles:
        return None
    basis = basis_of(articles)
    current = session.get(Summary, story.summary_id) if story.summary_id else None
    if not force and current is not None and not materially_changed(current.basis, basis):
        return None
    return SummaryJob(story.id, article_records(articles), basis)


def commit_summary(session, story: Story, job: SummaryJob, result: StorySummary) -> Summary:
    """Store ``result`` as the story's next summary version and point the story at it."""
    version = (session.scalar(select(func.max(Summary.version)).where(Summary.story_id == story.id)) or 0) + 1
    row = Summary(
        story_id=story.id, version=version, created_at=utcnow(), headline=result.headline, lead=result.lead,
        # "from": the article an extractive sentence was taken from; None for a sentence the LLM wrote
        sentences=[{"text": s.text, "cites": [int(c) for c in s.cites],
                    "from": int(s.source_article) if s.source_article is not None else None}
                   for s in result.sentences],
        language=result.language, languages=list(result.languages), method=result.method,
        notes=list(result.notes), basis=job.basis,
    )
    session.add(row)
    session.flush()
    story.summary_id = row.id
    story.needs_summary = False
    if result.headline:
        story.title = result.headline
    if result.language:
        story.language = result.language  # one language per story: the one its headline is written in
    return row


def summarize_story(session, story: Story, summarizer: Summarizer, *, force: bool = False) -> Summary | None:
    """Write a new summary version for ``story`` if it changed materially (or ``force``), in ``session``."""
    job = plan_summary(session, story, force=force)
    if job is None:
        return None
    return commit_summary(session, story, job, summarizer(job.articles))


def refresh_summaries(config: Config, store: Store, *, story_ids: list[str] | None = None, force: bool = False,
                      progress: ProgressHook | None = None, executor=None,
                      words: int | None = None) -> SummariesReport:
    """Summarize every story flagged as changed (or the given ones), each committed on its own.

    ``executor`` (:mod:`tidings.engine.executors`) runs the summaries; default: the ``[engine]`` one.
    ``words`` overrides ``[summarize] words`` (``tidings summarize --story``)."""
    from tidings.engine.stages import StageError

    progress = progress or (lambda _e, _i: None)
    report = SummariesReport()
    started = time.perf_counter()
    if words is not None:  # the workers build their Summarizer from the configuration they are handed
        config = config.with_table("summarize", {**config.table("summarize"), "words": int(words)})
    with store.reading() as session:
        query = select(Story.id).where(Story.merged_into.is_(None))
        query = query.where(Story.id.in_(story_ids)) if story_ids else query.where(Story.needs_summary.is_(True))
        ids = list(session.scalars(query.order_by(Story.score.desc())))
    progress("summaries", {"count": len(ids)})
    own = executor is None
    if own and ids:
        from tidings.engine.config import engine_config
        from tidings.engine.executors import open_executor

        executor = open_executor(engine_config(config), warm_stages=("summaries",),
                                 embedder=config.table("cluster").get("embedder"))
    try:
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i:i + CHUNK]
            # plan
            jobs: list[SummaryJob] = []
            with store.reading() as session:
                for story_id in chunk:
                    story = session.get(Story, story_id)
                    job = plan_summary(session, story, force=force or bool(story_ids)) if story else None
                    if job is not None:
                        jobs.append(job)
            planned = {job.story_id for job in jobs}
            unchanged = [story_id for story_id in chunk if story_id not in planned]
            if unchanged:
                with store.transaction() as session:
                    for story_id in unchanged:
                        story = session.get(Story, story_id)
                        if story is not None:
                            story.needs_summary = False
                report.unchanged += len(unchanged)
                for _ in unchanged:
                    progress("summarized", {})
            # compute, then commit each story in its own transaction
            results = executor.map("summaries", [job.articles for job in jobs], config, batch_size=2)
            for job, result in zip(jobs, results, strict=True):
                if isinstance(result, StageError):  # one story's failure never stops the others
                    report.failed += 1
                    event(log, logging.WARNING, "summary failed", story=job.story_id, reason=str(result))
                    progress("summary_failed", {"story": job.story_id, "error": str(result)})
                else:
                    try:
                        with store.transaction() as session:
                            story = session.get(Story, job.story_id)
                            if story is None:  # deleted or merged away while its summary was written
                                raise ValueError(f"story {job.story_id} no longer exists")
                            row = commit_summary(session, story, job, result)
                        report.summarized += 1
                        report.methods[row.method] = report.methods.get(row.method, 0) + 1
                    except (ValueError, RuntimeError) as exc:
                        report.failed += 1
                        event(log, logging.WARNING, "summary failed", story=job.story_id, reason=str(exc))
                        progress("summary_failed", {"story": job.story_id, "error": str(exc)})
                progress("summarized", {})
    finally:
        if own and executor is not None:
            executor.close()
    report.seconds = time.perf_counter() - started
    event(log, logging.INFO, "stage done", stage="summaries", **report_fields(report))
    return report
