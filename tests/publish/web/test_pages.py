"""The site's pages over real HTTP: front page, story page, redirects, tags, sources, archive."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote


class Links(HTMLParser):
    """Collects (href, text, classes) of every <a>, and whether an <svg> exists."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.svg = False
        self._open: list[list] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a":
            self._open.append([a.get("href") or "", "", a.get("class") or ""])
        if tag == "svg":
            self.svg = True

    def handle_data(self, data):
        for link in self._open:
            link[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            self.links.append(tuple(self._open.pop()))


def parse(html: str) -> Links:
    p = Links()
    p.feed(html)
    return p


def test_front_page_lists_top_stories_by_section(client, sample):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "Skyward weather satellite reaches orbit" in html
    assert "Rates on hold" in html
    # the best story comes first; merged stories never show
    assert html.index("Skyward weather satellite") < html.index("Rates on hold")
    assert sample.merged not in html
    assert "2 outlets" in html and "2 languages" in html
    assert re.search(r"\d+ h ago", html)
    assert '<main id="content"' in html and 'role="search"' in html and 'aria-label="Sections"' in html


def test_story_page_cites_and_lists_its_articles(client, sample):
    r = client.get(f"/story/{sample.main}")
    assert r.status_code == 200
    html = r.text
    assert '<html lang="en">' in html and '<article class="story" lang="en"' in html
    links = parse(html)
    cites = [(href, text) for href, text, cls in links.links if "cite" in cls.split()]
    # sentence one cites the English and French launch articles, sentence two the follow-up
    assert cites == [("https://wire.example/orbital", "[1]"), ("https://veille.example/orbital-fr", "[2]"),
                     ("https://wire.example/orbital-2", "[3]")]
    assert "Summarized from 3 articles by 2 outlets so you can read it quickly — read the full articles:" in html
    assert "🏆 1. in GB" in html and "🏆 1. in FR" in html
    assert 'lang="fr"' in html and "French" in html
    # tags link to tag pages
    assert ("/tag/" + quote("aurora rocket", safe=""), "Aurora rocket", "") in links.links
    # the coverage timeline is inline SVG naming who was first
    assert links.svg and "First: Harbour Wire" in html and 'role="img"' in html
    assert "first to report" in html


def test_similar_news_are_distinct_live_stories(client, sample):
    html = client.get(f"/story/{sample.main}").text
    section = html[html.index('id="similar-h"'):]
    story_links = {href for href, _, _ in parse(section).links if href.startswith("/story/")}
    # listed twice, once merged into this very story and once itself: only the distinct one stays
    assert story_links == {f"/story/{sample.similar}"}
    assert "Le budget spatial européen augmente" in section or "Space budget" in section


def test_merged_story_redirects_permanently(client, sample):
    r = client.get(f"/story/{sample.merged}")
    assert r.status_code == 301 and r.headers["location"] == f"/story/{sample.main}"
    assert client.get("/story/doesnotexist").status_code == 404


def test_tag_section_source_and_archive_pages(client, sample):
    tag = client.get("/tag/skyward")
    assert tag.status_code == 200 and "2 stories tagged" in tag.text
    assert "Rates on hold" not in tag.text
    assert client.get("/tag/no-such-tag").status_code == 404
    section = client.get("/section/business")
    assert section.status_code == 200 and "Rates on hold" in section.text and "Skyward" not in section.text
    sources = client.get("/sources")
    assert "Harbour Wire" in sources.text and "failing (3×, timeout)" in sources.text
    source = client.get("/source/1")
    assert source.status_code == 200 and "🏆 1. in GB" in source.text
    assert "Central bank holds interest rates" in source.text
    archive = client.get("/archive")
    days = re.findall(r'href="/archive/(\d{4}-\d\d-\d\d)"', archive.text)
    assert days and days == sorted(days, reverse=True)
    day = client.get(f"/archive/{days[0]}")
    assert day.status_code == 200 and "first reported that day" in day.text


def test_health_and_security_headers(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok", "database": "ok"}
    page = client.get("/")
    assert "script-src 'none'" in page.headers["content-security-policy"]
    assert client.get("/static/site.css").status_code == 200
