"""Two `tidings update` at once on one database (issue #15, item 2), with real processes,
on SQLite and PostgreSQL. Before the writer lock one of them ended in an IntegrityError
traceback while writing summaries. Now the second one either says that a run is in
progress and exits with status 75 (nothing done), or, with --wait, waits and then finds
nothing left to do: every article is stored, placed and summarized exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from sqlalchemy import func, select

from tests.loopback import LoopbackServer, Reply
from tests.pipeline.helpers import loopback_config, write_toml
from tidings.sources.opml import write_opml
from tidings.sources.spec import SourceSpec
from tidings.store.db import Store
from tidings.store.models import Article, IngestRun, Story, Summary

N_FEEDS, PER_FEED = 2, 5
TOPICS = ["a solar farm opened in Aragon", "a hospital adopted triage software", "new rail timetables start",
          "the wine harvest came early", "river levels rose after the storm"]


def _page(f: int, n: int) -> str:
    topic = TOPICS[n]
    body = " ".join(f"Officials said {topic} on Tuesday, outlet {f} reported in its story number {n}."
                    for _ in range(6))
    return (f"<html lang='en'><head><title>{topic.capitalize()} ({f})</title></head><body><article>"
            f"<h1>{topic.capitalize()}</h1><p>{body}</p><p>More details are due next week, the agency said.</p>"
            "</article></body></html>")


def _newsstand(srv: LoopbackServer) -> list[SourceSpec]:
    for f in range(N_FEEDS):
        items = "".join(
            f"<item><title>{TOPICS[n]} ({f})</title><link>{srv.url(f'/f{f}/a{n}')}</link><guid>f{f}a{n}</guid>"
            f"<pubDate>Mon, 23 Nov 2026 0{n}:00:00 GMT</pubDate></item>" for n in range(PER_FEED))
        srv.route(f"/f{f}.xml", Reply(200, f"<rss version='2.0'><channel><title>Feed {f}</title>"
                                           f"<link>http://x/</link>{items}</channel></rss>",
                                      content_type="application/rss+xml"))
        for n in range(PER_FEED):  # slow pages: the first run still holds the lock when the others start
            srv.route(f"/f{f}/a{n}", lambda _r, f=f, n=n: (time.sleep(0.3), Reply(200, _page(f, n)))[1])
    return [SourceSpec(url=srv.url(f"/f{f}.xml"), name=f"Feed {f}") for f in range(N_FEEDS)]


def test_two_updates_at_once_one_writer_nothing_twice(db_url, tmp_path):
    with LoopbackServer() as srv:
        cfg = loopback_config(tmp_path, write_opml(_newsstand(srv)))
        cfg.database_url = db_url
        toml = write_toml(cfg, tmp_path / "tidings.toml")
        Store(db_url, migrate=True).close()
        base = [sys.executable, "-m", "tidings", "--config", str(toml), "update", "--json"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        procs = [subprocess.Popen(base + extra, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for extra in ([], [], ["--wait", "600"])]
        outs = [p.communicate(timeout=900) for p in procs]
    codes = [p.returncode for p in procs]
    for code, (_out, err) in zip(codes, outs, strict=True):
        assert "Traceback" not in err, err
        assert code in (0, 75), (code, err)
        if code == 75:
            assert "another `update` run is in progress" in err and "nothing was done" in err, err
    assert codes[2] == 0  # the one that waited ran after the holder
    assert codes[:2].count(75) >= 1  # at most one of the two that did not wait got to run
    reports = [json.loads(out) for code, (out, _err) in zip(codes, outs) if code == 0]
    assert len(reports) == codes.count(0)
    expected = N_FEEDS * PER_FEED
    assert sum(r["ingest"]["new"] for r in reports) == expected  # each article stored once
    assert sum(r["stories"]["placed"] for r in reports) == expected  # placed once
    if len(reports) > 1:  # the waiter ran after the holder: nothing was left to do
        assert reports[-1]["ingest"]["new"] == 0 and reports[-1]["stories"]["placed"] == 0

    store = Store(db_url)
    with store.reading() as s:
        assert s.scalar(select(func.count(Article.id))) == expected
        assert s.scalar(select(func.count(Article.id)).where(Article.story_id.is_(None))) == 0
        stories = s.scalar(select(func.count(Story.id)))
        assert stories >= PER_FEED - 1
        assert s.scalar(select(func.count(func.distinct(Summary.story_id)))) == stories  # every story summarized
        written = sum(r["summaries"]["summarized"] for r in reports)
        assert s.scalar(select(func.count(Summary.id))) == written == stories  # once each, none twice
        assert s.scalar(select(func.count(IngestRun.id))) == len(reports)  # the refused runs did nothing
    store.close()
