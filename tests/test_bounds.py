"""Bounded work per item (issue #15, item 0). Hostile shapes (a 200,000-character title,
50,000 one-letter words, a 200,000-character word, a 20,000-word sentence, 1 MB of text)
go through the bounds, every stage command and the pipeline: every item is answered, and
what reaches a model is cut to the configured size. What each item then costs is measured
by benchmarks/hostile.py (docs/reliability.md), not timed here."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.hostile_shapes import ORDINARY_TEXT, ORDINARY_TITLE, shapes, stage_line
from tidings.records import Article, ExtractedArticle, FeedEntry
from tidings.text.bounds import TextLimits, bound_text, bound_title, configure, limits

SHAPES = shapes()


def test_ordinary_text_passes_unchanged():
    assert bound_title(ORDINARY_TITLE) == ORDINARY_TITLE
    assert bound_text(ORDINARY_TEXT) == ORDINARY_TEXT
    paragraphs = "First paragraph, with  two spaces.\n\nSecond one: https://example.org/a/b?c=d.\n"
    assert bound_text(paragraphs) == paragraphs


@pytest.mark.parametrize("name", list(SHAPES))
def test_every_shape_is_cut_to_the_bounds(name):
    b = limits()
    article = Article(id=name, **SHAPES[name])
    assert len(article.title) <= b.title_chars and len(article.text) <= b.text_chars
    assert len(article.text.split()) <= b.text_words
    assert max(len(w) for w in (article.title + " " + article.text).split()) <= b.word_chars
    for paragraph in article.text.split("\n\n"):  # no run of words without a sentence end is longer
        assert len(paragraph.split()) <= b.text_words
    from tidings.stories.cluster import embed_text

    # what the embedder sees: a title and an 80-word lead, each word bounded
    assert len(embed_text(article)) <= b.title_chars + 1 + 80 * (b.word_chars + 1)
    entry = FeedEntry(url="https://x.example/1", title=SHAPES[name]["title"], summary=SHAPES[name]["text"])
    assert len(entry.title) <= b.title_chars and len(entry.summary) <= b.lead_chars
    page = ExtractedArticle(url="u", canonical_url="u", title=SHAPES[name]["title"], text=SHAPES[name]["text"])
    assert len(page.title) <= b.title_chars and len(page.text) <= b.stored_text_chars


def test_the_bounds_come_from_the_config_and_reach_worker_processes(tmp_path, monkeypatch):
    from tidings.config import load_config

    path = tmp_path / "tidings.toml"
    path.write_text("[limits]\ntitle_chars = 80\ntext_words = 500\n")
    for key in [k for k in __import__("os").environ if k.startswith("TIDINGS_LIMITS__")]:
        monkeypatch.delenv(key)
    try:
        configured = configure(load_config(path, environ={}))
        assert configured == TextLimits(title_chars=80, text_words=500)
        child = subprocess.run([sys.executable, "-c", "from tidings.text.bounds import limits; "
                                "print(limits().title_chars, limits().text_words)"], capture_output=True, text=True)
        assert child.stdout.split() == ["80", "500"]  # a spawned worker applies the same bounds
        assert len(Article(id="x", title="word " * 100, text="").title) <= 80
    finally:
        for key in [k for k in __import__("os").environ if k.startswith("TIDINGS_LIMITS__")]:
            monkeypatch.delenv(key)
        configure()
    path.write_text("[limits]\ntitle_chars = -1\n")
    # configure() exports the bounds for workers; the child must read the file's mistake, not those
    clean = {k: v for k, v in __import__("os").environ.items() if not k.startswith("TIDINGS_LIMITS__")}
    done = subprocess.run([sys.executable, "-m", "tidings", "--config", str(path), "tags"], input="",
                          capture_output=True, text=True, env=clean)
    assert done.returncode != 0 and "limits.title_chars: expected a positive integer" in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("stage,args", [("cluster", ["--batch-size", "1"]), ("similarity", []),
                                        ("classify", ["--batch-size", "4"]), ("tags", []), ("summarize", []),
                                        ("check", [])])
def test_every_stage_command_answers_every_hostile_line(stage, args):
    lines = [json.dumps(stage_line(stage, name, fields)) for name, fields in SHAPES.items()]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tidings", stage, *args], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=900)
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a.get("id") for a in answers] == list(SHAPES), done.stderr[-2000:]
    assert not [a for a in answers if "error" in a], answers
    print(f"{stage}: {len(lines)} lines in {time.perf_counter() - started:.1f} s (model loading included)")


@pytest.mark.slow
def test_a_hostile_feed_goes_through_update(tmp_path):
    from tests.loopback import LoopbackServer, Reply
    from tests.pipeline.helpers import loopback_config, write_toml
    from tidings.sources.opml import write_opml
    from tidings.sources.spec import SourceSpec
    from tidings.store.db import Store
    from tidings.store.models import Article as Row

    with LoopbackServer() as srv:
        names = list(SHAPES)
        items = "".join(
            f"<item><title>{SHAPES[n]['title'][:200_000]}</title><link>{srv.url(f'/a{i}')}</link>"
            f"<guid>g{i}</guid><pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>" for i, n in enumerate(names))
        srv.route("/feed.xml", Reply(200, f"<rss version='2.0'><channel><title>Hostile</title>"
                                          f"<link>http://x/</link>{items}</channel></rss>",
                                     content_type="application/rss+xml"))
        for i, n in enumerate(names):
            body = "".join(f"<p>{p}</p>" for p in SHAPES[n]["text"].split("\n\n"))
            srv.route(f"/a{i}", Reply(200, f"<html lang='en'><head><title>{SHAPES[n]['title']}</title></head>"
                                           f"<body><article><h1>{SHAPES[n]['title']}</h1>{body}</article></body>"
                                           "</html>"))
        cfg = loopback_config(tmp_path, write_opml([SourceSpec(url=srv.url("/feed.xml"), name="Hostile")]))
        toml = write_toml(cfg, tmp_path / "tidings.toml")
        done = subprocess.run([sys.executable, "-m", "tidings", "--config", str(toml), "update", "--json"],
                              capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    print("update seconds:", report["ingest"]["seconds"], report["stories"].get("seconds"))
    store = Store(cfg.database_url)
    with store.reading() as s:
        rows = [(r.title, r.text, r.story_id, r.copy_of_id) for r in s.query(Row)]
    store.close()
    assert len(rows) >= len(SHAPES) - 2  # (two shapes share their text with the ordinary page: copies)
    for title, text, story_id, copy_of_id in rows:
        assert len(title or "") <= limits().title_chars and len(text) <= limits().stored_text_chars
        assert story_id is not None or copy_of_id is not None
