"""The editor under /editor: login with CSRF, the failed-login limit, session expiry, working a
draft (reorder, pin, drop, edit, intro), publishing, and that a published edition is frozen."""

from __future__ import annotations

import re
import time

import pytest

from tests.publish.newsletter.conftest import seed_stories, write_config
from tidings.publish.editions import service
from tidings.publish.editions.settings import newsletter_settings
from tidings.publish.editions.users import add_user
from tidings.store.newsletter_models import Edition
from tidings.timeutil import parse_since

PASSWORD = "correct horse battery staple"


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


@pytest.fixture
def editor(store):
    return add_user(store, "Editor@Example.org", PASSWORD)


def log_in(client, email="editor@example.org", password=PASSWORD):
    page = client.get("/editor/login")
    return client.post("/editor/login", data={"csrf": csrf_of(page.text), "email": email, "password": password},
                       follow_redirects=False)


def test_login_needs_csrf_and_the_right_password(client, editor):
    assert client.get("/editor", follow_redirects=False).headers["location"] == "/editor/login"
    client.get("/editor/login")
    r = client.post("/editor/login", data={"email": "editor@example.org", "password": PASSWORD})
    assert r.status_code == 403  # no CSRF token
    r = client.post("/editor/login", data={"csrf": "forged", "email": "editor@example.org", "password": PASSWORD})
    assert r.status_code == 403
    assert log_in(client, password="wrong password!").status_code == 401
    r = log_in(client)
    assert r.status_code == 303 and r.headers["location"] == "/editor"
    cookie = r.headers.get_list("set-cookie")
    assert any("tidings_editor=" in c and "HttpOnly" in c and "SameSite=lax" in c for c in cookie)
    assert client.get("/editor").status_code == 200


def test_failed_logins_are_limited_per_account_and_ip(client, editor, store):
    for _ in range(5):
        assert log_in(client, password="not the password").status_code == 401
    r = log_in(client)  # the right password, but the account is locked for a while
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    # another account from the same address still may try, until the per-address limit
    add_user(store, "other@example.org", PASSWORD)
    assert log_in(client, "other@example.org").status_code == 303
    for n in range(15):
        log_in(client, f"nobody{n}@example.org", "guess guess guess")
    assert log_in(client, "other@example.org").status_code == 429


