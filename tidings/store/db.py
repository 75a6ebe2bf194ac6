"""Opening the database: engines, sessions, and bringing the schema up to date.

SQLite (the default) runs in WAL mode with foreign keys on and a busy timeout,
so the web server can read while ingestion writes. PostgreSQL is used as is.
Every write goes through :func:`transaction`, which commits or rolls back as one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
# Tables built by dialect-specific DDL in a migration, with no model (the full-text search
# index of migration 0003): model comparisons and autogenerate leave them out.
UNMODELLED_PREFIXES = ("search_",)


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Alembic ``include_object`` hook: False for the unmodelled tables and their columns/indexes."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return not (table or "").startswith(UNMODELLED_PREFIXES)


class StoreError(RuntimeError):
    """The database cannot be opened or is not at the expected schema."""


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
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
    """Apply the Alembic migrations up to ``revision`` (idempotent)."""
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


class Store:
    """A database handle: ``Store(url)`` then ``with store.transaction() as s: ...``."""

    def __init__(self, url: str, *, migrate: bool = True, echo: bool = False) -> None:
        self.url = url
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            folder = Path(url[len("sqlite:///"):]).expanduser().parent
            if not folder.is_dir():  # a typo in the URL must not create folders
                raise StoreError(f"the folder of the database does not exist: {folder}")
        self.engine = make_engine(url, echo=echo)
        if migrate:
            if stored_revision(self.engine) != quick_head_revision():  # Alembic loads only when there is work
                upgrade(self.engine)
        elif current_revision(self.engine) != head_revision():
            raise StoreError(
                f"database {self.engine.url.render_as_string(hide_password=True)} is not at the current schema;"
                " run `tidings db upgrade`"
            )
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


def open_store(config, *, migrate: bool = True) -> Store:  # config: tidings.config.Config
    return Store(config.database_url, migrate=migrate)
