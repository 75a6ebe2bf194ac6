"""Article extraction: full text and metadata of one page, with trafilatura.

:func:`extract_article` runs trafilatura's balanced extractor with the
settings of its published evaluation (fallback algorithms on, tables kept,
comments and formatting left out), then fills the metadata Tidings needs:
title, author, publication time, language, a canonical URL that can be
trusted, lead image, site name and description. When there is no page, or the
page has no article text, the feed entry's own content stands in
(``text_source="feed"``); with neither, :class:`NoArticle` is raised.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html

from tidings.parse.text import html_to_text, normalize_space
from tidings.records import ExtractedArticle, FeedEntry
from tidings.text.language import detect_language
from tidings.timeutil import parse_datetime
from tidings.urls import canonicalize_url, is_http_url, same_site

__all__ = ["EXTRACT_OPTIONS", "MIN_PAGE_LETTERS", "NoArticle", "extract_article", "extract_text", "page_metadata"]

# trafilatura's own evaluation settings (tests/eval_common.py: EXTRACT_OPTS, the "fallback" runner)
EXTRACT_OPTIONS: dict[str, Any] = {
    "fast": False,
    "include_comments": False,
    "include_tables": True,
    "include_formatting": False,
}

# fewer letters than this from the page is a login form or a menu, not an article
# (letters, not words: Chinese and Japanese text has no spaces between words)
MIN_PAGE_LETTERS = 50
EXTENSIVE_DATE_BYTES = 512 * 1024
# prefer the feed's text when the page gives much less (a paywall teaser, a consent wall)
_FEED_PREFERRED_RATIO = 0.5
_FEED_PREFERRED_MIN_CHARS = 400

_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "pubdate",
    "publishdate",
)


class NoArticle(ValueError):
    """Neither the page nor the feed entry holds any article text."""


@dataclass(slots=True)
class PageMetadata:
    """What the page's <head> says about itself (all optional)."""

    canonical: str | None = None  # rel=canonical, else og:url, as written (resolved)
    language: str | None = None  # <html lang>, Content-Language, og:locale
    published: datetime | None = None  # with the time of day when the page gives it


def _attr(node: HtmlElement, name: str) -> str:
    return (node.get(name) or "").strip()


def _primary_language(value: str | None) -> str | None:
    if not value:
        return None
    primary = value.replace("_", "-").split("-", 1)[0].strip().lower()
    return primary if primary.isalpha() and len(primary) == 2 else None


def page_metadata(tree: HtmlElement, url: str) -> PageMetadata:
    """Canonical URL candidate, declared language and precise publication time."""
    meta = PageMetadata()
    canonical = og_url = None
    for link in tree.iter("link"):
        rels = _attr(link, "rel").lower().split()
        if "canonical" in rels and _attr(link, "href") and canonical is None:
            canonical = _attr(link, "href")
    for node in tree.iter("meta"):
        key = (_attr(node, "property") or _attr(node, "name") or _attr(node, "itemprop")).lower()
        content = _attr(node, "content")
        if not key or not content:
            http_equiv = _attr(node, "http-equiv").lower()
            if http_equiv == "content-language" and content and meta.language is None:
                meta.language = _primary_language(content.split(",")[0])
            continue
        if key == "og:url" and og_url is None:
            og_url = content
        elif key == "og:locale" and meta.language is None:
            meta.language = _primary_language(content)
        elif key in _DATE_META and meta.published is None:
            meta.published = _timed(content)
    if meta.published is None:
        for node in tree.iter("time"):
            if _attr(node, "itemprop").lower() == "datepublished" or "published" in _attr(node, "class").lower():
                if stamp := _timed(_attr(node, "datetime")):
                    meta.published = stamp
                    break
    html_lang = _primary_language(tree.get("lang") or tree.get("xml:lang"))
    meta.language = html_lang or meta.language
    meta.canonical = canonical or og_url
    return meta


def _timed(value: str) -> datetime | None:
    """A datetime only when the value carries a time of day (a bare date is no better
    than what trafilatura's htmldate finds)."""
    if not value or "T" not in value and ":" not in value:
        return None
    return parse_datetime(value)


def _canonical_url(candidate: str | None, url: str) -> str:
    page = _safe_canonicalize(url)
    if candidate and is_http_url(candidate) and same_site(candidate, url):
        return _safe_canonicalize(candidate)
    return page


def _safe_canonicalize(url: str) -> str:
    try:
        return canonicalize_url(url)
    except ValueError:
        return url


