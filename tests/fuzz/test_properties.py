"""Property tests (hypothesis) over what reads input from strangers: the feed and sitemap
parsers, the safe XML layer, charset decoding, URL canonicalization, the extraction
wrapper, the JSON Lines stage commands and the guard's number reader. Each says what
must hold for every input, not for a few examples."""

from __future__ import annotations

import io
import json
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings.extract.article import NoArticle, extract_article
from tidings.fetch.charset import decode_body
from tidings.jsonl import run_lines
from tidings.parse.feeds import parse_feed
from tidings.parse.safexml import ParseError, UnsafeXMLError, parse_xml
from tidings.parse.sitemaps import parse_sitemap
from tidings.summarize.guard import extract_numbers
from tidings.text.bounds import limits
from tidings.urls import canonicalize_url

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=300)
slug = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20)


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_are_a_feed_or_a_parse_error(body):
    try:
        parse_feed(body, "https://news.example.org/feed")
    except ParseError:
        pass


@FAST
@given(st.lists(st.tuples(xml_text, slug), min_size=1, max_size=5), st.sampled_from(["rss", "atom"]))
def test_a_generated_feed_gives_back_its_entries(items, kind):
    if kind == "rss":
        body = "<rss version='2.0'><channel><title>F</title><link>https://news.example.org/</link>" + "".join(
            f"<item><title>{escape(t)}</title><link>https://news.example.org/{s}</link></item>" for t, s in items
        ) + "</channel></rss>"
    else:
        body = "<feed xmlns='http://www.w3.org/2005/Atom'><title>F</title>" + "".join(
            f"<entry><title>{escape(t)}</title><link href='https://news.example.org/{s}'/><id>{s}</id></entry>"
            for t, s in items) + "</feed>"
    parsed = parse_feed(body.encode("utf-8"), "https://news.example.org/feed")
    assert [e.url for e in parsed.entries] == [f"https://news.example.org/{s}" for _t, s in items]
    for entry in parsed.entries:
        assert entry.title is None or len(entry.title) <= limits().title_chars


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_are_a_sitemap_or_a_parse_error(body):
    try:
        parse_sitemap(body, "https://news.example.org/sitemap.xml")
    except ParseError:
        pass


@FAST
@given(st.lists(slug, min_size=1, max_size=20))
def test_a_generated_sitemap_lists_its_urls(paths):
    body = ("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            + "".join(f"<url><loc>https://news.example.org/{p}</loc></url>" for p in paths) + "</urlset>")
    parsed = parse_sitemap(body, "https://news.example.org/sitemap.xml")
    assert [e.url for e in parsed.entries] == [f"https://news.example.org/{p}" for p in paths]


@FAST
@given(st.binary(max_size=1000), st.binary(max_size=200))
def test_an_entity_declaration_is_always_refused(before, value):
    body = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "' + value.replace(b'"', b"") + b'">]><r>&e;</r>' + before
    try:
        parse_xml(body)
    except UnsafeXMLError:
        return
    except ParseError:
        return  # malformed before the declaration could matter
    raise AssertionError("a document declaring an entity was parsed")


@FAST
@given(st.binary(max_size=3000), st.one_of(st.none(), st.text(max_size=60)))
def test_decoding_never_raises(body, content_type):
    text, codec = decode_body(body, content_type)
    assert isinstance(text, str) and codec


@FAST
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=500))
def test_utf8_with_its_charset_decodes_back_exactly(text):
    text = text.lstrip("\ufeff")
    assert decode_body(text.encode("utf-8"), "text/html; charset=utf-8")[0] == text


@FAST
@given(st.text(max_size=200), st.one_of(st.none(), st.just("https://news.example.org/a/b/")))
def test_canonicalization_is_idempotent_or_refuses(url, base):
    try:
        once = canonicalize_url(url, base)
    except ValueError:
        return
    assert canonicalize_url(once) == once


@FAST
@given(slug, st.lists(slug, max_size=4), st.lists(st.tuples(slug, slug), max_size=4))
def test_canonical_http_urls_drop_fragments_and_default_ports(host, path, query):
    url = f"HTTPS://{host}.Example.ORG:443/{'/'.join(path)}?{'&'.join(f'{k}={v}' for k, v in query)}#frag"
    canonical = canonicalize_url(url)
    assert canonical.startswith(f"https://{host.lower()}.example.org/")
    assert "#" not in canonical and ":443" not in canonical


@SLOW
@given(xml_text, st.lists(xml_text, max_size=6))
def test_extraction_gives_an_article_or_no_article(title, paragraphs):
    html = (f"<html><head><title>{escape(title)}</title></head><body><article><h1>{escape(title)}</h1>"
            + "".join(f"<p>{escape(p)}</p>" for p in paragraphs) + "</article></body></html>")
    try:
        article = extract_article(html, "https://news.example.org/a/1")
    except NoArticle:
        return
    assert article.title is None or len(article.title) <= limits().title_chars


@FAST
@given(st.lists(st.one_of(
    st.text(max_size=80).filter(lambda s: "\n" not in s and "\r" not in s),
    st.dictionaries(st.sampled_from(["id", "title", "text", "articles", "published", "language"]),
                    st.one_of(st.none(), st.integers(), st.text(max_size=40), st.lists(st.integers(), max_size=2)),
                    max_size=5).map(json.dumps),
), max_size=12))
def test_a_stage_answers_every_line_in_order(lines):
    from tidings.records import Article

    def handle(record):
        return {"id": Article.from_json(record).id}

    out = io.StringIO()
    text = "".join(line + "\n" for line in lines)
    failures = run_lines(handle, stdin=io.StringIO(text), stdout=out)
    # JSON Lines are separated by "\n" only (str.splitlines would also split at U+0085, U+2028, form feeds)
    answers = [json.loads(line) for line in out.getvalue().split("\n") if line]
    numbered = [n for n, line in enumerate(text.split("\n")[:-1], start=1) if line.strip()]
    assert len(answers) == len(numbered)
    assert failures == sum(1 for a in answers if "error" in a)
    assert [a["line"] for a in answers if "error" in a] == [n for n, a in zip(numbered, answers) if "error" in a]


@FAST
@given(st.integers(min_value=0, max_value=10**12))
def test_the_number_reader_reads_grouped_integers(n):
    mentions = extract_numbers(f"The company said it sold {n:,} units last year.")
    assert any(m.value == n for m in mentions)


@FAST
@given(st.text(max_size=400))
def test_the_number_reader_never_raises(text):
    for mention in extract_numbers(text):
        assert mention.surface
