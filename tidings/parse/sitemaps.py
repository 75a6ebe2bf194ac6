"""Sitemaps: ``<urlset>`` (with Google News and image extensions) and ``<sitemapindex>``.

Parsed with :mod:`defusedxml` (no entities, no external references); gzipped
bodies (``sitemap.xml.gz``) are inflated first, with a size cap against gzip bombs.
Elements are matched by local name so that sitemaps with a wrong or missing
namespace still read.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from tidings.parse.safexml import ParseError, local_name, maybe_gunzip, parse_xml, to_bytes
from tidings.records import FeedEntry, ParsedFeed
from tidings.timeutil import parse_datetime
from tidings.urls import absolute_http_url

__all__ = ["parse_sitemap"]


def _text(node: Element | None) -> str | None:
    if node is None or node.text is None:
        return None
    value = " ".join(node.text.split())
    return value or None


def _child(node: Element, name: str) -> Element | None:
    for child in node:
        if local_name(child.tag) == name:
            return child
    return None


def _language(value: str | None) -> str | None:
    if not value:
        return None
    primary = value.replace("_", "-").split("-", 1)[0].strip().lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _url_entry(node: Element, base: str) -> FeedEntry | None:
    loc = absolute_http_url(_text(_child(node, "loc")), base)
    if loc is None:
        return None
    entry = FeedEntry(url=loc, guid=loc, updated=parse_datetime(_text(_child(node, "lastmod"))))
    news = _child(node, "news")
    if news is not None:
        entry.title = _text(_child(news, "title"))
        entry.published = parse_datetime(_text(_child(news, "publication_date")))
        publication = _child(news, "publication")
        if publication is not None:
            entry.language = _language(_text(_child(publication, "language")))
    image = _child(node, "image")
    if image is not None:
        entry.image = absolute_http_url(_text(_child(image, "loc")), base)
    return entry


def parse_sitemap(body: bytes | str, url: str) -> ParsedFeed:
    """Parse a sitemap or sitemap index fetched from ``url``.

    A ``<urlset>`` gives ``kind="sitemap"`` with one entry per ``<url>``
    (``lastmod`` -> ``updated``; ``news:title``, ``news:publication_date`` and
    ``news:language`` -> title, published, language). A ``<sitemapindex>``
    gives ``kind="sitemapindex"`` with the child sitemap URLs in ``sitemaps``.
    """
    raw = maybe_gunzip(to_bytes(body))
    root = parse_xml(raw)
    kind = local_name(root.tag)
    if kind == "urlset":
        entries = [e for e in (_url_entry(n, url) for n in root if local_name(n.tag) == "url") if e is not None]
        return ParsedFeed(kind="sitemap", entries=entries)
    if kind == "sitemapindex":
        children: list[str] = []
        for node in root:
            if local_name(node.tag) == "sitemap":
                loc = absolute_http_url(_text(_child(node, "loc")), url)
                if loc and loc not in children:
                    children.append(loc)
        return ParsedFeed(kind="sitemapindex", sitemaps=children)
    raise ParseError(f"{url}: not a sitemap (root element <{kind or '?'}>)")
