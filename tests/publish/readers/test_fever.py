"""Fever API conformance (feedafever.com's API version 3, as FreshRSS serves it) and bad input."""

from __future__ import annotations

import time

import httpx
from sqlalchemy import select

from tests.publish.readers.conftest import ALICE, ALICE_API, BOB, BOB_API, serve_app
from tidings.publish.readers.accounts import fever_key
from tidings.publish.readers.items import SYNC_EVERY
from tidings.publish.web.app import create_app
from tidings.store.db import Store
from tidings.store.reader_models import ReaderState


def _fever(site, email=ALICE, password=ALICE_API, key=None, **query):
    params = {"api": ""}
    params.update({k: ("" if v is True else str(v)) for k, v in query.items()})
    answer = httpx.post(site.url + "/api/fever.php", params=params,
                        data={"api_key": key if key is not None else fever_key(email, password)}, timeout=20)
    return answer


def _ok(site, **kwargs):
    answer = _fever(site, **kwargs)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["api_version"] == 3 and body["auth"] == 1 and isinstance(body["last_refreshed_on_time"], int)
    return body


def _states(site):
    with site.store.reading() as s:
        return sorted(tuple(r) for r in s.execute(select(ReaderState.user_id, ReaderState.item_id,
                                                         ReaderState.read_at, ReaderState.starred_at)))


def test_auth_groups_feeds_favicons_links(reader_site):
    site = reader_site
    assert _ok(site).keys() >= {"api_version", "auth", "last_refreshed_on_time"}
    for key in ("", "0" * 32, fever_key(ALICE, "login-password-" + ALICE), fever_key(BOB, ALICE_API)):
        answer = _fever(site, key=key)
        assert answer.status_code == 200 and answer.json() == {"api_version": 3, "auth": 0}
    body = _ok(site, groups=True)
    groups = {g["title"]: g["id"] for g in body["groups"]}
    assert {"Science", "World", "Business"} <= set(groups)
    assert {"group_id": groups["Science"], "feed_ids": str(groups["Science"])} in body["feeds_groups"]
    feeds = _ok(site, feeds=True)["feeds"]
    science = next(f for f in feeds if f["title"] == "Science")
    assert science["site_url"] == site.url + "/section/science" and science["is_spark"] == 0
    assert set(science) == {"id", "favicon_id", "title", "url", "site_url", "is_spark", "last_updated_on_time"}
    favicons = _ok(site, favicons=True)["favicons"]
    assert favicons[0]["id"] == science["favicon_id"] and favicons[0]["data"].startswith("image/gif;base64,")
    assert _ok(site, links=True)["links"] == []


def test_items_since_max_and_with_ids(reader_site):
    site = reader_site
    body = _ok(site, items=True)
    items = body["items"]
    assert body["total_items"] == 4 and len(items) == 4
    ids = sorted(i["id"] for i in items)
    orbit = next(i for i in items if i["title"] == "Skyward weather satellite reaches orbit")
    assert set(orbit) == {"id", "feed_id", "title", "author", "html", "url", "is_saved", "is_read", "created_on_time"}
    assert orbit["url"] == f"{site.url}/story/{site.sample.main}" and orbit["author"] == "Harbour Wire, La Veille"
    groups = {g["title"]: g["id"] for g in _ok(site, groups=True)["groups"]}
    assert orbit["feed_id"] == groups["Science"]
    assert [i["id"] for i in _ok(site, items=True, since_id=ids[1])["items"]] == ids[2:]  # oldest first
    assert [i["id"] for i in _ok(site, items=True, max_id=ids[2])["items"]] == [ids[1], ids[0]]  # newest first
    assert sorted(i["id"] for i in _ok(site, items=True, with_ids=f"{ids[0]},{ids[3]}")["items"]) == [ids[0], ids[3]]
    assert _ok(site, items=True, since_id=ids[3])["items"] == []


