"""robots.txt through the fetcher: disallow respected, Sitemap lines read, the
4xx / 5xx rules, caching, and Crawl-delay."""

from __future__ import annotations

import pytest

from tests.fetch.conftest import make_config
from tests.loopback import Reply
from tidings.fetch import Fetcher, FetchError
from tidings.fetch.robots import origin_of, product_token, robots_url

ROBOTS = """\
User-agent: SomeOtherBot
Disallow: /

User-agent: *
Disallow: /private
Allow: /private/press
Disallow: /*.pdf$

Sitemap: https://news.example/sitemap.xml
Sitemap: https://news.example/news-sitemap.xml
"""


def robots_reply(text: str = ROBOTS, status: int = 200) -> Reply:
    return Reply(status, body=text, content_type="text/plain")


async def test_disallowed_path_refused_and_never_requested(server, config):
    server.route("/robots.txt", robots_reply())
    server.route("/private/memo", Reply(body="internal"))
    server.route("/private/press/release", Reply(body="press release"))
    server.route("/public", Reply(body="public"))
    async with Fetcher(config) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get(server.url("/private/memo"))
        assert caught.value.kind == "robots"
        with pytest.raises(FetchError):
            await fetcher.get(server.url("/report.pdf"))
        assert (await fetcher.get(server.url("/private/press/release"))).text == "press release"
        assert (await fetcher.get(server.url("/public"))).text == "public"
        # the caller may skip robots.txt for URLs it was explicitly given (a feed URL typed by the owner)
        assert (await fetcher.get(server.url("/private/memo"), check_robots=False)).text == "internal"
    paths = [r.path for r in server.requests]
    assert paths.count("/robots.txt") == 1  # cached for the origin
    assert paths.count("/private/memo") == 1  # only the robots-skipping request reached it
    assert "/report.pdf" not in paths


async def test_sitemap_lines_exposed(server, config):
    server.route("/robots.txt", robots_reply())
    async with Fetcher(config) as fetcher:
        assert await fetcher.sitemaps(server.url("/any/page")) == [
            "https://news.example/sitemap.xml",
            "https://news.example/news-sitemap.xml",
        ]
        assert await fetcher.robots.sitemaps(server.url("/")) == await fetcher.sitemaps(server.url("/"))


async def test_rules_for_our_own_user_agent_group(server):
    config = make_config(user_agent="Tidings/9.9 (+https://example.org/bot)")
    server.route("/robots.txt", robots_reply("User-agent: tidings\nDisallow: /nope\n\nUser-agent: *\nDisallow: /\n"))
    server.route("/yes", Reply(body="ok"))
    async with Fetcher(config) as fetcher:
        assert (await fetcher.get(server.url("/yes"))).text == "ok"
        with pytest.raises(FetchError) as caught:
            await fetcher.get(server.url("/nope"))
    assert caught.value.kind == "robots"


@pytest.mark.parametrize("status", [401, 403, 404, 410])
async def test_robots_4xx_means_allow_all(server, config, status):
    server.route("/robots.txt", robots_reply("User-agent: *\nDisallow: /\n", status=status))
    server.route("/page", Reply(body="fine"))
    async with Fetcher(config) as fetcher:
        assert (await fetcher.get(server.url("/page"))).text == "fine"


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_robots_5xx_or_429_means_disallow_for_now(server, config, status):
    server.route("/robots.txt", robots_reply("", status=status))
    server.route("/page", Reply(body="fine"))
    async with Fetcher(config) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get(server.url("/page"))
    assert caught.value.kind == "robots"
    assert str(status) in str(caught.value)
    assert "/page" not in [r.path for r in server.requests]


async def test_unreachable_origin_reports_the_network_error(config):
    async def nowhere(host: str, port: int) -> list[str]:
        import socket

        raise socket.gaierror(-2, "Name or service not known")

    async with Fetcher(config, resolver=nowhere) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get("http://gone.example/feed.xml")
    assert caught.value.kind == "dns"
    assert caught.value.url == "http://gone.example/feed.xml"


async def test_robots_redirect_followed(server, config):
    server.route("/robots.txt", Reply(301, headers={"Location": "/real-robots.txt"}))
    server.route("/real-robots.txt", robots_reply("User-agent: *\nDisallow: /hidden\n"))
    async with Fetcher(config) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get(server.url("/hidden"))
    assert caught.value.kind == "robots"


async def test_robots_ttl_expiry_fetches_again(server):
    server.route("/robots.txt", robots_reply("User-agent: *\nDisallow:\n"))
    server.route("/p", Reply(body="p"))
    async with Fetcher(make_config(), robots_ttl=0.0) as fetcher:
        await fetcher.get(server.url("/p"))
        await fetcher.get(server.url("/p"))
    assert [r.path for r in server.requests].count("/robots.txt") == 2


async def test_crawl_delay_reported(server, config):
    server.route("/robots.txt", robots_reply("User-agent: *\nCrawl-delay: 0.2\nDisallow:\n"))
    async with Fetcher(config) as fetcher:
        rules = await fetcher.robots_rules(server.url("/"))
    assert rules.crawl_delay == 0.2 and rules.status == 200


def test_helpers():
    assert product_token("Tidings/0.1.0 (+https://x)") == "Tidings"
    assert origin_of("HTTPS://News.Example:443/a/b?c") == "https://news.example"
    assert origin_of("http://127.0.0.2:8080/x") == "http://127.0.0.2:8080"
    assert robots_url("http://[::1]:81/x") == "http://[::1]:81/robots.txt"