def test_sessions_expire(tmp_path, smtp, store):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from tidings.publish.newsletter_routes import routes

    config = write_config(tmp_path, smtp[0], session_seconds=1)
    add_user(store, "editor@example.org", PASSWORD)
    app = Starlette(routes=routes())
    app.state.config, app.state.store = config, store
    with TestClient(app, base_url="http://testserver") as client:
        assert log_in(client).status_code == 303
        assert client.get("/editor", follow_redirects=False).status_code == 200
        time.sleep(2.1)
        r = client.get("/editor", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/editor/login"


def items_in_order(store, config, edition_id):
    return service.draft_items(store, newsletter_settings(config), edition_id)


def test_reorder_pin_drop_edit_then_publish_and_it_is_frozen(client, editor, store, config):
    seed_stories(store, 24)
    assert log_in(client).status_code == 303
    home = client.get("/editor")
    r = client.post("/editor/new", data={"csrf": csrf_of(home.text), "since": "7d", "per_section": "4"},
                    follow_redirects=False)
    assert r.status_code == 303
    path = r.headers["location"]
    edition_id = int(path.rsplit("/", 1)[1])
    page = client.get(path)
    csrf = csrf_of(page.text)
    items = items_in_order(store, config, edition_id)
    assert items[0].is_lead and len(items) == 24
    genai = [i for i in items if i.section == "GenAI" and not i.is_lead]
    first, second = genai[0], genai[1]
    assert len(genai) == 3

    def act(item_id, action, **extra):
        resp = client.post(f"{path}/items/{item_id}/{action}", data={"csrf": csrf, **extra}, follow_redirects=False)
        assert resp.status_code == 303, resp.text
        return resp

    act(second.id, "up")
    genai_now = [i.id for i in items_in_order(store, config, edition_id) if i.section == "GenAI" and not i.is_lead]
    assert genai_now[:2] == [second.id, first.id]
    last = genai[-1]
    act(last.id, "pin")
    assert [i.id for i in items_in_order(store, config, edition_id)
            if i.section == "GenAI" and not i.is_lead][0] == last.id
    dropped = [i for i in items if i.section == "Robotics"][0]
    act(dropped.id, "drop")
    act(first.id, "edit", headline="An <edited> headline", body="First paragraph.\n\nSecond <b>paragraph</b>.")
    r = client.post(f"{path}/meta", data={"csrf": csrf, "title": "Week 47", "intro": "Hello & welcome.",
                                          "scheduled_at": "2031-01-02T08:30"}, follow_redirects=False)
    assert r.status_code == 303
    assert service.get_edition(store, edition_id).scheduled_at.isoformat() == "2031-01-02T08:30:00+00:00"
    r = client.post(f"{path}/meta", data={"csrf": csrf, "scheduled_at": "next tuesday"}, follow_redirects=False)
    assert r.status_code == 400 and "not a date and time" in r.text
    assert 'value="2031-01-02T08:30"' in client.get(path).text
    assert client.get(path).headers["referrer-policy"] == "no-referrer"
    # a POST without the token changes nothing
    assert client.post(f"{path}/items/{first.id}/drop", data={}).status_code == 403

    preview = client.get(f"{path}/preview")
    assert preview.status_code == 200
    assert "An &lt;edited&gt; headline" in preview.text and "Second &lt;b&gt;paragraph&lt;/b&gt;." in preview.text
    assert "Hello &amp; welcome." in preview.text and dropped.headline not in preview.text
    pos = [preview.text.index(h) for h in (second.headline, "An &lt;edited&gt; headline")]
    assert pos == sorted(pos)
    assert preview.text.index(last.headline) < pos[0]  # pinned first in its section

    r = client.post(f"{path}/publish", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/editions/")
    public = client.get(r.headers["location"])
    assert public.status_code == 200 and "Week 47" in public.text and "An &lt;edited&gt; headline" in public.text

    # frozen: the editor cannot change it, neither through the routes nor the service
    with store.reading() as session:
        html_before = session.get(Edition, edition_id).html
    r = client.post(f"{path}/items/{second.id}/drop", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 409
    with pytest.raises(service.EditionLocked):
        service.edit_edition(store, edition_id, intro="changed")
    with pytest.raises(service.EditionLocked):
        service.publish(store, newsletter_settings(config), edition_id)
    # nor does a change to the story's summary after publication
    from tidings.store.models import Story, Summary
    with store.transaction() as session:
        story = session.get(Story, second.story_id)
        session.get(Summary, story.summary_id).headline = "Rewritten later"
    with store.reading() as session:
        assert session.get(Edition, edition_id).html == html_before
    again = client.get(public.url.path)
    assert again.text == public.text and "Rewritten later" not in again.text


def test_archive_permalink_and_atom(client, store, config):
    seed_stories(store, 6)
    settings = newsletter_settings(config)
    edition_id = service.new_draft(store, settings, parse_since("7d"))
    service.edit_edition(store, edition_id, title="Issue <1> & more")
    slug = service.publish(store, settings, edition_id)
    seed_stories(store, 2, prefix="t")  # news since: a draft needs a story no edition carried
    service.new_draft(store, settings, parse_since("7d"))  # a draft is not public
    archive = client.get("/editions")
    assert archive.status_code == 200 and f"/editions/{slug}" in archive.text
    assert "Issue &lt;1&gt; &amp; more" in archive.text
    assert client.get("/editions/no-such-edition").status_code == 404
    md = client.get(f"/editions/{slug}.md")
    assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("# Issue \\<1\\> & more")
    txt = client.get(f"/editions/{slug}.txt")
    assert txt.headers["content-type"].startswith("text/plain") and "Issue <1> & more" in txt.text
    feed = client.get("/editions.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    from xml.etree import ElementTree as ET

    root = ET.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    assert entries[0].find("a:title", ns).text == "Issue <1> & more"
    assert entries[0].find("a:link", ns).get("href") == f"http://testserver/editions/{slug}"
