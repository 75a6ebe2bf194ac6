"""Faults (issue #15, item 4c): `tidings` killed with SIGKILL while it writes summaries and
while it publishes an edition. The next run finishes the job; a summary is written once per
story; an edition is either whole (published, with its content and every rendering) or
absent (still a draft), never half-published."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import psycopg
import pytest

from tidings.store.db import Store
from tidings.store.models import Article, Source, Story
from tidings.timeutil import utcnow

N_STORIES = 30
TOPICS = ["solar farm", "rail strike", "flood warning", "chip factory", "vaccine trial", "wine harvest",
          "satellite launch", "port expansion", "school reform", "wind auction"]


def _seed(store: Store) -> None:
    """Stories that need a summary, each with three outlets' articles of a few sentences."""
    now = utcnow()
    with store.transaction() as s:
        sources = [Source(url=f"https://o{k}.example/feed", name=f"Outlet {k}", homepage=f"https://o{k}.example/")
                   for k in range(3)]
        s.add_all(sources)
        s.flush()
        for i in range(N_STORIES):
            topic = f"{TOPICS[i % len(TOPICS)]} number {i}"
            story = Story(id=f"st{i:04d}", title=topic, section="Research", score=float(N_STORIES - i),
                          first_published=now, last_published=now, article_count=3, outlet_count=3,
                          needs_summary=True, language="en", languages=["en"])
            s.add(story)
            s.flush()
            for k, src in enumerate(sources):
                text = " ".join(
                    f"Officials said on Tuesday that the {topic} would cost {i + k + 3} million euros. "
                    f"The {topic} was approved by {k + 5} regional councils after a long debate. "
                    f"Critics of the {topic} said the plan ignored local residents, outlet {k} reported. "
                    for _ in range(2))
                s.add(Article(canonical_url=f"https://o{k}.example/{i}", url=f"https://o{k}.example/{i}",
                              source_id=src.id, title=f"{topic.capitalize()} approved ({k})", text=text,
                              language="en", content_hash=f"{i}-{k}", story_id=story.id,
                              published_at=now - timedelta(hours=i), embedded_version=1))


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _scalar(url: str, sql: str) -> int:
    if url.startswith("sqlite"):
        import sqlite3

        con = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=10)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()
    with psycopg.connect(_libpq(url)) as conn:
        return conn.execute(sql).fetchone()[0]


def _tidings(config, *args: str) -> list[str]:
    return [sys.executable, "-m", "tidings", "--config", str(config), *args]


def test_sigkill_during_summaries_then_the_next_run_finishes(db_url, tmp_path):
    store = Store(db_url, migrate=True)
    _seed(store)
    store.close()
    config = tmp_path / "tidings.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n')
    proc = subprocess.Popen(_tidings(config, "update", "--no-ingest", "--quiet"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while _scalar(db_url, "SELECT count(*) FROM summaries") < 2 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    written = _scalar(db_url, "SELECT count(*) FROM summaries")
    print(f"killed with {written} of {N_STORIES} summaries written")
    assert 2 <= written < N_STORIES, "the kill must land while summaries are being written"
    assert _scalar(db_url, "SELECT count(*) FROM stories WHERE needs_summary") == N_STORIES - written

    rerun = subprocess.run(_tidings(config, "update", "--no-ingest", "--quiet"), capture_output=True, text=True,
                           timeout=600)
    assert rerun.returncode == 0, rerun.stderr  # on SQLite the killed run's lock row was taken over
    assert _scalar(db_url, "SELECT count(*) FROM summaries") == N_STORIES  # each story once, none twice
    assert _scalar(db_url, "SELECT count(DISTINCT story_id) FROM summaries") == N_STORIES
    assert _scalar(db_url, "SELECT count(*) FROM stories WHERE needs_summary OR summary_id IS NULL") == 0


@pytest.mark.postgres
def test_sigkill_during_edition_publish_leaves_it_whole_or_absent(pg_url, tmp_path):
    """The kill lands while the publishing transaction is open (seen in pg_stat_activity)."""
    store = Store(pg_url, migrate=True)
    from tests.publish.newsletter.conftest import seed_stories

    seed_stories(store, 120, sentences=8)
    store.close()
    config = tmp_path / "tidings.toml"
    config.write_text(f'[database]\nurl = "{pg_url}"\n[newsletter]\nname = "Test"\nbase_url = "http://test"\n'
                      f'per_section = 20\n')
    made = subprocess.run(_tidings(config, "edition", "new", "--since", "7d"), capture_output=True, text=True,
                          timeout=300)
    assert made.returncode == 0, made.stderr
    edition_id = _scalar(pg_url, "SELECT max(id) FROM editions")
    database = pg_url.rsplit("/", 1)[-1]
    in_transaction = (f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}'"
                      " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL")
    proc = subprocess.Popen(_tidings(config, "edition", "publish", str(edition_id)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while _scalar(pg_url, in_transaction) == 0 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    time.sleep(1)  # the server notices the dead client and rolls its transaction back
    status, html = _edition(pg_url, edition_id)
    assert (status, html) == ("draft", False), "killed mid-transaction, the edition stays an untouched draft"

    done = subprocess.run(_tidings(config, "edition", "publish", str(edition_id)), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    with psycopg.connect(_libpq(pg_url)) as conn:
        row = conn.execute("SELECT status, slug, content IS NOT NULL, html, markdown, text, published_at"
                           " FROM editions WHERE id = %s", (edition_id,)).fetchone()
    status, slug, has_content, html, markdown, text, published_at = row
    assert status == "published" and slug and has_content and published_at
    assert html.rstrip().endswith("</html>") and markdown and text  # whole: every rendering complete


def _edition(url: str, edition_id: int) -> tuple[str, bool]:
    with psycopg.connect(_libpq(url)) as conn:
        status, html = conn.execute("SELECT status, html IS NOT NULL FROM editions WHERE id = %s",
                                    (edition_id,)).fetchone()
    return status, html
