"""The one error type the fetcher raises: :class:`FetchError`, with a ``kind``.

Callers branch on ``kind`` (a source that answers 404 is handled differently from
one that times out), log ``str(error)``, and back off using ``retry_after`` when
the server sent one.
"""

from __future__ import annotations

from typing import Literal, get_args

FetchErrorKind = Literal[
    "invalid_url",  # not an absolute http(s) URL
    "blocked",  # the SSRF guard refused the address
    "robots",  # robots.txt disallows the URL for our user agent
    "dns",  # the host name did not resolve
    "connect",  # the connection failed or broke off
    "timeout",  # connect timeout or the total deadline passed
    "too_large",  # the (decoded) body is larger than max_bytes
    "too_many_redirects",  # more than max_redirects hops, or a loop
    "http",  # a status other than 2xx or 304; see ``status``
    "decode",  # the content encoding (gzip, br ...) is corrupt
]

KINDS: frozenset[str] = frozenset(get_args(FetchErrorKind))


class FetchError(Exception):
    """A fetch that failed; ``kind`` says how, ``url`` which URL (the hop that failed)."""

    def __init__(
        self,
        kind: FetchErrorKind,
        url: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fetch error kind {kind!r}")
        super().__init__(message)
        self.kind: FetchErrorKind = kind
        self.url = url
        self.message = message
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.kind}: {self.message} ({self.url})"

    def __repr__(self) -> str:
        extra = f", status={self.status}" if self.status is not None else ""
        return f"FetchError({self.kind!r}, {self.url!r}, {self.message!r}{extra})"
