"""Dates and times: everything Tidings stores is timezone-aware UTC."""

from __future__ import annotations

import email.utils
import time
from datetime import datetime, timedelta, timezone
from typing import cast, overload


def stage_seconds() -> dict[str, float]:
    """Seconds by stage for a run's report: a Counter, so ``seconds[stage] += t`` starts from 0."""
    from collections import Counter

    return cast("dict[str, float]", Counter())


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@overload
def as_utc(value: datetime) -> datetime: ...


@overload
def as_utc(value: None) -> None: ...


@overload
def as_utc(value: datetime | None) -> datetime | None: ...


def as_utc(value: datetime | None) -> datetime | None:
    """Make a datetime aware (naive values are taken as UTC) and convert it to UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's ``*_parsed`` fields are UTC struct_time tuples."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None


def parse_datetime(value: object) -> datetime | None:
    """Parse ISO 8601, RFC 822 dates or epoch seconds; ``None`` when unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    text = str(value).strip()
    try:
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        return as_utc(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``7d``, ``12h``, ``30m`` or an ISO date → an aware datetime in the past."""
    now = now or utcnow()
    units = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}
    if value and value[-1] in units and value[:-1].isdigit():
        return now - timedelta(**{units[value[-1]]: int(value[:-1])})
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(f"not a duration (7d, 12h) or a date: {value!r}")
    return parsed
