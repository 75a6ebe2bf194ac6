"""The fetcher: polite, bounded, SSRF-guarded HTTP GET on httpx.

``async with Fetcher(config) as fetcher: result = await fetcher.get(url, etag=...)``

Each call follows redirects by hand (every hop is checked again: URL scheme,
robots.txt, and the SSRF guard on the connection itself), sends a conditional
GET when given a validator (a 304 is a result, not an error), holds a per-host
slot and honours the per-host delay, reads the body raw with a cap on the
decoded size, decodes text with :mod:`tidings.fetch.charset`, and gives up when
the whole response has not arrived within ``timeout`` seconds (time spent
waiting for a politeness slot does not count). Failures raise
:class:`~tidings.fetch.errors.FetchError`.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from types import TracebackType

import httpcore
import httpx

from tidings.config import FetchConfig
from tidings.fetch.body import ACCEPT_ENCODING, read_capped
from tidings.fetch.charset import decode_body, is_textual
from tidings.fetch.errors import FetchError
from tidings.fetch.guard import AddressPolicy, GuardedNetworkBackend, Resolver, check_url, system_resolver
from tidings.fetch.politeness import HostGate
from tidings.fetch.robots import DEFAULT_TTL, MAX_ROBOTS_BYTES, RobotsCache, RobotsRules
from tidings.records import FetchResult

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_ACCEPT = "*/*"
MAX_CRAWL_DELAY = 30.0
NETWORK_KINDS = frozenset({"dns", "connect", "timeout"})  # a robots.txt Crawl-delay longer than this is capped


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _flatten_headers(headers: httpx.Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in headers.multi_items():
        key = key.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


@functools.lru_cache(maxsize=2)
def _ssl_context(verify: bool) -> ssl.SSLContext:
    """One TLS context per process (loading the CA bundle takes a noticeable 0.1 s)."""
    return httpx.create_ssl_context(verify=verify)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connection pool opening connections through the SSRF guard.

    httpx has no public hook for httpcore's network backend, so the pool is
    replaced after ``__init__`` (``_pool`` is what ``handle_async_request`` uses in
    httpx 0.27 and 0.28). Should a future httpx rename it, connections would skip
    the guard: ``tests/fetch/test_guard.py`` fails loudly in that case (a name only
    our resolver knows would stop resolving, and blocked addresses would connect)."""

    def __init__(self, backend: GuardedNetworkBackend, verify: bool | ssl.SSLContext, limits: httpx.Limits) -> None:
        context = verify if isinstance(verify, ssl.SSLContext) else _ssl_context(verify)
        super().__init__(verify=context, limits=limits, trust_env=False, http1=True, http2=False)
        # httpx has no public hook for the network backend; the pool it uses is httpcore's, which has one.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=backend,
        )


@dataclass(slots=True)
class _Hop:
    result: FetchResult | None = None
    location: str | None = None
    set_cookie: bool = False  # a redirect that sets a cookie may come back to the same URL once


