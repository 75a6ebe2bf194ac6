"""Google Reader API conformance, endpoint by endpoint, against the behaviour FreshRSS documents
(https://freshrss.github.io/FreshRSS/en/developers/06_GoogleReader_API.html), on SQLite and
PostgreSQL, and the bad input each endpoint must refuse without changing anything."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select, update

from tests.publish.readers.conftest import ALICE, ALICE_API, BOB, BOB_API, login
from tidings.publish.editions.security import Signer, load_secret
from tidings.publish.readers import accounts
from tidings.publish.readers.items import SYNC_EVERY
from tidings.sanitize import clean_html
from tidings.store.models import Story
from tidings.store.reader_models import ReaderItem, ReaderState

STATE = "user/-/state/com.google/"
API = "/api/greader/reader/api/0/"


def _get(site, path, headers, **params):
    return httpx.get(site.url + API + path, headers=headers, params=params, timeout=20)


def _post(site, path, headers, data):
    """A form POST; a list of pairs repeats a name (i=1&i=2), as the apps send it."""
    pairs = list(data.items()) if isinstance(data, dict) else data
    return httpx.post(site.url + API + path, content=urlencode(pairs).encode(), timeout=20,
                      headers={**headers, "content-type": "application/x-www-form-urlencoded"})


def _states(site):
    with site.store.reading() as s:
        return sorted(tuple(r) for r in s.execute(select(ReaderState.user_id, ReaderState.item_id,
                                                         ReaderState.read_at, ReaderState.starred_at)))


def _ids(site, headers, **params):
    answer = _get(site, "stream/items/ids", headers, s=params.pop("s", STATE + "reading-list"), **params)
    assert answer.status_code == 200, answer.text
    return [int(r["id"]) for r in answer.json()["itemRefs"]]


def test_client_login_token_and_user_info(reader_site):
    site = reader_site
    answer = httpx.post(site.url + "/api/greader/accounts/ClientLogin", data={"Email": ALICE, "Passwd": ALICE_API})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    lines = dict(line.split("=", 1) for line in answer.text.splitlines())
    assert set(lines) == {"SID", "LSID", "Auth"} and "=" not in lines["Auth"]  # libgreader splits on '='
    # ClientLogin also answers a GET with the same parameters (FreshRSS reads $_REQUEST)
    assert httpx.get(site.url + "/api/greader/accounts/ClientLogin",
                     params={"Email": ALICE.upper(), "Passwd": ALICE_API}).status_code == 200
    headers = {"Authorization": f"GoogleLogin auth={lines['Auth']}"}
    info = _get(site, "user-info", headers).json()
    assert info["userId"] == "1" and info["userEmail"] == ALICE and info["userName"] == ALICE
    t = _get(site, "token", headers)
    assert t.status_code == 200 and t.text and "=" not in t.text

    for data, status in (({"Email": ALICE, "Passwd": "wrong-password"}, 401),
                         ({"Email": ALICE, "Passwd": "login-password-" + ALICE}, 401),  # the login password
                         ({"Email": "nobody@example.org", "Passwd": ALICE_API}, 401),
                         ({"Email": ALICE}, 400), ({}, 400)):
        answer = httpx.post(site.url + "/api/greader/accounts/ClientLogin", data=data)
        assert answer.status_code == status and len(answer.text) < 100


def test_every_endpoint_refuses_a_missing_wrong_expired_or_revoked_token(reader_site):
    site = reader_site
    signer = Signer(load_secret(site.config))
    alice = accounts.login(site.store, ALICE, ALICE_API)
    expired = accounts.issue_token(signer, alice, hours=-1)
    other_purpose = accounts.action_token(signer, alice, hours=1)
    forged = accounts.issue_token(Signer(b"another secret"), alice, hours=1)
    good = login(site.url)
    before = _states(site)
    # a new API password ends the tokens issued before it
    accounts.set_api_password(site.store, ALICE, "a-brand-new-api-password")
    revoked = good["Authorization"].split("=", 1)[1]
    endpoints = ["token", "user-info", "subscription/list", "tag/list", "unread-count",
                 "stream/contents/user/-/state/com.google/reading-list", "stream/items/ids",
                 "stream/items/contents", "edit-tag", "mark-all-as-read"]
    for headers in ({}, {"Authorization": "GoogleLogin auth=garbage"}, {"Authorization": "Bearer x"},
                    {"Authorization": f"GoogleLogin auth={expired}"},
                    {"Authorization": f"GoogleLogin auth={other_purpose}"},
                    {"Authorization": f"GoogleLogin auth={forged}"},
                    {"Authorization": f"GoogleLogin auth={revoked}"}):
        for path in endpoints:
            answer = httpx.post(site.url + API + path, headers=headers,
                                data={"i": "1", "a": STATE + "read", "s": STATE + "reading-list"})
            assert answer.status_code == 401, (path, headers, answer.text)
            assert answer.headers.get("google-bad-token") == "true" and len(answer.text) < 100
    assert _states(site) == before
    assert _get(site, "user-info", login(site.url, ALICE, "a-brand-new-api-password")).status_code == 200


def test_subscriptions_tags_and_unread_counts(reader_site):
    site = reader_site
    h = login(site.url)
    subs = _get(site, "subscription/list", h, output="json").json()["subscriptions"]
    by_title = {s["title"]: s for s in subs}
    assert {"Science", "World", "Business"} <= set(by_title)
    science = by_title["Science"]
    assert re.fullmatch(r"feed/\d+", science["id"])
    assert science["categories"] == [{"id": "user/-/label/Science", "label": "Science"}]
    assert science["htmlUrl"] == site.url + "/section/science" and science["url"].endswith("/section/science/feed.atom")
    tags = [t["id"] for t in _get(site, "tag/list", h).json()["tags"]]
    assert tags[0] == STATE + "starred" and "user/-/label/Science" in tags
    counts = {c["id"]: c for c in _get(site, "unread-count", h).json()["unreadcounts"]}
    assert counts[STATE + "reading-list"]["count"] == 4  # five stories, one merged away
    assert counts["user/-/label/Science"]["count"] == 2 == counts[science["id"]]["count"]
    assert counts["user/-/label/World"]["count"] == 1
    newest = max(_ids(site, h))
    assert counts[STATE + "reading-list"]["newestItemTimestampUsec"] == str(newest)
    # a section name with a space and an ampersand, percent-encoded in the path as libgreader sends it
    policy = httpx.get(site.url + API + "stream/contents/user/-/label/Policy%20%26%20regulation", headers=h)
    assert policy.status_code == 200 and policy.json()["items"] == []
    assert counts["user/-/label/Policy & regulation"]["count"] == 0


def test_stream_contents_items_filters_order_and_continuation(reader_site):
    site = reader_site
    h = login(site.url)
    answer = _get(site, "stream/contents/" + STATE + "reading-list", h, n=10)
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == STATE + "reading-list" and "continuation" not in body
    items = body["items"]
    assert len(items) == 4 and [i["timestampUsec"] for i in items] == sorted((i["timestampUsec"] for i in items),
                                                                             reverse=True)
    orbit = next(i for i in items if i["title"] == "Skyward weather satellite reaches orbit")
    assert re.fullmatch(r"tag:google\.com,2005:reader/item/[0-9a-f]{16}", orbit["id"])
    assert int(orbit["id"].rsplit("/", 1)[1], 16) == int(orbit["timestampUsec"])
    assert orbit["crawlTimeMsec"] == orbit["timestampUsec"][:-3]
    assert orbit["alternate"] == [{"href": f"{site.url}/story/{site.sample.main}", "type": "text/html"}]
    assert orbit["author"] == "Harbour Wire, La Veille"
    assert orbit["categories"] == [STATE + "reading-list", "user/-/label/Science"]
    assert orbit["origin"]["title"] == "Science" and orbit["origin"]["streamId"].startswith("feed/")
    with site.store.reading() as s:
        first = s.scalar(select(Story.first_published).where(Story.id == site.sample.main))
    assert orbit["published"] == int(first.timestamp())
    html = orbit["summary"]["content"]
    assert html.startswith("<p><strong>The Aurora rocket put the Skyward")
    assert '<a href="https://wire.example/orbital" rel="nofollow noopener noreferrer">[1]</a>' in html
    assert "<li>Harbour Wire (🏆" in html and "La Veille" in html

    # a label, a feed, oldest first, exclusions, inclusions
    science = _get(site, "stream/contents/user/-/label/Science", h).json()
    assert {i["title"] for i in science["items"]} == {"Skyward weather satellite reaches orbit", "Space budget"}
    feed_id = orbit["origin"]["streamId"]
    assert [i["id"] for i in _get(site, "stream/contents/" + feed_id, h).json()["items"]] == \
        [i["id"] for i in science["items"]]
    oldest_first = _get(site, "stream/contents", h, s=STATE + "reading-list", r="o").json()["items"]
    assert [i["id"] for i in oldest_first] == [i["id"] for i in reversed(items)]
    not_science = _get(site, "stream/contents/" + STATE + "reading-list", h, xt="user/-/label/Science").json()
    assert len(not_science["items"]) == 2
    assert _get(site, "stream/contents/" + STATE + "reading-list", h, it=STATE + "starred").json()["items"] == []

    # continuation: pages of one, every item once, then no continuation
    seen, c = [], None
    while True:
        page = _get(site, "stream/contents/" + STATE + "reading-list", h, n=1, **({"c": c} if c else {})).json()
        seen += [i["id"] for i in page["items"]]
        c = page.get("continuation")
        if not c:
            break
    assert seen == [i["id"] for i in items]

    # ot / nt: seconds compared with the time each item was listed
    ids = sorted(int(i["timestampUsec"]) for i in items)
    newer = _get(site, "stream/items/ids", h, s=STATE + "reading-list", ot=ids[-1] // 10**6).json()["itemRefs"]
    assert str(ids[-1]) in {r["id"] for r in newer}
    assert _get(site, "stream/items/ids", h, s=STATE + "reading-list", nt=ids[0] // 10**6).json()["itemRefs"] == []


def test_items_contents_takes_long_and_decimal_ids(reader_site):
    site = reader_site
    h = login(site.url)
    ids = _ids(site, h)
    long_form = f"tag:google.com,2005:reader/item/{ids[0]:016x}"
    answer = _post(site, "stream/items/contents", h, [("i", long_form), ("i", str(ids[1])), ("output", "json")])
    assert answer.status_code == 200
    got = [int(i["timestampUsec"]) for i in answer.json()["items"]]
    assert got == sorted(ids[:2], reverse=True)
    # an id of no item is left out, as FreshRSS does
    assert _post(site, "stream/items/contents", h, {"i": "12345"}).json()["items"] == []


def test_edit_tag_and_mark_all_as_read(reader_site):
    site = reader_site
    h = login(site.url)
    t = _get(site, "token", h).text
    ids = _ids(site, h)
    assert _post(site, "edit-tag", h, {"i": str(ids[0]), "a": STATE + "read", "T": t}).text == "OK"
    assert _post(site, "edit-tag", h, [("i", f"tag:google.com,2005:reader/item/{ids[1]:016x}"),
                                        ("a", STATE + "starred"), ("a", STATE + "read"), ("T", t)]).text == "OK"
    assert _ids(site, h, s=STATE + "read") == ids[:2]
    assert _ids(site, h, s=STATE + "starred") == [ids[1]]
    assert _ids(site, h, xt=STATE + "read") == ids[2:]
    # kept-unread and removing read both make an item unread again; starring stays
    assert _post(site, "edit-tag", h, {"i": str(ids[1]), "a": STATE + "kept-unread", "T": "x"}).text == "OK"
    assert _post(site, "edit-tag", h, {"i": str(ids[0]), "r": STATE + "read"}).text == "OK"
    assert _ids(site, h, s=STATE + "read") == []
    assert _ids(site, h, s=STATE + "starred") == [ids[1]]
    # mark-all-as-read up to a time: items listed later stay unread
    assert _post(site, "mark-all-as-read", h, {"s": STATE + "reading-list", "ts": str(ids[1]), "T": t}).text == "OK"
    assert _ids(site, h, xt=STATE + "read") == ids[:1]
    assert _post(site, "mark-all-as-read", h, {"s": "user/-/label/Business"}).text == "OK"
    assert _post(site, "mark-all-as-read", h, {"s": STATE + "reading-list"}).text == "OK"
    assert _ids(site, h, xt=STATE + "read") == []
    counts = {c["id"]: c["count"] for c in _get(site, "unread-count", h).json()["unreadcounts"]}
    assert counts[STATE + "reading-list"] == 0
    # the other user's view is untouched
    assert len(_ids(site, login(site.url, BOB, BOB_API), xt=STATE + "read")) == 4


def test_bad_input_is_refused_and_changes_nothing(reader_site):
    site = reader_site
    h = login(site.url)
    ids = _ids(site, h)
    _post(site, "edit-tag", h, {"i": str(ids[0]), "a": STATE + "starred"})
    before = _states(site)
    refused = [
        ("edit-tag", {"i": "tag:google.com,2005:reader/item/xyz", "a": STATE + "read"}),
        ("edit-tag", {"i": "not-an-id", "a": STATE + "read"}),
        ("edit-tag", [("i", str(ids[1])), ("i", "999"), ("a", STATE + "read")]),  # one unknown: none marked
        ("edit-tag", {"a": STATE + "read"}),
        ("edit-tag", {"i": str(ids[1]), "a": "user/-/label/Science"}),
        ("edit-tag", {"i": str(ids[1]), "a": "user/2/state/com.google/read"}),
        ("edit-tag", {"i": str(ids[1]), "a": "user/-/state/com.google/nonsense"}),
        ("edit-tag", {"i": str(ids[1]), "a": STATE + "read", "T": "forged.token"}),
        ("mark-all-as-read", {"s": "user/2/state/com.google/reading-list"}),
        ("mark-all-as-read", {"s": "user/-/label/No such section"}),
        ("mark-all-as-read", {"s": STATE + "reading-list", "ts": "yesterday"}),
        ("mark-all-as-read", {}),
        ("stream/items/contents", {"i": "tag:google.com,2005:reader/item/"}),
    ]
    for path, data in refused:
        answer = _post(site, path, h, data)
        assert answer.status_code in (400, 401), (path, data, answer.status_code, answer.text)
        assert 0 < len(answer.text) < 120
    for params in ({"n": "100000"}, {"n": "0"}, {"n": "many"}, {"c": "garbage"}, {"c": "123"}, {"r": "x"},
                   {"ot": "-5"}, {"xt": "user/2/state/com.google/read"}, {"it": "feed/424242"}):
        answer = _get(site, "stream/contents/" + STATE + "reading-list", h, **params)
        assert answer.status_code == 400, (params, answer.text)
        assert 0 < len(answer.text) < 120
    for stream in ("user/2/state/com.google/starred", "user/-/state/com.google/nonsense", "feed/1", "splice/x"):
        assert _get(site, "stream/contents/" + stream, h).status_code == 400
        assert _get(site, "stream/items/ids", h, s=stream).status_code == 400
    assert _get(site, "stream/items/ids", h, n="100000").status_code == 400
    assert _post(site, "edit-tag", h, {"i": str(ids[1]), "a": STATE + "read"}).status_code == 200  # still works
    # the apps' extra parameters are ignored
    extra = _get(site, "stream/contents/" + STATE + "reading-list", h, ck="1700000000", client="reeder",
                 likes="false", comments="false", output="json", whatever="1")
    assert extra.status_code == 200 and len(extra.json()["items"]) == 4
    after = [s for s in _states(site) if s[1] != ids[1]]  # the one valid edit-tag above
    assert after == [s for s in before if s[1] != ids[1]]


def test_one_user_never_sees_another_users_state(reader_site):
    site = reader_site
    alice, bob = login(site.url), login(site.url, BOB, BOB_API)
    ids = _ids(site, alice)
    _post(site, "edit-tag", alice, [("i", str(i)) for i in ids] + [("a", STATE + "read"), ("a", STATE + "starred")])
    assert _ids(site, bob, s=STATE + "starred") == [] and _ids(site, bob, s=STATE + "read") == []
    assert _get(site, "stream/contents/user/1/state/com.google/starred", bob).status_code == 400
    assert _ids(site, alice, s="user/1/state/com.google/starred") == ids  # one's own numeric id is fine
    items = _get(site, "stream/contents/" + STATE + "reading-list", bob).json()["items"]
    assert all(STATE + "read" not in i["categories"] and STATE + "starred" not in i["categories"] for i in items)


def test_item_content_is_sanitized_html(reader_site):
    """Every item's HTML is what the site's sanitizer leaves unchanged: hostile feed text stays text."""
    site = reader_site
    h = login(site.url)
    items = _get(site, "stream/contents/" + STATE + "reading-list", h).json()["items"]
    hostile = next(i for i in items if "Hostile headline" in i["title"])
    for item in items:
        html = item["summary"]["content"]
        assert clean_html(html) == html
        for bad in ("<script", "<img", "<svg", "onerror", "onload", "javascript:"):
            assert bad not in html.lower() and bad not in item["title"].lower()
    content = hostile["summary"]["content"]
    assert "A sentence with a payload." in content and "Link that is javascript" in content  # text kept
    assert '<a href="https://bad.example/evil" rel="nofollow noopener noreferrer">[1]</a>' in content


def test_new_stories_become_items_and_merged_ones_leave(reader_site):
    site = reader_site
    h = login(site.url)
    ids = _ids(site, h)
    with site.store.transaction() as s:
        s.add(Story(id="storynew00000006", title="A brand new story", section="World", article_count=0,
                    outlet_count=0))
    time.sleep(SYNC_EVERY)  # the server looks for new stories once a second at most
    fresh = _ids(site, h)
    assert len(fresh) == 5 and fresh[0] > max(ids) and fresh[1:] == ids
    with site.store.transaction() as s:
        # as the clusterer and the editors merge: the merged story's updated_at moves with it
        s.execute(update(Story).where(Story.id == "storynew00000006").values(
            merged_into=site.sample.main, updated_at=datetime.now(timezone.utc)))
    assert _ids(site, h) == ids
    with site.store.reading() as s:
        assert s.scalar(select(func.count()).select_from(ReaderItem)) == 5  # the id stays reserved


def test_sources_and_followed_tags_as_feeds_by_configuration(db_url):
    """[readers] feeds = ["sections", "sources", "tags"] adds a feed per source and per followed tag."""
    from tests.publish.readers.conftest import Site, prepare, serve_app
    from tidings.config import Config
    from tidings.publish.web.app import create_app

    config = Config(database_url=db_url, raw={"newsletter": {"secret": "s"}, "readers": {
        "feeds": ["sections", "sources", "tags"], "follow_tags": ["skyward"]}})
    store, sample = prepare(db_url)
    server, thread, url = serve_app(create_app(config, store))
    try:
        site = Site(url, store, sample, config)
        h = login(url)
        subs = {s["title"]: s for s in _get(site, "subscription/list", h).json()["subscriptions"]}
        assert {"Science", "Harbour Wire", "La Veille", "skyward"} <= set(subs)
        assert subs["Harbour Wire"]["categories"] == [] and subs["Science"]["categories"]
        wire = _get(site, "stream/contents/" + subs["Harbour Wire"]["id"], h).json()["items"]
        assert {i["title"] for i in wire} == {"Skyward weather satellite reaches orbit", "Rates on hold"}
        tagged = _get(site, "stream/contents/" + subs["skyward"]["id"], h).json()["items"]
        assert {i["title"] for i in tagged} == {"Skyward weather satellite reaches orbit", "Space budget"}
        counts = {c["id"]: c["count"] for c in _get(site, "unread-count", h).json()["unreadcounts"]}
        assert counts[subs["Harbour Wire"]["id"]] == 2 and counts[subs["skyward"]["id"]] == 2
        assert _post(site, "mark-all-as-read", h, {"s": subs["skyward"]["id"]}).text == "OK"
        assert _ids(site, h, s=STATE + "read") == sorted(
            (int(i["timestampUsec"]) for i in tagged), reverse=True)
    finally:
        server.should_exit = True
        thread.join(10)
        store.close()


def test_an_app_asking_for_gzip_gets_the_same_answer_compressed(reader_site):
    """Answers of 1 KB or more go gzip-compressed to a client that asks (the apps' HTTP libraries
    do); the bytes are the same JSON."""
    import gzip

    site = reader_site
    h = login(site.url)
    path = site.url + API + "stream/contents/" + STATE + "reading-list"
    plain = httpx.get(path, headers={**h, "accept-encoding": "identity"}, timeout=20)
    assert plain.status_code == 200 and "content-encoding" not in plain.headers and len(plain.content) >= 1024
    for _ in range(2):
        with httpx.stream("GET", path, headers={**h, "accept-encoding": "gzip"}, timeout=20) as packed:
            raw = b"".join(packed.iter_raw())
        assert packed.headers["content-encoding"] == "gzip" and packed.headers["vary"] == "Accept-Encoding"
        assert len(raw) < len(plain.content) and gzip.decompress(raw) == plain.content
