"""The CLI imports only what a command needs: ``--help``, ``db current`` and ``users list`` on a
SQLite file at this schema start without SQLAlchemy (its ORM alone costs more than the 0.5 s goal;
the times are measured by ``benchmarks/startup.py``, not here). ``users list`` still goes through
the Store, with its messages, for a schema that is behind and for any other database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tidings.cli import cli

PROBE = """
import sys
from tidings.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
finally:
    heavy = sorted(m for m in ("sqlalchemy", "alembic", "rich", "numpy") if m in sys.modules)
    print("imported:", ",".join(heavy) or "-")
"""


def run_probe(*args: str, cwd: Path, stdin: str = "") -> str:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, input=stdin, text=True,
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture()
def desk(tmp_path: Path) -> Path:
    runner = CliRunner()
    toml = tmp_path / "tidings.toml"
    assert runner.invoke(cli, ["init", str(toml)]).exit_code == 0
    assert runner.invoke(cli, ["--config", str(toml), "db", "upgrade"]).exit_code == 0
    for email in ("b@example.org", "a@example.org"):
        added = runner.invoke(cli, ["--config", str(toml), "users", "add", email, "--password-stdin"],
                              input="a long enough password\n")
        assert added.exit_code == 0, added.output
    return tmp_path


def test_users_list_reads_sqlite_without_sqlalchemy(desk: Path) -> None:
    out = run_probe("users", "list", cwd=desk)
    assert out.splitlines() == ["   1  b@example.org", "   2  a@example.org", "imported: -"]


def test_help_and_db_current_import_no_database_library(desk: Path) -> None:
    assert run_probe("--help", cwd=desk).splitlines()[-1] == "imported: -"
    out = run_probe("db", "current", cwd=desk)
    assert out.startswith("database: 0") and "; code: 0" in out
    assert out.splitlines()[-1] == "imported: -"


def test_users_list_refuses_a_schema_behind_as_the_store_does(desk: Path) -> None:
    with sqlite3.connect(desk / "tidings.db") as connection:
        head = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        connection.execute("UPDATE alembic_version SET version_num = '0007'")
    result = CliRunner().invoke(cli, ["--config", str(desk / "tidings.toml"), "users", "list"])
    assert result.exit_code == 1
    assert f"is at schema 0007, this Tidings needs {head}: run `tidings db upgrade`" in result.output


@pytest.mark.postgres
def test_users_list_on_postgresql_goes_through_the_store(tmp_path: Path, pg_url: str) -> None:
    toml = tmp_path / "tidings.toml"
    toml.write_text(f'[database]\nurl = "{pg_url}"\n', encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["--config", str(toml), "db", "upgrade"]).exit_code == 0
    added = runner.invoke(cli, ["--config", str(toml), "users", "add", "pg@example.org", "--password-stdin"],
                          input="a long enough password\n")
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["--config", str(toml), "users", "list"])
    assert listed.exit_code == 0
    assert "pg@example.org" in listed.output


def test_every_command_lives_in_the_cli_package() -> None:
    import importlib

    import click

    from tidings.cli import COMMANDS

    for name, (target, _) in COMMANDS.items():
        module, _, attr = target.partition(":")
        assert module.startswith("tidings.cli."), name
        assert isinstance(getattr(importlib.import_module(module), attr), click.Command), name


def test_a_command_that_fails_to_import_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken import is the error it is, not "No such command"."""
    from tidings import cli as cli_package

    monkeypatch.setitem(cli_package.COMMANDS, "broken", ("tidings.cli.no_such_module:command", "broken"))
    result = CliRunner().invoke(cli, ["broken"])
    assert isinstance(result.exception, ModuleNotFoundError)
    assert "tidings.cli.no_such_module" in str(result.exception)
