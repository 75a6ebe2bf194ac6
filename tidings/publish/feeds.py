"""Feeds out: Atom 1.0 and JSON Feed 1.1 for the front page, each section and each tag,
and the sources as OPML (``/sources.opml``).

:func:`atom_feed` and :func:`json_feed` are pure functions of a :class:`FeedInfo` and its
stories; outside text goes in escaped (Atom by the XML serializer, HTML content built from
plain text with :func:`html.escape`).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.routing import Route

from tidings.publish.web.cache import Cached
from tidings.publish.web.queries import StoryCard, StoryDetail, list_stories, slugify, story_detail

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 30


@dataclass(slots=True)
class FeedInfo:
    title: str
    page_url: str  # the HTML page the feed follows
    feed_url: str  # this feed's own address
    base_url: str  # the site, for story links
    description: str = ""
    language: str | None = None


def _iso(moment: datetime | None) -> str:
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def story_url(base_url: str, story_id: str) -> str:
    return f"{base_url}/story/{quote(story_id, safe='')}"


def content_html(card: StoryCard, detail: StoryDetail | None) -> str:
    """The body of a feed item: lead, cited summary and sources, as escaped HTML."""
    parts = [f"<p><strong>{escape(card.lead)}</strong></p>"] if card.lead else []
    if detail is not None:
        for sentence in detail.sentences:
            cites = "".join(
                f' <a href="{escape(url)}">[{n}]</a>' if (url := detail.sources[n - 1].url) else f" [{n}]"
                for n in sentence.cites)
            parts.append(f"<p>{escape(sentence.text)}{cites}</p>")
        if detail.sources:
            items = "".join(
                f"<li>{escape(s.outlet)}: "
                + (f'<a href="{escape(s.url)}">{escape(s.title)}</a>' if s.url else escape(s.title))
                + "</li>" for s in detail.sources)
            parts.append(f"<p>Sources:</p><ol>{items}</ol>")
    return "".join(parts)


def atom_feed(info: FeedInfo, items: list[tuple[StoryCard, StoryDetail | None]]) -> bytes:
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    if info.language:
        feed.set("{http://www.w3.org/XML/1998/namespace}lang", info.language)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    sub(feed, "id", info.feed_url)
    sub(feed, "title", info.title)
    if info.description:
        sub(feed, "subtitle", info.description)
    updated = max((when for c, _ in items if (when := c.updated_at or c.last_published) is not None), default=None)
    sub(feed, "updated", _iso(updated))
    sub(feed, "link", rel="self", type="application/atom+xml", href=info.feed_url)
    sub(feed, "link", rel="alternate", type="text/html", href=info.page_url)
    sub(sub(feed, "author"), "name", "Tidings")
    sub(feed, "generator", "Tidings")
    for card, detail in items:
        entry = sub(feed, "entry")
        url = story_url(info.base_url, card.id)
        sub(entry, "id", url)
        title = sub(entry, "title", card.headline, type="text")
        if card.language:
            title.set("{http://www.w3.org/XML/1998/namespace}lang", card.language)
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "published", _iso(card.first_published))
        sub(entry, "updated", _iso(card.updated_at or card.last_published))
        if card.lead:
            sub(entry, "summary", card.lead, type="text")
        sub(entry, "content", content_html(card, detail), type="html")
        if card.section:
            sub(entry, "category", term=card.section, label=card.section)
        for tag in card.tags:
            sub(entry, "category", term=tag.key, label=tag.name)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


def json_feed(info: FeedInfo, items: list[tuple[StoryCard, StoryDetail | None]]) -> bytes:
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": info.page_url,
        "feed_url": info.feed_url,
        "description": info.description,
        "authors": [{"name": "Tidings"}],
        "items": [],
    }
    if info.language:
        feed["language"] = info.language
    for card, detail in items:
        url = story_url(info.base_url, card.id)
        item: dict[str, Any] = {
            "id": url, "url": url, "title": card.headline, "summary": card.lead,
            "content_html": content_html(card, detail),
            "date_published": _iso(card.first_published), "date_modified": _iso(card.updated_at or card.last_published),
            "tags": ([card.section] if card.section else []) + [t.name for t in card.tags],
        }
        if card.language:
            item["language"] = card.language
        if detail is not None:
            item["external_url"] = next((u for s in detail.sources if (u := s.url)), None) or url
        feed["items"].append(item)
    return json.dumps(feed, ensure_ascii=False, indent=1).encode()


# ---------------------------------------------------------------------------------------------
# routes


def _items(session, cards: list[StoryCard]) -> list[tuple[StoryCard, StoryDetail | None]]:
    out = []
    for card in cards:
        detail = story_detail(session, card.id)
        out.append((card, detail if isinstance(detail, StoryDetail) else None))
    return out


def _serve(request: Request, scope: str, fmt: str):
    from tidings.publish.web.pages import section_by_slug
    from tidings.publish.web.responses import NotFound, base_url, cached

    app = request.app
    base = base_url(request)
    site = app.state.site["title"]

    def build() -> Cached:
        with app.state.store.reading() as session:
            if scope == "front":
                cards, _ = list_stories(session, limit=FEED_SIZE)
                info = FeedInfo(f"{site}: top stories", base + "/", "", base, "The most important stories now.")
                path = ""
            elif scope == "section":
                name = section_by_slug(app, request.path_params["slug"])
                if name is None:
                    raise NotFound
                cards, _ = list_stories(session, section=name, limit=FEED_SIZE)
                path = f"/section/{slugify(name)}"
                info = FeedInfo(f"{site}: {name}", base + path, "", base, f"Top stories in {name}.")
            else:
                key = request.path_params["key"]
                cards, total = list_stories(session, tag=key, limit=FEED_SIZE)
                if not total:
                    raise NotFound
                name = next((t.name for c in cards for t in c.tags if t.key == key), key)
                path = f"/tag/{quote(key, safe='')}"
                info = FeedInfo(f"{site}: {name}", base + path, "", base, f"Stories tagged {name}.")
            items = _items(session, cards)
        if fmt == "atom":
            info.feed_url = f"{base}{path}/feed.atom"
            return Cached(atom_feed(info, items), 200, "application/atom+xml; charset=utf-8", {})
        info.feed_url = f"{base}{path}/feed.json"
        return Cached(json_feed(info, items), 200, "application/feed+json; charset=utf-8", {})

    return cached(request, build)


def _route(scope: str, fmt: str):
    async def endpoint(request: Request):
        return await _serve(request, scope, fmt)

    endpoint.__name__ = f"{scope}_{fmt}_feed"
    return endpoint


async def sources_opml(request: Request):
    from tidings.publish.web.responses import cached
    from tidings.sources.registry import export_opml

    app = request.app

    def build() -> Cached:
        with app.state.store.reading() as session:
            return Cached(export_opml(session).encode(), 200, "text/x-opml; charset=utf-8",
                          {"content-disposition": 'inline; filename="sources.opml"'})

    return await cached(request, build)


def routes() -> list[Route]:
    return [
        Route("/feed.atom", _route("front", "atom")),
        Route("/feed.json", _route("front", "json")),
        Route("/section/{slug}/feed.atom", _route("section", "atom")),
        Route("/section/{slug}/feed.json", _route("section", "json")),
        Route("/tag/{key:path}/feed.atom", _route("tag", "atom")),
        Route("/tag/{key:path}/feed.json", _route("tag", "json")),
        Route("/sources.opml", sources_opml),
    ]
