"""The fetcher against real loopback HTTP servers: conditional GET, encodings,
limits, timeouts, redirects, status errors and charsets."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
import zlib

import brotli
import pytest

from tests.fetch.conftest import HOST, make_config
from tests.loopback import LoopbackServer, Reply, Request
from tidings.fetch import Fetcher, FetchError, fetch_sync

TEXT = "Le président a annoncé une réforme très contestée ; les syndicats réagissent à Paris. " * 20


async def get(config, url, **kwargs):
    async with Fetcher(config) as fetcher:
        return await fetcher.get(url, **kwargs)


async def test_plain_get_reports_status_headers_text_and_user_agent(server, config):
    server.route("/page", Reply(body=TEXT, headers={"ETag": '"v1"', "Last-Modified": "Mon, 02 Nov 2026 10:00:00 GMT"}))
    result = await get(config, server.url("/page"))
    assert result.status == 200
    assert result.text == TEXT
    assert result.body == TEXT.encode("utf-8")
    assert result.encoding == "utf-8"
    assert result.content_type == "text/html"
    assert result.etag == '"v1"'
    assert result.last_modified == "Mon, 02 Nov 2026 10:00:00 GMT"
    assert result.final_url == server.url("/page")
    page_requests = [r for r in server.requests if r.path == "/page"]
    assert page_requests[0].headers["user-agent"] == config.user_agent
    assert "br" in page_requests[0].headers["accept-encoding"]


def conditional_handler(request: Request) -> Reply:
    etag, stamp = '"abc123"', "Tue, 03 Nov 2026 08:00:00 GMT"
    if request.headers.get("if-none-match") == etag or request.headers.get("if-modified-since") == stamp:
        return Reply(304, b"", headers={"ETag": etag}, content_type=None)
    return Reply(body="fresh body", headers={"ETag": etag, "Last-Modified": stamp})


async def test_unchanged_etag_gives_304_result(server, config):
    server.route("/feed", conditional_handler)
    first = await get(config, server.url("/feed"))
    assert first.status == 200 and first.etag == '"abc123"'
    again = await get(config, server.url("/feed"), etag=first.etag)
    assert again.status == 304 and again.not_modified
    assert again.body == b"" and again.text is None
    assert again.etag == '"abc123"'


async def test_unchanged_last_modified_gives_304_result(server, config):
    server.route("/feed", conditional_handler)
    result = await get(config, server.url("/feed"), last_modified="Tue, 03 Nov 2026 08:00:00 GMT")
    assert result.not_modified
    assert result.last_modified == "Tue, 03 Nov 2026 08:00:00 GMT"  # kept from the request
    changed = await get(config, server.url("/feed"), last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    assert changed.status == 200 and changed.text == "fresh body"


@pytest.mark.parametrize(
    "encoding, encode",
    [
        ("gzip", gzip.compress),
        ("br", brotli.compress),
        ("deflate", zlib.compress),
        ("gzip, br", lambda data: brotli.compress(gzip.compress(data))),
    ],
)
async def test_compressed_bodies_are_decoded(server, config, encoding, encode):
    raw = TEXT.encode("utf-8")
    server.route("/z", Reply(body=encode(raw), headers={"Content-Encoding": encoding}))
    result = await get(config, server.url("/z"))
    assert result.body == raw
    assert result.text == TEXT
    assert "content-encoding" not in result.headers


def endless(size: int, piece: bytes = b"x" * 65536):
    sent = 0
    while sent < size:
        yield piece
        sent += len(piece)


async def test_50_megabyte_body_refused_early_without_buffering(server, config):
    server.route("/huge", Reply(chunks=endless(50_000_000), content_type="application/octet-stream"))
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FetchError) as caught:
            await get(config, server.url("/huge"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.kind == "too_large"
    assert time.monotonic() - started < 2.0
    assert peak < 10_000_000  # the 1 MB cap plus pieces, nowhere near 50 MB


async def test_announced_length_over_limit_refused_before_reading(server, config):
    server.route("/big", Reply(body=b"y" * 1_500_000))
    with pytest.raises(FetchError) as caught:
        await get(config, server.url("/big"))
    assert caught.value.kind == "too_large"
    assert "Content-Length" in str(caught.value)


def zero_bomb_gzip(size: int) -> bytes:
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    block = b"\0" * 1_000_000
    return b"".join(packer.compress(block) for _ in range(size // len(block))) + packer.flush()


@pytest.mark.parametrize("encoding", ["gzip", "br"])
async def test_decompression_bomb_refused_without_inflating_it(server, config, encoding):
    bomb = zero_bomb_gzip(50_000_000) if encoding == "gzip" else brotli.compress(b"\0" * 50_000_000, quality=1)
    assert len(bomb) < 300_000
    server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": encoding}))
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            await get(config, server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.kind == "too_large"
    assert peak < 10_000_000


async def test_corrupt_gzip_is_a_decode_error(server, config):
    server.route("/bad", Reply(body=b"\x1f\x8b\x08\x00garbage-that-is-not-deflate", headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError) as caught:
        await get(config, server.url("/bad"))
    assert caught.value.kind == "decode"


async def test_dripping_server_cut_off_by_total_timeout(server):
    config = make_config(timeout=1.0)
    server.route("/drip", Reply(chunks=(b"x" for _ in range(60)), delay=1.0))
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        await get(config, server.url("/drip"), check_robots=False)
    elapsed = time.monotonic() - started
    assert caught.value.kind == "timeout"
    assert 0.9 <= elapsed < 3.0  # the whole drip would take a minute


async def test_redirects_followed_to_final_url(server, config):
    server.route("/old", Reply(301, headers={"Location": "/mid"}))
    server.route("/mid", Reply(302, headers={"Location": server.url("/new")}))
    server.route("/new", Reply(body="arrived"))
    result = await get(config, server.url("/old"))
    assert result.text == "arrived"
    assert result.url == server.url("/old")
    assert result.final_url == server.url("/new")


async def test_redirect_loop_detected(server, config):
    server.route("/a", Reply(302, headers={"Location": "/b"}))
    server.route("/b", Reply(302, headers={"Location": "/a"}))
    with pytest.raises(FetchError) as caught:
        await get(config, server.url("/a"))
    assert caught.value.kind == "too_many_redirects"
    assert "loop" in str(caught.value)
    assert len([r for r in server.requests if r.path in {"/a", "/b"}]) == 2


async def test_redirect_chain_longer_than_limit_refused(server):
    config = make_config(max_redirects=3)
    server.route("/hop", lambda req: Reply(302, headers={"Location": f"/hop?n={int(req.query['n'][0]) + 1}"}))
    with pytest.raises(FetchError) as caught:
        await get(config, server.url("/hop?n=0"))
    assert caught.value.kind == "too_many_redirects"
    assert len([r for r in server.requests if r.path == "/hop"]) == 4  # the first request and 3 redirects


async def test_redirect_to_loopback_refused_and_never_contacted(server, config):
    with LoopbackServer(host="127.0.0.1") as internal:
        internal.route("/admin", Reply(body="secret"))
        server.route("/go", Reply(302, headers={"Location": internal.url("/admin")}))
        with pytest.raises(FetchError) as caught:
            await get(config, server.url("/go"))
        assert caught.value.kind == "blocked"
        assert "loopback" in str(caught.value)
        assert caught.value.url == internal.url("/admin")
        assert internal.requests == []


async def test_redirect_to_cloud_metadata_refused(server, config):
    server.route("/go", Reply(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}))
    with pytest.raises(FetchError) as caught:
        await get(config, server.url("/go"), check_robots=False)
    assert caught.value.kind == "blocked"
    assert "169.254.169.254" in str(caught.value)


async def test_redirect_to_other_scheme_refused(server, config):
    server.route("/go", Reply(302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(FetchError) as caught:
        await get(config, server.url("/go"))
    assert caught.value.kind == "invalid_url"


@pytest.mark.parametrize("status", [404, 410, 500, 502])
async def test_error_statuses_raise_http_kind(server, config, status):
    server.route("/x", Reply(status, b"nope"))
    with pytest.raises(FetchError) as caught:
        await get(config, server.url("/x"))
    assert caught.value.kind == "http"
    assert caught.value.status == status
    assert caught.value.retry_after is None


async def test_retry_after_surfaced_on_429_and_503(server, config):
    server.route("/slow", Reply(429, b"", headers={"Retry-After": "120"}))
    server.route("/down", Reply(503, b"", headers={"Retry-After": "Fri, 31 Dec 2100 23:59:59 GMT"}))
    with pytest.raises(FetchError) as slow:
        await get(config, server.url("/slow"))
    assert slow.value.status == 429 and slow.value.retry_after == 120.0
    with pytest.raises(FetchError) as down:
        await get(config, server.url("/down"))
    assert down.value.status == 503 and down.value.retry_after > 365 * 86400


async def test_refused_connection_is_connect_kind(config):
    import socket

    with socket.socket() as probe:  # a port on 127.0.0.2 with nobody listening
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        await get(config, f"http://{HOST}:{port}/", check_robots=False)
    assert caught.value.kind == "connect"


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "not a url", "http:///nohost", "javascript:alert(1)"])
async def test_invalid_urls(config, url):
    with pytest.raises(FetchError) as caught:
        await get(config, url)
    assert caught.value.kind == "invalid_url"


CHARSET_CASES = [
    # (path, body bytes, content type, expected text)
    ("/latin1-declared-utf8", TEXT.encode("latin-1"), "text/html; charset=utf-8", TEXT),
    ("/cp1252-no-charset", ("<p>" + TEXT + " “L’été” coûte 5 €.</p>").encode("cp1252"), "text/html",
     "<p>" + TEXT + " “L’été” coûte 5 €.</p>"),
    ("/utf8-declared-latin1", TEXT.encode("utf-8"), "text/html; charset=ISO-8859-1", TEXT),
    ("/sjis-no-charset",
     ("<p>東京都は水曜日、人工知能の新しい規制案を発表した。専門家によると、規則は来年施行される予定だという。</p>").encode("shift_jis"),
     "text/html", "<p>東京都は水曜日、人工知能の新しい規制案を発表した。専門家によると、規則は来年施行される予定だという。</p>"),
    ("/sjis-meta", ('<html><head><meta charset="shift_jis"></head><body>日本語のニュース記事です。</body></html>').encode("shift_jis"),
     "text/html", '<html><head><meta charset="shift_jis"></head><body>日本語のニュース記事です。</body></html>'),
    ("/xml-decl", ('<?xml version="1.0" encoding="windows-1251"?><rss><title>Новости дня</title></rss>').encode("cp1251"),
     "application/rss+xml", '<?xml version="1.0" encoding="windows-1251"?><rss><title>Новости дня</title></rss>'),
    ("/bom-utf16", "\ufeffBonjour à tous".encode("utf-16-le"), "text/plain; charset=iso-8859-1", "Bonjour à tous"),
]


@pytest.mark.parametrize("path, body, content_type, expected", CHARSET_CASES, ids=[c[0] for c in CHARSET_CASES])
async def test_wrong_and_missing_charsets_decoded(server, config, path, body, content_type, expected):
    server.route(path, Reply(body=body, content_type=content_type))
    result = await get(config, server.url(path))
    assert result.text == expected


async def test_binary_body_has_no_text(server, config):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    server.route("/img", Reply(body=png, content_type="image/png"))
    result = await get(config, server.url("/img"))
    assert result.body == png and result.text is None


def test_fetch_sync_for_one_off_use(server, config):
    server.route("/one", Reply(body="once"))
    result = fetch_sync(server.url("/one"), config)
    assert result.status == 200 and result.text == "once"


async def test_get_outside_context_manager_is_an_error(config):
    fetcher = Fetcher(config)
    with pytest.raises(RuntimeError):
        await fetcher.get("http://127.0.0.2/")
    await asyncio.sleep(0)


async def test_cookie_setting_redirect_back_to_the_same_url_is_not_a_loop(server, config):
    """The consent-wall pattern: the page redirects to itself once, setting a cookie."""

    def consent(request: Request) -> Reply:
        if "consent=yes" in request.headers.get("cookie", ""):
            return Reply(body="the article")
        return Reply(302, headers={"Location": "/article", "Set-Cookie": "consent=yes; Path=/"})

    server.route("/article", consent)
    result = await get(config, server.url("/article"))
    assert result.text == "the article"
    server.route("/stubborn", Reply(302, headers={"Location": "/stubborn", "Set-Cookie": "x=1; Path=/"}))
    with pytest.raises(FetchError) as caught:
        await get(config, server.url("/stubborn"))
    assert caught.value.kind == "too_many_redirects"
