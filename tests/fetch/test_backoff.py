"""Backoff schedule: grows, caps, jitters within bounds, respects Retry-After."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from tidings.fetch.backoff import JITTER, backoff_delay, next_due

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=timezone.utc)


def test_no_errors_means_due_now():
    assert next_due(0, NOW, 300, 86400) == NOW


def test_delay_doubles_within_jitter_and_caps():
    rng = random.Random(7)
    for errors in range(1, 12):
        delay = backoff_delay(errors, 300, 86400, rng=rng)
        full = min(86400, 300 * 2 ** (errors - 1))
        assert full * (1 - JITTER) <= delay <= full
    assert backoff_delay(10_000, 300, 86400, rng=rng) <= 86400


def test_jitter_spreads_sources_that_failed_together():
    delays = {round(backoff_delay(3, 300, 86400, rng=random.Random(seed)), 3) for seed in range(20)}
    assert len(delays) > 10


def test_retry_after_is_a_floor_but_capped():
    rng = random.Random(1)
    assert backoff_delay(1, 300, 86400, retry_after=3600, rng=rng) == 3600
    assert backoff_delay(1, 300, 86400, retry_after=10, rng=rng) <= 300
    assert backoff_delay(1, 300, 7200, retry_after=10**9, rng=rng) == 7200
    assert next_due(1, NOW, 300, 86400, retry_after=600) == NOW + timedelta(seconds=600)