class Fetcher:
    """An async HTTP fetcher configured by :class:`FetchConfig`; use as ``async with``.

    ``resolver`` replaces the system's DNS lookup (an async ``(host, port) -> [ip]``);
    the guard checks whatever it returns and connects to those addresses."""

    def __init__(
        self,
        config: FetchConfig | None = None,
        *,
        resolver: Resolver = system_resolver,
        robots_ttl: float = DEFAULT_TTL,
        verify: bool | ssl.SSLContext = True,
    ) -> None:
        self.config = config or FetchConfig()
        self.policy = AddressPolicy.from_config(self.config)
        self.backend = GuardedNetworkBackend(self.policy, resolver)
        self._verify = verify
        self._gate = HostGate(self.config.concurrency, self.config.per_host_concurrency, self.config.per_host_delay)
        self.robots = RobotsCache(self._fetch_robots, self.config.user_agent, ttl=robots_ttl)
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        limits = httpx.Limits(
            max_connections=self.config.concurrency,
            max_keepalive_connections=self.config.concurrency,
            keepalive_expiry=5.0,
        )
        transport = _GuardedTransport(self.backend, self._verify, limits)
        timeout = httpx.Timeout(
            connect=self.config.connect_timeout, read=self.config.timeout, write=self.config.timeout, pool=None
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": self.config.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )
        await self._client.__aenter__()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._client is not None:
            await self._client.__aexit__(exc_type, exc, tb)
            self._client = None

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        check_robots: bool = True,
    ) -> FetchResult:
        """GET ``url``; a 2xx or 304 gives a :class:`FetchResult`, anything else raises FetchError."""
        return await self._get(
            url,
            etag=etag,
            last_modified=last_modified,
            accept=accept,
            check_robots=check_robots and self.config.respect_robots,
            max_bytes=self.config.max_bytes,
            truncate=False,
        )

    async def robots_rules(self, url: str) -> RobotsRules:
        """The robots.txt rules of ``url``'s origin (cached)."""
        rules = await self.robots.rules(url)
        self._apply_crawl_delay(url, rules)
        return rules

    async def sitemaps(self, url: str) -> list[str]:
        """The ``Sitemap:`` URLs listed in the robots.txt of ``url``'s origin."""
        return list((await self.robots_rules(url)).sitemaps)

    # -- internals ---------------------------------------------------------

    def _apply_crawl_delay(self, url: str, rules: RobotsRules) -> None:
        if rules.crawl_delay:
            self._gate.set_host_delay(httpx.URL(url).host, min(rules.crawl_delay, MAX_CRAWL_DELAY))

    async def _fetch_robots(self, url: str) -> FetchResult:
        return await self._get(url, etag=None, last_modified=None, accept="text/plain, */*;q=0.5",
                               check_robots=False, max_bytes=MAX_ROBOTS_BYTES, truncate=True)

    async def _get(self, url: str, *, etag: str | None, last_modified: str | None, accept: str | None,
                   check_robots: bool, max_bytes: int, truncate: bool) -> FetchResult:
        if self._client is None:
            raise RuntimeError("use the Fetcher as 'async with Fetcher(config) as fetcher'")
        started = time.monotonic()
        remaining = self.config.timeout
        current = url
        seen = {str(check_url(url)): 0}  # URL -> how often a redirect led back to it
        headers = {"Accept": accept or DEFAULT_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _hop in range(self.config.max_redirects + 1):
            parsed = check_url(current)
            if check_robots:
                try:
                    rules = await self.robots.rules(current)
                except FetchError as error:  # blocked or invalid: report it for the page, not its robots.txt
                    error.url = current
                    raise
                self._apply_crawl_delay(current, rules)
                failure = rules.error
                if failure is not None and failure.kind in NETWORK_KINDS:
                    # the origin is unreachable: say so, rather than "disallowed by robots.txt"
                    raise FetchError(failure.kind, current, f"robots.txt could not be fetched: {failure.message}")
                if not rules.allows(current, self.config.user_agent):
                    why = f" ({rules.reason})" if rules.reason else ""
                    raise FetchError("robots", current, f"robots.txt of {rules.origin} disallows this URL{why}")
            async with self._gate.slot(parsed.host):
                hop_start = time.monotonic()
                try:
                    async with asyncio.timeout(max(remaining, 0.001)):
                        hop = await self._one_hop(current, headers, max_bytes, truncate)
                except TimeoutError:
                    raise FetchError("timeout", current,
                                     f"no complete response within {self.config.timeout:g} s") from None
                remaining -= time.monotonic() - hop_start
            if hop.result is not None:
                hop.result.url = url
                hop.result.elapsed = time.monotonic() - started
                if hop.result.status == 304:
                    hop.result.etag = hop.result.etag or etag
                    hop.result.last_modified = hop.result.last_modified or last_modified
                return hop.result
            assert hop.location is not None
            returns = seen.get(hop.location)
            if returns is not None and (returns >= 1 or not hop.set_cookie):
                raise FetchError("too_many_redirects", current, f"redirect loop back to {hop.location}")
            seen[hop.location] = 0 if returns is None else returns + 1
            current = hop.location
        raise FetchError("too_many_redirects", current, f"more than {self.config.max_redirects} redirects")

    async def _one_hop(self, url: str, headers: dict[str, str], max_bytes: int, truncate: bool) -> _Hop:
        assert self._client is not None
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in REDIRECT_STATUSES and response.headers.get("location"):
                    try:
                        target = response.url.join(response.headers["location"].strip())
                    except (httpx.InvalidURL, ValueError) as exc:
                        raise FetchError("invalid_url", url, f"bad redirect Location: {exc}") from None
                    return _Hop(location=str(target.copy_with(fragment=None)),
                                set_cookie="set-cookie" in response.headers)
                flat = _flatten_headers(response.headers)
                if status == 304:
                    return _Hop(result=self._result(response, flat, b""))
                if not 200 <= status < 300:
                    reason = response.reason_phrase or "error"
                    raise FetchError("http", url, f"HTTP {status} {reason}", status=status,
                                     retry_after=parse_retry_after(flat.get("retry-after")))
                body, _truncated = await read_capped(
                    response.aiter_raw(),
                    url=url,
                    max_bytes=max_bytes,
                    content_encoding=flat.get("content-encoding"),
                    content_length=flat.get("content-length"),
                    truncate=truncate,
                )
                return _Hop(result=self._result(response, flat, body))
        except FetchError as error:
            if error.kind in {"blocked", "dns"}:
                error.url = url  # the guard only knew host:port
            raise
        except httpx.ConnectTimeout:
            raise FetchError("timeout", url, f"could not connect within {self.config.connect_timeout:g} s") from None
        except httpx.TimeoutException as exc:
            raise FetchError("timeout", url, f"server too slow: {exc.__class__.__name__}") from None
        except httpx.ConnectError as exc:
            raise FetchError("connect", url, f"cannot connect: {exc or exc.__class__.__name__}") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise FetchError("invalid_url", url, str(exc)) from None
        except httpx.DecodingError as exc:
            raise FetchError("decode", url, str(exc)) from None
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise FetchError("connect", url, f"connection failed: {exc or exc.__class__.__name__}") from None

    @staticmethod
    def _result(response: httpx.Response, headers: dict[str, str], body: bytes) -> FetchResult:
        text = encoding = None
        content_type = headers.get("content-type")
        if body and is_textual(content_type, body):
            text, encoding = decode_body(body, content_type)
        # the body is decoded already: drop the headers that describe the wire form
        headers.pop("content-encoding", None)
        if "content-length" in headers:
            headers["content-length"] = str(len(body))
        return FetchResult(
            url=str(response.url),
            final_url=str(response.url),
            status=response.status_code,
            headers=headers,
            body=body,
            text=text,
            encoding=encoding,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
        )


def fetch_sync(url: str, config: FetchConfig | None = None, **kwargs: object) -> FetchResult:
    """Fetch one URL from synchronous code (the CLI); keyword arguments go to :meth:`Fetcher.get`."""

    async def once() -> FetchResult:
        async with Fetcher(config) as fetcher:
            return await fetcher.get(url, **kwargs)  # type: ignore[arg-type]

    return asyncio.run(once())
