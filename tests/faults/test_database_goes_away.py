"""Faults (issue #15, item 4a): PostgreSQL stops in the middle of `tidings update` and starts
again. The run fails with one clear line (no traceback), the lock it held goes with its
session, the next run completes, and nothing is half-written: every article stored once,
placed once, every story summarized once."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psycopg
import pytest

from tests.conftest import PostgresServer
from tests.loopback import LoopbackServer
from tests.pipeline.helpers import loopback_config, write_toml
from tests.pipeline.test_two_runs import N_FEEDS, PER_FEED, _newsstand
from tidings.sources.opml import write_opml
from tidings.store.db import Store

pytestmark = pytest.mark.postgres


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, since the test stops it."""
    server = PostgresServer()
    try:
        url = server.start()
    except Exception as exc:
        server.stop()
        pytest.fail(f"could not start PostgreSQL: {exc}", pytrace=False)
    yield server, url
    server.stop()


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _count(url: str, sql: str) -> int:
    try:
        with psycopg.connect(_libpq(url), connect_timeout=2) as conn:
            return conn.execute(sql).fetchone()[0]
    except psycopg.Error:
        return -1


def test_postgres_stops_mid_update_then_the_next_run_completes(own_postgres, tmp_path):
    server, url = own_postgres
    with LoopbackServer() as srv:
        cfg = loopback_config(tmp_path, write_opml(_newsstand(srv)))
        cfg.database_url = url
        toml = write_toml(cfg, tmp_path / "tidings.toml")
        Store(url, migrate=True).close()
        cmd = [sys.executable, "-m", "tidings", "--config", str(toml), "update", "--quiet"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while _count(url, "SELECT count(*) FROM articles") < 3 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        stored = _count(url, "SELECT count(*) FROM articles")
        assert 3 <= stored < N_FEEDS * PER_FEED, "the stop must land mid-run"
        server.halt("fast")  # ends every session, as a restart or a crash of the server does
        out, err = proc.communicate(timeout=300)
        assert proc.returncode != 0
        print(f"stored at the stop: {stored}; the run said: {err.strip()}")
        assert "Traceback" not in err, err
        assert "the database went away during the run" in err or "cannot open the database" in err, err

        server.resume()
        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr  # the lock died with the first run's session
    expected = N_FEEDS * PER_FEED
    assert _count(url, "SELECT count(*) FROM articles") == expected
    assert _count(url, "SELECT count(DISTINCT canonical_url) FROM articles") == expected
    assert _count(url, "SELECT count(*) FROM articles WHERE story_id IS NULL") == 0
    stories = _count(url, "SELECT count(*) FROM stories WHERE merged_into IS NULL")
    assert stories > 0
    assert _count(url, "SELECT count(*) FROM stories WHERE merged_into IS NULL AND summary_id IS NULL") == 0
    assert _count(url, "SELECT count(*) FROM summaries") == _count(url, "SELECT count(DISTINCT story_id) FROM summaries")
    assert _count(url, "SELECT count(*) FROM ingest_runs WHERE status = 'done'") == 1
    assert _count(url, "SELECT count(*) FROM stories WHERE needs_summary") == 0
