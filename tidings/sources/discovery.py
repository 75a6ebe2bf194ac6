"""Where a site keeps its feeds and sitemaps: pure functions over a page and a URL.

:func:`feed_links` reads ``<link rel="alternate">`` feed declarations from a
page, :func:`candidate_feed_paths` guesses the usual feed addresses of a site
and :func:`sitemap_candidates` lists the sitemaps to try (robots.txt's
``Sitemap:`` lines first). No I/O: the caller fetches.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

__all__ = ["FEED_TYPES", "candidate_feed_paths", "feed_links", "site_name", "sitemap_candidates"]

# feed MIME types, best first (the order ranks the links of one page)
FEED_TYPES: tuple[str, ...] = (
    "application/atom+xml",
    "application/rss+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)

_FEED_PATHS = (
    "/feed",
    "/rss",
    "/rss.xml",
    "/feed.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.json",
    "/feeds/posts/default",
    "/blog/feed",
    "/blog/rss.xml",
    "/news/rss.xml",
    "/?feed=rss2",
)
_SITEMAP_PATHS = ("/news-sitemap.xml", "/sitemap_news.xml", "/sitemap-news.xml", "/sitemap.xml", "/sitemap_index.xml")
# words that mark a comments feed, which is never the one to follow
_COMMENT_HINTS = ("comment",)


def _http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _root(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def feed_links(html: str, base_url: str) -> list[str]:
    """Feed URLs a page declares with ``<link rel="alternate" type=...>``.

    Resolved against ``base_url`` (and the page's ``<base href>``), deduplicated,
    best first: Atom, then RSS, then JSON Feed, in page order within a type;
    comment feeds last.
    """
    if not html or not html.strip():
        return []
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = base_url
    for node in tree.iter("base"):
        if href := node.get("href"):
            base = urljoin(base_url, href.strip())
            break
    found: list[tuple[int, int, int, str]] = []
    seen: set[str] = set()
    for position, node in enumerate(tree.iter("link")):
        rels = (node.get("rel") or "").lower().split()
        mime = (node.get("type") or "").split(";")[0].strip().lower()
        href = (node.get("href") or "").strip()
        if "alternate" not in rels or mime not in FEED_TYPES or not href:
            continue
        url = urljoin(base, href)
        if not _http(url) or url in seen:
            continue
        seen.add(url)
        label = f"{node.get('title') or ''} {href}".lower()
        is_comments = any(hint in label for hint in _COMMENT_HINTS)
        found.append((int(is_comments), FEED_TYPES.index(mime), position, url))
    return [url for *_, url in sorted(found)]


def candidate_feed_paths(base_url: str) -> list[str]:
    """Usual feed addresses on ``base_url``'s site (``/feed``, ``/rss.xml`` ...)."""
    if not _http(base_url):
        return []
    root = _root(base_url)
    return list(dict.fromkeys(urljoin(root, path) for path in _FEED_PATHS))


def sitemap_candidates(base_url: str, robots_sitemaps: list[str]) -> list[str]:
    """Sitemaps to try for a site: robots.txt's ``Sitemap:`` lines first (as given,
    resolved), then the usual news and general sitemap paths; deduplicated."""
    out: list[str] = []
    for line in robots_sitemaps:
        url = urljoin(base_url, line.strip()) if line and line.strip() else ""
        if _http(url):
            out.append(url)
    if _http(base_url):
        root = _root(base_url)
        out.extend(urljoin(root, path) for path in _SITEMAP_PATHS)
    return list(dict.fromkeys(out))


def site_name(html: str) -> str | None:
    """What a homepage calls its site: ``og:site_name``, ``application-name``, else its ``<title>``."""
    if not html or not html.strip():
        return None
    try:
        doc = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    for xpath in ('//meta[@property="og:site_name"]/@content', '//meta[@name="application-name"]/@content',
                  "//title/text()"):
        for value in doc.xpath(xpath):
            name = " ".join(str(value).split())
            if name:
                return name[:200]
    return None
