"""Read-only queries on a SQLite database with the standard library's ``sqlite3``, for commands that
must start fast (``tidings users list``): importing SQLAlchemy's ORM alone costs more than half a
second, most of such a command's time.

:func:`sqlite_rows` answers only when the URL names an existing SQLite file whose schema is at this
code's head (read as ``tidings db current`` reads it, :mod:`tidings.store.revisions`); otherwise it
returns None and the caller opens the normal :class:`tidings.store.db.Store`, which creates an empty
database or refuses a schema that is behind or ahead, with its usual message. PostgreSQL always
goes through the Store.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tidings.store.revisions import head_revision, sqlite_revision

PREFIX = "sqlite:///"


def sqlite_path(url: str) -> str | None:
    """The file a plain ``sqlite:///PATH`` URL names; None for any other URL (in memory, with options,
    another database)."""
    if not url.startswith(PREFIX) or url == PREFIX + ":memory:" or "?" in url:
        return None
    return url[len(PREFIX):]


def sqlite_rows(url: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]] | None:
    """The rows of ``query``, read-only, when ``url`` is a SQLite file at this code's schema; else None."""
    path = sqlite_path(url)
    if path is None:
        return None
    try:
        if sqlite_revision(path) != head_revision():
            return None
        connection = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    except (FileNotFoundError, sqlite3.Error):
        return None
    try:
        return connection.execute(query, params).fetchall()
    except sqlite3.Error:  # locked, or unreadable: the Store says why
        return None
    finally:
        connection.close()
