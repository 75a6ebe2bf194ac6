"""The synthetic newsstand: deterministic for a seed, sized as asked, with ~5% near-duplicates."""

from __future__ import annotations

import feedparser
import httpx
import pytest

from tidings.demo.corpus import jaccard, shingles
from tidings.demo.server import serve_site
from tidings.demo.synthetic import build_synthetic_site

BASE = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def site():
    return build_synthetic_site(BASE, n_feeds=20, n_articles=400, seed=7)


def test_deterministic_for_a_seed(site):
    again = build_synthetic_site(BASE, n_feeds=20, n_articles=400, seed=7)
    assert dict(again.items()) == dict(site.items())
    other = build_synthetic_site(BASE, n_feeds=20, n_articles=400, seed=8)
    assert dict(other.items()) != dict(site.items())


def test_sized_as_asked(site):
    assert len(site.outlets) == 20
    assert len(site.articles) == 400
    pages = [p for p, (ct, _) in site.items() if p.endswith(".html")]
    assert len(pages) == 400
    feeds = [o.feed_url for o in site.outlets]
    assert all(feeds) and len(set(feeds)) == 20
    total_entries = 0
    for outlet in site.outlets:
        parsed = feedparser.parse(site[outlet.feed_url[len(BASE):]][1])
        assert not parsed.bozo and parsed.version in {"rss20", "atom10"}
        total_entries += len(parsed.entries)
    assert total_entries == 400
    small = build_synthetic_site(BASE, n_feeds=3, n_articles=10, seed=0)
    assert len(small.outlets) == 3 and len(small.articles) == 10


def test_near_duplicates(site):
    import re

    texts = {}
    for article in site.articles:
        body = site[article.url[len(BASE):]][1].decode()
        texts[article.id] = " ".join(re.findall(r"<p>(.*?)</p>", body))
    words = [len(t.split()) for t in texts.values()]
    assert min(words) >= 200 and sum(words) / len(words) >= 300
    groups = site.truth.syndicated
    copies = sum(len(g) - 1 for g in groups)
    assert 0.02 * len(site.articles) <= copies <= 0.09 * len(site.articles)
    grouped = set()
    for group in groups:
        grouped.update(group)
        for copy in group[1:]:
            assert jaccard(shingles(texts[group[0]]), shingles(texts[copy])) >= 0.85
    loners = sorted(set(texts) - grouped)[:40]
    for x, y in zip(loners, loners[1:]):
        assert jaccard(shingles(texts[x]), shingles(texts[y])) < 0.5
    event_of = site.truth.event_of()
    assert set(event_of) == set(texts)


def test_served_over_http():
    with serve_site(build_synthetic_site("http://127.0.0.1:1", n_feeds=2, n_articles=6, seed=1)) as server:
        with httpx.Client(timeout=10) as client:
            for outlet in server.site.outlets:
                response = client.get(outlet.feed_url)
                assert response.status_code == 200
                for entry in feedparser.parse(response.content).entries:
                    assert client.get(entry.link).status_code == 200
            assert client.get(server.site.opml_url).status_code == 200
