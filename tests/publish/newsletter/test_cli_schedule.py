"""The ``edition`` and ``users`` commands end to end, scheduled sending (``run_due``), and the
routes mounted in the web helper's app."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.publish.newsletter.conftest import seed_stories, write_config
from tidings.cli import cli
from tidings.publish.editions import service
from tidings.publish.editions.scheduler import run_due
from tidings.publish.editions.security import verify_password
from tidings.publish.editions.settings import newsletter_settings
from tidings.store.newsletter_models import Edition, Subscriber, User
from tidings.timeutil import parse_since, utcnow


def run(config, *args, input=None):
    result = CliRunner().invoke(cli, ["--config", str(config.path), *args], input=input, obj={})
    return result


def confirmed_reader(store, address="cli@example.org", sections=None):
    with store.transaction() as session:
        session.add(Subscriber(email=address, status="confirmed", sections=sections or []))


def test_edition_and_users_commands(config, store, smtp):
    seed_stories(store, 9)
    confirmed_reader(store)
    r = run(config, "users", "add", "Boss@Example.org", "--password-stdin", input="a long enough secret\n")
    assert r.exit_code == 0, r.output
    with store.reading() as session:
        user = session.scalars(select(User)).one()
        session.expunge(user)
    assert user.email == "boss@example.org" and verify_password("a long enough secret", user.password_hash)
    assert "a long enough secret" not in user.password_hash
    assert run(config, "users", "add", "x@example.org", "--password-stdin", input="short\n").exit_code != 0

    r = run(config, "edition", "new", "--since", "7d", "--per-section", "1")
    assert r.exit_code == 0, r.output
    edition_id = int(re.search(r"drafted edition (\d+) with 6 stories", r.output).group(1))
    assert "draft" in run(config, "edition", "list").output
    assert run(config, "edition", "send", str(edition_id)).exit_code != 0  # a draft is not sent
    r = run(config, "edition", "publish", str(edition_id))
    assert r.exit_code == 0 and "/editions/" in r.output, r.output
    r = run(config, "edition", "send", str(edition_id))
    assert r.exit_code == 0 and "1 sent" in r.output, r.output
    r = run(config, "edition", "send", str(edition_id))
    assert "0 sent, 1 already in the send log" in r.output
    assert len(smtp[1].to("cli@example.org")) == 1
    md = run(config, "edition", "show", str(edition_id), "--format", "markdown").output
    assert md.startswith("# ") and "Sources:" in md
    assert run(config, "edition", "new", "--since", "yesterday-ish").exit_code != 0


def test_run_due_publishes_and_sends_scheduled_editions_once(config, store, smtp):
    seed_stories(store, 6)
    confirmed_reader(store)
    settings = newsletter_settings(config)
    due = service.new_draft(store, settings, parse_since("7d"))
    later = service.new_draft(store, settings, parse_since("7d"))
    service.edit_edition(store, due, scheduled_at=utcnow() - timedelta(minutes=1))
    service.edit_edition(store, later, scheduled_at=utcnow() + timedelta(hours=1))
    reports = run_due(config, store)
    assert [(r.edition_id, r.sent) for r in reports] == [(due, 1)]
    assert run_due(config, store) == []
    with store.reading() as session:
        assert session.get(Edition, due).status == "published"
        assert session.get(Edition, later).status == "draft"
    # when the later one comes due, it has nothing new (same stories): published, not mailed
    reports = run_due(config, store, now=utcnow() + timedelta(hours=2))
    assert len(reports) == 1 and reports[0].empty and reports[0].sent == 0
    assert len(smtp[1].to("cli@example.org")) == 1


def test_routes_are_mounted_in_the_site(config, store):
    from starlette.testclient import TestClient

    from tidings.publish.web.app import create_app

    seed_stories(store, 3)
    settings = newsletter_settings(config)
    slug = service.publish(store, settings, service.new_draft(store, settings, parse_since("7d")))
    with TestClient(create_app(config, store), base_url="http://testserver") as client:
        signup = client.get("/newsletter/signup")
        assert signup.status_code == 200 and 'href="/static/site.css"' in signup.text  # the site's layout
        assert 'name="csrf"' in signup.text and 'name="email"' in signup.text
        assert slug in client.get("/editions").text
        assert client.get(f"/editions/{slug}").status_code == 200
        assert client.get("/editor", follow_redirects=False).headers["location"] == "/editor/login"


@pytest.mark.postgres
def test_draft_publish_send_on_postgres(pg_url, tmp_path, smtp):
    from tidings.publish.editions.security import Signer, load_secret
    from tidings.publish.mail.sender import send_edition
    from tidings.publish.mail.settings import smtp_settings
    from tidings.store.db import Store

    config = write_config(tmp_path, smtp[0], db_url=pg_url)
    store = Store(config.database_url)
    try:
        seed_stories(store, 6)
        confirmed_reader(store, "pg@example.org")
        settings = newsletter_settings(config)
        edition_id = service.new_draft(store, settings, parse_since("7d"))
        items = service.draft_items(store, settings, edition_id)
        service.move_item(store, edition_id, items[-1].id, -1)
        service.publish(store, settings, edition_id)
        signer = Signer(load_secret(config))
        assert send_edition(store, settings, smtp_settings(config), signer, edition_id).sent == 1
        assert send_edition(store, settings, smtp_settings(config), signer, edition_id).skipped == 1
        assert len(smtp[1].to("pg@example.org")) == 1
    finally:
        store.close()


def test_transport_keeps_to_the_rate_limit(smtp):
    import time
    from email.message import EmailMessage

    from tidings.publish.mail.settings import SmtpSettings
    from tidings.publish.mail.transport import SmtpTransport

    settings = SmtpSettings(host="127.0.0.1", port=smtp[0], rate_per_minute=300)  # one per 0.2 s
    start = time.monotonic()
    with SmtpTransport(settings) as transport:
        for n in range(4):
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = "a@example.org", f"rate{n}@example.org", "hi"
            msg.set_content("hello")
            transport.send(msg)
    assert time.monotonic() - start >= 0.6
    assert sum(len(smtp[1].to(f"rate{n}@example.org")) for n in range(4)) == 4


def test_an_unreachable_server_logs_nobody_as_sent(config, store):
    from tests.publish.newsletter.conftest import free_port
    from tidings.publish.editions.security import Signer, load_secret
    from tidings.publish.mail.sender import send_edition
    from tidings.publish.mail.settings import SmtpSettings
    from tidings.store.newsletter_models import Send

    seed_stories(store, 3)
    confirmed_reader(store, "down@example.org")
    settings = newsletter_settings(config)
    edition_id = service.new_draft(store, settings, parse_since("7d"))
    service.publish(store, settings, edition_id)
    with pytest.raises(OSError):
        send_edition(store, settings, SmtpSettings(host="127.0.0.1", port=free_port(), timeout=5),
                     Signer(load_secret(config)), edition_id)
    with store.reading() as session:
        assert session.scalars(select(Send)).all() == []


def test_run_due_resumes_after_the_mail_server_comes_back(tmp_path, smtp):
    from tidings.store.db import Store

    port, collector = smtp
    from tests.publish.newsletter.conftest import free_port

    down = write_config(tmp_path, free_port())  # nothing listens there
    store = Store(down.database_url)
    try:
        seed_stories(store, 3)
        confirmed_reader(store, "later@example.org")
        settings = newsletter_settings(down)
        edition_id = service.new_draft(store, settings, parse_since("7d"))
        service.edit_edition(store, edition_id, scheduled_at=utcnow() - timedelta(minutes=1))
        assert run_due(down, store) == []  # published, but the server is down: nothing sent yet
        with store.reading() as session:
            assert session.get(Edition, edition_id).status == "published"
        up = write_config(tmp_path, port)
        reports = run_due(up, store)
        assert [(r.edition_id, r.sent) for r in reports] == [(edition_id, 1)]
        assert run_due(up, store) == []
        assert len(collector.to("later@example.org")) == 1
    finally:
        store.close()
