"""Feeds out parse with feedparser; the JSON API answers what its OpenAPI 3.1 document says."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser
import httpx
import jsonschema
import pytest


@pytest.mark.parametrize("path", ["/feed.atom", "/section/science/feed.atom", "/tag/skyward/feed.atom"])
def test_atom_feeds_parse(client, sample, path):
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    titles = [e.title for e in feed.entries]
    assert "Skyward weather satellite reaches orbit" in titles
    entry = next(e for e in feed.entries if e.title.startswith("Skyward"))
    assert entry.link.endswith(f"/story/{sample.main}")
    assert "https://wire.example/orbital" in entry.content[0].value


JSON_FEED_11 = {
    "type": "object", "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"}, "title": {"type": "string"},
        "home_page_url": {"type": "string", "format": "uri"}, "feed_url": {"type": "string", "format": "uri"},
        "authors": {"type": "array", "items": {"type": "object"}},
        "items": {"type": "array", "items": {
            "type": "object", "required": ["id"],
            "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
            "properties": {"id": {"type": "string"}, "url": {"type": "string"}, "title": {"type": "string"},
                           "content_html": {"type": "string"}, "summary": {"type": "string"},
                           "date_published": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT"},
                           "date_modified": {"type": "string"}, "language": {"type": "string"},
                           "tags": {"type": "array", "items": {"type": "string"}}}}}}}


@pytest.mark.parametrize("path", ["/feed.json", "/section/science/feed.json", "/tag/skyward/feed.json"])
def test_json_feeds_parse(client, path):
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/feed+json")
    data = r.json()
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    # feedparser 6.0 reads no JSON Feed: check the 1.1 spec's required shape with a JSON schema
    jsonschema.validate(data, JSON_FEED_11)
    assert data["items"] and data["feed_url"].endswith(path)


def test_hostile_text_in_feeds_stays_text(client):
    atom = client.get("/feed.atom").content
    ET.fromstring(atom)  # well-formed
    assert b"<script>" not in atom and b"<img" not in atom
    titles = [e.title for e in feedparser.parse(atom).entries]
    assert "Hostile headline" in titles


def test_opml_of_sources(client):
    r = client.get("/sources.opml")
    assert r.status_code == 200
    root = ET.fromstring(r.content)
    urls = {o.get("xmlUrl") for o in root.iter("outline")}
    assert {"https://wire.example/feed.xml", "https://veille.example/rss"} <= urls


@pytest.fixture(scope="module")
def spec(client):
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    for schema in doc["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    return doc


def check(spec, name, value, listing=False):
    target = {"$ref": f"#/components/schemas/{name}"}
    if listing:
        target = spec["paths"]["/api/stories"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        target = {**target, "properties": {**target["properties"],
                                           "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}}}}
    schema = {**target, "components": spec["components"]}
    jsonschema.Draft202012Validator(schema).validate(value)


def test_openapi_document_describes_every_route(spec):
    assert {"/api/stories", "/api/stories/{story_id}", "/api/articles", "/api/sources", "/api/search",
            "/api/editions"} <= set(spec["paths"])
    for item in spec["paths"].values():
        assert "200" in item["get"]["responses"]


def test_api_answers_match_the_schemas(client, spec, sample):
    stories = client.get("/api/stories", params={"limit": 2}).json()
    check(spec, "Story", stories, listing=True)
    assert stories["total"] == 4 and len(stories["items"]) == 2 and stories["next_offset"] == 2
    assert stories["items"][0]["id"] == sample.main  # by rank
    filtered = client.get("/api/stories", params={"language": "fr"}).json()
    assert {s["id"] for s in filtered["items"]} == {sample.main, sample.similar}
    assert client.get("/api/stories", params={"tag": "skyward", "section": "Science"}).json()["total"] == 2
    detail = client.get(f"/api/stories/{sample.main}").json()
    check(spec, "StoryDetail", detail)
    assert [s["cites"] for s in detail["summary"]["sentences"]] == [[1, 2], [3]]
    assert detail["sources"][0]["url"] == "https://wire.example/orbital"
    moved = client.get(f"/api/stories/{sample.merged}")
    assert moved.status_code == 301 and moved.headers["location"] == f"/api/stories/{sample.main}"
    assert client.get("/api/stories/nope").status_code == 404
    articles = client.get("/api/articles", params={"story": sample.main}).json()
    check(spec, "Article", articles, listing=True)
    assert articles["total"] == 3
    one = client.get(f"/api/articles/{sample.articles['evil-js']}").json()
    check(spec, "Article", one)
    assert one["url"] is None  # javascript: never comes back as a link
    sources = client.get("/api/sources").json()
    check(spec, "Source", sources, listing=True)
    hits = client.get("/api/search", params={"q": "skyward"}).json()
    check(spec, "SearchHit", hits, listing=True)
    assert hits["items"][0]["story_id"] == sample.main
    editions = client.get("/api/editions").json()
    check(spec, "Edition", editions, listing=True)
    assert [e["id"] for e in editions["items"]] == [sample.edition_id]  # the draft is not public
    assert editions["items"][0]["story_ids"] == [sample.main, sample.other]  # lead first, dropped left out
    by_slug = client.get("/api/editions/2026-11-23").json()
    check(spec, "Edition", by_slug)
    assert by_slug["id"] == sample.edition_id and by_slug["url"] == "/editions/2026-11-23"
    assert client.get(f"/api/editions/{sample.edition_id}").json()["title"] == "Morning edition"
    assert client.get(f"/api/editions/{sample.draft_id}").status_code == 404
    assert client.get("/api/stories", params={"limit": 1000}).status_code == 400
    assert client.get("/api/search").status_code == 400
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "/api/stories/{story_id}" in docs.text
    assert "One story with its summary, sources and similar stories" in docs.text
    assert "<code>offset</code>" in docs.text


def test_api_listings_come_from_the_response_cache_until_an_update_empties_it(tmp_path):
    """The JSON API is served through the site's response cache, like the pages: a change in the
    store shows once the cache is emptied (as the scheduler does after every round), not before."""
    from tests.publish.web.conftest import serving
    from tests.publish.web.sample import populate
    from tidings.config import Config
    from tidings.publish.web.app import create_app
    from tidings.store.db import Store
    from tidings.store.models import Story

    config = Config(database_url=f"sqlite:///{tmp_path / 'tidings.db'}")
    store = Store(config.database_url, migrate=True)
    populate(store)
    app = create_app(config, store)
    with serving(app) as url:
        before = httpx.get(f"{url}/api/stories", timeout=20).json()["total"]
        with store.transaction() as session:
            session.add(Story(id="cachetest0000001", title="Port cranes go automatic", section="Robotics",
                              score=1.0, languages=["en"], language="en"))
        assert httpx.get(f"{url}/api/stories", timeout=20).json()["total"] == before  # the cached answer
        bad = httpx.get(f"{url}/api/stories?order=sideways", timeout=20)
        assert bad.status_code == 400 and bad.json()["error"] == "bad_request"
        app.state.cache.clear()
        assert httpx.get(f"{url}/api/stories", timeout=20).json()["total"] == before + 1
    store.close()
