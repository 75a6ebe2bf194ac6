"""Rendering: the email is one parseable message under Gmail's 102 KB clip for 20 stories,
outside text is escaped in every format, the sponsor is labelled, sources are numbered."""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from tests.publish.newsletter.conftest import seed_stories
from tidings.config import ConfigError
from tidings.publish.editions import service
from tidings.publish.editions.render import GMAIL_CLIP_BYTES, Links, render_html, render_markdown, render_text
from tidings.publish.editions.settings import newsletter_settings
from tidings.publish.mail.message import address_ok, edition_message
from tidings.timeutil import parse_since

EVIL = 'Lab <script>alert("x")</script> & [link](javascript:alert(1)) *bold* <img src=x onerror=alert(1)>'


def twenty_story_edition(store, config, sentences=6):
    seed_stories(store, 20, sentences=sentences)
    settings = newsletter_settings(config)
    edition_id = service.new_draft(store, settings, parse_since("7d"), per_section=4)
    service.publish(store, settings, edition_id)
    return settings, service.preview(store, settings, edition_id)


def reader_links():
    return Links(archive="http://testserver/editions", web="http://testserver/editions/x",
                 unsubscribe="http://testserver/newsletter/unsubscribe?t=abc.def",
                 preferences="http://testserver/newsletter/preferences?t=abc.ghi")


def test_twenty_story_email_parses_and_stays_under_the_gmail_clip(store, config):
    settings, content = twenty_story_edition(store, config)
    assert len(content.stories) == 20
    msg = edition_message(settings, content, "reader@example.org", reader_links())
    raw = msg.as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["List-Unsubscribe"] and parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = parsed.get_body(("html",)).get_content()
    text = parsed.get_body(("plain",)).get_content()
    assert len(html.encode("utf-8")) < GMAIL_CLIP_BYTES, len(html.encode("utf-8"))
    # every story, its numbered sources and the section titles are in both parts
    for story in content.stories:
        assert story.headline.lower() in text.lower()
    assert "TheGen.AI News" in html and "TheResearch.AI News" in html
    # table layout with inlined styles (no reliance on the <style> block for the light theme)
    assert html.count('role="presentation"') >= 2
    assert re.search(r'<h3 style="[^"]*font-size: 20px', html)
    assert 'name="color-scheme"' in html
    assert "<script" not in html and "<img" not in html  # nothing that needs alt text or runs
    assert "Sponsored" in html and "[SPONSORED]" in text
    assert "Unsubscribe" in html and "http://testserver/newsletter/unsubscribe?t=abc.def" in text


def test_outside_text_is_escaped_everywhere(store, config):
    seed_stories(store, 3, headline=EVIL + " {i}")
    settings = newsletter_settings(config)
    edition_id = service.new_draft(store, settings, parse_since("7d"))
    service.edit_edition(store, edition_id, intro="Intro <b>not bold</b> & more")
    content = service.preview(store, settings, edition_id)
    html = render_html(content, reader_links())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "<b>not bold</b>" not in html
    # the sponsor from the config ("Acme <Labs>", quotes, &) is escaped and labelled
    assert "Acme &lt;Labs&gt;" in html and "Sponsored" in html
    assert 'href="https://acme.example/?a=1&amp;b=2"' in html
    md = render_markdown(content, reader_links())
    assert "[link](javascript" not in md and "\\[link\\]\\(javascript" in md
    assert "<script>" not in md and "\\*bold\\*" in md
    text = render_text(content, reader_links())
    assert EVIL.split()[0] in text


def test_sources_are_numbered_per_story(store, config):
    seed_stories(store, 1)
    settings = newsletter_settings(config)
    content = service.preview(store, settings, service.new_draft(store, settings, parse_since("7d")))
    story = content.lead
    assert [s.number for s in story.sources] == [1, 2, 3]
    cited = {n for para in story.paragraphs for sent in para for n in sent.cites}
    assert cited == {1, 2, 3}
    text = render_text(content)
    for src in story.sources:
        assert f"[{src.number}] {src.outlet}: {src.title}" in text and src.url in text


def test_newsletter_settings_defaults_and_errors(tmp_path, smtp):
    from tests.publish.newsletter.conftest import write_config

    config = write_config(tmp_path, smtp[0], extra='section_titles = { "Robotics" = "Bots Weekly" }')
    settings = newsletter_settings(config)
    assert settings.section_title("Robotics") == "Bots Weekly"
    assert settings.section_title("GenAI") == "TheGen.AI News"
    assert settings.sponsor is not None and settings.sponsor.name == "Acme <Labs>"
    with pytest.raises(ConfigError, match=r"\[newsletter\] colour: unknown setting"):
        write_config(tmp_path, smtp[0], extra="colour = 'blue'")


@pytest.mark.parametrize("address,ok", [
    ("a@example.org", True), ("first.last+tag@sub.example.co.uk", True), ("no-at-sign", False),
    ("a@localhost", False), ("a@example.org\r\nBcc: x@example.org", False), ("Name <a@example.org>", False),
    ("a@b@example.org", False),
])
def test_address_check(address, ok):
    assert address_ok(address) is ok


def test_no_empty_draft_and_only_the_newsletters_language(config, store):
    """Issue 17: `edition new` with nothing new drafts nothing; stories summarized in another
    language than the newsletter's stay out."""
    from sqlalchemy import update

    from tidings.store.models import Story

    ids = seed_stories(store, 4)
    with store.transaction() as session:
        session.execute(update(Story).where(Story.id == ids[0]).values(language="fr"))
        session.execute(update(Story).where(Story.id.in_(ids[1:])).values(language="en"))
    settings = newsletter_settings(config)
    edition_id = service.new_draft(store, settings, parse_since("7d"))
    picked = {item.story_id for item in service.draft_items(store, settings, edition_id)}
    assert picked == set(ids[1:])
    service.publish(store, settings, edition_id)
    before = len(service.list_editions(store))
    with pytest.raises(service.NothingToDraft):
        service.new_draft(store, settings, parse_since("7d"))
    assert len(service.list_editions(store)) == before
