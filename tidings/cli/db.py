"""``tidings db``: the schema (upgrade, current), backup and restore, retention (prune)."""

from __future__ import annotations

import click

from tidings.cli import get_config
from tidings.cli.common import open_store_or_fail, require_database, run_locked, wait_option


@click.group("db")
def db_group() -> None:
    """Database: schema (upgrade, current), backup and restore, retention (prune)."""


@db_group.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply pending migrations."""
    from tidings.store.db import current_revision

    store = open_store_or_fail(get_config(ctx), migrate=True)
    click.echo(f"schema at {current_revision(store.engine)}")


@db_group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_context
def db_backup(ctx: click.Context, path: str) -> None:
    """Write a consistent copy of the database to PATH, while it is in use (SQLite's online
    backup; pg_dump's custom format for PostgreSQL)."""
    from tidings.store.backup import backup
    from tidings.store.db import StoreError

    config = get_config(ctx)
    try:
        written = backup(config.database_url, path)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up to {written} ({written.stat().st_size:,} bytes)")


@db_group.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--force", is_flag=True, help="Replace the contents of a database that is not empty.")
@click.pass_context
def db_restore(ctx: click.Context, path: str, force: bool) -> None:
    """Restore a backup made by `tidings db backup` into the configured (empty) database."""
    from tidings.store.backup import restore
    from tidings.store.db import Store, StoreError, current_revision

    config = get_config(ctx)
    try:
        restore(config.database_url, path, force=force)
        store = Store(config.database_url, create=False)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {path} (schema {current_revision(store.engine)})")
    store.close()


@db_group.command("prune")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Prune text older than this (default: [retention] article_text_days).")
@wait_option
@click.pass_context
def db_prune(ctx: click.Context, days: int | None, wait: float) -> None:
    """Empty the full text of articles older than the retention period (titles, links,
    stories and summaries stay)."""
    from tidings.store.retention import RetentionConfig, prune

    config = get_config(ctx)
    try:
        days = days or RetentionConfig.from_config(config).article_text_days
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if not days:
        click.echo("retention keeps text forever ([retention] article_text_days = 0); nothing pruned")
        return
    store = open_store_or_fail(config)
    report = run_locked(store, wait, lambda: prune(store, days))
    click.echo(f"pruned the text of {report.articles} articles first seen before {report.cutoff}"
               f" ({report.versions} older versions deleted)")


@db_group.command("current")
@click.pass_context
def db_current(ctx: click.Context) -> None:
    """Show the schema revision of the database and of the code (creates nothing)."""
    from tidings.store.revisions import head_revision, sqlite_revision

    config = get_config(ctx)
    require_database(config)
    url = config.database_url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = url[len("sqlite:///"):]
        try:
            current = sqlite_revision(path)
        except FileNotFoundError:
            click.echo(f"database: none yet ({path}; `tidings db upgrade` creates it); code: {head_revision()}")
            return
    else:
        from tidings.store.db import current_revision, make_engine

        current = current_revision(make_engine(url))
    click.echo(f"database: {current or 'empty'}; code: {head_revision()}")
