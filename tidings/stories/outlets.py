"""Outlet ranks from the store: the seed's "🏆 729. in US", for pages and the API.

Gathers, per active source, its authority, how many stories it covered and how
many it reported first within ``days``, and hands them to the pure
:func:`tidings.stories.rank.outlet_ranks`.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tidings.store.models import Article, Source
from tidings.stories.rank import OutletRecord, outlet_ranks
from tidings.timeutil import utcnow


def outlet_records(session: Session, days: int = 30) -> list[OutletRecord]:
    since = utcnow() - timedelta(days=days)
    when = func.coalesce(Article.published_at, Article.first_seen_at)
    covered = dict(session.execute(
        select(Article.source_id, func.count(func.distinct(Article.story_id)))
        .where(Article.story_id.is_not(None), when >= since).group_by(Article.source_id)).all())
    first = (select(Article.story_id, func.min(when).label("first")).where(Article.story_id.is_not(None), when >= since)
             .group_by(Article.story_id).subquery())
    firsts = dict(session.execute(
        select(Article.source_id, func.count(func.distinct(Article.story_id)))
        .join(first, (first.c.story_id == Article.story_id) & (first.c.first == when))
        .group_by(Article.source_id)).all())
    return [
        OutletRecord(id=s.id, country=s.country, authority=s.authority, stories=covered.get(s.id, 0),
                     firsts=firsts.get(s.id, 0))
        for s in session.scalars(select(Source).where(Source.active.is_(True)))
    ]


def ranks(session: Session, days: int = 30) -> dict[int, tuple[int, str]]:
    """source id -> (rank within its country, country code)."""
    return outlet_ranks(outlet_records(session, days))


def rank_label(rank: tuple[int, str] | None) -> str:
    """``(3, "GB")`` -> ``"🏆 3. in GB"``; outlets without a country read "🏆 3. worldwide"."""
    if rank is None:
        return ""
    position, country = rank
    return f"🏆 {position}. worldwide" if country == "WORLD" else f"🏆 {position}. in {country}"
