"""When to fetch a source again: exponential backoff with jitter after errors,
and a jittered interval while it is healthy.

Pure functions of their arguments (pass ``rng`` for repeatable results), so the
scheduler can compute and store a due time without side effects.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

JITTER = 0.25  # a delay is drawn from [d * (1 - JITTER), d]


def backoff_delay(consecutive_errors: int, base: float, maximum: float, retry_after: float | None = None,
                  rng: random.Random | None = None) -> float:
    """Seconds to wait after ``consecutive_errors`` failures in a row.

    ``base * 2**(n-1)`` capped at ``maximum``, less up to 25 % jitter so many
    sources that failed together do not all retry at the same second. A server's
    ``Retry-After`` is a floor (never retry earlier than asked), still capped at
    ``maximum``. No errors: no delay."""
    if base < 0 or maximum < 0:
        raise ValueError("base and maximum must not be negative")
    if consecutive_errors <= 0:
        delay = 0.0
    else:
        exponent = min(consecutive_errors - 1, 64)  # 2**64 * base is past any sane maximum
        delay = min(maximum, base * (2.0 ** exponent))
        delay *= 1.0 - JITTER * (rng or random).random()
    if retry_after is not None and retry_after > delay:
        delay = min(maximum, float(retry_after))
    return delay


def next_due(consecutive_errors: int, now: datetime, base: float, maximum: float, retry_after: float | None = None,
             rng: random.Random | None = None) -> datetime:
    """The time a source that failed ``consecutive_errors`` times in a row is due again."""
    return now + timedelta(seconds=backoff_delay(consecutive_errors, base, maximum, retry_after, rng))


def healthy_due(now: datetime, interval_seconds: float, jitter: float = 0.1,
                rng: random.Random | None = None) -> datetime:
    """The next fetch of a healthy source: ``interval`` give or take ``jitter`` (a fraction)."""
    if interval_seconds < 0 or not 0 <= jitter < 1:
        raise ValueError("interval must not be negative and jitter must be in [0, 1)")
    spread = (2.0 * (rng or random).random() - 1.0) * jitter
    return now + timedelta(seconds=interval_seconds * (1.0 + spread))
