"""The everyday commands: ``init``, ``ingest``, ``doctor`` and ``db``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tidings.cli import get_config

console = Console(stderr=True)
out = Console()


def open_store_or_fail(config: Any, *, migrate: bool = False):
    """The configured store; a schema that is behind is refused (``tidings db upgrade`` upgrades)."""
    from tidings.store.db import StoreError, open_store

    try:
        return open_store(config, migrate=migrate)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # connection refused, bad URL ...
        raise click.ClickException(f"cannot open the database {config.database_url!r}: {exc}") from None


def database_errors_clear(run: Any) -> Any:
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

_wait_option = click.option(
    "--wait", "wait", type=float, default=0.0, show_default=True, metavar="SECONDS",
    help="If another ingest/update holds the database, wait this long for it (else exit at once).")


def run_locked(store: Any, wait: float, run: Any) -> Any:
    """``run()`` while holding the database's ``update`` lock; if another process holds it,
    say so and exit with status 75 (nothing was done)."""
    from tidings.store.locks import RunInProgress, writer_lock

    try:
        with writer_lock(store, "update", wait=wait):
            return run()
    except RunInProgress as exc:
        console.print(f"[yellow]{exc}[/yellow]", highlight=False)
        raise SystemExit(BUSY_EXIT) from None


@click.command("init")
@click.argument("path", default="tidings.toml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init_command(path: str, force: bool) -> None:
    """Write a commented default configuration file (default: ./tidings.toml)."""
    from tidings.config import default_toml

    target = Path(path)
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; use --force to overwrite it")
    target.write_text(default_toml(), encoding="utf-8")
    click.echo(f"wrote {target}")


class _IngestProgress:
    """Feeds pipeline events into a rich progress bar (sources and articles)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.sources = progress.add_task("sources", total=None)
        self.entries = progress.add_task("articles", total=0)

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event == "start":
            self.progress.update(self.sources, total=info["sources"])
        elif event == "source_done":
            self.progress.advance(self.sources)
        elif event == "entries":
            task = self.progress.tasks[self.entries]
            self.progress.update(self.entries, total=(task.total or 0) + info["count"])
        elif event == "entry_done":
            self.progress.advance(self.entries)


