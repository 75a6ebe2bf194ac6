"""Full-text search over stories and articles.

The index lives in ``search_documents`` (migration 0003): one row per live story (its
headline, lead, summary and tags) and per original article (title, description, text).
On SQLite an FTS5 table follows that table through triggers and ranks by bm25; on
PostgreSQL a generated, GIN-indexed ``tsvector`` column ranks by ``ts_rank``. Either
relevance is then weighted by the story's importance score.

:func:`reindex` brings the documents up to date from the stories, summaries and
articles. It is incremental (each row remembers a stamp of what it was built from), so
the pipeline can call it after every ``update``; ``tidings serve`` does.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from tidings.sanitize import plain_text
from tidings.store.db import Store, include_object  # noqa: F401  (re-exported: the search tables have no model)
from tidings.store.models import Article, Story, Summary

BODY_CHARS = 20_000
BATCH = 500
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(slots=True)
class SearchHit:
    kind: str  # "story" or "article"
    ref: str  # story id, or article id as text
    story_id: str | None
    title: str
    snippet: str
    section: str | None
    language: str | None
    source_id: int | None
    published_at: datetime | None
    rank: float


@dataclass(slots=True)
class ReindexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


# ---------------------------------------------------------------------------------------------
# building the documents


def _story_stamp(story: Story) -> str:
    return f"{story.summary_id}|{story.updated_at.isoformat() if story.updated_at else ''}|{story.score:.4f}"


def _article_stamp(article_version: int, story_id: str | None, score: float | None) -> str:
    return f"{article_version}|{story_id or ''}|{(score or 0.0):.4f}"


def _story_document(story: Story, summary: Summary | None) -> dict[str, Any]:
    headline = plain_text(summary.headline if summary else story.title) or plain_text(story.title)
    parts = [plain_text(summary.lead)] if summary else []
    parts += [plain_text(str(s.get("text") or "")) for s in (summary.sentences if summary else []) or []]
    parts += [plain_text(str(t.get("name") or "")) for t in story.tags or []]
    return dict(kind="story", ref=story.id, story_id=story.id, title=headline,
                body=" ".join(p for p in parts if p)[:BODY_CHARS], section=story.section,
                language=story.language, source_id=None, published_at=story.last_published,
                score=story.score or 0.0, stamp=_story_stamp(story))


def _article_document(article: Article, story: Story | None) -> dict[str, Any]:
    body = " ".join(p for p in (plain_text(article.description), plain_text(article.text)) if p)
    return dict(kind="article", ref=str(article.id), story_id=article.story_id, title=plain_text(article.title),
                body=body[:BODY_CHARS], section=story.section if story else None, language=article.language,
                source_id=article.source_id, published_at=article.published_at,
                score=(story.score or 0.0) if story else 0.0,
                stamp=_article_stamp(article.version, article.story_id, story.score if story else None))


def reindex(store: Store, *, full: bool = False) -> ReindexReport:
    """Bring ``search_documents`` (and so the full-text index) up to date.

    Live stories and original articles (not syndicated copies) are indexed; merged
    stories and deleted rows leave the index. ``full=True`` rebuilds everything."""
    report = ReindexReport()
    with store.transaction() as session:
        if full:
            session.execute(text("DELETE FROM search_documents"))
        existing: dict[tuple[str, str], tuple[int, str]] = {
            (kind, ref): (row_id, stamp)
            for row_id, kind, ref, stamp in session.execute(text("SELECT id, kind, ref, stamp FROM search_documents"))
        }
        wanted: dict[tuple[str, str], str] = {}
        scores: dict[str, float] = {}
        for story_id, summary_id, updated_at, score, merged in session.execute(
                select(Story.id, Story.summary_id, Story.updated_at, Story.score, Story.merged_into)):
            scores[story_id] = score or 0.0
            if merged is None:
                stamp = f"{summary_id}|{updated_at.isoformat() if updated_at else ''}|{(score or 0.0):.4f}"
                wanted[("story", story_id)] = stamp
        for article_id, version, article_story in session.execute(
                select(Article.id, Article.version, Article.story_id).where(Article.copy_of_id.is_(None))):
            wanted[("article", str(article_id))] = _article_stamp(version, article_story, scores.get(article_story)
                                                                  if article_story else None)

        gone = [row_id for key, (row_id, _) in existing.items() if key not in wanted]
        for start in range(0, len(gone), BATCH):
            session.execute(text("DELETE FROM search_documents WHERE id IN :ids")
                            .bindparams(bindparam("ids", expanding=True)), {"ids": gone[start:start + BATCH]})
        report.removed = len(gone)
        stale = [key for key, stamp in wanted.items() if existing.get(key, (0, None))[1] != stamp]
        report.unchanged = len(wanted) - len(stale)

        story_keys = [ref for kind, ref in stale if kind == "story"]
        article_keys = [int(ref) for kind, ref in stale if kind == "article"]
        documents: list[dict[str, Any]] = []
        for start in range(0, len(story_keys), BATCH):
            stories = list(session.scalars(select(Story).where(Story.id.in_(story_keys[start:start + BATCH]))))
            ids = [s.summary_id for s in stories if s.summary_id is not None]
            summaries = {s.id: s for s in session.scalars(select(Summary).where(Summary.id.in_(ids)))} if ids else {}
            documents += [_story_document(s, summaries.get(s.summary_id) if s.summary_id is not None else None)
                          for s in stories]
        for start in range(0, len(article_keys), BATCH):
            articles = list(session.scalars(select(Article).where(Article.id.in_(article_keys[start:start + BATCH]))))
            story_ids = {a.story_id for a in articles if a.story_id}
            by_id = {s.id: s for s in session.scalars(select(Story).where(Story.id.in_(story_ids)))} \
                if story_ids else {}
            documents += [_article_document(a, by_id.get(a.story_id) if a.story_id else None) for a in articles]
        for document in documents:
            key = (document["kind"], document["ref"])
            if key in existing:
                session.execute(text(
                    "UPDATE search_documents SET story_id=:story_id, title=:title, body=:body, section=:section,"
                    " language=:language, source_id=:source_id, published_at=:published_at, score=:score,"
                    " stamp=:stamp WHERE id=:id"), {**document, "id": existing[key][0]})
                report.updated += 1
            else:
                session.execute(text(
                    "INSERT INTO search_documents (kind, ref, story_id, title, body, section, language, source_id,"
                    " published_at, score, stamp) VALUES (:kind, :ref, :story_id, :title, :body, :section,"
                    " :language, :source_id, :published_at, :score, :stamp)"), document)
                report.added += 1
    return report


# ---------------------------------------------------------------------------------------------
# querying


def terms(query: str, max_terms: int = 12) -> list[str]:
    """The words of a user's query (punctuation and operators dropped)."""
    return _WORD.findall(query.lower())[:max_terms]


