"""Subscribers end to end against a real SMTP server: sign up, the confirmation mail, confirm,
publish and send, once only (also after a killed sender), one-click unsubscribe."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from tests.publish.newsletter.conftest import seed_stories
from tidings.publish.editions import service
from tidings.publish.editions.security import Signer, load_secret
from tidings.publish.editions.settings import newsletter_settings
from tidings.publish.mail.sender import send_edition
from tidings.publish.mail.settings import smtp_settings
from tidings.store.newsletter_models import Send, Subscriber
from tidings.timeutil import parse_since

REPO = Path(__file__).resolve().parents[3]


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def link(message, path: str) -> str:
    body = message.get_body(("plain",)).get_content()
    url = re.search(rf"http://testserver{re.escape(path)}\?t=\S+", body).group(0)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def subscribe(client, smtp, address: str, sections: list[str] | None = None) -> None:
    page = client.get("/newsletter/signup")
    assert page.status_code == 200
    form = {"csrf": csrf_of(page.text), "email": address, "section": sections or []}
    r = client.post("/newsletter/signup", data=form)
    assert r.status_code == 200, r.text
    confirmation = smtp[1].to(address)[-1]
    assert "Confirm" in confirmation["Subject"]
    r = client.get(link(confirmation, "/newsletter/confirm"))
    assert r.status_code == 200 and "Subscribed" in r.text


def publish_and_send(config, store, since: str = "7d"):
    settings = newsletter_settings(config)
    edition_id = service.new_draft(store, settings, parse_since(since))
    service.publish(store, settings, edition_id)
    report = send_edition(store, settings, smtp_settings(config), Signer(load_secret(config)), edition_id)
    return edition_id, report


def test_signup_confirm_send_once_and_one_click_unsubscribe(client, smtp, config, store):
    seed_stories(store, 8)
    subscribe(client, smtp, "reader@example.org")
    # signing up without the form's CSRF token is refused and mails nobody
    r = client.post("/newsletter/signup", data={"email": "victim@example.org"})
    assert r.status_code == 403 and not smtp[1].to("victim@example.org")
    # a pending address (confirmation never followed) receives no edition
    page = client.get("/newsletter/signup")
    client.post("/newsletter/signup", data={"csrf": csrf_of(page.text), "email": "pending@example.org"})

    edition_id, report = publish_and_send(config, store)
    assert (report.sent, report.skipped, report.empty) == (1, 0, False)
    mails = [m for m in smtp[1].to("reader@example.org") if "Confirm" not in m["Subject"]]
    assert len(mails) == 1
    assert len([m for m in smtp[1].to("pending@example.org") if "Confirm" not in m["Subject"]]) == 0
    mail = mails[0]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = mail["List-Unsubscribe"]
    https_part, mailto_part = [p.strip() for p in header.split(",")]
    assert https_part.startswith("<http://testserver/newsletter/unsubscribe?t=") and mailto_part.startswith("<mailto:")
    assert mail.get_body(("html",)) is not None and mail.get_body(("plain",)) is not None

    # a second run sends nothing: the send log has the reader
    again = send_edition(store, newsletter_settings(config), smtp_settings(config), Signer(load_secret(config)),
                         edition_id)
    assert (again.sent, again.skipped) == (0, 1)
    assert len([m for m in smtp[1].to("reader@example.org") if "Confirm" not in m["Subject"]]) == 1

    # GET shows a button and changes nothing; the RFC 8058 POST (no cookie, no CSRF) unsubscribes
    target = urlsplit(https_part.strip("<>"))
    unsubscribe_path = f"{target.path}?{target.query}"
    r = client.get(unsubscribe_path)
    assert r.status_code == 200 and "<form" in r.text
    with store.reading() as session:
        assert session.scalars(select(Subscriber.status).where(Subscriber.email == "reader@example.org")).one() \
            == "confirmed"
    client.cookies.clear()
    r = client.post(unsubscribe_path, content=b"List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "Unsubscribed" in r.text
    with store.reading() as session:
        assert session.scalars(select(Subscriber.status).where(Subscriber.email == "reader@example.org")).one() \
            == "unsubscribed"
    # a forged token does nothing
    assert client.post(unsubscribe_path.replace("t=", "t=x")).status_code == 400
    # nor does the old confirmation link: it cannot undo the unsubscribe
    confirmation = [m for m in smtp[1].to("reader@example.org") if "Confirm" in m["Subject"]][-1]
    assert client.get(link(confirmation, "/newsletter/confirm")).status_code == 400

    # the next edition (new stories) goes to nobody
    seed_stories(store, 3, prefix="n")
    _, report = publish_and_send(config, store)
    assert report.sent == 0


def test_edition_with_nothing_new_is_not_sent(client, smtp, config, store):
    seed_stories(store, 4)
    subscribe(client, smtp, "a@example.org")
    settings = newsletter_settings(config)
    first = service.new_draft(store, settings, parse_since("7d"))
    second = service.new_draft(store, settings, parse_since("7d"))  # drafted before the first was published
    for edition_id in (first, second):
        service.publish(store, settings, edition_id)
    signer = Signer(load_secret(config))
    assert send_edition(store, settings, smtp_settings(config), signer, first).sent == 1
    report = send_edition(store, settings, smtp_settings(config), signer, second)
    assert report.empty and report.sent == 0
    assert len([m for m in smtp[1].to("a@example.org") if "Confirm" not in m["Subject"]]) == 1


def test_section_preferences_filter_what_a_reader_gets(client, smtp, config, store):
    seed_stories(store, 12)
    subscribe(client, smtp, "robots@example.org", sections=["Robotics"])
    _, report = publish_and_send(config, store)
    assert report.sent == 1
    text = smtp[1].to("robots@example.org")[-1].get_body(("plain",)).get_content()
    assert "THEROBOTICS.AI NEWS" in text and "THEGEN.AI NEWS" not in text and "TOP STORY" in text
    # the preferences page (signed link from the mail) changes the choice, with CSRF
    path = link(smtp[1].to("robots@example.org")[-1], "/newsletter/preferences")
    page = client.get(path)
    assert page.status_code == 200 and "robots@example.org" in page.text
    assert client.post(path, data={"section": ["Research"]}).status_code == 403
    r = client.post(path, data={"csrf": csrf_of(page.text), "section": ["Research", "Not a section"]})
    assert r.status_code == 200
    with store.reading() as session:
        assert session.scalars(select(Subscriber.sections)).one() == ["Research"]


def test_a_killed_sender_never_mails_anyone_twice(client, smtp, config, store, tmp_path):
    seed_stories(store, 6)
    readers = [f"r{n}@example.org" for n in range(5)]
    for address in readers:
        subscribe(client, smtp, address)
    settings = newsletter_settings(config)
    edition_id = service.new_draft(store, settings, parse_since("7d"))
    service.publish(store, settings, edition_id)

    port, collector = smtp
    collector.delay = 1.0  # each DATA reply waits: the sender is killed while waiting on one
    before = len(collector.received)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "tidings", "--config", str(config.path), "edition", "send",
                             str(edition_id)], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(collector.received) - before < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.kill()
    out, err = proc.communicate()
    assert len(collector.received) - before >= 2, err.decode()
    collector.delay = 0.0

    with store.reading() as session:
        log = dict(session.execute(select(Send.subscriber_id, Send.status).where(Send.edition_id == edition_id)).all())
    assert "sending" in log.values()  # the message in flight when it died

    report = send_edition(store, settings, smtp_settings(config), Signer(load_secret(config)), edition_id)
    assert report.skipped == len(log)
    editions_received = {a: len([m for m in collector.to(a) if "Confirm" not in m["Subject"]]) for a in readers}
    assert all(n == 1 for n in editions_received.values()), editions_received


def test_signup_requests_are_limited_per_address(client, smtp):
    for _ in range(3):
        page = client.get("/newsletter/signup")
        r = client.post("/newsletter/signup", data={"csrf": csrf_of(page.text), "email": "target@example.org"})
        assert r.status_code == 200
    page = client.get("/newsletter/signup")
    r = client.post("/newsletter/signup", data={"csrf": csrf_of(page.text), "email": "target@example.org"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert len(smtp[1].to("target@example.org")) == 3
    r = client.post("/newsletter/signup", data={"csrf": csrf_of(page.text), "email": "not an address"})
    assert r.status_code == 400 and "not a valid email address" in r.text
