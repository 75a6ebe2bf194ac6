"""A real site for the web tests: a SQLite store filled with the sample rows, served by
uvicorn on a free loopback port for the whole session."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn

from tests.publish.web.sample import Sample, populate
from tidings.config import Config
from tidings.publish.web.app import create_app
from tidings.store.db import Store
from tidings.store.search import reindex


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """(base URL, Sample, Store) of a running site."""
    path = tmp_path_factory.mktemp("web") / "tidings.db"
    config = Config(database_url=f"sqlite:///{path}")
    store = Store(config.database_url)
    sample = populate(store)
    reindex(store)
    with serving(create_app(config, store)) as url:
        yield url, sample, store
    store.close()


@pytest.fixture(scope="session")
def base_url(site) -> str:
    return site[0]


@pytest.fixture(scope="session")
def sample(site) -> Sample:
    return site[1]


@pytest.fixture(scope="session")
def client(base_url):
    with httpx.Client(base_url=base_url, timeout=20, follow_redirects=False) as c:
        yield c
