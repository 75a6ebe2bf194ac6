"""The ingest batch stage the engine runs (:mod:`tidings.engine`): each page extracted
(:mod:`tidings.extract`) and fingerprinted for near-duplicate detection (:mod:`tidings.dedup.fingerprint`).

``extract`` takes :class:`RawPage` records (a fetched page, ``tidings ingest``), ``archive`` takes
``backfill.readers.ArchiveRecord`` ones (a web archive's record, ``tidings backfill``); both give one
:class:`Extracted` per record, a failure reported in it (a hostile page must not take the batch down).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from tidings.records import ExtractedArticle, FeedEntry

if TYPE_CHECKING:
    from tidings.config import DedupConfig
    from tidings.dedup.fingerprint import Fingerprint


@dataclass(slots=True)
class RawPage:
    """A page to extract: its HTML (None: only the feed entry is known) and where it came from."""

    url: str
    html: str | None
    entry: FeedEntry | None = None


@dataclass(slots=True)
class Extracted:
    """What the extract stage gives for one page: the article and its fingerprint, or why not."""

    article: ExtractedArticle | None
    fingerprint: Fingerprint | None = None
    error: str | None = None  # "no_article: ..." / "extract: ..."
    seconds: float = 0.0


def extract(batch: list[RawPage], dedup: DedupConfig) -> list[Extracted]:
    """Extract (trafilatura), detect the language, and fingerprint (MinHash) each page."""
    from tidings.extract.article import extract_article

    return [_extracted(partial(extract_article, page.html, page.url, entry=page.entry), dedup) for page in batch]


def _extracted(make: Callable[[], ExtractedArticle], dedup: DedupConfig) -> Extracted:
    """``make()``'s article fingerprinted, timed; a page that is no article, or any failure, is
    reported for that record (a hostile page must not take the batch down)."""
    from tidings.dedup.fingerprint import fingerprint
    from tidings.extract.article import NoArticle

    started = time.perf_counter()
    try:
        article = make()
        fp = fingerprint(article.text or article.title or "", num_perm=dedup.num_perm,
                         shingle_size=dedup.shingle_size, threshold=dedup.threshold)
        return Extracted(article, fp, None, time.perf_counter() - started)
    except NoArticle as exc:
        return Extracted(None, None, f"no_article: {exc}", time.perf_counter() - started)
    except Exception as exc:
        return Extracted(None, None, f"extract: {exc.__class__.__name__}: {exc}", time.perf_counter() - started)


def archive(batch: list[Any], dedup: DedupConfig) -> list[Extracted]:
    """A backfill record: its HTML decoded (charset evidence as for a fetched page) and extracted,
    or its given text taken as it is; then fingerprinted. Undated pages take the crawl date."""
    from tidings.extract.article import extract_article
    from tidings.fetch.charset import decode_body
    from tidings.text.language import detect_language
    from tidings.urls import canonicalize_url

    def make(record: Any) -> ExtractedArticle:
        if record.body is not None:
            html, _ = decode_body(record.body, record.content_type)
            article = extract_article(html, record.url)
            if article.published is None:
                article.published = record.date
            return article
        text = record.text or ""
        return ExtractedArticle(
            url=record.url, canonical_url=canonicalize_url(record.url), title=record.title, text=text,
            published=record.date,
            language=record.language or detect_language(f"{record.title or ''}\n{text[:2000]}"))

    return [_extracted(partial(make, record), dedup) for record in batch]
