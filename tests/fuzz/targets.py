"""The fuzz targets: each parser or stage entry point fed raw bytes, with the errors it may document.
tests/fuzz/test_corpus.py replays the saved corpus (benchmarks/fuzz_corpus/<target>/) through them;
benchmarks/fuzz.py mutates it."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "fuzz_corpus"


class _Unexpected(Exception):
    def __init__(self, exc: BaseException) -> None:
        super().__init__(f"_Unexpected {type(exc).__name__}: {exc}")


@dataclass
class Target:
    name: str
    run: Callable[[bytes], None]
    allowed: tuple[type[BaseException], ...]



def targets() -> dict[str, Target]:
    from tidings.cli.check import source_text
    from tidings.cli.classify import _articles
    from tidings.extract.article import NoArticle, extract_article
    from tidings.fetch.charset import decode_body, is_textual
    from tidings.jsonl import LineError, run_lines
    from tidings.parse.feeds import parse_feed
    from tidings.parse.safexml import ParseError, maybe_gunzip, parse_xml
    from tidings.parse.sitemaps import parse_sitemap
    from tidings.records import Article
    from tidings.summarize.guard import build_index, check_numbers, extract_numbers
    from tidings.urls import canonicalize_url

    def feeds(data: bytes) -> None:
        content_type = ["application/rss+xml", "application/atom+xml", "application/feed+json", None,
                        "text/xml; charset=iso-8859-1"][data[0] % 5 if data else 0]
        parse_feed(data, "https://news.example.org/feed", content_type)

    def sitemaps(data: bytes) -> None:
        parse_sitemap(data, "https://news.example.org/sitemap.xml")

    def safexml(data: bytes) -> None:
        parse_xml(maybe_gunzip(data))

    def charset(data: bytes) -> None:
        head, _, body = data.partition(b"\n")
        content_type = head.decode("latin-1")[:200] or None
        decode_body(body, content_type)
        decode_body(data, None)
        is_textual(content_type, body)

    def urls(data: bytes) -> None:
        text = data.decode("utf-8", errors="replace")
        url, _, base = text.partition("\n")
        canonicalize_url(url)
        if base:
            canonicalize_url(url, base)

    def extract(data: bytes) -> None:
        extract_article(data.decode("utf-8", errors="replace"), "https://news.example.org/a/1")

    def jsonl(data: bytes) -> None:
        def handle(record: dict) -> dict:
            for key in ("a", "b"):
                if key in record:  # similarity pairs
                    if not isinstance(record[key], dict):
                        raise LineError(f"{key} must be a JSON object")
                    Article.from_json(record[key])
            if "sources" in record:  # check
                sources = record["sources"]
                if not isinstance(sources, list):
                    raise LineError("'sources' must be a non-empty list")
                [source_text(s) for s in sources]
            _articles(record)  # cluster, classify, tags, summarize
            return {"id": record.get("id")}

        def strict(record: dict) -> dict:
            try:
                return handle(record)
            except (LineError, ValueError):
                raise
            except Exception as exc:  # run_lines would answer it; the fuzzer wants to know
                raise _Unexpected(exc) from exc

        out = io.StringIO()
        text = data.decode("utf-8", errors="replace")
        run_lines(strict, stdin=io.StringIO(text), stdout=out)
        answered = out.getvalue().count("\n")
        expected = sum(1 for line in io.StringIO(text) if line.strip())
        if answered != expected:
            raise AssertionError(f"{expected} lines in, {answered} answers out")
        for line in out.getvalue().splitlines():
            if "_Unexpected" in line:
                raise AssertionError(f"a stage reader raised an unexpected error: {line[:300]}")

    def numbers(data: bytes) -> None:
        text = data.decode("utf-8", errors="replace")
        extract_numbers(text)
        head, _, tail = text.partition("\n")
        check_numbers(head[:1000], build_index([tail[:1000]]))

    return {
        "feeds": Target("feeds", feeds, (ParseError,)),
        "sitemaps": Target("sitemaps", sitemaps, (ParseError,)),
        "safexml": Target("safexml", safexml, (ParseError,)),
        "charset": Target("charset", charset, ()),
        "urls": Target("urls", urls, (ValueError,)),
        "extract": Target("extract", extract, (NoArticle,)),
        "jsonl": Target("jsonl", jsonl, ()),
        "numbers": Target("numbers", numbers, ()),
    }
