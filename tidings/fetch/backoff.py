"""When to fetch a source again after errors: exponential backoff with jitter (a healthy source
is due again after its own poll interval, set by the ingest).

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
