"""``tidings db backup PATH`` and ``tidings db restore PATH``.

* SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent
  snapshot page by page while the server and the scheduler keep reading and writing;
  the backup is itself a SQLite database file.
* PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot too), restored by
  ``pg_restore``; both come with PostgreSQL's client package, in the same major
  version as the server or newer.

A restore goes into an empty database (a new SQLite file, or a freshly created
PostgreSQL database) unless ``force`` says to replace what is there. After a restore
the schema is checked like any opening of the store: a backup taken by an older
Tidings is refused until ``tidings db upgrade``.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from glob import glob
from pathlib import Path

from sqlalchemy.engine import make_url

from tidings.store.db import StoreError, has_tables, make_engine


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise StoreError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database).expanduser()


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_tool(name: str) -> str:
    """The newest installed ``pg_dump``/``pg_restore`` (Debian keeps them per major version)."""
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]))
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise StoreError(f"{name} not found: install PostgreSQL's client programs (Debian: postgresql-client)")
    return path


def _progress(status: int, remaining: int, total: int) -> None:  # sqlite3 backup progress hook
    pass


def backup(url: str, target: str | Path) -> Path:
    """Write a consistent copy of the database at ``url`` to ``target``; returns the path."""
    target = Path(target).expanduser()
    if target.exists():
        raise StoreError(f"{target} exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        source = _sqlite_path(url)
        if not source.exists():
            raise StoreError(f"no database at {source}")
        partial = target.with_name(target.name + ".partial")
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=1024, progress=_progress)
        finally:
            dst.close()
            src.close()
        partial.rename(target)  # a backup file is whole or absent
        return target
    partial = target.with_name(target.name + ".partial")
    done = subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial),
                           "--dbname", _libpq_url(url)], capture_output=True, text=True)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise StoreError(f"pg_dump failed: {done.stderr.strip()}")
    partial.rename(target)
    return target


def restore(url: str, source: str | Path, *, force: bool = False) -> None:
    """Restore the backup ``source`` into the database at ``url`` (empty unless ``force``)."""
    source = Path(source).expanduser()
    if not source.exists():
        raise StoreError(f"no backup at {source}")
    if url.startswith("sqlite"):
        _sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        occupied = has_tables(engine)
    finally:
        engine.dispose()
    if occupied and not force:
        raise StoreError(f"database {make_url(url).render_as_string(hide_password=True)} is not empty;"
                         " restore into a new database, or pass --force to replace its contents")
    if url.startswith("sqlite"):
        _check_sqlite_backup(source)
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)  # replaces every page of the target, under its write lock
        finally:
            dst.close()
            src.close()
        return
    args = [pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
            "--dbname", _libpq_url(url)]
    if force and occupied:
        args[1:1] = ["--clean", "--if-exists"]
    done = subprocess.run([*args, str(source)], capture_output=True, text=True)
    if done.returncode != 0:
        raise StoreError(f"pg_restore failed: {done.stderr.strip()}")


def _check_sqlite_backup(source: Path) -> None:
    try:
        con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA quick_check").fetchone()[0]
            has_version = con.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='alembic_version'").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{source} is not a SQLite backup: {exc}") from None
    if ok != "ok":
        raise StoreError(f"{source} is damaged: {ok}")
    if not has_version:
        raise StoreError(f"{source} is not a Tidings database (no schema revision)")