def report_table(report: Any) -> Table:
    table = Table(title="ingest", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [
        ("sources due", report.sources),
        ("fetched", report.fetched),
        ("not modified (304)", report.not_modified),
        ("failed", report.failed),
        ("entries listed", report.entries),
        ("already stored", report.already_seen),
        ("new articles", report.new),
        ("updated articles", report.updated),
        ("unchanged", report.unchanged),
        ("exact copies", report.copies_exact),
        ("near copies (syndicated)", report.copies_near),
        ("text from feed (page unavailable)", report.from_feed),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    for kind, count in sorted(report.errors.items()):
        table.add_row(f"[red]error: {kind}[/red]", str(count))
    table.add_row("seconds", f"{report.elapsed:.1f}")
    return table


@click.command("ingest")
@click.option("--all", "force", is_flag=True, help="Fetch every active source, due or not.")
@click.option("--source", "source_ids", multiple=True, type=int, help="Only this source id (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_wait_option
@click.pass_context
def ingest_command(ctx: click.Context, force: bool, source_ids: tuple[int, ...], as_json: bool, quiet: bool,
                   wait: float) -> None:
    """Fetch due sources, extract their articles and store them, deduplicated."""
    from tidings.pipeline import ingest

    config = get_config(ctx)
    store = open_store_or_fail(config)

    def run() -> Any:
        if quiet or as_json:
            return ingest(config, store, force=force, source_ids=list(source_ids) or None)
        with Progress(TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            return ingest(config, store, force=force, source_ids=list(source_ids) or None,
                          progress=_IngestProgress(progress))

    report = run_locked(store, wait, lambda: database_errors_clear(run))
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        out.print(report_table(report))
        for sample in report.error_samples[:10]:
            out.print(f"[red]{sample['kind']}[/red] {sample['url']}: {sample['message']}", highlight=False)
        if len(report.error_samples) > 10:
            out.print(f"... {sum(report.errors.values()) - 10} more errors; `tidings doctor` lists unhealthy sources")


@click.command("doctor")
@click.option("--all", "show_all", is_flag=True, help="List healthy sources too.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def doctor_command(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """List unhealthy sources: why they failed and when they are retried."""
    from tidings.sources.registry import list_sources
    from tidings.store.db import current_revision, head_revision

    config = get_config(ctx)
    store = open_store_or_fail(config, migrate=False)
    with store.reading() as session:
        sources = [s for s in list_sources(session, active_only=True) if show_all or s.consecutive_errors > 0]
        rows = [
            {
                "id": s.id, "name": s.name, "url": s.url, "errors": s.consecutive_errors,
                "kind": s.last_error_kind, "status": s.last_status, "reason": s.last_error,
                "last_success": s.last_success_at.isoformat() if s.last_success_at else None,
                "next_retry": s.next_due_at.isoformat() if s.next_due_at else None,
            }
            for s in sources
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    out.print(f"database: {store.engine.url.render_as_string(hide_password=True)} "
              f"(schema {current_revision(store.engine)}, code expects {head_revision()})", highlight=False)
    print_recent_runs(store)
    if not rows:
        out.print("all sources healthy" if not show_all else "no sources; add one with `tidings sources add URL`")
        return
    table = Table(show_header=True, header_style="bold")
    for col in ("id", "source", "errors", "kind", "reason", "last success", "next retry"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(str(r["id"]), r["name"], str(r["errors"]), r["kind"] or "", (r["reason"] or "")[:120],
                      (r["last_success"] or "never")[:19], (r["next_retry"] or "now")[:19])
    out.print(table)


def print_recent_runs(store: Any, limit: int = 5) -> None:
    """The last ingest runs; a run still "running" that is not the newest was interrupted
    (killed or crashed): nothing it stored is lost, and the next run picks up the rest."""
    from tidings.pipeline import last_runs

    runs = last_runs(store, limit)
    if not runs:
        out.print("no ingest run yet")
        return
    parts = []
    for position, run in enumerate(runs):
        status = run.status
        if status == "running" and position > 0:
            status = "[yellow]interrupted[/yellow]"
        stats = run.stats or {}
        parts.append(f"#{run.id} {run.started_at:%Y-%m-%d %H:%M} {status}"
                     + (f" ({stats.get('new', 0)} new, {sum((stats.get('errors') or {}).values())} errors)"
                        if stats else ""))
    out.print("recent ingest runs: " + "; ".join(parts))


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
@_wait_option
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
    """Show the schema revision of the database and of the code."""
    from tidings.store.db import current_revision, head_revision, make_engine

    engine = make_engine(get_config(ctx).database_url)
    click.echo(f"database: {current_revision(engine) or 'empty'}; code: {head_revision()}")


class _UpdateProgress(_IngestProgress):
    """Adds the story stages to the ingest progress bar."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(progress)
        self.stories = progress.add_task("stories", total=0, visible=False)
        self.summaries = progress.add_task("summaries", total=0, visible=False)

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event == "embed":
            self.progress.update(self.stories, total=info["count"], visible=True, description="embed")
        elif event == "embedded":
            self.progress.advance(self.stories, info["count"])
        elif event == "summaries":
            self.progress.update(self.summaries, total=info["count"], visible=True)
        elif event == "summarized":
            self.progress.advance(self.summaries)
        else:
            super().__call__(event, info)


@click.command("update")
@click.option("--no-ingest", is_flag=True, help="Skip fetching; only build stories from stored articles.")
@click.option("--all", "force", is_flag=True, help="Fetch every active source, due or not.")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON on stdout.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_wait_option
@click.pass_context
def update_command(ctx: click.Context, no_ingest: bool, force: bool, as_json: bool, quiet: bool,
                   wait: float) -> None:
    """Ingest, then cluster new articles into stories, file, tag, rank and summarize them."""
    from tidings.pipeline import update

    from tidings.store.retention import RetentionConfig

    config = get_config(ctx)
    try:
        RetentionConfig.from_config(config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    store = open_store_or_fail(config)

    def run() -> Any:
        from tidings.store.retention import prune_configured

        if quiet or as_json:
            result = update(config, store, ingest_first=not no_ingest, force=force)
        else:
            with Progress(TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console, transient=True) as progress:
                result = update(config, store, ingest_first=not no_ingest, force=force,
                                progress=_UpdateProgress(progress))
        result["retention"] = prune_configured(config, store)  # [retention]: old full text pruned
        return result

    result = run_locked(store, wait, lambda: database_errors_clear(run))
    if as_json:
        from dataclasses import asdict

        click.echo(json.dumps({k: None if v is None else v.as_dict() if hasattr(v, "as_dict") else asdict(v)
                               for k, v in result.items()}, indent=2))
        return
    if result["ingest"] is not None:
        out.print(report_table(result["ingest"]))
        for sample in result["ingest"].error_samples[:5]:
            out.print(f"[red]{sample['kind']}[/red] {sample['url']}: {sample['message']}", highlight=False)
    stories, summaries = result["stories"], result["summaries"]
    table = Table(title="stories", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, value in (("articles placed", stories.placed), ("copies attached", stories.copies),
                        ("new stories", stories.new_stories), ("joined a story", stories.joined),
                        ("stories merged", stories.merges), ("stories changed", stories.touched),
                        ("stories ranked", stories.ranked), ("summaries written", summaries.summarized),
                        ("summaries kept (no material change)", summaries.unchanged),
                        ("summaries failed", summaries.failed)):
        table.add_row(name, str(value))
    out.print(table)
