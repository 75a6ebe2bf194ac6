"""The demo site over real HTTP on loopback: every path, content types, 304s, feeds, sitemap, OPML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from email.utils import format_datetime

import feedparser
import httpx
import lxml.html
import pytest

from tidings.demo.server import serve_site
from tidings.demo.site import build_demo_site


@pytest.fixture(scope="module")
def server():
    with serve_site(build_demo_site("http://127.0.0.1:1")) as srv:
        yield srv


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=10) as c:
        yield c


def test_site_is_rebuilt_for_the_bound_port(server):
    assert server.url.startswith("http://127.0.0.1:") and server.port > 0
    assert server.site.base_url == server.url
    assert server.url.encode() in server.site["/demo-sources.opml"][1]
    assert b"127.0.0.1:1/" not in server.site["/demo-sources.opml"][1]


def test_every_path_served_with_its_content_type(server, client):
    site = server.site
    assert len(site) > 90
    for path, (content_type, body) in site.items():
        response = client.get(server.url + path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == content_type, path
        assert response.content == body, path
        assert response.headers["etag"] and response.headers["last-modified"]
    kinds = {ct.split(";")[0] for ct, _ in site.values()}
    assert {"text/html", "application/rss+xml", "application/atom+xml", "application/feed+json",
            "application/rdf+xml", "application/xml", "text/x-opml", "text/plain"} <= kinds


def test_unknown_path_is_404_and_head_has_no_body(server, client):
    assert client.get(server.url + "/no-such-outlet/").status_code == 404
    head = client.head(server.url + "/robots.txt")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(server.site["/robots.txt"][1])


def test_conditional_get_gives_304(server, client):
    url = server.url + "/the-circuit/feed.xml"
    first = client.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    resource = server.site.resources["/the-circuit/feed.xml"]
    earlier = format_datetime(resource.last_modified - timedelta(hours=1), usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    assert server.hits[304] >= 2


def test_feeds_parse_and_link_to_served_pages(server, client):
    pages = {a.url for a in server.site.articles}
    for outlet in server.site.outlets:
        if outlet.feed_url is None or outlet.outlet.feed_format == "broken-rss2":
            continue
        body = client.get(outlet.feed_url).content
        if outlet.outlet.feed_format == "jsonfeed":
            doc = json.loads(body)
            assert doc["version"] == "https://jsonfeed.org/version/1.1"
            links = [item["url"] for item in doc["items"]]
        else:
            parsed = feedparser.parse(body)
            assert not parsed.bozo, outlet.slug
            assert parsed.version in {"rss20", "atom10", "rss10"}
            links = [entry.link for entry in parsed.entries]
            has_content = all("content" in e for e in parsed.entries)
            assert has_content == outlet.outlet.full_content, outlet.slug
        assert links
        for link in links:
            assert client.get(link).status_code == 200, link
            clean = link.split("?")[0]
            assert clean in pages or "/amp/" in clean, link


def test_broken_feed_is_malformed(server, client):
    broken = [o for o in server.site.outlets if o.outlet.feed_format == "broken-rss2"]
    assert len(broken) == 1
    body = client.get(broken[0].feed_url).content
    assert feedparser.parse(body).bozo
    with pytest.raises(ET.ParseError):
        ET.fromstring(body)


def test_sitemap_only_outlet(server, client):
    sitemap_outlets = [o for o in server.site.outlets if o.feed_url is None]
    assert len(sitemap_outlets) == 1
    outlet = sitemap_outlets[0]
    home = lxml.html.fromstring(client.get(outlet.homepage).content)
    assert home.xpath('//link[@rel="alternate"]') == []
    robots = client.get(server.url + "/robots.txt").text
    assert f"Sitemap: {outlet.sitemap_url}" in robots.splitlines()
    root = ET.fromstring(client.get(outlet.sitemap_url).content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "n": "http://www.google.com/schemas/sitemap-news/0.9"}
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    expected = {a.url for a in server.site.articles if a.outlet == outlet.slug}
    assert set(locs) == expected
    assert all(u.find("n:news/n:publication_date", ns) is not None for u in root.findall("s:url", ns))
    # every other outlet announces its feed on its homepage
    for other in server.site.outlets:
        if other.feed_url:
            page = lxml.html.fromstring(client.get(other.homepage).content)
            assert page.xpath('//link[@rel="alternate"]/@href') == [other.feed_url]


def test_robots_disallows_an_unused_private_path(server, client):
    lines = client.get(server.url + "/robots.txt").text.splitlines()
    disallowed = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Disallow:")]
    assert disallowed and all(d for d in disallowed)
    for path in server.site:
        assert not any(path.startswith(d) for d in disallowed), path


def test_opml_lists_every_outlet(server, client):
    root = ET.fromstring(client.get(server.site.opml_url).content)
    outlines = root.findall("./body/outline")
    assert {o.get("htmlUrl") for o in outlines} == {o.homepage for o in server.site.outlets}
    by_home = {o.homepage: o for o in server.site.outlets}
    for outline in outlines:
        outlet = by_home[outline.get("htmlUrl")]
        assert outline.get("xmlUrl") == outlet.feed_url
        assert outline.get("country") == outlet.country
        assert float(outline.get("authority")) == outlet.authority
        assert outline.get("language") == outlet.language


def test_article_pages_have_metadata_and_boilerplate(server, client):
    for article in server.site.articles[:20]:
        page = lxml.html.fromstring(client.get(article.url).content)
        assert page.get("lang") == article.language
        assert page.findtext(".//title").startswith(article.title)
        assert page.xpath('//meta[@property="og:title"]/@content') == [article.title]
        assert page.xpath('//meta[@property="article:published_time"]/@content')
        assert page.xpath('//meta[@name="author"]/@content')
        assert page.xpath("//nav") and page.xpath("//footer") and page.xpath('//*[@id="comments"]')
        assert len(page.xpath("//article//p")) >= 4


def test_tracking_link_and_canonical_page(server, client):
    tracked = [a for a in server.site.articles if "utm_" in a.feed_link]
    assert len(tracked) == 1
    response = client.get(tracked[0].feed_link)
    assert response.status_code == 200 and tracked[0].title in response.text
    aliased = [a for a in server.site.articles if "/amp/" in a.feed_link]
    assert len(aliased) == 1
    page = lxml.html.fromstring(client.get(aliased[0].feed_link).content)
    assert page.xpath('//link[@rel="canonical"]/@href') == [aliased[0].url]
    canonical_pages = [p for p, (ct, body) in server.site.items() if b'rel="canonical"' in body]
    assert len(canonical_pages) == 1


def test_ground_truth_travels_with_the_site(server):
    site = server.site
    assert all(a.event for a in site.articles)
    groups = {a.copy_group for a in site.articles if a.copy_group is not None}
    assert len(groups) == len(site.truth.syndicated)
    assert {o.slug for o in site.outlets} == {a.outlet for a in site.articles}


def test_outlet_path_without_slash_redirects(server, client):
    response = client.get(server.url + "/the-circuit")
    assert response.status_code == 301
    assert response.headers["location"] == server.url + "/the-circuit/"


def test_is_not_modified_rules():
    from datetime import datetime, timezone

    from tidings.demo.server import is_not_modified
    from tidings.demo.site import Resource

    res = Resource("text/plain", b"body", datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc))
    assert is_not_modified(res, res.etag, None)
    assert is_not_modified(res, f'"other", W/{res.etag}', None)
    assert is_not_modified(res, "*", None)
    # If-None-Match wins over If-Modified-Since
    assert not is_not_modified(res, '"other"', "Fri, 20 Nov 2026 12:00:00 GMT")
    assert is_not_modified(res, None, "Fri, 20 Nov 2026 12:00:00 GMT")
    assert is_not_modified(res, None, "Sat, 21 Nov 2026 00:00:00 GMT")
    assert not is_not_modified(res, None, "Fri, 20 Nov 2026 11:59:59 GMT")
    assert not is_not_modified(res, None, "not a date")
    assert not is_not_modified(res, None, None)


def test_rebased_site_needs_a_builder():
    from tidings.demo.corpus import load_corpus
    from tidings.demo.site import assemble_site

    corpus = load_corpus()
    site = assemble_site("http://127.0.0.1:1", corpus.outlets, corpus.articles, corpus.truth)
    assert site.rebased("http://127.0.0.1:1/") is site
    with pytest.raises(ValueError):
        site.rebased("http://127.0.0.1:2")


def test_a_client_that_resets_its_connection_leaves_no_traceback(server, client, capsys):
    """The demo's output is read by people: a fetcher closing a kept-alive connection with a reset is normal."""
    import socket
    import struct
    import time

    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST
        sock.sendall(b"GET /demo-sources.opml HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.05)
        sock.close()
    assert client.get(server.url + "/demo-sources.opml").status_code == 200  # still serving
    time.sleep(0.2)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "ConnectionResetError" not in err
