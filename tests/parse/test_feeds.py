"""parse_feed over every feed format, hostile XML, broken and empty feeds."""

from __future__ import annotations

import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tidings.parse.feeds import ParseError, UnsafeXMLError, parse_feed, unique_entries
from tidings.records import FeedEntry

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_rss20_entries_fields_and_relative_links() -> None:
    feed = parse_feed(load("rss20.xml"), "https://gazette.example.com/science/feed.xml", "application/rss+xml")
    assert feed.kind == "rss"
    assert feed.title == "Harbour Gazette: Science"
    assert feed.homepage == "https://gazette.example.com/science/"
    assert feed.language == "en"
    first = feed.entries[0]
    # a root-relative <link> is resolved against the feed's URL
    assert first.url == "https://gazette.example.com/science/2026/03/spring-tide?utm_source=rss"
    assert first.guid == "gazette-10231"
    assert first.title == "Tide gauges record the highest spring tide in forty years"
    # the summary is plain text: tags gone, entities decoded
    assert first.summary == "The harbour's tide gauges recorded 6.2\u00a0metres on Tuesday & the quay flooded.".replace("\u00a0", " ")
    assert "<p>Engineers said the sea wall held.</p>" in (first.content_html or "")
    assert first.author == "Mairead Quinlan"
    assert first.published == utc(2026, 3, 10, 13, 30)  # +0100 converted to UTC
    assert first.published.tzinfo is timezone.utc
    assert first.image == "https://cdn.gazette.example.com/tide.jpg"  # media:content
    second = feed.entries[1]
    assert second.author == "Tomas Berg"
    assert second.image == "https://gazette.example.com/science/images/kayak.png"  # relative enclosure
    assert feed.entries[2].image == "https://cdn.gazette.example.com/kayak-thumb.jpg"  # media:thumbnail
    # no <link>, but a permalink guid: the guid is the URL
    assert feed.entries[3].url == "https://gazette.example.com/news/guid-only"


def test_rss20_from_str_with_stale_encoding_declaration() -> None:
    text = load("rss091.xml").decode("iso-8859-1")
    feed = parse_feed(text, "http://oldschool.example.net/rss.xml")
    assert feed.entries[0].title == "Grüne Welle in der Innenstadt"


def test_rss091_with_netscape_doctype() -> None:
    feed = parse_feed(load("rss091.xml"), "http://oldschool.example.net/rss.xml")
    assert feed.kind == "rss"
    assert feed.language == "de"
    [entry] = feed.entries
    assert entry.title == "Grüne Welle in der Innenstadt"
    assert entry.url == "http://oldschool.example.net/stories/gruene-welle.html"
    assert entry.guid == entry.url  # no guid: falls back to the link
    assert entry.language == "de"  # inherited from the channel


def test_rss10_rdf() -> None:
    feed = parse_feed(load("rss10.rdf"), "https://physics.example.org/rss")
    assert feed.kind == "rss"
    assert feed.language == "fr"
    [entry] = feed.entries
    assert entry.author == "Claire Dubois"
    assert entry.published == utc(2026, 3, 11, 8, 15)  # dc:date stands in for the publication date
    assert entry.summary == "Une nouvelle mesure interférométrique."


def test_atom() -> None:
    feed = parse_feed(load("atom.xml"), "https://labnotes.example.com/feed.atom")
    assert feed.kind == "atom"
    assert feed.title == "Lab Notes"
    assert feed.homepage == "https://labnotes.example.com/"
    first, second = feed.entries
    assert first.url == "https://labnotes.example.com/posts/small-models"
    assert first.guid == "tag:labnotes.example.com,2026:post-17"
    assert first.title == "Small models beat big ones on tiny tasks"  # type="html" title as text
    assert first.summary == "A summary with a link."
    assert first.content_html == "<p>First paragraph of the post.</p><p>Second paragraph.</p>"
    assert first.author == "Ada Okafor"
    assert first.published == utc(2026, 3, 12, 14, 30)
    assert first.updated == utc(2026, 3, 12, 16, 0)
    assert first.image == "https://labnotes.example.com/img/small.jpg"
    assert first.language == "en"  # xml:lang
    assert second.published == utc(2026, 3, 13, 8, 0)  # only <updated>
    assert second.content_html == "<p>Plain text content.</p>"


