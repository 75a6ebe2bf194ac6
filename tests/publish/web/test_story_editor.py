"""Join scores on the story page and in the API, and the editor's story decisions (move an
article to another story, split it off) through the real app served by uvicorn: login, CSRF,
the recorded decision, and the public pages that show the result at once."""

from __future__ import annotations

import re

import httpx
import jsonschema
import numpy as np
import pytest
from sqlalchemy import select

from tests.publish.web.conftest import serving
from tests.publish.web.sample import populate
from tidings.config import Config
from tidings.publish.editions.users import add_user
from tidings.publish.web.app import create_app
from tidings.store.db import Store
from tidings.store.models import Article, Story, StoryDecision
from tidings.stories.cluster import StoryState
from tidings.stories.editing import load_decisions, state_from_members, stored_features

PASSWORD = "correct horse battery staple"
EMAIL = "desk@example.org"


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


# ---------------------------------------------------------------------------------------------
# reading (the shared, read-only sample site)


def test_story_page_shows_how_well_each_article_fits(client, sample):
    html = client.get(f"/story/{sample.main}").text
    assert "fits this story: 0.83 — strong" in html
    assert "fits this story: 0.44 — weak" in html
    assert "opened this story" in html  # the first article: its 0.21 was the best it reached elsewhere
    assert html.count('class="fit ') == 3


def test_api_story_carries_the_join_scores(client, sample):
    spec = client.get("/api/openapi.json").json()
    detail = client.get(f"/api/stories/{sample.main}").json()
    schema = {"$ref": "#/components/schemas/StoryDetail", "components": spec["components"]}
    jsonschema.Draft202012Validator(schema).validate(detail)
    by_id = {s["article_id"]: (s["join_score"], s["join_band"]) for s in detail["sources"]}
    assert by_id == {sample.articles["orbital"]: (0.21, "opened"), sample.articles["orbital-fr"]: (0.83, "strong"),
                     sample.articles["orbital-2"]: (0.44, "weak")}
    other = client.get(f"/api/stories/{sample.other}").json()
    assert [(s["join_score"], s["join_band"]) for s in other["sources"]] == [(None, None)]  # never scored


# ---------------------------------------------------------------------------------------------
# deciding (a site of its own: these tests change it)


@pytest.fixture
def desk(tmp_path):
    """(client, sample, store) of a fresh site whose stories carry clusterer states, with an editor."""
    config = Config(database_url=f"sqlite:///{tmp_path / 'tidings.db'}")
    store = Store(config.database_url)
    sample = populate(store)
    with store.transaction() as s:
        for i, article in enumerate(s.scalars(select(Article).order_by(Article.id))):
            vector = np.zeros(16, dtype=np.float32)
            vector[i % 16] = 1.0
            article.embedding = vector.tobytes()
        s.flush()
        for story in s.scalars(select(Story).where(Story.merged_into.is_(None))):
            members = list(s.scalars(select(Article).where(Article.story_id == story.id)))
            story.state = state_from_members(story.id, stored_features(members)).to_dict()
    add_user(store, EMAIL, PASSWORD)
    with serving(create_app(config, store)) as url, httpx.Client(base_url=url, timeout=20) as client:
        yield client, sample, store
    store.close()


