"""Reading what the site shows: stories, their summaries and sources, outlets, days.

Each function takes an open SQLAlchemy session and returns plain dataclasses, already
made safe to publish (plain text, http(s) links only), so the templates, the feeds and
the JSON API share one view of the data.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, load_only

from tidings.sanitize import plain_text, safe_url
from tidings.store.models import Article, Source, Story, Summary
from tidings.stories.fit import JoinFit, join_fit, resolve_threshold
from tidings.stories.outlets import rank_label
from tidings.stories.outlets import ranks as rank_pairs

LEAD_CHARS = 400
JSON_SCAN = 5000  # stories scanned for a language or tag filter


def slugify(name: str) -> str:
    """A URL slug of a section name: "Policy & regulation" -> "policy-regulation"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "section"


@dataclass(slots=True)
class TagRef:
    name: str
    key: str
    kind: str


@dataclass(slots=True)
class StoryCard:
    """A story as a list shows it."""

    id: str
    headline: str
    lead: str
    section: str | None
    score: float
    language: str | None
    languages: list[str]
    article_count: int
    outlet_count: int
    first_published: datetime | None
    last_published: datetime | None
    updated_at: datetime | None
    tags: list[TagRef] = field(default_factory=list)


@dataclass(slots=True)
class SourceLine:
    """One article of a story, as the "read the full articles" list shows it."""

    number: int  # citation number, from 1
    article_id: int
    title: str
    url: str | None
    outlet: str
    outlet_id: int | None
    rank: str | None  # "🏆 3. in US"
    language: str | None
    published_at: datetime | None
    copy_of: int | None = None  # the article id this one is a syndicated copy of
    fit: JoinFit | None = None  # how sure Tidings is that the article belongs (tidings.stories.fit)


@dataclass(slots=True)
class SummarySentence:
    text: str
    cites: list[int]  # citation numbers


@dataclass(slots=True)
class StoryDetail:
    card: StoryCard
    sentences: list[SummarySentence]
    sources: list[SourceLine]
    similar: list[StoryCard]
    method: str | None
    summary_language: str | None
    notes: list[str]


@dataclass(slots=True)
class Redirect:
    """A merged story: its address now belongs to ``target``."""

    target: str


@dataclass(slots=True)
class ArticleRow:
    id: int
    title: str
    url: str | None
    outlet: str
    outlet_id: int | None
    language: str | None
    published_at: datetime | None
    story_id: str | None
    copy_of: int | None


@dataclass(slots=True)
class OutletInfo:
    id: int
    name: str
    url: str | None
    homepage: str | None
    kind: str
    country: str | None
    language: str | None
    authority: float
    active: bool
    rank: str | None
    healthy: bool
    last_status: int | None
    last_error_kind: str | None
    consecutive_errors: int
    last_success_at: datetime | None
    article_count: int = 0


# ---------------------------------------------------------------------------------------------
# outlet ranks (cached: they change only when stories do)

_RANK_CACHE: dict[str, tuple[float, dict[int, str]]] = {}
RANK_TTL = 60.0


def outlet_rank_labels(session: Session, *, ttl: float = RANK_TTL) -> dict[int, str]:
    """``source id -> "🏆 N. in CC"`` (:mod:`tidings.stories.outlets`), cached for ``ttl`` seconds."""
    key = str(session.get_bind().engine.url)
    hit = _RANK_CACHE.get(key)
    now = time.monotonic()
    if hit and now - hit[0] < ttl:
        return hit[1]
    labels = {sid: rank_label(r) for sid, r in rank_pairs(session).items()}
    _RANK_CACHE[key] = (now, labels)
    return labels


# ---------------------------------------------------------------------------------------------
# stories


def _tags(raw: list[dict[str, Any]] | None, limit: int = 8) -> list[TagRef]:
    tags: list[TagRef] = []
    for tag in raw or []:
        name = plain_text(str(tag.get("name") or ""))
        key = str(tag.get("key") or "").strip()
        if name and key:
            tags.append(TagRef(name=name, key=key, kind=str(tag.get("kind") or "")))
        if len(tags) >= limit:
            break
    return tags