def _absolute_image(image: str | None, url: str) -> str | None:
    if not image:
        return None
    try:
        resolved = canonicalize_url(image, base=url) if not image.startswith("data:") else None
    except ValueError:
        return None
    return resolved if resolved and is_http_url(resolved) else None


def extract_text(
    tree: HtmlElement | str | bytes, url: str | None = None, *, extensive_date_search: bool = True
) -> Document | None:
    """Run trafilatura's balanced extractor (metadata included) on a page.

    ``extensive_date_search=False`` skips htmldate's slow free-text date search
    (dateparser), about a quarter of the time per page; the text is the same.
    """
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            date_extraction_params=set_date_params(extensive_date_search),
            **EXTRACT_OPTIONS,
        )
    except (ValueError, TypeError):
        return None
    return document if isinstance(document, Document) else None  # as_dict=False: a Document or None


def _feed_text(entry: FeedEntry | None) -> str:
    if entry is None:
        return ""
    if entry.content_html:
        text = html_to_text(entry.content_html)
        if text:
            return text
    return normalize_space(entry.summary or "")


def _has_letters(text: str, wanted: int) -> bool:
    """``text`` holds at least ``wanted`` letters (read a slice at a time, so a long page stops early)."""
    seen = 0
    for start in range(0, len(text), 4096):
        seen += sum(1 for ch in text[start:start + 4096] if ch.isalpha())
        if seen >= wanted:
            return True
    return False


def _page_date(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def extract_article(
    html: str | bytes | None,
    url: str,
    *,
    entry: FeedEntry | None = None,
) -> ExtractedArticle:
    """Extract the article at ``url`` from its ``html`` (``None``: the page could not be had).

    Page metadata wins; the feed entry fills gaps (title, date, author, image,
    language). Raises :class:`NoArticle` when neither page nor entry has text.
    """
    tree: HtmlElement | None = None
    if html is not None and (html.strip() if isinstance(html, str) else html.strip()):
        try:
            tree = load_html(html)
        except (ValueError, TypeError):
            tree = None
    # the feed's date is better than any the page text yields: skip the slow search then; on a
    # page of over EXTENSIVE_DATE_BYTES the search's last resort (regular expressions over the
    # whole page) costs more than the date is worth (0.4 s for a megabyte)
    extensive = (entry is None or entry.published is None) and len(html or b"") <= EXTENSIVE_DATE_BYTES
    document = extract_text(tree, url, extensive_date_search=extensive) if tree is not None else None
    meta = page_metadata(tree, url) if tree is not None else PageMetadata()

    page_text = unicodedata.normalize("NFC", document.text or "").strip() if document is not None else ""
    feed_text = _feed_text(entry)
    text_source = "page"
    text = page_text
    if not _has_letters(page_text, MIN_PAGE_LETTERS) or (
        len(feed_text) >= _FEED_PREFERRED_MIN_CHARS and len(page_text) < _FEED_PREFERRED_RATIO * len(feed_text)
    ):
        text, text_source = feed_text, "feed"
    if not text:
        where = "the page has no article text" if tree is not None else "no page"
        raise NoArticle(f"{url}: {where} and the feed entry has no content or summary")

    def doc(name: str) -> Any:
        value = getattr(document, name, None) if document is not None else None
        return value.strip() if isinstance(value, str) and value.strip() else None

    published = meta.published or _page_date(doc("date"))
    if entry is not None and entry.published is not None:
        # the feed's stamp is precise to the second; the page's is often a bare day
        if published is None or (meta.published is None and abs((entry.published - published).days) <= 1):
            published = entry.published

    def pick(page_value: Any, entry_value: Any) -> Any:
        # when the page gave no article (a login wall, a consent page) its metadata is suspect too
        first, second = (entry_value, page_value) if text_source == "feed" else (page_value, entry_value)
        return first or second

    language = meta.language or (entry.language if entry is not None else None) or detect_language(text)
    return ExtractedArticle(
        url=url,
        canonical_url=_canonical_url(meta.canonical, url),
        title=pick(doc("title"), entry.title if entry is not None else None),
        text=text,
        author=pick(doc("author"), entry.author if entry is not None else None),
        published=published,
        language=language,
        image=pick(_absolute_image(doc("image"), url), entry.image if entry is not None else None),
        site_name=doc("sitename"),
        description=pick(doc("description"), entry.summary if entry is not None else None),
        text_source=text_source,
    )