def _fts5_query(words: list[str]) -> str:
    # every word must match; the last one may be a prefix (search as you type)
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def search(session: Session, query: str, *, kind: str | None = None, section: str | None = None,
           language: str | None = None, source_id: int | None = None, since: datetime | None = None,
           until: datetime | None = None, limit: int = 20, offset: int = 0) -> tuple[list[SearchHit], int]:
    """Documents matching every word of ``query`` (the last as a prefix), best first, and the
    total number of matches. Relevance is bm25 (SQLite) or ts_rank (PostgreSQL), multiplied
    by ``1 + log1p(story score)`` so that important stories come first among equals."""
    words = terms(query)
    if not words:
        return [], 0
    dialect = session.get_bind().dialect.name
    where = []
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    for name, value, clause in (
            ("kind", kind, "d.kind = :kind"), ("section", section, "d.section = :section"),
            ("language", language, "d.language = :language"), ("source_id", source_id, "d.source_id = :source_id"),
            ("since", since, "d.published_at >= :since"), ("until", until, "d.published_at < :until")):
        if value is not None and value != "":
            where.append(clause)
            params[name] = value
    filters = "".join(f" AND {w}" for w in where)
    if dialect == "sqlite":
        params["match"] = _fts5_query(words)
        base = (" FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid"
                f" WHERE search_fts MATCH :match{filters}")
        relevance = "-bm25(search_fts, 4.0, 1.0)"
        columns = ("d.kind, d.ref, d.story_id, d.title, snippet(search_fts, 1, '', '', ' … ', 24) AS snip,"
                   f" d.section, d.language, d.source_id, d.published_at, d.score, {relevance} AS relevance")
    elif dialect == "postgresql":
        params["match"] = " & ".join(f"{w}:*" if i == len(words) - 1 else w for i, w in enumerate(words))
        base = f" FROM search_documents d WHERE d.tsv @@ to_tsquery('simple', :match){filters}"
        relevance = "ts_rank(d.tsv, to_tsquery('simple', :match))"
        columns = ("d.kind, d.ref, d.story_id, d.title, ts_headline('simple', left(d.body, 2000),"
                   " to_tsquery('simple', :match), 'StartSel=\"\",StopSel=\"\",MaxWords=30,MinWords=12') AS snip,"
                   f" d.section, d.language, d.source_id, d.published_at, d.score, {relevance} AS relevance")
    else:
        raise NotImplementedError(f"search is not available on {dialect}")
    total = session.execute(text("SELECT count(*)" + base), params).scalar() or 0
    # rank: relevance weighted by the story's importance (scores are >= 0)
    order = f" ORDER BY {relevance} * (1 + ln(1 + max(d.score, 0))) DESC, d.published_at DESC" \
        if dialect == "sqlite" else \
        f" ORDER BY {relevance} * (1 + ln(1 + greatest(d.score, 0))) DESC, d.published_at DESC NULLS LAST"
    rows = session.execute(text(f"SELECT {columns}" + base + order + " LIMIT :limit OFFSET :offset"), params).all()
    hits = []
    for row in rows:
        published = row.published_at
        if isinstance(published, str):
            published = datetime.fromisoformat(published)
        if published is not None and published.tzinfo is None:
            published = published.replace(tzinfo=timezone.utc)
        hits.append(SearchHit(
            kind=row.kind, ref=row.ref, story_id=row.story_id, title=plain_text(row.title) or "(untitled)",
            snippet=plain_text(row.snip, max_chars=300), section=row.section, language=row.language,
            source_id=row.source_id, published_at=published,
            rank=float(row.relevance or 0.0) * (1 + math.log1p(max(row.score or 0.0, 0.0)))))
    return hits, int(total)