def test_marks_and_id_lists(reader_site):
    site = reader_site
    ids = sorted(i["id"] for i in _ok(site, items=True)["items"])
    assert _ok(site, unread_item_ids=True)["unread_item_ids"] == ",".join(map(str, ids))
    assert _ok(site, saved_item_ids=True)["saved_item_ids"] == ""
    marked = _ok(site, mark="item", **{"as": "read"}, id=ids[0])
    assert marked["unread_item_ids"] == ",".join(map(str, ids[1:]))
    _ok(site, mark="item", **{"as": "saved"}, id=ids[1])
    assert _ok(site, saved_item_ids=True)["saved_item_ids"] == str(ids[1])
    _ok(site, mark="item", **{"as": "unsaved"}, id=ids[1])
    _ok(site, mark="item", **{"as": "unread"}, id=ids[0])
    assert _ok(site, unread_item_ids=True)["unread_item_ids"] == ",".join(map(str, ids))
    # a feed read before a time: items listed after it stay unread
    groups = {g["title"]: g["id"] for g in _ok(site, groups=True)["groups"]}
    _ok(site, mark="feed", **{"as": "read"}, id=groups["Science"], before=ids[3] // 10**6 + 1)
    science = {i["id"] for i in _ok(site, items=True)["items"] if i["feed_id"] == groups["Science"]}
    unread = set(map(int, _ok(site, unread_item_ids=True)["unread_item_ids"].split(",")))
    assert not science & unread and len(unread) == 2
    _ok(site, mark="group", **{"as": "read"}, id=0, before=ids[3] // 10**6 + 1)  # group 0: everything
    assert _ok(site, unread_item_ids=True)["unread_item_ids"] == ""
    # Bob's state is his own
    assert _ok(site, email=BOB, password=BOB_API, unread_item_ids=True)["unread_item_ids"] == ",".join(map(str, ids))
    items = _ok(site, email=BOB, password=BOB_API, items=True)["items"]
    assert all(i["is_read"] == 0 and i["is_saved"] == 0 for i in items)


def test_bad_input_is_refused_and_changes_nothing(reader_site):
    site = reader_site
    ids = sorted(i["id"] for i in _ok(site, items=True)["items"])
    _ok(site, mark="item", **{"as": "saved"}, id=ids[0])
    before = _states(site)
    for query in ({"items": True, "since_id": "abc"}, {"items": True, "max_id": "-1"},
                  {"items": True, "with_ids": ",".join(str(i) for i in range(1, 52))},
                  {"items": True, "with_ids": "1,x"},
                  {"mark": "item", "as": "read", "id": 999}, {"mark": "item", "as": "read", "id": "x"},
                  {"mark": "item", "as": "burnt", "id": ids[1]}, {"mark": "item", "as": "read"},
                  {"mark": "feed", "as": "saved", "id": 1}, {"mark": "feed", "as": "read", "id": 424242},
                  {"mark": "story", "as": "read", "id": ids[1]}):
        answer = _fever(site, **query)
        assert answer.status_code == 400, (query, answer.text)
        assert answer.json()["auth"] == 1 and 0 < len(answer.json()["error"]) < 80
    # unknown parameters are ignored
    assert _ok(site, unread_item_ids=True, colour="blue")["unread_item_ids"] == ",".join(map(str, ids))
    # a wrong key marks nothing
    assert _fever(site, key="f" * 32, mark="item", **{"as": "read"}, id=ids[1]).json()["auth"] == 0
    assert _states(site) == before


def test_lists_follow_marks_made_through_another_process(reader_site):
    """The id lists a server reuses are checked against the database on each request, so a mark
    made through another worker process shows at once."""
    site = reader_site
    ids = _ok(site, unread_item_ids=True)["unread_item_ids"]
    assert _ok(site, unread_item_ids=True)["unread_item_ids"] == ids  # served again (from the reuse)
    other_store = Store(site.config.database_url)
    server, thread, other = serve_app(create_app(site.config, other_store))
    try:
        first = int(ids.split(",")[0])
        answer = httpx.post(other + "/api/fever.php", params={"api": "", "mark": "item", "as": "read", "id": first},
                            data={"api_key": fever_key(ALICE, ALICE_API)})
        assert answer.status_code == 200 and answer.json()["auth"] == 1
        assert _ok(site, unread_item_ids=True)["unread_item_ids"] == ids.split(",", 1)[1]
        with site.store.transaction() as s:  # a new story: the lists change too
            from tidings.store.models import Story

            s.add(Story(id="storynew00000007", title="New", section="World", article_count=0, outlet_count=0))
        time.sleep(SYNC_EVERY)  # the server looks for new stories once a second at most
        assert len(_ok(site, unread_item_ids=True)["unread_item_ids"].split(",")) == 4
    finally:
        server.should_exit = True
        thread.join(10)
        other_store.close()
