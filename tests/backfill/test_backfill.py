"""`tidings backfill`: real pages from archives and dumps into stories and summaries; bad records are
counted and reported, never fatal; a second run (or a killed one run again) stores nothing twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.backfill.archives import bad_archive
from tidings.backfill.run import backfill
from tidings.config import load_config
from tidings.store.db import Store
from tidings.store.models import Article, Story

ROOT = Path(__file__).resolve().parents[2]


def _config(folder: Path, db: Path):
    toml = folder / "tidings.toml"
    toml.write_text(f'[database]\nurl = "sqlite:///{db}"\n\n[engine]\nworkers = 2\n', encoding="utf-8")
    return toml, load_config(toml, environ={})


@pytest.fixture(scope="module")
def archives(tmp_path_factory, datasets):
    return bad_archive(tmp_path_factory.mktemp("archives"))


def test_backfill_reports_bad_records_and_stores_the_rest_once(tmp_path, archives):
    _, config = _config(tmp_path, tmp_path / "t.db")
    store = Store(config.database_url)
    paths = [archives["archive"], archives["cut"], archives["dump"]]
    report = backfill(config, store, paths)
    errors = dict(report.errors)
    assert errors.get("no_html") == 1 and errors.get("too_large") == 1, errors
    assert errors.get("corrupt") == 1 and errors.get("truncated") == 1, errors
    assert errors.get("bad_line") == 2, errors
    with store.reading() as session:
        urls = set(session.scalars(select(Article.url)))
        unplaced = session.scalar(select(func.count()).select_from(Article).where(Article.story_id.is_(None)))
        stories = list(session.scalars(select(Story.summary_id).where(Story.merged_into.is_(None))))
        french = session.scalar(select(Article.text).where(Article.url == "http://vins.test/vendanges.html"))
    # the record after the damaged one, the windows-1252 page and the dump's article are all there
    assert {"http://after.test/page.html", "http://vins.test/vendanges.html", "http://dump.test/a"} <= urls
    assert "http://victim.test/page.html" not in urls and "http://huge.test/page.html" not in urls
    assert "fin de l'été" in french  # decoded as windows-1252, not mojibake
    assert report.new == len(urls) >= 40
    assert unplaced == 0
    assert stories and all(summary_id is not None for summary_id in stories)
    assert report.stories.placed + report.stories.copies == report.new

    again = backfill(config, store, paths)  # a second run: everything is skipped before any work
    assert again.new == 0 and again.already == report.new + report.unchanged
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == report.new
    store.close()


@pytest.mark.slow
def test_a_killed_backfill_resumes_with_nothing_lost_or_twice(tmp_path, archives):
    db = tmp_path / "t.db"
    toml, _ = _config(tmp_path, db)
    command = [sys.executable, "-m", "tidings", "--config", str(toml), "backfill", "--quiet", "--chunk", "6",
               str(archives["archive"])]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 600
    stored = 0
    while time.monotonic() < deadline and first.poll() is None:
        try:
            con = sqlite3.connect(db, timeout=0.5)  # a short wait: a long one can outlast the whole ingest
            stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            con.close()
        except sqlite3.OperationalError:
            stored = 0
        if stored >= 12:
            break
        time.sleep(0.05)
    assert first.poll() is None, "the backfill ended before it could be killed"
    first.send_signal(signal.SIGKILL)
    first.wait()
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    con = sqlite3.connect(db)
    total, distinct = con.execute("SELECT count(*), count(DISTINCT canonical_url) FROM articles").fetchone()
    unplaced = con.execute("SELECT count(*) FROM articles WHERE story_id IS NULL").fetchone()[0]
    unsummarized = con.execute(
        "SELECT count(*) FROM stories WHERE merged_into IS NULL AND summary_id IS NULL").fetchone()[0]
    con.close()
    # nothing lost or twice, wherever the kill fell: mostly in the ingest (the second run stores the
    # rest); on a fast machine the ingest can end between two looks, and the kill falls in the stories
    assert stored >= 12 and total == distinct and total >= stored
    assert unplaced == 0 and unsummarized == 0
    # the same archive backfilled in one go stores exactly as many articles
    (tmp_path / "fresh").mkdir()
    _, config = _config(tmp_path / "fresh", tmp_path / "fresh.db")
    store = Store(config.database_url)
    report = backfill(config, store, [archives["archive"]])
    store.close()
    assert report.new == total


def test_an_unreachable_ray_cluster_is_a_clear_error_naming_it(tmp_path, archives):
    toml, _ = _config(tmp_path, tmp_path / "t.db")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TIDINGS_ENGINE__KIND": "ray",
           "TIDINGS_ENGINE__ADDRESS": "ray://127.0.0.1:9"}
    done = subprocess.run([sys.executable, "-m", "tidings", "--config", str(toml), "backfill", "--quiet",
                           str(archives["dump"])], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "cannot reach the Ray cluster at 'ray://127.0.0.1:9'" in done.stderr
    assert "Traceback" not in done.stderr
