"""canonicalize_url, is_http_url and same_site."""

from __future__ import annotations

import pytest

from tidings.urls import canonicalize_url, is_http_url, same_site


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM", "http://example.com/"),
        ("https://EXAMPLE.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/story#comments", "https://example.com/story"),
        (
            "https://example.com/s?utm_source=rss&id=7&utm_medium=feed&fbclid=abc&page=2&gclid=x",
            "https://example.com/s?id=7&page=2",
        ),
        ("https://example.com/s?b=2&a=1", "https://example.com/s?b=2&a=1"),  # order kept
        ("https://example.com/s?mc_cid=1&mc_eid=2&igshid=3&_hsenc=4&_hsmi=5&ref_src=6&yclid=7&dclid=8&msclkid=9", "https://example.com/s"),
        ("https://example.com/s?UTM_Campaign=x&q=1", "https://example.com/s?q=1"),
        ("https://example.com/a%7eb/%e2%82%ac", "https://example.com/a~b/%E2%82%AC"),
        ("https://example.com/café au lait", "https://example.com/caf%C3%A9%20au%20lait"),
        ("https://example.com/s?q=a%2fb", "https://example.com/s?q=a%2Fb"),
        ("https://example.com?", "https://example.com/"),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
        ("https://example.com./a", "https://example.com/a"),
    ],
)
def test_canonicalize(raw: str, expected: str) -> None:
    assert canonicalize_url(raw) == expected


def test_canonicalize_is_idempotent() -> None:
    once = canonicalize_url("HTTPS://Example.com:443/a%7e/b c?utm_source=x&z=%c3%a9#f")
    assert canonicalize_url(once) == once


def test_relative_against_base() -> None:
    assert canonicalize_url("../b?utm_term=x", base="https://example.com/news/a/") == "https://example.com/news/b"
    assert canonicalize_url("//cdn.example.com/x.jpg", base="https://example.com/") == "https://cdn.example.com/x.jpg"


def test_bad_port_raises() -> None:
    with pytest.raises(ValueError):
        canonicalize_url("http://example.com:99999/")


def test_is_http_url() -> None:
    assert is_http_url("https://example.com/a")
    assert is_http_url("HTTP://example.com")
    assert not is_http_url("/relative/path")
    assert not is_http_url("ftp://example.com/file")
    assert not is_http_url("javascript:alert(1)")
    assert not is_http_url("https://")
    assert not is_http_url("http://example.com:notaport/")
    assert not is_http_url(None)


def test_same_site() -> None:
    assert same_site("https://www.example.com/a", "https://example.com/b")
    assert same_site("https://news.bbc.co.uk/a", "https://www.bbc.co.uk/b")
    assert not same_site("https://example.com/a", "https://example.org/a")
    assert not same_site("https://bbc.co.uk/", "https://itv.co.uk/")
    assert not same_site("https://example.com/a", "/a")
