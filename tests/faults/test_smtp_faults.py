"""Faults (issue #15, item 4b): a real SMTP server (aiosmtpd) that answers 421 and 451, then
550, then drops the connection in the middle of a message. Temporary failures are retried
with backoff on a fresh connection, the permanent one marks that subscriber, and nobody is
mailed twice."""

from __future__ import annotations

import asyncio
import io
import threading
import time

from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.publish.newsletter.conftest import free_port, seed_stories, write_config
from tidings.logs import LogConfig, configure
from tidings.publish.editions import service
from tidings.publish.editions.security import Signer, load_secret
from tidings.publish.editions.settings import newsletter_settings
from tidings.publish.mail.sender import BOUNCED, send_edition
from tidings.publish.mail.settings import smtp_settings
from tidings.store.db import Store
from tidings.store.newsletter_models import Send, Subscriber
from tidings.timeutil import parse_since, utcnow


class FaultyRelay:
    """Replies by recipient: ``plan[address]`` is the list of answers to give the message's
    DATA, one per attempt ("421", "451", "drop"; then 250); addresses in ``refuse`` get 550
    at RCPT. Only a 250 counts as delivered."""

    def __init__(self, plan: dict[str, list[str]], refuse: set[str]) -> None:
        self.plan = {k: list(v) for k, v in plan.items()}
        self.refuse = refuse
        self.delivered: list[str] = []
        self.attempts: list[tuple[str, str, float]] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            with self.lock:
                self.attempts.append((address, "550", time.monotonic()))
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        (address,) = envelope.rcpt_tos
        with self.lock:
            answer = self.plan.get(address, []).pop(0) if self.plan.get(address) else "250"
            self.attempts.append((address, answer, time.monotonic()))
            if answer == "250":
                self.delivered.append(address)
        if answer == "421":
            return "421 4.3.2 Service not available, closing channel"
        if answer == "451":
            return "451 4.3.0 Try again later"
        if answer == "drop":  # the whole message arrived, the connection goes before the final reply
            server.transport.close()
            await asyncio.sleep(0.1)
            return "250 never sent"
        return "250 Message accepted for delivery"


def test_temporary_failures_retry_permanent_ones_bounce_nobody_twice(tmp_path):
    readers = {"a@example.org": ["421"], "b@example.org": ["451", "451"], "c@example.org": [],
               "d@example.org": ["drop"], "e@example.org": []}
    relay = FaultyRelay(dict(readers), refuse={"c@example.org"})
    controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        config = write_config(tmp_path, controller.port, extra="")
        raw = config.path.read_text().replace("timeout = 10", "timeout = 10\nretries = 3\nretry_seconds = 0.2")
        config.path.write_text(raw)
        from tidings.config import load_config

        config = load_config(config.path, environ={})
        store = Store(config.database_url, migrate=True)
        seed_stories(store, 4)
        with store.transaction() as s:
            s.add_all([Subscriber(email=a, status="confirmed", confirmed_at=utcnow()) for a in readers])
        settings = newsletter_settings(config)
        edition_id = service.new_draft(store, settings, parse_since("7d"))
        service.publish(store, settings, edition_id)

        lines = io.StringIO()
        configure(LogConfig(level="info"), stream=lines)  # what an operator reads: one line per batch
        report = send_edition(store, settings, smtp_settings(config), Signer(load_secret(config)), edition_id)
        again = send_edition(store, settings, smtp_settings(config), Signer(load_secret(config)), edition_id)
    finally:
        configure(LogConfig())
        controller.stop()
    logged = [line for line in lines.getvalue().splitlines() if "tidings.publish.mail.sender" in line]
    assert len(logged) == 3, logged
    assert 'msg="mail failed"' in logged[0] and "level=warning" in logged[0] and "550" in logged[0]
    assert f'msg="mail batch" edition={edition_id} status=sent sent=4 skipped=0 failed=1 seconds=' in logged[1]
    # the second run: c bounced (no longer a reader), the four others already sent
    assert f'msg="mail batch" edition={edition_id} status=sent sent=0 skipped=4 failed=0 seconds=' in logged[2]

    assert sorted(relay.delivered) == ["a@example.org", "b@example.org", "d@example.org", "e@example.org"]
    assert report.sent == 4 and report.failed == 1 and "c@example.org" in report.errors[0]
    assert again.sent == 0  # the second run mails nobody: the 4 are sent, c is bounced
    with store.reading() as s:
        log = {s.get(Subscriber, sub).email: status for sub, status in
               s.execute(select(Send.subscriber_id, Send.status).where(Send.edition_id == edition_id))}
        assert s.scalar(select(Subscriber.status).where(Subscriber.email == "c@example.org")) == BOUNCED
    store.close()
    assert log == {"a@example.org": "sent", "b@example.org": "sent", "c@example.org": "failed",
                   "d@example.org": "sent", "e@example.org": "sent"}
    # backoff: b's three attempts are 0.2 s then 0.4 s apart (at least)
    times = [t for address, _answer, t in relay.attempts if address == "b@example.org"]
    assert len(times) == 3 and times[1] - times[0] >= 0.2 and times[2] - times[1] >= 0.4
    assert [a for a, answer, _ in relay.attempts if answer == "550"] == ["c@example.org"]  # never retried
