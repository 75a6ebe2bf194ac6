"""Opening the database: engines, sessions, and checking the schema.

SQLite (the default) runs in WAL mode with foreign keys on and a busy timeout,
so the web server can read while ingestion writes. PostgreSQL is used as is.
Every write goes through :func:`transaction`, which commits or rolls back as one.

Opening a store never upgrades an existing schema (several processes opening one
PostgreSQL database would race): ``tidings db upgrade`` does, under
:func:`tidings.store.locks.migration_lock`, and a database at an older revision is
refused with a message naming that command. An empty database (no Tidings tables
yet) is created on first use, under the same lock, so ``tidings init`` then
``tidings sources add`` works on a new file; ``create=False`` refuses it too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
# Tables built by dialect-specific DDL in a migration, with no model (the full-text search
# index of migration 0003): model comparisons and autogenerate leave them out.
UNMODELLED_PREFIXES = ("search_",)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic ``include_object`` hook: False for the unmodelled tables and their columns/indexes."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return not (table or "").startswith(UNMODELLED_PREFIXES)


class StoreError(RuntimeError):
    """The database cannot be opened or is not at the expected schema."""


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, echo=echo, pool_pre_ping=True)


def alembic_config(engine_or_url: Engine | str):
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    url = engine_or_url if isinstance(engine_or_url, str) else engine_or_url.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision`` (idempotent), one upgrader at a time."""
    from tidings.store.locks import migration_lock

    with migration_lock(engine):
        _upgrade(engine, revision)


def _upgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    cfg = alembic_config(engine)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite migrations rebuild tables ("batch" mode); with foreign keys on, dropping the
            # old table would cascade deletes into the tables that reference it. Off, then on.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, revision)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def stored_revision(engine: Engine) -> str | None:
    """The ``alembic_version`` row read with one query (None on a new database)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def quick_head_revision() -> str:
    from tidings.store.revisions import head_revision as heads

    return heads()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def known_revision(revision: str) -> bool:
    """Whether this code's migrations know ``revision`` (else a newer Tidings wrote it)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision) is not None
    except (CommandError, KeyError, ValueError):
        return False


def has_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())


def check_schema(engine: Engine, *, create: bool = True) -> None:
    """Raise :class:`StoreError` unless the schema is at this code's head; an empty database
    is created first when ``create``."""
    where = engine.url.render_as_string(hide_password=True)
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is None and not has_tables(engine):
        if not create:
            raise StoreError(f"database {where} is empty; run `tidings db upgrade` to create its tables")
        upgrade(engine)  # under the migration lock; a concurrent creator waits, then finds it done
        return
    if current is None:
        raise StoreError(f"database {where} has tables but no Tidings schema revision; is it a Tidings database?")
    if not known_revision(current):
        raise StoreError(f"database {where} is at schema {current}, newer than this Tidings knows ({head});"
                         " upgrade Tidings")
    raise StoreError(f"database {where} is at schema {current}, this Tidings needs {head}:"
                     " run `tidings db upgrade` (after a backup: `tidings db backup PATH`)")


class Store:
    """A database handle: ``Store(url)`` then ``with store.transaction() as s: ...``."""

    def __init__(self, url: str, *, migrate: bool = False, create: bool = True, echo: bool = False) -> None:
        """``migrate``: upgrade the schema to head (``tidings db upgrade`` and tests); else an
        out-of-date schema raises :class:`StoreError` and an empty database is created
        (unless ``create=False``)."""
        self.url = url
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            folder = Path(url[len("sqlite:///"):]).expanduser().parent
            if not folder.is_dir():  # a typo in the URL must not create folders
                raise StoreError(f"the folder of the database does not exist: {folder}")
        self.engine = make_engine(url, echo=echo)
        try:
            if stored_revision(self.engine) == quick_head_revision():
                pass  # at head: Alembic is not even loaded
            elif migrate:
                upgrade(self.engine)
            else:
                check_schema(self.engine, create=create)
        except BaseException:
            self.engine.dispose()
            raise
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = self.sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def tables(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    def close(self) -> None:
        self.engine.dispose()


def open_store(config, *, migrate: bool = False, create: bool = True) -> Store:  # config: tidings.config.Config
    return Store(config.database_url, migrate=migrate, create=create)