def test_json_feed_1_0() -> None:
    feed = parse_feed(load("jsonfeed10.json"), "https://quiet.example.com/feed.json", "application/feed+json")
    assert feed.kind == "jsonfeed"
    assert feed.title == "Quiet Blog"
    [entry] = feed.entries  # the item without any URL is skipped
    assert entry.url == "https://quiet.example.com/2026/03/quiet-hours"
    assert entry.guid == "42"  # numeric ids (allowed in 1.0) become strings
    assert entry.author == "Nadia Rahman"  # feed-level author of 1.0
    assert entry.image == "https://quiet.example.com/img/quiet.jpg"
    assert entry.published == utc(2026, 3, 10, 5, 0)
    assert entry.updated == utc(2026, 3, 10, 6, 0)


def test_json_feed_1_1() -> None:
    feed = parse_feed(load("jsonfeed11.json"), "https://cuaderno.example.es/feed.json")
    assert feed.language == "es"
    first, second = feed.entries
    assert first.author == "Lucía Pérez, Jordi Mas"  # 1.1 authors list
    assert first.language == "ca"  # item language beats the feed's
    assert first.content_html == "<p>El ayuntamiento aprobó la nueva línea.</p><p>Las obras empiezan en mayo.</p>"
    assert first.summary == "El ayuntamiento aprobó la nueva línea. Las obras empiezan en mayo."
    assert second.url == "https://elsewhere.example.org/story"  # external_url when there is no url
    assert second.language == "es"


def test_json_that_is_not_a_feed() -> None:
    with pytest.raises(ParseError):
        parse_feed(b'{"hello": "world"}', "https://x.example/feed.json")
    with pytest.raises(ParseError, match="not valid JSON"):
        parse_feed(b'{"items": [', "https://x.example/feed.json")


def test_empty_feed_is_valid() -> None:
    feed = parse_feed(load("empty.xml"), "https://empty.example.com/rss")
    assert feed.kind == "rss"
    assert feed.title == "Nothing yet"
    assert feed.entries == []


def test_malformed_but_recoverable_feed_keeps_entries() -> None:
    feed = parse_feed(load("malformed_recoverable.xml"), "https://sloppy.example.com/rss")
    assert [e.url for e in feed.entries] == ["https://sloppy.example.com/fish-chips", "https://sloppy.example.com/second"]
    assert feed.entries[0].title == "Fish & chips prices rise"
    assert feed.entries[0].published == utc(2026, 3, 11, 17, 0)  # EST = UTC-5
    assert len(feed.warnings) == 1 and feed.warnings[0].startswith("malformed XML, read leniently")


def test_well_formed_feeds_carry_no_warning_even_when_served_as_html() -> None:
    assert parse_feed(load("rss20.xml"), "https://gazette.example.com/rss", "text/html").warnings == []
    assert parse_feed(load("atom.xml"), "https://labnotes.example.com/feed.atom").warnings == []


@pytest.mark.parametrize(
    "body",
    [
        b"<?xml version='1.0'?>\n<<<< this is not >>> xml at all &&& <//>",
        b"\x00\x01\x02 binary junk",
        b"   ",
    ],
)
def test_utterly_broken_documents_raise_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(body, "https://broken.example.com/rss")
    assert "broken.example.com" in str(info.value)


def test_broken_fixture_and_html_page() -> None:
    with pytest.raises(ParseError, match="not a readable RSS or Atom feed"):
        parse_feed(load("broken.xml"), "https://broken.example.com/rss")
    with pytest.raises(ParseError, match="HTML page"):
        parse_feed(b"<!DOCTYPE html><html><head><title>Hi</title></head><body><p>Hello</p></body></html>",
                   "https://site.example.com/")


def test_billion_laughs_is_refused_without_blowing_memory() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(UnsafeXMLError):
            parse_feed(load("bomb.xml"), "https://bomb.example.com/rss")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


def test_malformed_billion_laughs_is_refused_too() -> None:
    # junk before the DOCTYPE stops a strict parser early; a lenient fallback must never see it
    body = b"junk " + load("bomb.xml")
    with pytest.raises(UnsafeXMLError):
        parse_feed(body, "https://bomb.example.com/rss")


def test_xxe_does_not_read_local_files() -> None:
    with pytest.raises(UnsafeXMLError) as info:
        parse_feed(load("xxe.xml"), "https://xxe.example.com/rss")
    assert "root:" not in str(info.value)


