"""Finding what to poll for a URL a person gives: the feed itself, a feed the page
links to, a feed at a usual path, or else the site's sitemap.

Used by ``tidings sources add URL``: a homepage URL is enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tidings.records import ParsedFeed
from tidings.sources.spec import SourceSpec


class SourceNotFound(LookupError):
    """Neither a feed nor a sitemap could be found for the URL."""


@dataclass(slots=True)
class Found:
    spec: SourceSpec
    how: str  # "feed", "linked feed", "guessed feed", "sitemap"
    entries: int


async def _try_feed(fetcher, url: str) -> tuple[str, ParsedFeed] | None:
    from tidings.fetch.errors import FetchError
    from tidings.parse.feeds import ParseError, parse_feed

    try:
        result = await fetcher.get(url)
        parsed = parse_feed(result.body, result.final_url, result.content_type)
    except (FetchError, ParseError):
        return None
    return result.final_url, parsed


def _homepage_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


async def find_source(fetcher, url: str, *, name: str | None = None, country: str | None = None,
                      language: str | None = None, authority: float = 0.5) -> Found:
    """Discover the feed (or sitemap) behind ``url``; raises :class:`SourceNotFound`."""
    from tidings.fetch.errors import FetchError
    from tidings.parse.feeds import ParseError, parse_feed
    from tidings.sources.discovery import candidate_feed_paths, feed_links, sitemap_candidates

    def spec(feed_url: str, parsed: ParsedFeed, kind: str, homepage: str | None) -> SourceSpec:
        return SourceSpec(
            url=feed_url,
            kind=kind,
            name=name or parsed.title or site or urlsplit(homepage or feed_url).netloc,
            homepage=parsed.homepage or homepage,
            country=country,
            language=language or parsed.language,
            authority=authority,
        )

    site: str | None = None
    try:
        page = await fetcher.get(url)
    except FetchError as exc:
        raise SourceNotFound(f"{url}: {exc}") from None
    try:
        parsed = parse_feed(page.body, page.final_url, page.content_type)
        if parsed.kind in {"sitemap", "sitemapindex"}:
            return Found(spec(page.final_url, parsed, "sitemap", _homepage_of(page.final_url)), "sitemap",
                         len(parsed.entries))
        return Found(spec(page.final_url, parsed, "feed", parsed.homepage), "feed", len(parsed.entries))
    except ParseError:
        pass  # a web page, most likely
    homepage = page.final_url
    from tidings.sources.discovery import site_name

    site = site_name(page.text or "")  # a sitemap has no title: then the site's own name, not its host
    for how, candidates in (("linked feed", feed_links(page.text or "", page.final_url)),
                            ("guessed feed", candidate_feed_paths(page.final_url))):
        for candidate in candidates:
            got = await _try_feed(fetcher, candidate)
            if got is not None and got[1].kind not in {"sitemap", "sitemapindex"}:
                feed_url, parsed = got
                return Found(spec(feed_url, parsed, "feed", homepage), how, len(parsed.entries))
    try:
        robots_sitemaps = list(await fetcher.sitemaps(page.final_url))
    except FetchError:
        robots_sitemaps = []
    for candidate in sitemap_candidates(page.final_url, robots_sitemaps):
        got = await _try_feed(fetcher, candidate)
        if got is not None and got[1].kind in {"sitemap", "sitemapindex"}:
            feed_url, parsed = got
            return Found(spec(feed_url, parsed, "sitemap", homepage), "sitemap", len(parsed.entries))
    raise SourceNotFound(f"no feed or sitemap found for {url}")
