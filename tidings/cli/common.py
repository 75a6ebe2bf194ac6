"""What the commands share: the console, the progress bar, opening the store, the run lock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console
    from rich.progress import Progress

    from tidings.config import Config
    from tidings.store.db import Store

T = TypeVar("T")


class _Out:
    """A rich console made on first use (importing rich costs startup time for every command)."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.console: Console | None = None

    def print(self, *args: Any, **kwargs: Any) -> None:
        if self.console is None:
            from rich.console import Console

            self.console = Console(**self.options)
        self.console.print(*args, **kwargs)


out = _Out()


def progress_bar() -> Progress:
    """The progress bar of ingest and update, on stderr, gone when done."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description:>13}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


NO_CONFIG = ("no tidings.toml here, and neither --config nor TIDINGS_CONFIG names one: "
             "run `tidings init` to write one (its database is tidings.db beside it), "
             "or set TIDINGS_DATABASE_URL")


def require_database(config: Config) -> None:
    """Refuse to open the built-in default ``./tidings.db`` when no configuration names it: a
    command run in the wrong folder should say so, not start an empty database there."""
    if config.path is None and not getattr(config, "database_configured", True):
        raise click.ClickException(NO_CONFIG)


def open_store_or_fail(config: Config, *, migrate: bool = False) -> Store:
    """The configured store; a schema that is behind is refused (``tidings db upgrade`` upgrades)."""
    from tidings.store.db import StoreError, open_store

    require_database(config)
    try:
        return open_store(config, migrate=migrate)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # connection refused, bad URL ...
        raise click.ClickException(f"cannot open the database {config.database_url!r}: {exc}") from None


def database_errors_clear(run: Callable[[], T]) -> T:
    """``run()``, with a lost database connection reported in one clear line instead of a
    traceback: every write is its own transaction, so what was committed stays and the
    rest is redone by the next run."""
    from sqlalchemy.exc import DBAPIError

    try:
        return run()
    except DBAPIError as exc:
        if not exc.connection_invalidated and "connect" not in str(exc.orig).lower() \
                and "terminat" not in str(exc.orig).lower() and "closed" not in str(exc.orig).lower():
            raise
        first = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        raise click.ClickException(
            f"the database went away during the run ({first}); what was committed is kept,"
            " the next run does the rest") from None


BUSY_EXIT = 75  # EX_TEMPFAIL: another run holds the lock; nothing was done, try again later

wait_option = click.option(
    "--wait", "wait", type=float, default=0.0, show_default=True, metavar="SECONDS",
    help="If another ingest/update holds the database, wait this long for it (else exit at once).")


def run_locked(store: Store, wait: float, run: Callable[[], T]) -> T:
    """``run()`` while holding the database's ``update`` lock; if another process holds it,
    say so and exit with status 75 (nothing was done)."""
    from tidings.store.locks import RunInProgress, writer_lock

    try:
        with writer_lock(store, "update", wait=wait):
            return run()
    except RunInProgress as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(BUSY_EXIT) from None
