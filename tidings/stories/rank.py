"""Ranking: how important a story is now, and how an outlet ranks in its country.

Pure functions; the formula is documented in docs/ranking.md. A story's score is

    coverage  = 0.5 * ln(1 + articles) + ln(1 + outlets)
    authority = mean authority (0..1) of its three most authoritative outlets
    freshness = 0.5 ** (hours since its latest article / half_life_hours)
    velocity  = share of its articles published in the last velocity_hours
    score     = coverage * (0.5 + authority) * freshness * (1 + velocity_boost * velocity)

so a story many distinct, trusted outlets are reporting right now rises, and a
story one outlet ran yesterday sinks. Syndicated copies count as articles and as
outlets (each outlet chose to run the story), but never as new facts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class RankConfig:
    """Ranking stories (docs/ranking.md)."""

    half_life_hours: float = 36.0  # a story's importance halves over this many hours
    velocity_hours: float = 6.0  # articles within this many hours count as the story's pace
    velocity_boost: float = 0.5  # weight of that pace
    top_authorities: int = 3  # outlets whose authority counts for a story

    def __post_init__(self) -> None:
        if self.half_life_hours <= 0 or self.velocity_hours <= 0 or self.top_authorities < 1:
            from tidings.config_schema import SettingError

            key = next(k for k in ("half_life_hours", "velocity_hours", "top_authorities")
                       if getattr(self, k) <= 0 or (k == "top_authorities" and self.top_authorities < 1))
            raise SettingError(key, f"expected a positive number, got {getattr(self, key)}")


@dataclass(slots=True)
class StorySignals:
    """What ranking needs to know about one story."""

    article_count: int
    outlet_authorities: dict[int | str, float]  # outlet -> authority 0..1
    published: list[datetime] = field(default_factory=list)  # its articles' dates (aware UTC)


def importance(signals: StorySignals, now: datetime, config: RankConfig | None = None) -> tuple[float, dict[str, Any]]:
    """The story's score and the signals behind it (stored for the record and the docs)."""
    config = config or RankConfig()
    outlets = len(signals.outlet_authorities)
    coverage = 0.5 * math.log1p(signals.article_count) + math.log1p(outlets)
    top = sorted(signals.outlet_authorities.values(), reverse=True)[: config.top_authorities]
    authority = sum(top) / len(top) if top else 0.0
    if signals.published:
        latest = max(signals.published)
        age_hours = max(0.0, (now - latest).total_seconds() / 3600.0)
        recent = sum(1 for p in signals.published if 0 <= (now - p).total_seconds() <= config.velocity_hours * 3600)
        velocity = recent / max(1, len(signals.published))
    else:
        age_hours, velocity = 0.0, 0.0
    freshness = 0.5 ** (age_hours / config.half_life_hours)
    score = coverage * (0.5 + authority) * freshness * (1.0 + config.velocity_boost * velocity)
    return score, {
        "articles": signals.article_count, "outlets": outlets, "coverage": round(coverage, 4),
        "authority": round(authority, 4), "age_hours": round(age_hours, 2), "freshness": round(freshness, 4),
        "velocity": round(velocity, 4), "score": round(score, 6),
    }


@dataclass(slots=True)
class OutletRecord:
    id: int
    country: str | None
    authority: float
    stories: int = 0  # stories it covered recently
    firsts: int = 0  # stories it reported first


def outlet_score(outlet: OutletRecord) -> float:
    return outlet.authority + 0.05 * math.log1p(outlet.stories) + 0.05 * math.log1p(outlet.firsts)


def outlet_ranks(outlets: list[OutletRecord]) -> dict[int, tuple[int, str]]:
    """Rank of each outlet among the outlets of its country (1 is best): the seed's
    "🏆 729. in US". Outlets without a country are ranked among themselves as "world"."""
    by_country: dict[str, list[OutletRecord]] = {}
    for outlet in outlets:
        by_country.setdefault((outlet.country or "world").upper(), []).append(outlet)
    ranks: dict[int, tuple[int, str]] = {}
    for country, members in by_country.items():
        members.sort(key=lambda o: (-outlet_score(o), o.id))
        for position, outlet in enumerate(members, start=1):
            ranks[outlet.id] = (position, country)
    return ranks
