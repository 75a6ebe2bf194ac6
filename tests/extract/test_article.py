"""extract_article on a realistic page, a page with no article, canonical URLs and the feed fallback."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from tidings.extract.article import NoArticle, extract_article
from tidings.records import FeedEntry

FIXTURES = Path(__file__).parent / "fixtures"
PAGE_URL = "https://gazette.example.com/news/2026/03/sea-wall-vote?utm_medium=rss#top"


@pytest.fixture(scope="module")
def article_html() -> bytes:
    return (FIXTURES / "article.html").read_bytes()


@pytest.fixture(scope="module")
def no_article_html() -> bytes:
    return (FIXTURES / "no_article.html").read_bytes()


def _page(head: str, body_text: str, lang: str | None = "en") -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    paragraphs = "".join(f"<p>{body_text} Paragraph {i} adds more detail for the reader.</p>" for i in range(4))
    return f"<!DOCTYPE html><html{lang_attr}><head><title>A story</title>{head}</head><body><article>{paragraphs}</article></body></html>"


BODY = "The regional rail operator confirmed on Monday that night trains will return to the coastal line next winter."


def test_realistic_page(article_html: bytes) -> None:
    article = extract_article(article_html, PAGE_URL)
    assert article.text_source == "page"
    assert article.url == PAGE_URL
    text = article.text
    assert "approving a twelve-million-pound plan" in text
    assert "The vote, carried by nineteen to four" in text
    assert "the fish market will move to a temporary site on the western pier" in text
    # boilerplate stays out
    for junk in ("We use cookies", "Subscribe today", "Related stories", "All rights reserved", "Privacy policy",
                 "I have been waiting ten years"):
        assert junk not in text
    assert article.title == "Harbour town votes to rebuild its sea wall"
    assert article.author == "Mairead Quinlan"
    assert article.published == datetime(2026, 3, 14, 9, 20, tzinfo=timezone.utc)
    assert article.language == "en"
    assert article.image == "https://gazette.example.com/media/2026/03/sea-wall.jpg"  # relative og:image resolved
    assert article.site_name == "Harbour Gazette"
    assert article.description == "Councillors approved a twelve-million-pound plan after the spring floods."
    # same-site rel=canonical is honoured (and canonicalized: tracking parameter dropped)
    assert article.canonical_url == "https://www.gazette.example.com/news/2026/03/sea-wall-vote"


def test_cross_site_canonical_is_ignored() -> None:
    html = _page('<link rel="canonical" href="https://attacker.example.net/steal">', BODY)
    article = extract_article(html, "https://rail.example.com/night-trains?utm_source=x")
    assert article.canonical_url == "https://rail.example.com/night-trains"


@pytest.mark.parametrize(
    "href",
    ["/night-trains-canonical", "javascript:alert(1)", "ftp://rail.example.com/x", "not a url at all"],
)
def test_relative_or_non_http_canonical_is_ignored(href: str) -> None:
    html = _page(f'<link rel="canonical" href="{href}">', BODY)
    article = extract_article(html, "https://rail.example.com/night-trains")
    assert article.canonical_url == "https://rail.example.com/night-trains"


def test_og_url_is_used_without_rel_canonical() -> None:
    html = _page('<meta property="og:url" content="https://rail.example.com/stories/night-trains">', BODY)
    article = extract_article(html, "https://m.rail.example.com/night-trains")
    assert article.canonical_url == "https://rail.example.com/stories/night-trains"


def test_language_detected_when_page_says_nothing() -> None:
    body = "Le conseil municipal a voté vendredi la reconstruction de la digue après les inondations du printemps."
    article = extract_article(_page("", body, lang=None), "https://journal.example.fr/digue")
    assert article.language == "fr"


def test_declared_language_wins() -> None:
    article = extract_article(_page("", BODY, lang="en-US"), "https://rail.example.com/night-trains")
    assert article.language == "en"


def test_no_article_without_entry_raises(no_article_html: bytes) -> None:
    with pytest.raises(NoArticle, match="no article text"):
        extract_article(no_article_html, "https://gazette.example.com/login")


def test_no_article_falls_back_to_feed_content(no_article_html: bytes) -> None:
    entry = FeedEntry(
        url="https://gazette.example.com/news/lifeboat",
        title="Lifeboat crew rescues two kayakers",
        summary="Two kayakers were brought ashore.",
        content_html="<p>Two kayakers were brought ashore near the lighthouse.</p><p>Both were unhurt.</p>",
        author="Tomas Berg",
        published=datetime(2026, 3, 9, 8, 5, tzinfo=timezone.utc),
        language="en",
    )
    article = extract_article(no_article_html, entry.url, entry=entry)
    assert article.text_source == "feed"
    assert article.text == "Two kayakers were brought ashore near the lighthouse.\n\nBoth were unhurt."
    assert article.title == "Lifeboat crew rescues two kayakers"  # not the login page's "Sign in"
    assert article.author == "Tomas Berg"
    assert article.published == entry.published


def test_missing_page_uses_summary_then_raises() -> None:
    entry = FeedEntry(url="https://x.example.com/a", title="Headline", summary="Only a short summary here.")
    article = extract_article(None, entry.url, entry=entry)
    assert (article.text, article.text_source, article.title) == ("Only a short summary here.", "feed", "Headline")
    with pytest.raises(NoArticle, match="no page"):
        extract_article(None, entry.url, entry=FeedEntry(url=entry.url, title="Headline only"))
    with pytest.raises(NoArticle):
        extract_article(b"", entry.url)


def test_entry_fills_metadata_gaps_and_sharpens_a_bare_day() -> None:
    html = _page('<meta name="date" content="2026-03-14">', BODY)
    entry = FeedEntry(
        url="https://rail.example.com/night-trains",
        title="Night trains return",
        author="Sam Ortiz",
        published=datetime(2026, 3, 14, 6, 45, tzinfo=timezone.utc),
        image="https://rail.example.com/img/train.jpg",
    )
    article = extract_article(html, entry.url, entry=entry)
    assert article.text_source == "page"
    assert article.title == "A story"  # the page's own title wins
    assert article.author == "Sam Ortiz"  # gap filled by the entry
    assert article.image == "https://rail.example.com/img/train.jpg"
    assert article.published == datetime(2026, 3, 14, 6, 45, tzinfo=timezone.utc)


def test_feed_full_text_beats_a_teaser_page() -> None:
    teaser = _page("", "Subscribers can read the full story about the night trains returning to the coast line.").replace(
        "Paragraph", "Teaser"
    )
    teaser = teaser.replace("<article>", "<article><p>Short teaser only.</p>", 1)
    long_text = " ".join(f"Sentence {i} of the full article from the feed, with plenty of detail." for i in range(40))
    entry = FeedEntry(url="https://rail.example.com/night-trains", content_html=f"<p>{long_text}</p>")
    article = extract_article(teaser, entry.url, entry=entry)
    assert article.text_source == "feed"
    assert article.text == long_text


def test_bytes_with_declared_charset() -> None:
    html = _page('<meta charset="iso-8859-1">', "Der Stadtrat hat am Freitag beschlossen, die Ufermauer zu erneuern, weil sie zu alt ist.", lang="de")
    article = extract_article(html.encode("iso-8859-1"), "https://zeitung.example.de/ufermauer")
    assert "Ufermauer zu erneuern" in article.text
    assert article.language == "de"


def test_short_japanese_article_is_kept() -> None:
    # no spaces between words: the "is it an article" test counts letters, not words
    body = "子どもへの虐待をなくすための法律ができて、親が子どもを教育するために、たたいたり蹴ったりする体罰を禁止することになりました。"
    html = f"<!DOCTYPE html><html><head><title>体罰禁止</title></head><body><article><p>{body}</p></article></body></html>"
    article = extract_article(html, "https://news.example.jp/k1")
    assert article.text_source == "page"
    assert body in article.text
    assert article.language == "ja"
