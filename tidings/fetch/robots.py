"""robots.txt per origin: fetched through the guarded fetcher, parsed, cached.

Rules follow RFC 9309: a 2xx file is parsed (Protego: longest match, ``*`` and
``$`` wildcards); a 4xx (other than 429) means no rules, so everything is
allowed; a 5xx, a 429 or a network failure means disallow everything for now,
cached only briefly so the origin is asked again soon. At most 512 KiB of the
file are read. The ``Sitemap:`` lines are kept for source discovery and the
``Crawl-delay`` for politeness.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from protego import Protego

from tidings.fetch.errors import FetchError
from tidings.records import FetchResult

MAX_ROBOTS_BYTES = 512 * 1024
DEFAULT_TTL = 3600.0  # seconds a fetched robots.txt is trusted
FAILURE_TTL = 300.0  # seconds a "disallow for now" verdict is kept
MAX_ORIGINS = 10_000  # past this many cached origins, stale entries are dropped

RobotsFetch = Callable[[str], Awaitable[FetchResult]]


@dataclass(slots=True)
class RobotsRules:
    """What one origin's robots.txt says; ``allow_all``/``disallow_all`` when there was no usable file."""

    origin: str
    status: int | None = None  # HTTP status of robots.txt, None when it could not be fetched
    allow_all: bool = False
    disallow_all: bool = False
    sitemaps: list[str] = field(default_factory=list)
    crawl_delay: float | None = None
    reason: str = ""
    parser: Protego | None = None
    fetched_at: float = 0.0
    error: FetchError | None = None  # why robots.txt could not be had, when it could not

    def allows(self, url: str, user_agent: str) -> bool:
        if self.disallow_all:
            return False
        if self.allow_all or self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, product_token(user_agent)))


def product_token(user_agent: str) -> str:
    """``Tidings/0.1 (+https://...)`` -> ``Tidings``: the name robots.txt groups match."""
    return (user_agent.split("/", 1)[0].split() or ["*"])[0]


def origin_of(url: str) -> str:
    parsed = httpx.URL(url)
    default = {"http": 80, "https": 443}.get(parsed.scheme)
    port = "" if parsed.port in (None, default) else f":{parsed.port}"
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    return f"{parsed.scheme}://{host}{port}"


def robots_url(url: str) -> str:
    return origin_of(url) + "/robots.txt"


def parse_robots(origin: str, status: int, text: str, user_agent: str, now: float) -> RobotsRules:
    parser = Protego.parse(text)
    delay = parser.crawl_delay(product_token(user_agent))
    return RobotsRules(
        origin=origin,
        status=status,
        sitemaps=list(parser.sitemaps),
        crawl_delay=float(delay) if delay is not None else None,
        parser=parser,
        fetched_at=now,
    )


def rules_for_failure(origin: str, error: FetchError, now: float) -> RobotsRules:
    """RFC 9309's reading of a robots.txt that could not be had."""
    if error.kind == "http" and error.status is not None and 400 <= error.status < 500 and error.status != 429:
        return RobotsRules(origin, status=error.status, allow_all=True, reason=f"robots.txt answered {error.status}",
                           fetched_at=now)
    if error.kind == "too_many_redirects":
        return RobotsRules(origin, allow_all=True, reason="robots.txt redirects too often", fetched_at=now)
    return RobotsRules(origin, status=error.status, disallow_all=True, reason=f"robots.txt unavailable ({error})",
                       fetched_at=now, error=error)


class RobotsCache:
    """Per-origin robots.txt rules with a TTL; one fetch per origin at a time."""

    def __init__(self, fetch: RobotsFetch, user_agent: str, ttl: float = DEFAULT_TTL,
                 failure_ttl: float = FAILURE_TTL) -> None:
        self._fetch = fetch
        self.user_agent = user_agent
        self.ttl = ttl
        self.failure_ttl = min(failure_ttl, ttl)
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _fresh(self, rules: RobotsRules | None, now: float) -> bool:
        if rules is None:
            return False
        ttl = self.failure_ttl if rules.disallow_all and rules.parser is None else self.ttl
        return now - rules.fetched_at < ttl

    async def rules(self, url: str) -> RobotsRules:
        """The rules for ``url``'s origin, fetched when missing or stale.

        A robots.txt refused by the SSRF guard or with an invalid URL raises
        that FetchError: the page itself would be refused the same way."""
        origin = origin_of(url)
        cached = self._rules.get(origin)
        if self._fresh(cached, time.monotonic()):
            assert cached is not None
            return cached
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._rules.get(origin)
            if self._fresh(cached, time.monotonic()):
                assert cached is not None
                return cached
            try:
                result = await self._fetch(origin + "/robots.txt")
            except FetchError as error:
                if error.kind in {"blocked", "invalid_url"}:
                    raise
                rules = rules_for_failure(origin, error, time.monotonic())
            else:
                rules = parse_robots(origin, result.status, result.text or "", self.user_agent, time.monotonic())
            if len(self._rules) >= MAX_ORIGINS:
                self._drop_stale()
            self._rules[origin] = rules
            return rules

    def _drop_stale(self) -> None:
        now = time.monotonic()
        for origin in [o for o, r in self._rules.items() if not self._fresh(r, now)]:
            del self._rules[origin]
            lock = self._locks.get(origin)
            if lock is not None and not lock.locked():
                del self._locks[origin]

    async def sitemaps(self, url: str) -> list[str]:
        """The ``Sitemap:`` URLs of ``url``'s origin (empty when robots.txt has none or failed)."""
        return list((await self.rules(url)).sitemaps)
