"""Fetching: polite, bounded, SSRF-guarded HTTP (robots.txt, conditional GET, limits).

``Fetcher`` (async) and ``fetch_sync`` get one URL as a :class:`tidings.records.FetchResult`;
every failure is a :class:`FetchError` with a ``kind``. ``next_due`` schedules retries.
"""

from tidings.fetch.backoff import next_due
from tidings.fetch.client import Fetcher, fetch_sync
from tidings.fetch.errors import FetchError

__all__ = ["FetchError", "Fetcher", "fetch_sync", "next_due"]
