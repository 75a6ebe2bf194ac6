"""WARC archives in the layout of Common Crawl's CC-NEWS, built at test time (never committed), and
what a backfill made of one: for tests/backfill, tests/engine/test_ray.py and the backfill benchmarks
(benchmarks/warc_archive.py, benchmarks/backfill_throughput.py)."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

from tests.conftest import datasets_path as datasets_dir

BASE = "http://archive.test"
URI_SAFE = ":/?#[]@!$&'()*+,;=%~"  # what stays as it is when an IRI becomes a URI


def real_pages(limit: int | None = None) -> Iterator[tuple[str, bytes, datetime]]:
    """(url, html, crawl date) of trafilatura's evaluation pages (skipped when the datasets are absent)."""
    tarball = datasets_dir() / "trafilatura_eval" / "trafilatura_eval_corpus.tar.gz"
    if not tarball.is_file():
        return
    with tarfile.open(tarball) as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        evaldata = json.loads(tar.extractfile(members["tests/evaldata.json"]).read())
        when = datetime(2026, 10, 1, tzinfo=timezone.utc)
        for count, (url, item) in enumerate(sorted(evaldata.items())):
            if limit is not None and count >= limit:
                return
            for sub in ("cache", "eval"):
                member = members.get(f"tests/{sub}/{item['file']}")
                if member is not None:
                    yield url, tar.extractfile(member).read(), when + timedelta(minutes=count)
                    break


def site_pages(site) -> Iterator[tuple[str, bytes, datetime]]:
    """(url, html, publication date) of a demo or generated newsstand's article pages."""
    for article in sorted(site.articles, key=lambda a: (a.published, a.id)):
        path = article.url[len(site.base_url):]
        _, body = site[path]
        yield article.url, body, article.published


def demo_pages() -> Iterator[tuple[str, bytes, datetime]]:
    from tidings.demo.site import build_demo_site

    return site_pages(build_demo_site(BASE))


def synthetic_pages(n_articles: int, n_feeds: int = 50, seed: int = 0) -> Iterator[tuple[str, bytes, datetime]]:
    from tidings.demo.synthetic import build_synthetic_site

    return site_pages(build_synthetic_site(BASE, n_feeds, n_articles, seed))


def write_warc(path: Path, pages: Iterable[tuple[str, bytes, datetime]], *, gzip: bool = True) -> int:
    """Write ``pages`` as request + response records; returns the number of responses."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    count = 0
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tidings benchmarks",
                                                                       "format": "WARC File Format 1.0"}))
        for iri, body, when in pages:
            url = quote(iri, safe=URI_SAFE)  # a WARC holds URIs: non-ASCII is percent-encoded (as in CC-NEWS)
            date = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(f"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n".encode()),
                warc_headers_dict={"WARC-Date": date})
            writer.write_record(request)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                  ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers, warc_headers_dict={"WARC-Date": date}))
            count += 1
    return count


def outcome(db: Path) -> tuple[set, dict]:
    """The stories as sets of article URLs, and each story's summary sentences, by that set."""
    from sqlalchemy import select

    from tidings.store.db import Store
    from tidings.store.models import Article, Story, Summary

    store = Store(f"sqlite:///{db}")
    groups: dict[str, set[str]] = {}
    with store.reading() as session:
        for url, story in session.execute(select(Article.canonical_url, Article.story_id)):
            groups.setdefault(story, set()).add(url)
        summaries = {}
        for story_id, sentences in session.execute(
                select(Story.id, Summary.sentences).join(Summary, Summary.id == Story.summary_id)):
            summaries[frozenset(groups.get(story_id, ()))] = [s["text"] for s in sentences]
    store.close()
    return {frozenset(g) for g in groups.values()}, summaries