def _card(story: Story, summary: Summary | None) -> StoryCard:
    headline = plain_text(summary.headline if summary else story.title) or plain_text(story.title) or "Untitled story"
    lead = plain_text(summary.lead, max_chars=LEAD_CHARS) if summary else ""
    return StoryCard(
        id=story.id, headline=headline, lead=lead, section=story.section, score=story.score or 0.0,
        language=(summary.language if summary and summary.language else story.language),
        languages=list(story.languages or []), article_count=story.article_count or 0,
        outlet_count=story.outlet_count or 0, first_published=story.first_published,
        last_published=story.last_published, updated_at=story.updated_at, tags=_tags(story.tags),
    )


def _cards(session: Session, stories: list[Story]) -> list[StoryCard]:
    ids = [s.summary_id for s in stories if s.summary_id is not None]
    summaries = {s.id: s for s in session.scalars(
        select(Summary).options(load_only(Summary.id, Summary.headline, Summary.lead, Summary.language))
        .where(Summary.id.in_(ids)))} if ids else {}
    return [_card(s, summaries.get(s.summary_id) if s.summary_id is not None else None) for s in stories]


# columns a page never shows: not loaded (the clusterer's state holds vectors)
HEAVY = (Story.state, Story.rank_signals, Story.section_scores, Story.similar)


def live_stories():
    """A select of stories that were not merged away."""
    return select(Story).options(*(defer(c) for c in HEAVY)).where(Story.merged_into.is_(None))


def list_stories(session: Session, *, section: str | None = None, language: str | None = None,
                 tag: str | None = None, source_id: int | None = None, since: datetime | None = None,
                 until: datetime | None = None, limit: int = 20, offset: int = 0,
                 order: str = "rank") -> tuple[list[StoryCard], int]:
    """Stories by rank (or ``order="recent"``) with filters, and how many match in all."""
    query = live_stories()
    if section:
        query = query.where(Story.section == section)
    if since:
        query = query.where(Story.last_published >= since)
    if until:
        query = query.where(Story.first_published < until)
    if source_id is not None:
        query = query.where(Story.id.in_(select(Article.story_id).where(Article.source_id == source_id)))
    if language or tag:
        # languages and tags are JSON lists: filter in Python over the best JSON_SCAN candidates
        # (the same code on SQLite and PostgreSQL; totals count within that window)
        stories = list(session.scalars(query.order_by(*_order(order)).limit(JSON_SCAN)))
        if language:
            stories = [s for s in stories if language in (s.languages or []) or s.language == language]
        if tag:
            stories = [s for s in stories if any(str(t.get("key")) == tag for t in (s.tags or []))]
        total = len(stories)
        return _cards(session, stories[offset:offset + limit]), total
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    stories = list(session.scalars(query.order_by(*_order(order)).limit(limit).offset(offset)))
    return _cards(session, stories), total


def _order(order: str):
    if order == "recent":
        return (Story.last_published.desc().nulls_last(), Story.id)
    return (Story.score.desc(), Story.last_published.desc().nulls_last(), Story.id)


def front_page(session: Session, section_names: list[str], *, per_section: int = 6,
               top: int = 3) -> tuple[list[StoryCard], list[tuple[str, list[StoryCard]]]]:
    """The top stories overall, then the best of each section (configured order first,
    then any other section stories were filed in), without repeating the top ones."""
    rows = session.execute(select(Story.id, Story.section).where(Story.merged_into.is_(None))
                           .order_by(*_order("rank")).limit(2000)).all()
    head_ids = [story_id for story_id, _ in rows[:top]]
    picked: dict[str, list[str]] = {}
    for story_id, name in rows[top:]:
        bucket = picked.setdefault(name or "Other", [])
        if len(bucket) < per_section:
            bucket.append(story_id)
    wanted = head_ids + [i for ids in picked.values() for i in ids]
    stories = {s.id: s for s in session.scalars(live_stories().where(Story.id.in_(wanted)))} if wanted else {}
    cards = {c.id: c for c in _cards(session, [stories[i] for i in wanted if i in stories])}
    head = [cards[i] for i in head_ids if i in cards]
    by_section = {name: [cards[i] for i in ids if i in cards] for name, ids in picked.items()}
    order = [name for name in section_names if name in by_section]
    order += sorted(name for name in by_section if name not in order)
    return head, [(name, by_section[name]) for name in order]