def test_article_quoting_an_entity_declaration_in_cdata_is_fine() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Sec</title>
    <item><title>How XXE works</title><link>https://sec.example.com/xxe</link>
    <description><![CDATA[<pre><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]></pre>]]></description>
    </item></channel></rss>"""
    feed = parse_feed(body, "https://sec.example.com/rss")
    assert [e.title for e in feed.entries] == ["How XXE works"]
    assert "root:" not in (feed.entries[0].summary or "")


def test_feed_body_is_never_treated_as_a_path_or_url() -> None:
    # feedparser treats a plain string as a URL or file name; we never hand it one
    with pytest.raises(ParseError):
        parse_feed("/etc/passwd", "https://x.example/rss")
    with pytest.raises(ParseError):
        parse_feed(b"https://example.com/feed.xml", "https://x.example/rss")


def test_gzipped_feed() -> None:
    import gzip

    feed = parse_feed(gzip.compress(load("atom.xml")), "https://labnotes.example.com/feed.atom")
    assert len(feed.entries) == 2


def test_duplicate_guids_are_kept_and_unique_entries_drops_them() -> None:
    feed = parse_feed(load("rss20.xml"), "https://gazette.example.com/science/feed.xml")
    guids = [e.guid for e in feed.entries]
    assert guids.count("https://gazette.example.com/news/lifeboat-kayakers") == 2
    unique = unique_entries(feed.entries)
    assert len(unique) == len(feed.entries) - 1
    kept = [e for e in unique if e.guid == "https://gazette.example.com/news/lifeboat-kayakers"]
    assert kept[0].title == "Lifeboat crew rescues two kayakers"  # the first one wins


def test_unique_entries_by_url_when_guids_differ() -> None:
    entries = [
        FeedEntry(url="https://a.example/1", guid="g1"),
        FeedEntry(url="https://a.example/1", guid="g2"),
        FeedEntry(url="https://a.example/2", guid="g1"),
        FeedEntry(url="https://a.example/3"),
    ]
    assert [(e.url, e.guid) for e in unique_entries(entries)] == [("https://a.example/1", "g1"), ("https://a.example/3", None)]


def test_sitemap_dispatch_from_parse_feed() -> None:
    parsed = parse_feed(load("sitemap_news.xml"), "https://journal.example.fr/news-sitemap.xml", "application/xml")
    assert parsed.kind == "sitemap"
    assert parsed.entries[0].title == "Grève des transports : le trafic reprend"


def test_empty_atom_and_json_feeds_are_valid() -> None:
    atom = parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Quiet</title></feed>', "https://q.example/atom")
    assert (atom.kind, atom.title, atom.entries) == ("atom", "Quiet", [])
    jf = parse_feed(b'{"version": "https://jsonfeed.org/version/1.1", "title": "Quiet"}', "https://q.example/feed.json")
    assert (jf.kind, jf.title, jf.entries) == ("jsonfeed", "Quiet", [])


def test_feed_quoting_a_sitemap_is_still_a_feed() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>SEO tips</title>
    <item><title>Sitemaps explained</title><link>https://seo.example.com/sitemaps</link>
    <description><![CDATA[<pre><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></pre>]]></description>
    </item></channel></rss>"""
    feed = parse_feed(body, "https://seo.example.com/rss")
    assert feed.kind == "rss"
    assert [e.url for e in feed.entries] == ["https://seo.example.com/sitemaps"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_wide_encodings_are_screened_and_parsed(encoding: str) -> None:
    # the entity screen works on bytes: a UTF-16 bomb must not slip past it
    with pytest.raises(UnsafeXMLError):
        parse_feed(load("bomb.xml").decode("ascii").encode(encoding), "https://bomb.example.com/rss")
    text = load("atom.xml").decode("utf-8").replace('encoding="utf-8"', f'encoding="{encoding}"')
    feed = parse_feed(text.encode(encoding), "https://labnotes.example.com/feed.atom", f"application/atom+xml; charset={encoding}")
    assert [e.title for e in feed.entries] == ["Small models beat big ones on tiny tasks", "Second post"]


def test_broken_xml_without_readable_entries_is_an_error() -> None:
    with pytest.raises(ParseError, match="broken XML with no readable entries"):
        parse_feed(b"<rss><channel><item><title>unclosed", "https://x.example/rss")
