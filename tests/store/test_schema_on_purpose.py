"""Migrations on purpose (issue #15, item 3): opening a store never upgrades an existing
schema; `tidings db upgrade` does, one upgrader at a time, and every other command refuses
a schema that is behind with a message naming that command."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tidings.store.db import Store, StoreError, current_revision, head_revision, make_engine, upgrade

PREVIOUS = "0005"  # the revision before this code's head


def _behind(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine, PREVIOUS)
    engine.dispose()


def test_opening_a_store_leaves_a_behind_schema_alone(db_url):
    _behind(db_url)
    with pytest.raises(StoreError, match=r"at schema 0005.*run `tidings db upgrade`"):
        Store(db_url)
    engine = make_engine(db_url)
    assert current_revision(engine) == PREVIOUS  # not upgraded by opening it
    engine.dispose()
    store = Store(db_url, migrate=True)
    assert current_revision(store.engine) == head_revision()
    store.close()


def test_a_schema_newer_than_the_code_is_refused(sqlite_url):
    store = Store(sqlite_url, migrate=True)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    store.close()
    with pytest.raises(StoreError, match="newer than this Tidings knows"):
        Store(sqlite_url)


def _tidings(config, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tidings", "--config", str(config), *args], input=stdin,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("command", [
    ["ingest", "--quiet"], ["update", "--quiet", "--no-ingest"], ["sources", "list"], ["doctor"],
    ["edition", "list"], ["users", "list"],
])
def test_every_command_refuses_a_behind_schema_naming_the_upgrade(tmp_path, command):
    url = f"sqlite:///{tmp_path / 't.db'}"
    _behind(url)
    config = tmp_path / "tidings.toml"
    config.write_text(f'[database]\nurl = "{url}"\n')
    done = _tidings(config, *command)
    assert done.returncode != 0, done.stdout
    assert "run `tidings db upgrade`" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    upgraded = _tidings(config, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"schema at {head_revision()}" in upgraded.stdout
    assert _tidings(config, *command).returncode in (0, 1), "the command runs once the schema is upgraded"


def test_serve_refuses_a_behind_schema_naming_the_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    _behind(url)
    config = tmp_path / "tidings.toml"
    config.write_text(f'[database]\nurl = "{url}"\n')
    done = _tidings(config, "serve", "--no-scheduler", "--port", "0")
    assert done.returncode != 0 and "run `tidings db upgrade`" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_concurrent_upgrades_take_turns(db_url):
    """Four processes' worth of upgraders at once on one database: one upgrades, the others
    wait for the lock and find the schema at head (before the lock, PostgreSQL raised a
    DuplicateTable error in all but one)."""
    def open_one(_):
        store = Store(db_url, migrate=True)
        revision = current_revision(store.engine)
        store.close()
        return revision

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(open_one, range(4))) == [head_revision()] * 4
