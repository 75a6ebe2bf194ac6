"""Retention and backups (issue #15, item 6): old full text is pruned while stories,
summaries, citations and links stay valid; `tidings db backup` then `tidings db restore`
into a fresh database gives a site that serves the same pages."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import timedelta

import httpx
from sqlalchemy import func, select, update

from tests.publish.web.sample import populate
from tidings.store.db import Store
from tidings.store.models import Article, ArticleVersion, Story, Summary
from tidings.store.retention import prune
from tidings.store.search import reindex, search
from tidings.timeutil import utcnow


def _age(store: Store, article_ids: list[int], days: int) -> None:
    with store.transaction() as s:
        s.execute(update(Article).where(Article.id.in_(article_ids))
                  .values(first_seen_at=utcnow() - timedelta(days=days)))


def _tidings(config, *args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tidings", "--config", str(config), *args], capture_output=True,
                          text=True, timeout=300, **kw)


def test_pruning_old_text_keeps_stories_summaries_and_citations(store):
    sample = populate(store)
    old = [sample.articles["orbital"], sample.articles["orbital-fr"]]
    with store.transaction() as s:
        s.add(ArticleVersion(article_id=old[0], version=1, title="t", text="an older text", content_hash="h0"))
    reindex(store)
    with store.reading() as s:
        assert search(s, "carried", kind="article")[1] == 1  # a word of a1's text only
    _age(store, old, 40)
    with store.reading() as s:
        before = (s.scalar(select(func.count(Story.id))), s.scalar(select(func.count(Summary.id))))

    report = prune(store, 30)
    assert report.articles == 2 and report.versions == 1
    with store.reading() as s:
        for article in s.scalars(select(Article).where(Article.id.in_(old))):
            assert article.text == "" and article.text_pruned_at is not None
            assert article.title and article.canonical_url and article.source_id and article.story_id == sample.main
        kept = s.get(Article, sample.articles["orbital-2"])
        assert kept.text and kept.text_pruned_at is None  # younger than 30 days
        assert (s.scalar(select(func.count(Story.id))), s.scalar(select(func.count(Summary.id)))) == before
        summary = s.get(Summary, s.get(Story, sample.main).summary_id)
        assert summary.sentences[0]["cites"] == old  # the citations still point at the pruned articles
    assert prune(store, 30).articles == 0  # pruned once
    with store.reading() as s:
        assert search(s, "carried", kind="article")[1] == 0  # the pruned text left the index
        assert search(s, "orbital launch", kind="article")[1] >= 1  # its title did not

    import asyncio

    from tidings.config import Config
    from tidings.publish.web.app import create_app

    async def fetch() -> tuple[httpx.Response, httpx.Response]:
        app = create_app(Config(database_url=store.url), store)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://site") as client:
            return await client.get(f"/story/{sample.main}"), await client.get(f"/api/articles/{old[0]}")

    page, api = asyncio.run(fetch())
    assert page.status_code == 200
    for needle in ("Harbour Wire", "La Veille", "Orbital launch puts weather satellite in orbit",
                   "https://wire.example/orbital", "The Aurora rocket carried the Skyward weather satellite"):
        assert needle in page.text, needle  # outlet, title, link of a pruned citation; the summary
    assert api.status_code == 200 and api.json()["title"] == "Orbital launch puts weather satellite in orbit"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_backup_then_restore_into_a_fresh_database_serves_it(db_url, tmp_path, request):
    store = Store(db_url, migrate=True)
    sample = populate(store)
    reindex(store)
    store.close()
    source_cfg = tmp_path / "source.toml"
    source_cfg.write_text(f'[database]\nurl = "{db_url}"\n')
    backup = tmp_path / "backups" / "tidings.backup"
    done = _tidings(source_cfg, "db", "backup", str(backup))
    assert done.returncode == 0, done.stderr
    assert backup.exists() and "backed up to" in done.stdout
    assert _tidings(source_cfg, "db", "backup", str(backup)).returncode != 0  # never overwrites a backup

    if db_url.startswith("sqlite"):
        fresh_url = f"sqlite:///{tmp_path / 'restored' / 'tidings.db'}"
    else:
        fresh_url = request.getfixturevalue("pg_url").rsplit("/", 1)[0] + "/restored_" + db_url.rsplit("_", 1)[-1]
        from sqlalchemy import create_engine, text

        admin = create_engine(db_url.rsplit("/", 1)[0] + "/tidings", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh_url.rsplit("/", 1)[-1]}"'))
            conn.execute(text(f'CREATE DATABASE "{fresh_url.rsplit("/", 1)[-1]}"'))
        admin.dispose()
    fresh_cfg = tmp_path / "fresh.toml"
    fresh_cfg.write_text(f'[database]\nurl = "{fresh_url}"\n')
    done = _tidings(fresh_cfg, "db", "restore", str(backup))
    assert done.returncode == 0, done.stderr
    refused = _tidings(fresh_cfg, "db", "restore", str(backup))  # the target is no longer empty
    assert refused.returncode != 0 and "not empty" in refused.stderr

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "tidings", "--config", str(fresh_cfg), "serve", "--no-scheduler",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "the restored site did not come up"
            time.sleep(0.5)
        front = httpx.get(base + "/", timeout=30)
        story = httpx.get(f"{base}/story/{sample.main}", timeout=30)
        found = httpx.get(f"{base}/api/search", params={"q": "Skyward"}, timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert front.status_code == 200 and "Skyward weather satellite reaches orbit" in front.text
    assert story.status_code == 200 and "Harbour Wire" in story.text
    assert found.status_code == 200 and found.json()["total"] >= 1
