"""The real, unmodified reader clients from PyPI against a real `tidings serve` on loopback:
``libgreader`` (Google Reader API; only its base URL constants are pointed at the server) and
``freshrss-api`` (Fever API). Each logs in, lists feeds, reads items, marks read and starred,
and sees the state on its next call."""

from __future__ import annotations

import pytest

from tests.publish.readers.conftest import ALICE, ALICE_API, BOB, BOB_API


@pytest.fixture
def greader_urls(served, monkeypatch):
    """libgreader's URL constants, pointed at the server (its code is not touched)."""
    from libgreader import auth, url

    api = f"{served.url}/api/greader/reader/api/0/"
    monkeypatch.setattr(auth.ClientAuthMethod, "CLIENT_URL", f"{served.url}/api/greader/accounts/ClientLogin")
    reader = url.ReaderUrl
    content = api + reader.CONTENT_PART_URL
    for name, value in {
        "API_URL": api, "ACTION_TOKEN_URL": api + "token", "USER_INFO_URL": api + "user-info",
        "SUBSCRIPTION_LIST_URL": api + "subscription/list", "SUBSCRIPTION_EDIT_URL": api + "subscription/edit",
        "UNREAD_COUNT_URL": api + "unread-count", "CONTENT_BASE_URL": content, "FEED_URL": content,
        "CATEGORY_URL": content + "user/-/label/", "EDIT_TAG_URL": api + "edit-tag",
        "MARK_ALL_READ_URL": api + "mark-all-as-read",
    }.items():
        monkeypatch.setattr(reader, name, value)
    return served


def _reader(email, password):
    from libgreader import ClientAuthMethod, GoogleReader

    reader = GoogleReader(ClientAuthMethod(email, password))
    reader.makeSpecialFeeds()
    reader.buildSubscriptionList()
    return reader


def test_libgreader_logs_in_lists_reads_and_marks(greader_urls):
    site = greader_urls
    reader = _reader(ALICE, ALICE_API)
    assert reader.userId == "1"
    titles = {f.title: f for f in reader.getSubscriptionList()}
    assert {"Science", "World", "Business"} <= set(titles)
    labels = {c.label for c in reader.getCategories()}
    assert {"Science", "World", "Business"} <= labels
    assert titles["Science"].unread == 2  # the orbital launch and the space budget; the merged story is gone

    science = titles["Science"]
    science.loadItems()
    items = science.getItems()
    assert {i.title for i in items} == {"Skyward weather satellite reaches orbit", "Space budget"}
    orbit = next(i for i in items if i.title.startswith("Skyward"))
    assert orbit.url == f"{site.url}/story/{site.sample.main}"
    assert orbit.author == "Harbour Wire, La Veille"
    assert 'href="https://wire.example/orbital"' in orbit.content and "[1]" in orbit.content
    assert not orbit.isRead() and not orbit.isStarred()

    assert orbit.markRead() is True
    assert orbit.markStarred() is True

    again = _reader(ALICE, ALICE_API)
    assert {f.title: f for f in again.getSubscriptionList()}["Science"].unread == 1
    starred = again.getSpecialFeed("starred")
    starred.loadItems()
    assert [i.title for i in starred.getItems()] == ["Skyward weather satellite reaches orbit"]
    assert starred.getItems()[0].isRead() and starred.getItems()[0].isStarred()

    # unread only (xt=read), and paging with a continuation, as the app asks
    reading = again.getSpecialFeed("reading-list")
    reading.loadItems(excludeRead=True, loadLimit=2)
    first = [i.id for i in reading.getItems()]
    assert len(first) == 2 and reading.continuation
    reading.loadMoreItems(excludeRead=True, loadLimit=2)
    rest = [i.id for i in reading.getItems()][2:]
    assert rest and not set(first) & set(rest)
    assert orbit.id not in first + rest

    # another user sees none of it
    bob = _reader(BOB, BOB_API)
    assert {f.title: f for f in bob.getSubscriptionList()}["Science"].unread == 2
    bob_starred = bob.getSpecialFeed("starred")
    bob_starred.loadItems()
    assert bob_starred.getItems() == []

    # mark a whole feed read, and the app's next look agrees
    world = {f.title: f for f in again.getSubscriptionList()}["World"]
    assert world.markAllRead() is True
    assert {f.title: f for f in _reader(ALICE, ALICE_API).getSubscriptionList()}["World"].unread == 0


def test_libgreader_with_a_wrong_password_gets_no_token(greader_urls):
    from libgreader import ClientAuthMethod

    with pytest.raises(IOError):
        ClientAuthMethod(ALICE, "not-the-api-password")
    with pytest.raises(IOError):  # the login password is not the API password
        ClientAuthMethod(ALICE, "login-password-" + ALICE)


def test_freshrss_api_fever_client_reads_and_marks(served):
    from freshrss_api import FreshRSSAPI
    from freshrss_api.utils.errors import AuthenticationError

    client = FreshRSSAPI(host=served.url, username=BOB, password=BOB_API)
    groups = client.get_groups()
    assert {"Science", "World", "Business"} <= {g["title"] for g in groups["groups"]}
    feeds = client.get_feeds()
    assert {"Science", "World", "Business"} <= {f["title"] for f in feeds["feeds"]}

    unread = client.get_unreads()
    assert {i.title for i in unread} >= {"Skyward weather satellite reaches orbit", "Space budget", "Rates on hold"}
    assert all(not i.is_read and not i.is_saved for i in unread)
    orbit = next(i for i in unread if i.title.startswith("Skyward"))
    assert orbit.url == f"{served.url}/story/{served.sample.main}"
    assert "Harbour Wire" in orbit.author and "<ol>" in orbit.html

    client.set_mark("read", orbit.id)
    client.set_mark("saved", orbit.id)
    assert orbit.id not in {i.id for i in client.get_unreads()}
    saved = client.get_saved()
    assert [i.id for i in saved] == [orbit.id] and saved[0].is_read and saved[0].is_saved
    client.set_mark("unsaved", orbit.id)
    assert client.get_saved() == []

    # items by date pages on the ids, which are the times the items were listed (as in FreshRSS)
    everything = client.get_items_from_dates(since=0)
    assert {i.id for i in everything} >= {i.id for i in unread}

    with pytest.raises(AuthenticationError):
        FreshRSSAPI(host=served.url, username=BOB, password="wrong-password-here")
