"""The stages an executor runs: pure functions from a batch of typed records to one result each.

No database session and no global state beyond the models a process loads once (the embedder
via :func:`tidings.stories.embed.get_embedder`, spaCy and YAKE inside the tagger, the
summarizer). A record that fails gives a :class:`StageError` in its place; the rest of the
batch goes on. Every executor (in process, local pool, Ray) runs exactly these functions, so
their results are the same whichever runs them.

=============  ======================================  ==========================================
stage          one input                               one output
=============  ======================================  ==========================================
``extract``    :class:`RawPage`                        :class:`Extracted` (text, language, MinHash)
``archive``    ``backfill.readers.ArchiveRecord``      :class:`Extracted` (decoded, then as ``extract``)
``features``   :class:`tidings.records.Article`        ``ArticleFeatures`` (embedding, keys)
``sections``   ``str`` (a story's section text)        ``np.ndarray`` (its section vector)
``tags``       :class:`TagJob`                         ``list[dict]`` (the story's tags)
``summaries``  ``list[Article]`` (a story's articles)  ``StorySummary``
=============  ======================================  ==========================================
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from tidings.records import Article, ExtractedArticle, FeedEntry


@dataclass(frozen=True, slots=True)
class StageError:
    """One record's failure, returned in its place (picklable, never raised across a worker)."""

    message: str

    def __str__(self) -> str:
        return self.message


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
    fingerprint: Any = None  # tidings.dedup.fingerprint.Fingerprint
    error: str | None = None  # "no_article: ..." / "extract: ..."
    seconds: float = 0.0


@dataclass(slots=True)
class TagJob:
    """A story's articles for tagging (:class:`tidings.stories.tags.TagText`: title, text, language)
    and its main language."""

    articles: list[Any]
    language: str | None


# -- the stages ---------------------------------------------------------------------------------

def extract(batch: list[RawPage], dedup: Any) -> list[Extracted]:
    """Extract (trafilatura), detect the language, and fingerprint (MinHash) each page."""
    from tidings.extract.article import extract_article

    return [_extracted(partial(extract_article, page.html, page.url, entry=page.entry), dedup) for page in batch]


def _extracted(make: Callable[[], ExtractedArticle], dedup: Any) -> Extracted:
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


def archive(batch: list[Any], dedup: Any) -> list[Extracted]:
    """A backfill record: its HTML decoded (charset evidence as for a fetched page) and extracted,
    or its given text taken as it is; then fingerprinted. Undated pages take the crawl date."""
    from tidings.extract.article import extract_article
    from tidings.extract.language import detect_language
    from tidings.extract.urls import canonicalize_url
    from tidings.fetch.charset import decode_body

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


def features(batch: list[Article], cluster_config: Any) -> list[Any]:
    """The clusterer's features of each article (one batched embedding call)."""
    from tidings.stories.cluster import features_for
    from tidings.stories.embed import get_embedder

    embedder = get_embedder(cluster_config.embedder)
    try:
        return features_for(batch, embedder, cluster_config)
    except Exception:
        out: list[Any] = []
        for article in batch:
            try:
                out.extend(features_for([article], embedder, cluster_config))
            except Exception as exc:
                out.append(StageError(f"features: {exc.__class__.__name__}: {exc}"))
        return out


def sections(batch: list[str], embedder_name: str | None) -> list[Any]:
    """Section vectors: what :meth:`tidings.stories.sections.SectionClassifier.embed` computes."""
    from tidings.stories.embed import get_embedder

    return list(get_embedder(embedder_name).embed(list(batch), kind="query"))


def tags(batch: list[TagJob], top: int) -> list[Any]:
    """A story's displayed tags (:func:`tidings.stories.tags.story_tags_for`, the function
    ``tidings tags`` runs too)."""
    from tidings.stories.tags import story_tags_for

    out: list[Any] = []
    for job in batch:
        try:
            out.append([{"name": t.name, "key": t.key, "kind": t.kind, "score": t.score}
                        for t in story_tags_for(job.articles, job.language, top=top)])
        except Exception as exc:
            out.append(StageError(f"tags: {exc.__class__.__name__}: {exc}"))
    return out


_SUMMARIZERS: dict[str, Any] = {}


def summaries(batch: list[list[Article]], config: Any) -> list[Any]:
    """Each story's summary with the configured method (extractive, or LLM + guard)."""
    from tidings.summarize.refresh import Summarizer

    key = repr(config.raw) if config is not None else ""  # one Summarizer (and LLM) per setting, per process
    summarizer = _SUMMARIZERS.get(key)
    if summarizer is None:
        summarizer = _SUMMARIZERS[key] = Summarizer(config)
    out: list[Any] = []
    for articles in batch:
        try:
            out.append(summarizer(articles))
        except Exception as exc:
            out.append(StageError(f"{exc.__class__.__name__}: {exc}"))
    return out


STAGES: dict[str, Callable[[list[Any], Any], list[Any]]] = {
    "extract": extract, "archive": archive, "features": features, "sections": sections, "tags": tags,
    "summaries": summaries,
}


def run_stage(name: str, batch: list[Any], params: Any) -> list[Any]:
    """Run stage ``name`` over ``batch``; always one result per record, in order."""
    if ":" in name:  # a stage given as "module:function" (a plug-in, or the executors' own tests)
        import importlib

        module, _, attr = name.partition(":")
        fn = getattr(importlib.import_module(module), attr)
    else:
        fn = STAGES[name]
    out = fn(batch, params)
    if len(out) != len(batch):
        raise RuntimeError(f"stage {name} gave {len(out)} results for {len(batch)} records")
    return out


def warm(names: tuple[str, ...], embedder_name: str | None = None) -> None:
    """Load the models the named stages use, once, in this process (a worker's start)."""
    if {"features", "sections", "summaries"} & set(names):
        from tidings.stories.embed import get_embedder

        get_embedder(embedder_name)


def init_worker(threads: int) -> None:
    """A worker's start: its share of the cores for the models' own threads (before they load)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(max(1, threads))
