"""Shared fixtures: the evaluation data folder, a SQLite store, and a REAL PostgreSQL
server started for the session (initdb + pg_ctl from Debian's postgresql package,
which `make test` installs). If PostgreSQL cannot start, its tests fail loudly."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from glob import glob
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def datasets_path() -> Path:
    return Path(os.environ.get("TIDINGS_DATASETS") or REPO.parent / "shared" / "datasets")


@pytest.fixture(scope="session")
def datasets() -> Path:
    path = datasets_path()
    if not path.exists():
        pytest.skip(f"evaluation data not found at {path}")
    return path


def _pg_bin(name: str) -> str:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path:
        return path
    raise RuntimeError(f"PostgreSQL's {name} not found: run `make test` (it installs Debian's postgresql)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temp dir, on a loopback port."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tidings-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else None

    def _run(self, *cmd: str) -> subprocess.CompletedProcess[str]:
        if self.as_root:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        r = self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "tidings", "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8")
        if r.returncode != 0:
            raise RuntimeError(f"initdb failed: {r.stderr or r.stdout}")
        r = self._pg_ctl_start()
        if r.returncode != 0:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {r.stderr or r.stdout}\n{log}")
        deadline = time.monotonic() + 30
        while True:
            r = self._run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "tidings", "tidings")
            if r.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"createdb failed: {r.stderr}")
            time.sleep(0.5)
        return f"postgresql+psycopg://tidings@127.0.0.1:{self.port}/tidings"

    def _pg_ctl_start(self) -> subprocess.CompletedProcess[str]:
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        return self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"), "-w",
                         "start")

    def halt(self, mode: str = "fast") -> None:
        """Stop the server, keeping its data (``fast`` ends every session, as a restart does)."""
        r = self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
        if r.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed: {r.stderr or r.stdout}")

    def resume(self) -> None:
        """Start a halted server again on the same port and data."""
        r = self._pg_ctl_start()
        if r.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {r.stderr or r.stdout}")

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer()
    try:
        url = server.start()
    except Exception as exc:  # fail, never skip: the PostgreSQL path must be exercised
        server.stop()
        pytest.fail(f"could not start a PostgreSQL server for the tests: {exc}", pytrace=False)
    yield server, url
    server.stop()


@pytest.fixture
def pg_url(postgres_server, request):
    """A fresh, empty database on the session's PostgreSQL server."""
    from sqlalchemy import create_engine, text

    server, url = postgres_server
    name = "t_" + "".join(c for c in request.node.name.lower() if c.isalnum())[:40] + f"_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'tidings.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """Runs a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url):
    from tidings.store.db import Store

    s = Store(db_url, migrate=True)  # upgrades to head (opening a store never upgrades by itself)
    yield s
    s.close()


# -- the `slow` marker: `make test-fast` runs `-m "not slow"` -----------------------------------
# Whole files whose every test starts something heavy: a browser, Ray, a `tidings` process, a
# server, or loads a model. (A test's PostgreSQL variant is slow wherever it is: the server starts.)
SLOW_FILES = {
    "tests/publish/web/test_browser.py": "chromium",
    "tests/publish/newsletter/test_browser.py": "chromium",
    "tests/publish/web/test_story_editor.py": "chromium",
    "tests/engine/test_ray.py": "Ray",
    "tests/engine/test_executors.py": "process pools and Ray",
    "tests/pipeline/test_two_runs.py": "three `tidings update` processes",
    "tests/pipeline/test_crash.py": "a `tidings` process killed mid-run",
    "tests/faults/test_sigkill.py": "`tidings` processes killed mid-run",
    "tests/faults/test_database_goes_away.py": "PostgreSQL stopped under a run",
    "tests/publish/web/test_serve.py": "`tidings serve` processes",
    "tests/demo/test_command.py": "`make demo` end to end",
    "tests/cli/test_walkthrough.py": "the README walkthrough, every command",
    "tests/test_logs.py::test_an_ingest": "`tidings ingest` processes",
    "tests/test_logs.py::test_verbose": "`tidings ingest` processes",
    "tests/test_logs.py::test_the_environment": "`tidings ingest` processes",
}


def _measured_slow() -> set[str]:
    """The paths and node ids of tests/slow_tests.txt (measured: 0.5 s or more each)."""
    text = (Path(__file__).parent / "slow_tests.txt").read_text(encoding="utf-8")
    return {line.split("  #")[0].strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


def pytest_collection_modifyitems(config, items):
    measured = _measured_slow()
    prefixes = [k for k in SLOW_FILES if "::" in k]
    for item in items:
        path = item.nodeid.split("::")[0]
        if (path in SLOW_FILES or path in measured or item.nodeid in measured
                or any(item.nodeid.startswith(k) for k in prefixes)
                or item.get_closest_marker("postgres") or "pg_url" in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
