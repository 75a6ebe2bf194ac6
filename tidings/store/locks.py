"""One writer at a time: a named lock per writer job (``update``, ``send`` ...) held for a run.

Two ``tidings update`` started together (or ``serve``'s scheduler and a hand-started
run) must not both place, summarize or send the same things. :func:`writer_lock`
takes the job's lock for the length of a run; a second process either waits for it
(``wait`` seconds) or gets :class:`RunInProgress`, which says who holds it.

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection
  kept open for the run. The server drops it when that connection ends, however the
  process ends (SIGKILL, a crash, the server restarting). The connection's
  ``application_name`` names the holder, so the second process can say who it is.
* SQLite: a row of ``run_locks``, inserted under the database's write lock. The holder
  refreshes its ``heartbeat_at`` every :data:`HEARTBEAT_SECONDS`; a row whose holder is
  gone (a dead pid on this host, or no heartbeat for :data:`STALE_SECONDS`) is taken
  over, so a killed run never blocks the next one for long.

Schema migrations take :func:`migration_lock` instead: an advisory lock on PostgreSQL,
an exclusive file lock next to the database file on SQLite (the lock table may not
exist yet).
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import sys
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

HEARTBEAT_SECONDS = 10.0
STALE_SECONDS = 90.0
POLL_SECONDS = 1.0
_NAMESPACE = 0x7469  # "ti": keeps Tidings' advisory lock keys apart from other applications'


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a lock, as far as the database can tell."""

    description: str  # "pid 1234 on host (tidings update) since 2026-12-03 10:00 UTC"


class RunInProgress(RuntimeError):
    """Another process holds the job's lock."""

    def __init__(self, name: str, holder: Holder | None) -> None:
        self.name = name
        self.holder = holder
        who = f" ({holder.description})" if holder else ""
        super().__init__(f"another `{name}` run is in progress{who}; nothing was done")


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a job name."""
    return (_NAMESPACE << 32) | zlib.crc32(name.encode("utf-8"))


def _command() -> str:
    argv = [os.path.basename(sys.argv[0])] + sys.argv[1:3] if sys.argv else ["python"]
    return " ".join(argv)[:200]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def _now() -> datetime:
    from tidings.timeutil import utcnow

    return utcnow()


# -- PostgreSQL --------------------------------------------------------------------------------
def _pg_holder(connection: Any, key: int) -> Holder | None:
    row = connection.execute(text(
        "SELECT a.application_name, a.client_addr, a.backend_start FROM pg_locks l"
        " JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted"
        " AND ((l.classid::bigint << 32) | l.objid::bigint) = :key LIMIT 1"), {"key": key}).first()
    if row is None:
        return None
    name, _addr, started = row
    return Holder(f"{name or 'a database session'}, connected since {started:%Y-%m-%d %H:%M:%S} UTC")


@contextmanager
def _pg_lock(engine: Engine, name: str, wait: float) -> Iterator[None]:
    key = lock_key(name)
    connection = engine.connect()
    try:
        label = f"tidings {name}: pid {os.getpid()} on {socket.gethostname()} ({_command()})"[:63]
        connection.execute(text("SELECT set_config('application_name', :label, false)"), {"label": label})
        deadline = time.monotonic() + wait
        while True:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
            connection.commit()
            if got:
                break
            if time.monotonic() >= deadline:
                holder = _pg_holder(connection, key)
                connection.commit()
                raise RunInProgress(name, holder)
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            try:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
            except Exception:  # the server went away: it dropped the lock with the session
                pass
    finally:
        try:
            connection.close()
        except Exception:
            pass


# -- SQLite --------------------------------------------------------------------------------------
class _Heartbeat(threading.Thread):
    def __init__(self, engine: Engine, name: str, holder: str) -> None:
        super().__init__(name=f"tidings-lock-{name}", daemon=True)
        self.engine, self.lock_name, self.holder = engine, name, holder
        self.stopped = threading.Event()
        self.lost = False

    def run(self) -> None:
        from tidings.store.models import RunLock

        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                with self.engine.begin() as conn:
                    done = conn.execute(update(RunLock).where(RunLock.name == self.lock_name,
                                                              RunLock.holder == self.holder)
                                        .values(heartbeat_at=_now())).rowcount
                if done == 0:
                    self.lost = True
                    print(f"tidings: the `{self.lock_name}` lock was taken over by another process",
                          file=sys.stderr)
                    return
            except OperationalError:  # busy for longer than the timeout: try again next beat
                continue


def _stale(row: Any, now: datetime) -> bool:
    if row.host == socket.gethostname() and not _pid_alive(row.pid):
        return True
    return row.heartbeat_at is None or now - row.heartbeat_at > timedelta(seconds=STALE_SECONDS)


def _sqlite_try(engine: Engine, name: str, token: str) -> Holder | None:
    """Take the lock row; ``None`` on success, else who holds it."""
    from tidings.store.models import RunLock

    now = _now()
    values = {"holder": token, "pid": os.getpid(), "host": socket.gethostname()[:255], "command": _command(),
              "acquired_at": now, "heartbeat_at": now}
    try:
        with engine.begin() as conn:
            conn.execute(insert(RunLock).values(name=name, **values))
        return None
    except IntegrityError:
        pass
    with engine.begin() as conn:
        row = conn.execute(select(RunLock).where(RunLock.name == name)).first()
        if row is None:
            return Holder("a run that just ended")  # released in between: the caller retries
        if _stale(row, now):
            taken = conn.execute(update(RunLock).where(RunLock.name == name, RunLock.holder == row.holder)
                                 .values(**values)).rowcount
            if taken:
                return None
        return Holder(f"pid {row.pid} on {row.host} ({row.command}) since {row.acquired_at:%Y-%m-%d %H:%M:%S} UTC")


@contextmanager
def _sqlite_lock(engine: Engine, name: str, wait: float) -> Iterator[None]:
    from tidings.store.models import RunLock

    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    while True:
        holder = _sqlite_try(engine, name, token)
        if holder is None:
            break
        if time.monotonic() >= deadline:
            raise RunInProgress(name, holder)
        time.sleep(POLL_SECONDS)
    beat = _Heartbeat(engine, name, token)
    beat.start()
    try:
        yield
    finally:
        beat.stopped.set()
        beat.join(timeout=5)
        for _attempt in range(3):
            try:
                with engine.begin() as conn:
                    conn.execute(delete(RunLock).where(RunLock.name == name, RunLock.holder == token))
                break
            except OperationalError:
                time.sleep(1)


@contextmanager
def writer_lock(store_or_engine: Any, name: str = "update", *, wait: float = 0.0) -> Iterator[None]:
    """Hold the ``name`` job's lock for the ``with`` block; raises :class:`RunInProgress` when
    another process holds it for longer than ``wait`` seconds."""
    engine: Engine = getattr(store_or_engine, "engine", store_or_engine)
    locker = _pg_lock if engine.dialect.name == "postgresql" else _sqlite_lock
    with locker(engine, name, wait):
        yield


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Held while the schema is upgraded; a second upgrader waits, then finds it done."""
    if engine.dialect.name == "postgresql":
        connection = engine.connect()
        try:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": lock_key("migrate")})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key("migrate")})
                connection.commit()
        finally:
            connection.close()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    path = Path(database).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}-migrate.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
