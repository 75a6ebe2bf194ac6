"""Schema revisions without loading SQLAlchemy or Alembic: for ``tidings db current``.

:func:`head_revision` reads the ``revision``/``down_revision`` lines of the migration
scripts (the head is the revision no other script builds on; a test holds it equal to
Alembic's own answer); :func:`sqlite_revision` reads ``alembic_version`` of a SQLite file
read-only, so asking never creates a database.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

VERSIONS = Path(__file__).with_name("migrations") / "versions"
_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


def head_revision(versions: Path = VERSIONS) -> str:
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted(versions.glob("*.py")):
        for name, value in _LINE.findall(script.read_text(encoding="utf-8")):
            ids = re.findall(r"['\"]([^'\"]+)['\"]", value)
            (revisions if name == "revision" else parents).update(ids)
    heads = sorted(revisions - parents)
    return ", ".join(heads)


def sqlite_revision(path: str) -> str | None:
    """The revision stored in a SQLite file; None when the file has no schema yet.
    Raises FileNotFoundError when there is no file."""
    if not Path(path).is_file():
        raise FileNotFoundError(path)
    connection = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        connection.close()
    return row[0] if row else None
