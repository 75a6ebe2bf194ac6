"""`tidings serve --no-scheduler` starts the site on the configured database and answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_answers_health_and_pages(tmp_path):
    config = tmp_path / "tidings.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "tidings.db"}"\n[site]\ntitle = "Test Desk"\n')
    port = _free_port()
    env = {**os.environ, "TIDINGS_CONFIG": str(config)}
    process = subprocess.Popen([sys.executable, "-m", "tidings", "serve", "--port", str(port), "--no-scheduler"],
                               cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        assert health.json()["status"] == "ok"
        front = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert front.status_code == 200 and "<title>Test Desk: top stories</title>" in front.text
        assert "No stories yet" in front.text
    finally:
        process.terminate()
        process.wait(20)



def _spawned_children(pid: int) -> list[int]:
    """The worker processes uvicorn's supervisor spawned (not multiprocessing's resource tracker)."""
    out = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            out.append(int(child))
    return out


def test_serve_with_workers_answers_from_several_processes_on_one_port(tmp_path):
    """`tidings --config FILE serve --workers 2`: two server processes read the parent's file, share
    the port, and stop with the parent."""
    config = tmp_path / "desk.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "tidings.db"}"\n[site]\ntitle = "Two Workers"\n')
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "TIDINGS_CONFIG"}
    process = subprocess.Popen([sys.executable, "-m", "tidings", "--config", str(config), "serve", "--port",
                                str(port), "--no-scheduler", "--workers", "2"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            workers = _spawned_children(process.pid)
            try:
                if len(workers) == 2:
                    front = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "serve --workers 2 did not start"
            time.sleep(0.3)
        # every answer comes from a worker that read the parent's configuration file
        for _ in range(20):
            page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
            assert page.status_code == 200 and "<title>Two Workers: top stories</title>" in page.text
        assert front.status_code == 200
    finally:
        process.terminate()
        process.wait(30)
    for worker in workers:
        assert not Path(f"/proc/{worker}").exists() or b"zombie" in Path(f"/proc/{worker}/status").read_bytes().lower()


@pytest.mark.parametrize("in_process", [False, True], ids=["own-process", "in-process"])
def test_scheduler_tick_updates_indexes_and_clears_the_page_cache(tmp_path, in_process):
    import threading

    from tidings.config import Config
    from tidings.publish.serve import Scheduler
    from tidings.store.db import Store
    from tidings.store.models import Story, Summary
    from tidings.store.search import search

    config = Config(database_url=f"sqlite:///{tmp_path / 'tidings.db'}")
    store = Store(config.database_url)
    with store.transaction() as s:
        s.add(Story(id="tickstory0000001", title="Harbour cranes automated", section="Robotics", score=1.0,
                    languages=["en"], language="en"))
        s.flush()
        summary = Summary(story_id="tickstory0000001", version=1, headline="Harbour cranes go automatic",
                          lead="The port automated its cranes.", sentences=[], method="extractive")
        s.add(summary)
        s.flush()
        s.get(Story, "tickstory0000001").summary_id = summary.id
    ticked = threading.Event()
    said: list[str] = []
    scheduler = Scheduler(config, store, interval=3600, on_done=ticked.set, say=said.append, in_process=in_process)
    scheduler.start()
    try:
        assert ticked.wait(120), "the scheduler did not tick"
    finally:
        scheduler.stop()
    scheduler.thread.join(10)
    assert not scheduler.thread.is_alive()  # stop() ends the wait between ticks
    # the operator hears each round start and end, with what it did
    assert said[0] == "scheduler: update started"
    assert said[1].startswith("scheduler: update done in ") and "0 new articles from 0 sources" in said[1], said
    with store.reading() as s:
        hits, _ = search(s, "cranes")
    assert [h.ref for h in hits] == ["tickstory0000001"]
    store.close()


def test_a_round_whose_process_dies_is_reported_in_one_line(tmp_path):
    """A round that cannot even open its store (the database's folder is gone) ends its process
    with an error; the server's scheduler says so in one line and goes on."""
    from tidings.config import Config
    from tidings.publish.serve import tick_in_child

    config = Config(database_url=f"sqlite:///{tmp_path / 'gone' / 'tidings.db'}")
    said: list[str] = []
    assert tick_in_child(config, nice=5, say=said.append) is False
    assert said[0] == "scheduler: update started"
    assert said[1].startswith("scheduler: update process ended without a report (exit code 1)"), said


def test_a_round_in_its_own_process_places_articles_with_its_worker_pool(store, db_url):
    """The round's process starts the [engine] worker pool (not allowed from a daemon process):
    two reports of one event are placed in one story and summarized."""
    import hashlib
    from datetime import datetime, timezone

    from sqlalchemy import func, select

    from tidings.config import Config
    from tidings.publish.serve import tick_in_child
    from tidings.store.models import Article, Story

    when = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    texts = [("Earthquake of magnitude 6.8 strikes near Marrakech",
              "A powerful earthquake of magnitude 6.8 struck the High Atlas mountains south-west of Marrakech late "
              "on Friday, killing hundreds of people, Morocco's interior ministry said."),
             ("Rescuers search villages after Morocco quake",
              "Rescue teams dug through rubble in mountain villages near Marrakech on Saturday after the magnitude "
              "6.8 earthquake, as the death toll in Morocco climbed.")]
    with store.transaction() as session:
        for n, (title, text) in enumerate(texts):
            session.add(Article(canonical_url=f"https://news.example/{n}", url=f"https://news.example/{n}",
                                title=title, text=text, published_at=when, language="en",
                                content_hash=hashlib.sha256(text.encode()).hexdigest()))
    config = Config(database_url=db_url)
    config.raw["engine"] = {"workers": 2, "inline_below": 0}
    said: list[str] = []
    assert tick_in_child(config, nice=5, say=said.append), said
    assert said[1].startswith("scheduler: update done in ") and "1 stories changed" in said[1], said
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(Story).where(Story.merged_into.is_(None))) == 1


def test_the_server_caps_malloc_arenas_unless_the_operator_did():
    """glibc's per-thread malloc arenas made the server's memory grow with every round's page
    rebuild; serve caps them at two, and leaves an operator's own MALLOC_ARENA_MAX alone."""
    code = "from tidings.publish.serve import limit_malloc_arenas; print(limit_malloc_arenas())"
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    capped = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert capped.stdout.strip() == "True"
    left = subprocess.run([sys.executable, "-c", code], env={**env, "MALLOC_ARENA_MAX": "4"},
                          capture_output=True, text=True, check=True)
    assert left.stdout.strip() == "False"
