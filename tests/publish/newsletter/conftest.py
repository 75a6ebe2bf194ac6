"""Fixtures: a real SMTP server (aiosmtpd) on a loopback port, a SQLite store seeded with
stories and cited summaries, a config file with [newsletter] and [smtp], and the routes in a
bare Starlette app driven by Starlette's TestClient."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tidings.config import Config, load_config
from tidings.store.db import Store
from tidings.store.models import Article, Source, Story, Summary
from tidings.timeutil import utcnow

SECTIONS = ["GenAI", "Open-source AI", "Closed-source AI", "Policy & regulation", "Robotics", "Research"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Collector:
    """An aiosmtpd handler keeping every message; ``delay`` holds the reply to DATA after recording."""

    delay: float = 0.0
    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content)))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [email.message_from_bytes(raw, policy=email.policy.default) for _, raw in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages() if m["To"] == address]


@pytest.fixture
def smtp():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, handler
    controller.stop()


def write_config(tmp_path: Path, smtp_port: int, extra: str = "", session_seconds: int = 3600,
                 base_url: str = "http://testserver", db_url: str | None = None) -> Config:
    path = tmp_path / "tidings.toml"
    path.write_text(f"""
[database]
url = "{db_url or f'sqlite:///{tmp_path / "tidings.db"}'}"

[newsletter]
name = "Tidings Test Weekly"
base_url = "{base_url}"
from_address = "Tidings Test <news@tidings.test>"
session_seconds = {session_seconds}
sponsor = {{ name = "Acme <Labs>", text = "Acme builds \\"safe\\" things & more.", url = "https://acme.example/?a=1&b=2" }}
{extra}

[smtp]
host = "127.0.0.1"
port = {smtp_port}
rate_per_minute = 60000
timeout = 10
""", encoding="utf-8")
    return load_config(path, environ={})


@pytest.fixture
def config(tmp_path, smtp) -> Config:
    return write_config(tmp_path, smtp[0])


@pytest.fixture
def store(config):
    s = Store(config.database_url)
    yield s
    s.close()


def seed_stories(store: Store, count: int, *, prefix: str = "s", sentences: int = 5, days_ago: float = 1.0,
                 headline: str = "Story {i}: a lab ships a model and regulators respond") -> list[str]:
    """``count`` stories spread over the six sections, each with three outlets' articles and a
    cited summary of ``sentences`` sentences; returns their ids, best score first."""
    now = utcnow()
    ids = []
    with store.transaction() as session:
        outlets = []
        for name in ("Frontier Wire", "The Circuit", "Byte Harbour"):
            src = session.query(Source).filter_by(name=name).first()
            if src is None:
                slug = name.lower().replace(" ", "-")
                src = Source(url=f"https://{slug}.example/feed.xml", name=name, homepage=f"https://{slug}.example/")
                session.add(src)
                session.flush()
            outlets.append(src)
        for i in range(count):
            sid = f"{prefix}{i:04d}"
            story = Story(id=sid, title=headline.format(i=i), section=SECTIONS[i % len(SECTIONS)],
                          score=float(count - i), first_published=now - timedelta(days=days_ago),
                          last_published=now - timedelta(days=days_ago), article_count=3, outlet_count=3)
            session.add(story)
            session.flush()
            arts = []
            for k, src in enumerate(outlets):
                a = Article(canonical_url=f"https://{src.name.lower().replace(' ', '-')}.example/2026/11/22/"
                                          f"{sid}-a-rather-long-headline-slug-for-the-article-{k}.html",
                            url="x", source_id=src.id, title=f"{src.name} on story {i}", text="body",
                            content_hash=f"{sid}-{k}", story_id=sid, published_at=now - timedelta(days=days_ago))
                session.add(a)
                arts.append(a)
            session.flush()
            sents = [{"text": f"Sentence {j} of story {i} reports a fact that several outlets agree on, "
                              f"with figures and a named source for good measure.",
                      "cites": [arts[j % 3].id, arts[(j + 1) % 3].id]} for j in range(sentences)]
            summary = Summary(story_id=sid, version=1, headline=headline.format(i=i),
                              lead=sents[0]["text"], sentences=sents, method="extractive")
            session.add(summary)
            session.flush()
            story.summary_id = summary.id
            ids.append(sid)
    return ids


@pytest.fixture
def app(config, store):
    from starlette.applications import Starlette

    from tidings.publish.newsletter_routes import routes

    application = Starlette(routes=routes())
    application.state.config = config
    application.state.store = store
    return application


@pytest.fixture
def client(app):
    from starlette.testclient import TestClient

    with TestClient(app, base_url="http://testserver") as c:
        yield c
