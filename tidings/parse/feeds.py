"""Feed parsing: RSS 0.9x / 1.0 (RDF) / 2.0, Atom, JSON Feed 1.0 / 1.1, and sitemaps.

:func:`parse_feed` looks at the document and dispatches: JSON Feed is read
here with :mod:`json`; sitemaps go to :mod:`tidings.parse.sitemaps`; RSS and
Atom go to feedparser, but only after :func:`tidings.parse.safexml.screen_xml`
has refused any document that declares entities (billion laughs, XXE), and
always as an in-memory stream (feedparser given a string would fetch it as a
URL or open it as a file name).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import feedparser

from tidings.parse.safexml import (
    ParseError,
    UnsafeXMLError,
    as_utf8,
    maybe_gunzip,
    root_name,
    screen_xml,
    to_bytes,
)
from tidings.parse.text import html_to_text
from tidings.records import FeedEntry, ParsedFeed
from tidings.timeutil import from_struct_time, parse_datetime
from tidings.urls import absolute_http_url

__all__ = ["ParseError", "UnsafeXMLError", "detect_kind", "parse_feed", "parse_json_feed", "unique_entries"]

_HTML_ROOT = re.compile(rb"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)
_BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_JSON_TYPES = ("application/feed+json", "application/json")


# --- small helpers ---------------------------------------------------------


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _language(value: Any) -> str | None:
    """``en-US`` -> ``en``; ``None`` for nothing usable."""
    text = _clean(value)
    if not text:
        return None
    primary = re.split(r"[-_\s]", text, maxsplit=1)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _absolute(link: Any, base: str) -> str | None:
    """An absolute http(s) URL for ``link`` resolved against ``base``, else ``None``."""
    return absolute_http_url(_clean(link), base)


def unique_entries(entries: Iterable[FeedEntry]) -> list[FeedEntry]:
    """Drop entries whose guid or URL was already seen, keeping the first."""
    seen: set[str] = set()
    kept: list[FeedEntry] = []
    for entry in entries:
        keys = {f"url:{entry.url}"}
        if entry.guid:
            keys.add(f"guid:{entry.guid}")
        if keys & seen:
            continue
        seen |= keys
        kept.append(entry)
    return kept


def detect_kind(body: bytes, content_type: str | None = None) -> str:
    """``"json"``, ``"sitemap"`` or ``"xml"`` (RSS/Atom or unknown) for a raw document."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    ctype = (content_type or "").split(";")[0].strip().lower()
    if head.startswith((b"{", b"[")) or (ctype in _JSON_TYPES and not head.startswith(b"<")):
        return "json"
    if root_name(body[:65536]) in ("urlset", "sitemapindex"):
        return "sitemap"
    return "xml"


# --- JSON Feed ---------------------------------------------------------------


def _raw(entry: Mapping[str, Any], key: str) -> Any:
    """A key as the feed gave it: ``dict.get`` skips FeedParserDict's aliasing (updated -> published)."""
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _json_author(item: Mapping[str, Any]) -> str | None:
    authors = item.get("authors")
    if isinstance(authors, list):
        names = [n for a in authors if isinstance(a, Mapping) if (n := _clean(a.get("name")))]
        if names:
            return ", ".join(names)
    author = item.get("author")
    if isinstance(author, Mapping):
        return _clean(author.get("name"))
    if isinstance(author, str):
        return _clean(author)
    return None