def _story_articles(session: Session, story_id: str) -> list[tuple[Article, Source | None]]:
    rows = session.execute(
        select(Article, Source).outerjoin(Source, Article.source_id == Source.id)
        .where(Article.story_id == story_id)
        .order_by(Article.published_at.asc().nulls_last(), Article.id)).all()
    return [(a, s) for a, s in rows]


def story_detail(session: Session, story_id: str, *, similar_limit: int = 6,
                 join_threshold: float | None = None) -> StoryDetail | Redirect | None:
    """A story with its summary, sources (each with its join score, :mod:`tidings.stories.fit`) and
    similar stories; a :class:`Redirect` for a merged story. ``join_threshold``: the clusterer's."""
    from tidings.stories.editing import placed_by_editor

    story = session.get(Story, story_id)
    if story is None:
        return None
    seen = {story.id}
    while story.merged_into:  # follow a chain of merges to the survivor
        target = session.get(Story, story.merged_into)
        if target is None or target.id in seen:
            return None
        seen.add(target.id)
        story = target
    if story.id != story_id:
        return Redirect(story.id)
    summary = session.get(Summary, story.summary_id) if story.summary_id is not None else None
    card = _card(story, summary)
    articles = _story_articles(session, story.id)
    ranks = outlet_rank_labels(session)

    # citation numbers: articles in the order the summary first cites them, then the rest by time
    order: list[int] = []
    for sentence in (summary.sentences if summary else []) or []:
        for cited in sentence.get("cites") or []:
            if isinstance(cited, int) and cited not in order:
                order.append(cited)
    by_id = {a.id: (a, s) for a, s in articles}
    order = [i for i in order if i in by_id] + [a.id for a, _ in articles if a.id not in order]
    numbers = {aid: n for n, aid in enumerate(order, start=1)}
    edited = placed_by_editor(session, order)
    threshold = resolve_threshold(join_threshold)
    openers = [a for a, _ in articles if a.id not in edited and a.copy_of_id is None
               and a.story_score is not None and a.story_score < threshold]
    first_opener = min(openers, key=lambda a: (a.published_at is None, a.published_at or 0, a.id)).id \
        if openers else None
    sources = []
    for aid in order:
        article, source = by_id[aid]
        sources.append(SourceLine(
            number=numbers[aid], article_id=aid,
            title=plain_text(article.title) or plain_text(article.description, max_chars=120) or "(untitled)",
            url=safe_url(article.canonical_url) or safe_url(article.url),
            outlet=plain_text(source.name if source else article.site_name) or "Unknown outlet",
            outlet_id=source.id if source else None,
            rank=ranks.get(source.id) if source else None,
            language=article.language, published_at=article.published_at, copy_of=article.copy_of_id,
            fit=join_fit(article.story_score, copy=article.copy_of_id is not None, editor=aid in edited,
                         threshold=threshold, first=aid == first_opener)))
    sentences = []
    for sentence in (summary.sentences if summary else []) or []:
        text = plain_text(str(sentence.get("text") or ""))
        if text:
            cites = sorted({numbers[c] for c in sentence.get("cites") or [] if c in numbers})
            sentences.append(SummarySentence(text=text, cites=cites))

    similar_ids = [sid for sid in (story.similar or []) if sid != story.id]
    similar: list[StoryCard] = []
    if similar_ids:
        found = {s.id: s for s in session.scalars(
            select(Story).options(*(defer(c) for c in HEAVY)).where(Story.id.in_(similar_ids)))}
        # a similar story that was merged is shown as its survivor, and never as this story
        resolved: list[Story] = []
        for sid in similar_ids:
            target = found.get(sid)
            hops = 0
            while target is not None and target.merged_into and hops < 5:
                target = session.get(Story, target.merged_into)
                hops += 1
            if target is not None and not target.merged_into and target.id != story.id \
                    and target.id not in {r.id for r in resolved}:
                resolved.append(target)
        similar = _cards(session, resolved[:similar_limit])
    return StoryDetail(
        card=card, sentences=sentences, sources=sources, similar=similar,
        method=summary.method if summary else None,
        summary_language=summary.language if summary else None,
        notes=[plain_text(n) for n in (summary.notes if summary else []) or []],
    )


