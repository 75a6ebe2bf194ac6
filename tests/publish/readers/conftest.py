"""Reader-API test sites: the sample newsroom (tests/publish/web/sample.py) with two users who
have API passwords, served by the real app under uvicorn on loopback (``reader_site``, fresh for
each test) or by a real ``tidings serve`` process (``served``, one per module)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from tests.publish.web.sample import Sample, populate
from tidings.config import Config
from tidings.publish.editions.users import add_user
from tidings.publish.readers.accounts import set_api_password
from tidings.publish.web.app import create_app
from tidings.store.db import Store

REPO = Path(__file__).resolve().parents[3]
ALICE, BOB = "alice@example.org", "bob@example.org"
ALICE_API, BOB_API = "alice-api-password-1", "bob-api-password-22"


@dataclass
class Site:
    url: str
    store: Store
    sample: Sample
    config: Config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(db_url: str) -> tuple[Store, Sample]:
    store = Store(db_url)
    sample = populate(store)
    for email, api in ((ALICE, ALICE_API), (BOB, BOB_API)):
        add_user(store, email, "login-password-" + email)
        set_api_password(store, email, api)
    return store, sample


def login(base: str, email: str = ALICE, password: str = ALICE_API) -> dict[str, str]:
    answer = httpx.post(f"{base}/api/greader/accounts/ClientLogin", data={"Email": email, "Passwd": password})
    assert answer.status_code == 200, answer.text
    auth = dict(line.split("=", 1) for line in answer.text.splitlines() if line)["Auth"]
    return {"Authorization": f"GoogleLogin auth={auth}"}


def serve_app(app):
    """(server, thread, base URL) of an app under uvicorn on a free loopback port."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture
def reader_site(db_url, tmp_path):
    config = Config(database_url=db_url, raw={"newsletter": {"secret": "test-secret-for-readers"}})
    store, sample = prepare(db_url)
    server, thread, base = serve_app(create_app(config, store))
    yield Site(base, store, sample, config)
    server.should_exit = True
    thread.join(10)
    store.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A real `tidings serve --no-scheduler` on a prepared SQLite database."""
    folder = tmp_path_factory.mktemp("served")
    db_url = f"sqlite:///{folder / 'tidings.db'}"
    store, sample = prepare(db_url)
    config_path = folder / "tidings.toml"
    config_path.write_text(f'[database]\nurl = "{db_url}"\n')
    port = free_port()
    env = {**os.environ, "TIDINGS_CONFIG": str(config_path)}
    process = subprocess.Popen([sys.executable, "-m", "tidings", "serve", "--port", str(port), "--no-scheduler"],
                               cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        yield Site(base, store, sample, Config(database_url=db_url, path=config_path))
    finally:
        process.terminate()
        process.wait(20)
        store.close()
