"""URL canonicalization: one spelling per page, so copies of a link compare equal.

:func:`canonicalize_url` lowercases scheme and host, drops default ports,
fragments and tracking parameters, keeps other query parameters in their
order, normalises percent-encoding (upper-case hex, unreserved characters
decoded) and gives an empty path as ``/``.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMS", "TRACKING_PREFIXES", "canonicalize_url", "is_http_url", "same_site"]

# exact names of query parameters that only track the reader
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "li_fat_id", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "__hssc", "__hstc", "__hsfp", "hsctatracking",
        "ref_src", "ref_url", "_ga", "_gl", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_conv", "vero_id",
        "wickedid", "rb_clickid", "s_cid", "ncid", "cmpid", "srsltid", "at_medium", "at_campaign",
        "spm", "scid", "share_id", "ito", "xtor",
    }
)
# name prefixes of tracking parameters (utm_source, utm_medium, pk_campaign ...)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "piwik_", "matomo_", "hmb_", "ga_")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
# characters that may appear raw in each component; anything else is percent-encoded
_PATH_SAFE = frozenset("/:@!$&'()*+,;=%") | _UNRESERVED
_QUERY_SAFE = frozenset("/:@!$'()*+,;?%") | _UNRESERVED  # '&' and '=' are handled per pair


def _normalize_pct(text: str, safe: frozenset[str]) -> str:
    """Upper-case percent escapes, decode escaped unreserved characters and
    encode characters that must not appear raw (spaces, non-ASCII ...)."""

    def fix_escape(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    text = _PCT.sub(fix_escape, text)
    out: list[str] = []
    for i, char in enumerate(text):
        if char in safe:
            if char == "%" and not _PCT.match(text, i):
                out.append("%25")
            else:
                out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _clean_query(query: str) -> str:
    kept: list[str] = []
    for pair in query.split("&"):
        if not pair:
            continue
        name, sep, value = pair.partition("=")
        decoded_name = _PCT.sub(lambda m: chr(int(m.group(1), 16)), name).replace("+", " ")
        if _is_tracking(decoded_name):
            continue
        kept.append(_normalize_pct(name, _QUERY_SAFE) + sep + _normalize_pct(value, _QUERY_SAFE | {"="}))
    return "&".join(kept)


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if host and not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return host


def canonicalize_url(url: str, base: str | None = None) -> str:
    """The canonical spelling of ``url`` (resolved against ``base`` when relative).

    Non-http(s) URLs only get their scheme lowercased and fragment dropped.
    Raises :class:`ValueError` for a URL that cannot be split (bad port, bad IPv6).
    """
    text = url.strip()
    if base:
        text = urljoin(base, text)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    host = _host(parts.hostname or "")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port  # raises ValueError for a bad port
    netloc = host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    path = _normalize_pct(parts.path, _PATH_SAFE) or "/"
    query = _clean_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def is_http_url(url: object) -> bool:
    """True for an absolute ``http://`` or ``https://`` URL with a host."""
    if not isinstance(url, str) or not url.strip():
        return False
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        return False
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)


def _site(host: str) -> str:
    """A crude registrable domain: the last two labels, three when the second-level
    label is short (``bbc.co.uk``, ``abc.net.au``)."""
    labels = [label for label in host.lower().rstrip(".").split(".") if label]
    if len(labels) <= 2 or labels[-1].isdigit():
        return ".".join(labels)
    if len(labels[-2]) <= 3 and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(a: str, b: str) -> bool:
    """True when two http(s) URLs belong to the same site (``www.`` and other
    subdomains of one registrable domain count as the same site)."""
    if not (is_http_url(a) and is_http_url(b)):
        return False
    host_a = urlsplit(a).hostname or ""
    host_b = urlsplit(b).hostname or ""
    return _site(host_a) == _site(host_b)


def absolute_http_url(link: str | None, base: str) -> str | None:
    """``link`` resolved against ``base`` when the result is an http(s) URL with a host, else ``None``."""
    if not link:
        return None
    try:
        url = urljoin(base, link)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url
