"""API passwords from the command line, the unread-on-update setting, and failed-login limits that
live in the database, so two server processes on one database share them."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import update

from tests.publish.readers.conftest import ALICE, ALICE_API, BOB, login, serve_app
from tidings.cli import cli
from tidings.publish.ratelimit import DbLimiter
from tidings.publish.readers.accounts import fever_key, set_unread_on_update
from tidings.publish.web.app import create_app
from tidings.store.db import Store
from tidings.store.models import Story, Summary

STATE = "user/-/state/com.google/"
API = "/api/greader/reader/api/0/"


def test_limiter_window_shared_between_two_stores(db_url):
    one, two = Store(db_url), Store(db_url)  # as two processes would hold them
    try:
        a = DbLimiter(one, "t", per_account=2, per_ip=3, window=10.0)
        b = DbLimiter(two, "t", per_account=2, per_ip=3, window=10.0)
        a.failed("1.2.3.4", "A@x.org", now=1000.0)
        assert b.retry_after("1.2.3.4", "a@x.org", now=1001.0) == 0
        b.failed("1.2.3.4", "a@x.org", now=1001.0)
        assert a.retry_after("1.2.3.4", "a@x.org", now=1002.0) == pytest.approx(8.0)
        assert a.retry_after("5.6.7.8", "b@x.org", now=1002.0) == 0
        assert DbLimiter(one, "other", per_account=2).retry_after("1.2.3.4", "a@x.org", now=1002.0) == 0
        b.failed("1.2.3.4", "c@x.org", now=1003.0)  # the third from this address
        assert a.retry_after("1.2.3.4", "d@x.org", now=1004.0) == pytest.approx(6.0)
        assert a.retry_after("9.9.9.9", "a@x.org", now=1011.5) == 0  # both failures aged out
        b.succeeded("a@x.org")
    finally:
        one.close()
        two.close()


def test_failed_logins_on_one_server_lock_the_account_on_another(reader_site):
    site = reader_site
    # a second app with its own Store on the same database: another worker process
    other_store = Store(site.config.database_url)
    server, thread, other = serve_app(create_app(site.config, other_store))
    try:
        for _ in range(5):
            answer = httpx.post(site.url + "/api/greader/accounts/ClientLogin",
                                data={"Email": ALICE, "Passwd": "wrong-password"})
            assert answer.status_code == 401
        locked = httpx.post(other + "/api/greader/accounts/ClientLogin", data={"Email": ALICE, "Passwd": ALICE_API})
        assert locked.status_code == 429 and 0 < int(locked.headers["retry-after"]) <= 901
        # the other account still logs in there
        assert httpx.post(other + "/api/greader/accounts/ClientLogin",
                          data={"Email": BOB, "Passwd": "bob-api-password-22"}).status_code == 200
        # Fever keys are counted per address: 20 wrong keys and this client waits
        for _ in range(20):
            assert httpx.post(site.url + "/api/fever.php?api", data={"api_key": "0" * 32}).json()["auth"] == 0
        blocked = httpx.post(other + "/api/fever.php?api", data={"api_key": fever_key(BOB, "bob-api-password-22")})
        assert blocked.status_code == 429 and blocked.json()["auth"] == 0
        assert 0 < int(blocked.headers["retry-after"]) <= 901
    finally:
        server.should_exit = True
        thread.join(10)
        other_store.close()


def test_a_changed_story_turns_unread_only_for_who_asked(reader_site):
    site = reader_site
    h = login(site.url)
    ids = [int(r["id"]) for r in httpx.get(site.url + API + "stream/items/ids", headers=h,
                                           params={"s": STATE + "reading-list"}).json()["itemRefs"]]
    httpx.post(site.url + API + "mark-all-as-read", headers=h, data={"s": STATE + "reading-list"})

    def unread() -> int:
        counts = httpx.get(site.url + API + "unread-count", headers=h).json()["unreadcounts"]
        return next(c["count"] for c in counts if c["id"] == STATE + "reading-list")

    assert unread() == 0
    later = datetime.now(timezone.utc)
    with site.store.transaction() as s:  # the story gains a source
        s.execute(update(Story).where(Story.id == site.sample.main).values(updated_at=later))
    assert unread() == 0  # the default: what was read stays read
    set_unread_on_update(site.store, ALICE, True)
    h = login(site.url)
    assert unread() == 1
    unread_ids = [int(r["id"]) for r in httpx.get(site.url + API + "stream/items/ids", headers=h,
                                                  params={"s": STATE + "reading-list",
                                                          "xt": STATE + "read"}).json()["itemRefs"]]
    assert len(unread_ids) == 1 and unread_ids[0] in ids

    # read it again; then a new summary of another story (no new article) turns that one unread
    httpx.post(site.url + API + "mark-all-as-read", headers=h, data={"s": STATE + "reading-list"})
    bob = login(site.url, BOB, "bob-api-password-22")  # Bob keeps the default rule: his marks stay
    httpx.post(site.url + API + "mark-all-as-read", headers=bob, data={"s": STATE + "reading-list"})
    assert unread() == 0
    with site.store.transaction() as s:
        summary = Summary(story_id=site.sample.other, version=2, headline="Rates held at four percent", lead="",
                          sentences=[], language="en", languages=["en"], method="extractive",
                          created_at=datetime.now(timezone.utc))
        s.add(summary)
        s.flush()
        s.execute(update(Story).where(Story.id == site.sample.other).values(summary_id=summary.id))
    assert unread() == 1
    items = httpx.get(site.url + API + "stream/contents/" + STATE + "reading-list", headers=h,
                      params={"xt": STATE + "read"}).json()["items"]
    assert [i["title"] for i in items] == ["Rates held at four percent"]
    assert items[0]["updated"] >= int(summary.created_at.timestamp())
    counts = httpx.get(site.url + API + "unread-count", headers=bob).json()["unreadcounts"]
    assert next(c["count"] for c in counts if c["id"] == STATE + "reading-list") == 0  # the default rule


def test_users_api_password_command(tmp_path):
    db = f"sqlite:///{tmp_path / 'tidings.db'}"
    config = tmp_path / "tidings.toml"
    config.write_text(f'[database]\nurl = "{db}"\n')
    runner = CliRunner()
    env = {"TIDINGS_CONFIG": str(config)}
    added = runner.invoke(cli, ["users", "add", "ed@example.org", "--password-stdin"], input="login-password-1\n",
                          env=env)
    assert added.exit_code == 0, added.output
    made = runner.invoke(cli, ["users", "api-password", "ed@example.org"], env=env)
    assert made.exit_code == 0, made.output
    password = made.output.splitlines()[0].rsplit(": ", 1)[1]
    assert len(password) >= 20
    from tidings.publish.readers import accounts

    store = Store(db)
    try:
        assert accounts.login(store, "ed@example.org", password) is not None
        assert accounts.login(store, "ed@example.org", "login-password-1") is None
        from tidings.publish.readers.state import user_and_version

        with store.reading() as session:
            key_hash = accounts.fever_key_hash(fever_key("ed@example.org", password))
            assert user_and_version(session, fever_key_hash=key_hash) is not None
        chosen = runner.invoke(cli, ["users", "api-password", "ed@example.org", "--password-stdin",
                                     "--unread-on-update"], input="my-own-api-password\n", env=env)
        assert chosen.exit_code == 0 and "my-own" not in chosen.output
        assert accounts.login(store, "ed@example.org", password) is None
        user = accounts.login(store, "ed@example.org", "my-own-api-password")
        assert user is not None and user.unread_on_update and user.key_version == 2
        from sqlalchemy import select

        from tidings.store.reader_models import ReaderAccount

        with store.reading() as s:  # stored hashed, never as given
            row = s.scalars(select(ReaderAccount)).one()
            assert "my-own-api-password" not in row.api_password_hash + row.fever_key_hash
        short = runner.invoke(cli, ["users", "api-password", "ed@example.org", "--password-stdin"], input="short\n",
                              env=env)
        assert short.exit_code != 0 and "at least" in short.output
        nobody = runner.invoke(cli, ["users", "api-password", "nobody@example.org"], env=env)
        assert nobody.exit_code != 0 and "no user" in nobody.output
    finally:
        store.close()
