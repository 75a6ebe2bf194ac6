"""Kill `tidings ingest` with SIGKILL mid-run, run it again: nothing lost, nothing twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from tests.loopback import LoopbackServer, Reply
from tests.pipeline.helpers import loopback_config, write_toml
from tidings.sources.opml import write_opml
from tidings.sources.spec import SourceSpec

N_FEEDS, PER_FEED = 3, 12


def _article(feed: int, n: int) -> str:
    # distinct texts so none is taken for a copy of another
    topic = ["solar farms", "hospital triage", "rail timetables", "wine harvests", "river levels", "school meals"]
    words = " ".join(f"{topic[(feed + n) % 6]} item{feed}x{n} measure{i * (n + 3) % 97}" for i in range(60))
    return (f"<html lang='en'><head><title>Report {feed}-{n}</title></head><body><article><h1>Report {feed}-{n}</h1>"
            f"<p>Officials in district {feed} published report number {n} on Tuesday. {words}.</p>"
            f"<p>The next report is due in {n + 2} weeks, the agency said.</p></article></body></html>")


def _count(db: str) -> tuple[int, int]:
    try:
        con = sqlite3.connect(db, timeout=10)
        total, distinct = con.execute("SELECT count(*), count(DISTINCT canonical_url) FROM articles").fetchone()
        con.close()
        return total, distinct
    except sqlite3.OperationalError:
        return 0, 0


def test_sigkill_mid_ingest_then_rerun_loses_and_duplicates_nothing(tmp_path):
    with LoopbackServer() as srv:
        for f in range(N_FEEDS):
            items = "".join(
                f"<item><title>Report {f}-{n}</title><link>{srv.url(f'/f{f}/a{n}')}</link><guid>f{f}a{n}</guid>"
                f"<pubDate>Mon, 23 Nov 2026 0{n % 10}:00:00 GMT</pubDate></item>" for n in range(PER_FEED))
            srv.route(f"/f{f}.xml", Reply(200, f"<rss version='2.0'><channel><title>Feed {f}</title>"
                                               f"<link>http://x/</link>{items}</channel></rss>",
                                          content_type="application/rss+xml"))
            for n in range(PER_FEED):
                # each page takes a while, so the kill lands mid-run
                srv.route(f"/f{f}/a{n}", lambda _r, f=f, n=n: (time.sleep(0.15), Reply(200, _article(f, n)))[1])
        specs = [SourceSpec(url=srv.url(f"/f{f}.xml"), name=f"Feed {f}") for f in range(N_FEEDS)]
        cfg = loopback_config(tmp_path, write_opml(specs), per_host_concurrency=2, concurrency=2)
        toml = write_toml(cfg, tmp_path / "tidings.toml")
        db = cfg.database_url.removeprefix("sqlite:///")
        cmd = [sys.executable, "-m", "tidings", "--config", str(toml), "ingest", "--quiet"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}

        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while _count(db)[0] < 5 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "ingest finished before it could be killed: " + proc.stdout.read().decode()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        stored_at_kill = _count(db)[0]
        assert 5 <= stored_at_kill < N_FEEDS * PER_FEED

        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        total, distinct = _count(db)
        assert total == distinct == N_FEEDS * PER_FEED

        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = [r[0] for r in con.execute("SELECT status FROM ingest_runs ORDER BY id")]
        assert runs == ["running", "done"]  # the killed run is visible as never finished
        urls = {r[0] for r in con.execute("SELECT canonical_url FROM articles")}
        assert urls == {srv.url(f"/f{f}/a{n}") for f in range(N_FEEDS) for n in range(PER_FEED)}
        con.close()

        doctor = subprocess.run([sys.executable, "-m", "tidings", "--config", str(toml), "doctor"], env=env,
                                capture_output=True, text=True, timeout=60)
        assert doctor.returncode == 0, doctor.stderr
        assert "interrupted" in doctor.stdout and "done" in doctor.stdout
