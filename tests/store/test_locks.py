"""One writer at a time (issue #15, item 2), at the level of the lock itself, with real
processes: a held lock is refused with who holds it, waited for, and freed when its holder
is SIGKILLed (PostgreSQL drops the advisory lock with the session; on SQLite the dead
holder's row is taken over)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tidings.store.db import Store
from tidings.store.locks import RunInProgress, writer_lock

HOLD = """
import sys, time
from tidings.store.db import Store
from tidings.store.locks import writer_lock
store = Store(sys.argv[1])
with writer_lock(store, "update"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
print("released", flush=True)
"""


def _holder(url: str, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, url, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_held_lock_is_refused_naming_its_holder_then_freed_by_sigkill(db_url):
    store = Store(db_url, migrate=True)
    proc = _holder(db_url, 600)
    try:
        with pytest.raises(RunInProgress) as refused:
            with writer_lock(store, "update"):
                pytest.fail("took a lock another process holds")
        assert "another `update` run is in progress" in str(refused.value)
        assert f"pid {proc.pid}" in str(refused.value)
        with writer_lock(store, "send"):  # another job's lock is independent
            pass
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        with writer_lock(store, "update", wait=30):  # freed by the holder's death, not by a timeout
            pass
    finally:
        if proc.poll() is None:
            proc.kill()
        store.close()


def test_a_waiter_gets_the_lock_when_the_holder_finishes(db_url):
    store = Store(db_url, migrate=True)
    proc = _holder(db_url, 2)
    started = time.monotonic()
    with writer_lock(store, "update", wait=60):
        waited = time.monotonic() - started
    proc.wait(timeout=30)
    store.close()
    assert proc.stdout is not None and proc.stdout.read().strip() == "released"
    assert waited > 0.5  # it did wait for the holder


def test_a_stale_sqlite_lock_row_is_taken_over(sqlite_url):
    """A row left by a process that is gone (killed before it could delete it)."""
    import socket
    from datetime import timedelta

    from tidings.store.models import RunLock
    from tidings.timeutil import utcnow

    store = Store(sqlite_url, migrate=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    with store.transaction() as s:
        s.add(RunLock(name="update", holder="gone", pid=int(dead), host=socket.gethostname(), command="tidings update",
                      acquired_at=utcnow(), heartbeat_at=utcnow()))
        s.add(RunLock(name="send", holder="elsewhere", pid=1, host="another-host", command="tidings edition send",
                      acquired_at=utcnow() - timedelta(hours=1), heartbeat_at=utcnow() - timedelta(hours=1)))
    with writer_lock(store, "update"):  # dead pid on this host
        pass
    with writer_lock(store, "send"):  # another host, no heartbeat for an hour
        pass
    with store.reading() as s:
        assert s.query(RunLock).count() == 0  # released on the way out
    store.close()
