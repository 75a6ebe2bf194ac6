"""Peers that break HTTP: endless headers, a body cut short, a server that never answers."""

from __future__ import annotations

import socket
import time

import pytest

from tests.fetch.conftest import make_config
from tests.fetch.rawserver import RawServer
from tidings.fetch import Fetcher, FetchError


async def fetch(url: str, **overrides: object):
    async with Fetcher(make_config(**overrides)) as fetcher:
        return await fetcher.get(url, check_robots=False)


def endless_headers(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    for n in range(100_000):
        conn.sendall(b"X-Filler-%d: %s\r\n" % (n, b"a" * 200))


def cut_short(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nonly this much")


def silent(conn: socket.socket) -> None:
    time.sleep(3)


def garbage(conn: socket.socket) -> None:
    conn.sendall(b"\x00\x01\x02 this is not HTTP at all\r\n\r\n")


async def test_endless_headers_refused_quickly():
    with RawServer(endless_headers) as server:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            await fetch(server.url())
    assert caught.value.kind == "connect"
    assert time.monotonic() - started < 2.0


async def test_body_cut_short_is_an_error_not_a_short_page():
    with RawServer(cut_short) as server:
        with pytest.raises(FetchError) as caught:
            await fetch(server.url())
    assert caught.value.kind == "connect"


async def test_silent_server_hits_the_deadline():
    with RawServer(silent) as server:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            await fetch(server.url(), timeout=0.5)
    assert caught.value.kind == "timeout"
    assert time.monotonic() - started < 2.0


async def test_not_http_at_all():
    with RawServer(garbage) as server:
        with pytest.raises(FetchError) as caught:
            await fetch(server.url())
    assert caught.value.kind == "connect"
