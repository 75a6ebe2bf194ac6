"""Newsletter email: size of one reader's message against Gmail's 102 KB clipping limit, render
time, and send throughput to a local SMTP server, for editions of 5 to 40 stories.

Stories are built from the demo corpus shipped in the repo (tidings/demo/corpus/articles): each
story is one article's first sentences, cited to three outlets with realistic article URLs, so
the text is real news prose. Needs no downloaded data.

    .venv/bin/python -m benchmarks.newsletter_email
"""

from __future__ import annotations

import re
import socket
import statistics
import tempfile
import time
import tomllib
from datetime import timedelta
from pathlib import Path

from tidings.config import load_config
from tidings.publish.editions import service
from tidings.publish.editions.render import GMAIL_CLIP_BYTES, Links
from tidings.publish.editions.security import Signer, load_secret
from tidings.publish.editions.settings import newsletter_settings
from tidings.publish.mail.message import edition_message
from tidings.publish.mail.sender import send_edition
from tidings.publish.mail.settings import smtp_settings
from tidings.store.db import Store
from tidings.store.models import Article, Source, Story, Summary
from tidings.store.newsletter_models import Subscriber
from tidings.timeutil import parse_since, utcnow

CORPUS = Path(__file__).resolve().parents[1] / "tidings" / "demo" / "corpus" / "articles"
SECTIONS = ["GenAI", "Open-source AI", "Closed-source AI", "Policy & regulation", "Robotics", "Research"]
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


def corpus_articles() -> list[tuple[str, list[str]]]:
    out = []
    for path in sorted(CORPUS.glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("+++", 2)
        meta = tomllib.loads(front)
        sentences = [s.strip() for s in SENTENCE.split(" ".join(body.split())) if len(s.split()) > 5]
        if meta.get("language") == "en" and len(sentences) >= 5:
            out.append((meta["title"], sentences))
    return out


def seed(store: Store, count: int, sentences: int = 5) -> None:
    articles = corpus_articles()
    now = utcnow()
    with store.transaction() as session:
        outlets = [Source(url=f"https://{n}.example/feed", name=n.replace("-", " ").title(),
                          homepage=f"https://{n}.example/") for n in ("frontier-wire", "the-circuit", "byte-harbour")]
        session.add_all(outlets)
        session.flush()
        for i in range(count):
            title, sents = articles[i % len(articles)]
            sid = f"b{i:04d}"
            story = Story(id=sid, title=title, section=SECTIONS[i % 6], score=float(count - i),
                          last_published=now - timedelta(hours=6))
            session.add(story)
            arts = [Article(canonical_url=f"https://www.{o.name.lower().replace(' ', '')}.example/2026/11/22/"
                                          f"{re.sub(r'[^a-z0-9]+', '-', title.lower())[:70]}-{k}.html",
                            url="x", source_id=o.id, title=title, text="", content_hash=f"{sid}{k}", story_id=sid)
                    for k, o in enumerate(outlets)]
            session.add_all(arts)
            session.flush()
            cited = [{"text": s, "cites": [arts[j % 3].id, arts[(j + 1) % 3].id]}
                     for j, s in enumerate(sents[:sentences])]
            summary = Summary(story_id=sid, version=1, headline=title, lead=cited[0]["text"], sentences=cited,
                              method="extractive")
            session.add(summary)
            session.flush()
            story.summary_id = summary.id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def main() -> None:
    from aiosmtpd.controller import Controller

    rows = []
    for count in (5, 10, 20, 40):
        with tempfile.TemporaryDirectory() as tmp:
            port = free_port()
            cfg_path = Path(tmp) / "tidings.toml"
            cfg_path.write_text(f'[database]\nurl = "sqlite:///{tmp}/t.db"\n[newsletter]\nbase_url = '
                                f'"https://news.example.org"\nfrom_address = "News <news@example.org>"\n'
                                'sponsor = { name = "Acme", text = "Acme makes widgets.", '
                                'url = "https://acme.example" }\n'
                                f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nrate_per_minute = 1000000\n')
            config = load_config(cfg_path, environ={})
            store = Store(config.database_url)
            seed(store, count)
            settings = newsletter_settings(config)
            edition_id = service.new_draft(store, settings, parse_since("7d"), per_section=10)
            t0 = time.perf_counter()
            service.publish(store, settings, edition_id)
            publish_s = time.perf_counter() - t0
            content = service.preview(store, settings, edition_id)
            links = Links(archive=settings.url("/editions"), web=settings.url("/editions/x"),
                          unsubscribe=settings.url("/newsletter/unsubscribe?t=" + "x" * 90),
                          preferences=settings.url("/newsletter/preferences?t=" + "x" * 90))
            times, message = [], None
            for _ in range(5):
                t0 = time.perf_counter()
                message = edition_message(settings, content, "reader@example.org", links)
                times.append(time.perf_counter() - t0)
            html = message.get_body(("html",)).get_content().encode()
            text = message.get_body(("plain",)).get_content().encode()
            with store.transaction() as session:
                session.add_all([Subscriber(email=f"r{n}@example.org", status="confirmed") for n in range(100)])
            sink = Sink()
            controller = Controller(sink, hostname="127.0.0.1", port=port)
            controller.start()
            t0 = time.perf_counter()
            report = send_edition(store, settings, smtp_settings(config), Signer(load_secret(config)), edition_id)
            send_s = time.perf_counter() - t0
            controller.stop()
            store.close()
            rows.append((len(content.stories), len(html), len(text), len(message.as_bytes()),
                         statistics.median(times) * 1000, publish_s, report.sent / send_s, sink.count))
    print(f"Gmail clips messages whose HTML is over {GMAIL_CLIP_BYTES // 1024} KB ({GMAIL_CLIP_BYTES} bytes)\n")
    print("| stories | HTML bytes | % of clip | text bytes | MIME bytes | render ms/message | publish s | "
          "send msgs/s (100 readers, loopback) |")
    print("|---|---|---|---|---|---|---|---|")
    for n, h, t, m, r, p, s, got in rows:
        print(f"| {n} | {h:,} | {100 * h / GMAIL_CLIP_BYTES:.0f}% | {t:,} | {m:,} | {r:.1f} | {p:.2f} "
              f"| {s:.0f} ({got} received) |")


if __name__ == "__main__":
    main()
