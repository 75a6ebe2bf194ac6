"""Feed and sitemap discovery helpers (tidings.sources.discovery)."""

from __future__ import annotations

from tidings.sources.discovery import candidate_feed_paths, feed_links, sitemap_candidates

PAGE = """<!DOCTYPE html><html><head>
<link rel="stylesheet" href="/site.css">
<link rel="alternate" type="application/rss+xml" title="Comments feed" href="/comments/feed">
<link rel="alternate" type="application/rss+xml" title="News" href="/news/rss.xml">
<link rel="alternate" type="application/atom+xml" href="https://blog.example.com/atom.xml">
<link rel="alternate" type="application/feed+json" href="feed.json">
<link rel="alternate" type="application/rss+xml" href="/news/rss.xml">
<link rel="alternate" hreflang="fr" href="/fr/">
<link rel="ALTERNATE" type="application/rss+xml; charset=utf-8" href="/second.rss">
<link rel="alternate" type="application/rss+xml" href="javascript:void(0)">
</head><body><p>Hi</p></body></html>"""


def test_feed_links_resolved_deduplicated_best_first() -> None:
    assert feed_links(PAGE, "https://blog.example.com/posts/hello") == [
        "https://blog.example.com/atom.xml",
        "https://blog.example.com/news/rss.xml",
        "https://blog.example.com/second.rss",
        "https://blog.example.com/posts/feed.json",
        "https://blog.example.com/comments/feed",  # comment feeds go last
    ]


def test_feed_links_honour_base_href() -> None:
    html = '<html><head><base href="https://cdn.example.org/b/"><link rel="alternate" type="application/atom+xml" href="feed"></head></html>'
    assert feed_links(html, "https://example.org/") == ["https://cdn.example.org/b/feed"]


def test_feed_links_on_pages_without_feeds() -> None:
    assert feed_links("", "https://example.org/") == []
    assert feed_links("<html><body>no head</body></html>", "https://example.org/") == []


def test_candidate_feed_paths() -> None:
    paths = candidate_feed_paths("https://example.org/some/article?x=1")
    assert paths[0] == "https://example.org/feed"
    for expected in ("/rss.xml", "/atom.xml", "/feed.json", "/index.xml"):
        assert f"https://example.org{expected}" in paths
    assert len(paths) == len(set(paths))
    assert candidate_feed_paths("not a url") == []


def test_sitemap_candidates_robots_first() -> None:
    got = sitemap_candidates("https://example.org/news/", ["https://example.org/sm-news.xml", "/sitemap.xml", "  "])
    assert got[0] == "https://example.org/sm-news.xml"
    assert got[1] == "https://example.org/sitemap.xml"
    assert "https://example.org/news-sitemap.xml" in got
    assert len(got) == len(set(got))  # /sitemap.xml from robots is not repeated