def parse_json_feed(body: bytes | str, url: str) -> ParsedFeed:
    """Parse a JSON Feed (https://jsonfeed.org, versions 1.0 and 1.1)."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict) or "items" not in data and "jsonfeed.org" not in str(data.get("version", "")):
        raise ParseError("JSON document is not a JSON Feed (no 'version' naming jsonfeed.org and no 'items')")
    items = data.get("items") or []
    if not isinstance(items, list):
        raise ParseError("JSON Feed 'items' is not a list")
    base = _absolute(data.get("feed_url"), url) or url
    feed_language = _language(data.get("language"))
    feed_author = _json_author(data)
    entries: list[FeedEntry] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = _absolute(item.get("url"), base) or _absolute(item.get("external_url"), base)
        raw_id = item.get("id")
        guid = _clean(raw_id) if raw_id is not None else None
        if link is None and guid:
            link = _absolute(guid, base) if guid.startswith(("http://", "https://")) else None
        if link is None:
            continue
        content_html = item.get("content_html") if isinstance(item.get("content_html"), str) else None
        content_text = item.get("content_text") if isinstance(item.get("content_text"), str) else None
        if content_html is None and content_text:
            # keep plain text as an HTML fragment so downstream treats both alike
            content_html = "".join(f"<p>{_escape(p)}</p>" for p in content_text.split("\n\n") if p.strip())
        summary = _clean(item.get("summary")) or (
            _first_chars(html_to_text(content_html, paragraphs=False)) if content_html else None
        )
        entries.append(
            FeedEntry(
                url=link,
                guid=guid or link,
                title=_clean(html_to_text(item.get("title"), paragraphs=False)) if item.get("title") else None,
                summary=summary,
                content_html=content_html or None,
                author=_json_author(item) or feed_author,
                published=parse_datetime(item.get("date_published")),
                updated=parse_datetime(item.get("date_modified")),
                language=_language(item.get("language")) or feed_language,
                image=_absolute(item.get("image"), base) or _absolute(item.get("banner_image"), base),
            )
        )
    return ParsedFeed(
        kind="jsonfeed",
        title=_clean(data.get("title")),
        homepage=_absolute(data.get("home_page_url"), base),
        language=feed_language,
        entries=entries,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _first_chars(text: str, limit: int = 500) -> str | None:
    if not text:
        return None
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


# --- RSS and Atom through feedparser ----------------------------------------------


def _fp_image(entry: Mapping[str, Any], base: str) -> str | None:
    for media in entry.get("media_content") or []:
        mtype = str(media.get("type") or "")
        medium = str(media.get("medium") or "")
        if medium == "image" or mtype.startswith("image/") or (not mtype and not medium):
            if url := _absolute(media.get("url"), base):
                return url
    for thumb in entry.get("media_thumbnail") or []:
        if url := _absolute(thumb.get("url"), base):
            return url
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and str(link.get("type") or "").startswith("image/"):
            if url := _absolute(link.get("href"), base):
                return url
    for enclosure in entry.get("enclosures") or []:
        if str(enclosure.get("type") or "").startswith("image/"):
            if url := _absolute(enclosure.get("href") or enclosure.get("url"), base):
                return url
    image = entry.get("image")
    if isinstance(image, Mapping):
        return _absolute(image.get("href") or image.get("url"), base)
    return None


def _fp_author(entry: Mapping[str, Any]) -> str | None:
    detail = entry.get("author_detail")
    if isinstance(detail, Mapping) and _clean(detail.get("name")):
        return _clean(detail.get("name"))
    authors = entry.get("authors")
    if isinstance(authors, list):
        names = [n for a in authors if isinstance(a, Mapping) if (n := _clean(a.get("name")))]
        if names:
            return ", ".join(dict.fromkeys(names))
    return _clean(entry.get("author"))


def _fp_content(entry: Mapping[str, Any]) -> str | None:
    best: str | None = None
    for part in entry.get("content") or []:
        value = part.get("value")
        if isinstance(value, str) and value.strip():
            if "html" not in str(part.get("type") or "html"):
                value = "".join(f"<p>{_escape(p)}</p>" for p in value.split("\n\n") if p.strip())
            if best is None or len(value) > len(best):
                best = value
    return best


def _fp_entry(entry: Mapping[str, Any], base: str, feed_language: str | None) -> FeedEntry | None:
    guid = _clean(entry.get("id"))
    link = _absolute(entry.get("link"), base)
    if link is None:
        for candidate in entry.get("links") or []:
            if candidate.get("rel", "alternate") == "alternate" and (url := _absolute(candidate.get("href"), base)):
                link = url
                break
    if link is None and guid and guid.lower().startswith(("http://", "https://")):
        link = _absolute(guid, base)
    if link is None:
        return None
    summary_html = entry.get("summary")
    summary = html_to_text(summary_html, paragraphs=False) if isinstance(summary_html, str) else None
    content_html = _fp_content(entry)
    title = entry.get("title")
    language = None
    for part in entry.get("content") or []:
        language = language or _language(part.get("language"))
    detail = entry.get("title_detail")
    if isinstance(detail, Mapping):
        language = language or _language(detail.get("language"))
    return FeedEntry(
        url=link,
        guid=guid or link,
        title=html_to_text(title, paragraphs=False) or None if isinstance(title, str) else None,
        summary=summary or None,
        content_html=content_html,
        author=_fp_author(entry),
        # RSS 1.0's dc:date and Atom's required <updated> stand in for a missing publication date
        # dict.get reads the raw keys, not feedparser's deprecated updated->published aliasing
        published=from_struct_time(
            _raw(entry, "published_parsed") or _raw(entry, "created_parsed") or _raw(entry, "updated_parsed")
        ),
        updated=from_struct_time(_raw(entry, "updated_parsed") or _raw(entry, "published_parsed")),
        language=_language(entry.get("language")) or _language(entry.get("dc_language")) or language or feed_language,
        image=_fp_image(entry, base),
    )


def _parse_with_feedparser(body: bytes, url: str, content_type: str | None) -> ParsedFeed:
    screen_xml(body)  # refuse entity declarations before feedparser sees the bytes
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        result = feedparser.parse(
            io.BytesIO(body),
            response_headers=headers,
            resolve_relative_uris=True,
            sanitize_html=True,
        )
    except Exception as exc:  # feedparser's own bugs on hostile bytes (found by benchmarks/fuzz.py):
        # chr() of a character reference beyond U+10FFFF, lone surrogates, undecodable bytes
        raise ParseError(f"{url}: not a readable feed ({type(exc).__name__}: {str(exc)[:200]})") from None
    version = str(result.get("version") or "")
    entries_raw = result.get("entries") or []
    if not version and not entries_raw:
        problem = result.get("bozo_exception")
        detail = f": {problem}" if problem else ""
        if _HTML_ROOT.match(body[:4096]):
            raise ParseError(f"{url}: this is an HTML page, not a feed")
        raise ParseError(f"{url}: not a readable RSS or Atom feed{detail}")
    feed = result.get("feed") or {}
    base = url
    feed_language = _language(feed.get("language"))
    entries = [e for e in (_fp_entry(raw, base, feed_language) for raw in entries_raw) if e is not None]
    kind = "atom" if version.startswith("atom") else "rss"
    if not version and entries_raw:
        kind = "atom" if b"http://www.w3.org/2005/Atom" in body[:4096] else "rss"
    warnings = _warnings(result)
    if warnings and not entries:
        # broken XML is only worth reading leniently when that gives something to read
        raise ParseError(f"{url}: broken XML with no readable entries: {warnings[0].split(': ', 1)[-1]}")
    title = feed.get("title")
    return ParsedFeed(
        kind=kind,
        title=html_to_text(title, paragraphs=False) or None if isinstance(title, str) else None,
        homepage=_absolute(feed.get("link"), url),
        language=feed_language,
        entries=entries,
        warnings=warnings,
    )


def _warnings(result: Mapping[str, Any]) -> list[str]:
    """feedparser's ``bozo`` problem as a warning when the XML itself was broken
    (read by the lenient parser); a mislabelled charset or content type is no warning."""
    if not result.get("bozo"):
        return []
    problem = result.get("bozo_exception")
    if isinstance(problem, _BENIGN_BOZO):
        return []
    return [f"malformed XML, read leniently: {problem}" if problem else "malformed XML, read leniently"]


# --- entry point ----------------------------------------------------------------


def parse_feed(body: bytes | str, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a feed (or sitemap) fetched from ``url``.

    Entry URLs come back absolute (resolved against ``url``), dates as aware
    UTC datetimes, summaries as plain text. Duplicate GUIDs are kept as they
    come (see :func:`unique_entries`). Raises :class:`ParseError` when the
    document is not a feed at all, :class:`UnsafeXMLError` (a ``ParseError``)
    when it declares XML entities.
    """
    if isinstance(body, str):
        raw = to_bytes(body)
        if content_type and "charset" in content_type:
            content_type = content_type.split(";")[0] + "; charset=utf-8"
        elif content_type is None or "xml" in content_type or "rss" in content_type or "atom" in content_type:
            content_type = (content_type or "application/xml").split(";")[0] + "; charset=utf-8"
    else:
        raw = bytes(body)
    unzipped = maybe_gunzip(raw)
    raw = as_utf8(unzipped)  # UTF-16/32 re-encoded, so the entity screen reads the markup
    if raw is not unzipped and content_type:
        content_type = content_type.split(";")[0] + "; charset=utf-8"
    if not raw.strip():
        raise ParseError(f"{url}: empty document")
    kind = detect_kind(raw, content_type)
    if kind == "json":
        return parse_json_feed(raw, url)
    if kind == "sitemap":
        from tidings.parse.sitemaps import parse_sitemap

        return parse_sitemap(raw, url)
    return _parse_with_feedparser(raw, url, content_type)
