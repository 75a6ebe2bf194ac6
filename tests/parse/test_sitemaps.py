"""parse_sitemap: urlset, Google News, sitemap index, gzip, hostile XML."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tidings.parse.safexml import ParseError, UnsafeXMLError
from tidings.parse.sitemaps import parse_sitemap

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_urlset_with_lastmod_and_images() -> None:
    parsed = parse_sitemap(load("sitemap_urlset.xml"), "https://gazette.example.com/sitemap.xml")
    assert parsed.kind == "sitemap"
    assert [e.url for e in parsed.entries] == [
        "https://gazette.example.com/science/2026/03/spring-tide",
        "https://gazette.example.com/about",
    ]  # the <url> without <loc> is skipped
    first = parsed.entries[0]
    assert first.guid == first.url
    assert first.updated == datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc)
    assert first.image == "https://cdn.gazette.example.com/tide.jpg"
    assert parsed.entries[1].updated == datetime(2025, 1, 1, tzinfo=timezone.utc)


def test_google_news_extension() -> None:
    parsed = parse_sitemap(load("sitemap_news.xml"), "https://journal.example.fr/news-sitemap.xml")
    [entry] = parsed.entries
    assert entry.title == "Grève des transports : le trafic reprend"
    assert entry.published == datetime(2026, 3, 12, 5, 45, tzinfo=timezone.utc)
    assert entry.language == "fr"


def test_sitemap_index() -> None:
    parsed = parse_sitemap(load("sitemap_index.xml"), "https://gazette.example.com/sitemap_index.xml")
    assert parsed.kind == "sitemapindex"
    assert parsed.entries == []
    assert parsed.sitemaps == [
        "https://gazette.example.com/sitemap-news.xml",
        "https://gazette.example.com/sitemap-2026-03.xml.gz",  # relative loc resolved
    ]


def test_gzipped_sitemap() -> None:
    parsed = parse_sitemap(gzip.compress(load("sitemap_news.xml")), "https://journal.example.fr/sitemap.xml.gz")
    assert parsed.entries[0].language == "fr"


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024) + b"</urlset>", compresslevel=1)
    with pytest.raises(ParseError, match="inflates past"):
        parse_sitemap(bomb, "https://x.example/sitemap.xml.gz")


def test_hostile_and_broken_sitemaps() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]><urlset><url><loc>&x;</loc></url></urlset>'
    with pytest.raises(UnsafeXMLError):
        parse_sitemap(xxe, "https://x.example/sitemap.xml")
    with pytest.raises(ParseError, match="not well-formed"):
        parse_sitemap(b"<urlset><url><loc>https://x.example/a</loc></url>", "https://x.example/sitemap.xml")
    with pytest.raises(ParseError, match="not a sitemap"):
        parse_sitemap(b"<rss version='2.0'/>", "https://x.example/sitemap.xml")


def test_utf16_sitemap() -> None:
    text = load("sitemap_news.xml").decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    parsed = parse_sitemap(text.encode("utf-16"), "https://journal.example.fr/news-sitemap.xml")
    assert parsed.entries[0].title == "Grève des transports : le trafic reprend"