# ---------------------------------------------------------------------------------------------
# outlets, articles, days


def _outlet(source: Source, ranks: dict[int, str]) -> OutletInfo:
    return OutletInfo(
        id=source.id, name=plain_text(source.name) or "Unnamed source", url=safe_url(source.url),
        homepage=safe_url(source.homepage), kind=source.kind, country=source.country, language=source.language,
        authority=source.authority, active=source.active, rank=ranks.get(source.id),
        healthy=(source.consecutive_errors or 0) == 0, last_status=source.last_status,
        last_error_kind=source.last_error_kind, consecutive_errors=source.consecutive_errors or 0,
        last_success_at=source.last_success_at)


def list_outlets(session: Session) -> list[OutletInfo]:
    ranks = outlet_rank_labels(session)
    counts = dict(session.execute(select(Article.source_id, func.count()).group_by(Article.source_id)).all())
    outlets = []
    for source in session.scalars(select(Source).order_by(Source.name, Source.id)):
        info = _outlet(source, ranks)
        info.article_count = counts.get(source.id, 0)
        outlets.append(info)
    return outlets


def outlet(session: Session, source_id: int) -> OutletInfo | None:
    source = session.get(Source, source_id)
    if source is None:
        return None
    info = _outlet(source, outlet_rank_labels(session))
    info.article_count = session.scalar(select(func.count()).where(Article.source_id == source_id)) or 0
    return info


def _article_row(article: Article, source: Source | None) -> ArticleRow:
    return ArticleRow(
        id=article.id, title=plain_text(article.title) or "(untitled)",
        url=safe_url(article.canonical_url) or safe_url(article.url),
        outlet=plain_text(source.name if source else article.site_name) or "Unknown outlet",
        outlet_id=source.id if source else None, language=article.language,
        published_at=article.published_at, story_id=article.story_id, copy_of=article.copy_of_id)


def list_articles(session: Session, *, source_id: int | None = None, story_id: str | None = None,
                  language: str | None = None, since: datetime | None = None, until: datetime | None = None,
                  limit: int = 50, offset: int = 0) -> tuple[list[ArticleRow], int]:
    query = select(Article, Source).outerjoin(Source, Article.source_id == Source.id)
    if source_id is not None:
        query = query.where(Article.source_id == source_id)
    if story_id:
        query = query.where(Article.story_id == story_id)
    if language:
        query = query.where(Article.language == language)
    if since:
        query = query.where(Article.published_at >= since)
    if until:
        query = query.where(Article.published_at < until)
    total = session.scalar(select(func.count()).select_from(query.with_only_columns(Article.id).subquery())) or 0
    rows = session.execute(query.order_by(Article.published_at.desc().nulls_last(), Article.id.desc())
                           .limit(limit).offset(offset)).all()
    return [_article_row(a, s) for a, s in rows], total


def article(session: Session, article_id: int) -> ArticleRow | None:
    row = session.execute(select(Article, Source).outerjoin(Source, Article.source_id == Source.id)
                          .where(Article.id == article_id)).first()
    return _article_row(row[0], row[1]) if row else None


def archive_days(session: Session, limit: int = 60) -> list[tuple[date, int]]:
    """Days that have stories (by first publication, UTC), newest first, with their counts."""
    counts: dict[date, int] = {}
    for first in session.scalars(select(Story.first_published).where(
            Story.merged_into.is_(None), Story.first_published.is_not(None))):
        if first is None:
            continue
        day = first.astimezone(timezone.utc).date()
        counts[day] = counts.get(day, 0) + 1
    return sorted(counts.items(), reverse=True)[:limit]


def stories_of_day(session: Session, day: date) -> list[StoryCard]:
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    stories = list(session.scalars(live_stories().where(
        Story.first_published >= start, Story.first_published < start + timedelta(days=1))
        .order_by(*_order("rank"))))
    return _cards(session, stories)


def timeline_points(detail: StoryDetail) -> list[tuple[datetime, str]]:
    """(time, outlet) of each dated article of a story, oldest first."""
    return sorted((s.published_at, s.outlet) for s in detail.sources if s.published_at is not None)