def log_in(client) -> None:
    page = client.get("/editor/login")
    r = client.post("/editor/login", data={"csrf": csrf_of(page.text), "email": EMAIL, "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/editor"


def story_of(store, article_id: int) -> str | None:
    with store.reading() as s:
        return s.get(Article, article_id).story_id


def test_decisions_need_a_logged_in_editor_and_a_csrf_token(desk):
    client, sample, store = desk
    a3 = sample.articles["orbital-2"]
    path = f"/editor/stories/{sample.main}/articles/{a3}/move"
    r = client.post(path, data={"to": sample.other})
    assert r.status_code == 303 and r.headers["location"] == "/editor/login"
    assert client.get(f"/editor/stories/{sample.main}").headers["location"] == "/editor/login"
    log_in(client)
    assert client.post(path, data={"to": sample.other}).status_code == 403
    assert client.post(path, data={"to": sample.other, "csrf": "forged"}).status_code == 403
    assert story_of(store, a3) == sample.main
    with store.reading() as s:
        assert s.scalars(select(StoryDecision)).all() == []


def test_an_editor_moves_and_splits_articles(desk):
    client, sample, store = desk
    a1, a2, a3 = (sample.articles[k] for k in ("orbital", "orbital-fr", "orbital-2"))
    assert "Weather satellite sends first images" not in client.get(f"/story/{sample.other}").text  # now cached
    log_in(client)
    home = client.get("/editor")
    assert 'action="/editor/stories"' in home.text
    r = client.get("/editor/stories", params={"story": f"https://news.example/story/{sample.main}"})
    assert r.headers["location"] == f"/editor/stories/{sample.main}"
    page = client.get(f"/editor/stories/{sample.main}")
    assert page.status_code == 200 and "fits this story: 0.83 — strong" in page.text
    assert f"/editor/stories/{sample.main}/articles/{a3}/split" in page.text
    csrf = csrf_of(page.text)

    # move a3 to another story, named by its address
    r = client.post(f"/editor/stories/{sample.main}/articles/{a3}/move",
                    data={"csrf": csrf, "to": f"https://news.example/story/{sample.other}"})
    assert r.status_code == 303 and r.headers["location"] == f"/editor/stories/{sample.main}#decisions"
    assert story_of(store, a3) == sample.other
    with store.reading() as s:
        (decision,) = s.scalars(select(StoryDecision)).all()
        assert (decision.actor, decision.action, decision.article_id, decision.from_story, decision.to_story) == (
            EMAIL, "move", a3, sample.main, sample.other)
        assert s.get(Story, sample.other).article_count == 2 and s.get(Story, sample.main).article_count == 2
        assert StoryState.from_dict(s.get(Story, sample.other).state).size == 2
    # the public pages show it at once (the page cache was emptied), and say who placed it
    public = client.get(f"/story/{sample.other}").text
    assert "Weather satellite sends first images" in public and "placed here by an editor" in public
    api = client.get(f"/api/stories/{sample.other}").json()
    assert {s["article_id"]: s["join_band"] for s in api["sources"]}[a3] == "editor"

    # split a2 off into a story of its own
    r = client.post(f"/editor/stories/{sample.main}/articles/{a2}/split", data={"csrf": csrf})
    assert r.status_code == 303
    new = story_of(store, a2)
    assert new not in (sample.main, sample.other)
    assert client.get(f"/story/{new}").status_code == 200
    page = client.get(f"/editor/stories/{sample.main}")
    assert page.text.count("split off") >= 1 and EMAIL in page.text and f"/editor/stories/{new}" in page.text
    with store.reading() as s:
        pinned, apart = load_decisions(s)
    assert pinned == {a2, a3} and apart == [(sample.main, sample.other), (sample.main, new)]

    # refused: an unknown story, a stale form, and the last article of a story split off
    r = client.post(f"/editor/stories/{sample.main}/articles/{a1}/move", data={"csrf": csrf, "to": "nosuchstory"})
    assert r.status_code == 400 and "no story nosuchstory" in r.text
    r = client.post(f"/editor/stories/{sample.other}/articles/{a1}/split", data={"csrf": csrf})
    assert r.status_code == 400 and "no longer in this story" in r.text
    r = client.post(f"/editor/stories/{sample.main}/articles/{a1}/split", data={"csrf": csrf})
    assert r.status_code == 400 and "only article" in r.text
    assert story_of(store, a1) == sample.main


def test_an_article_that_came_with_a_merged_story_says_so(desk):
    client, sample, store = desk
    with store.transaction() as s:  # a3 opened a story of its own, later merged into this one
        s.get(Article, sample.articles["orbital-2"]).story_score = 0.30
    detail = client.get(f"/api/stories/{sample.main}").json()
    bands = {s["article_id"]: s["join_band"] for s in detail["sources"]}
    assert bands[sample.articles["orbital"]] == "opened"  # the earliest below the threshold
    assert bands[sample.articles["orbital-2"]] == "merged"
    assert "opened a story merged into this one" in client.get(f"/story/{sample.main}").text


def test_an_editor_splits_an_article_off_in_a_real_browser(desk):
    """Debian's chromium, no JavaScript needed: log in, open the story from the editor home, split."""
    import shutil
    import tempfile
    from pathlib import Path

    sync_api = pytest.importorskip("playwright.sync_api")
    client, sample, store = desk
    base = str(client.base_url).rstrip("/")
    a3 = sample.articles["orbital-2"]
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("chromium not installed: run scripts/system-deps.sh")
    profile = tempfile.mkdtemp(prefix="tidings-chromium-")
    artifacts = Path(__file__).resolve().parents[3] / "test-artifacts" / "web"
    artifacts.mkdir(parents=True, exist_ok=True)
    try:
        with sync_api.sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path="/usr/bin/chromium", headless=True, viewport={"width": 1200, "height": 900},
                args=["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"])
            page = context.new_page()
            page.goto(base + "/editor")
            assert page.url.endswith("/editor/login")
            page.fill("#email", EMAIL)
            page.fill("#password", PASSWORD)
            page.click("form[action='/editor/login'] button")
            page.fill("#story", f"{base}/story/{sample.main}")
            page.click("form[action='/editor/stories'] button")
            assert page.url.endswith(f"/editor/stories/{sample.main}")
            assert page.locator(f"#article-{a3} .fit").inner_text() == "fits this story: 0.44 — weak"
            unlabeled = page.evaluate("""[...document.querySelectorAll('input:not([type=hidden])')]
                .filter(e => !(e.labels && e.labels.length)).length""")
            assert unlabeled == 0
            page.click(f"#article-{a3} >> text=Split off into a new story")
            assert page.url.split("#")[0].endswith(f"/editor/stories/{sample.main}")
            assert "split off" in page.locator("#decisions + table").inner_text()
            page.screenshot(path=str(artifacts / "editor-story.png"), full_page=True)
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert story_of(store, a3) not in (sample.main, None)
