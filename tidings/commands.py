"""The everyday commands: ``init``, ``ingest``, ``doctor`` and ``db``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tidings.cli import get_config


class _Out:
    """A rich console made on first use (importing rich costs startup time for every command)."""

    def __init__(self, **options: Any) -> None:
        self.options, self.console = options, None

    def print(self, *args: Any, **kwargs: Any) -> None:
        if self.console is None:
            from rich.console import Console

            self.console = Console(**self.options)
        self.console.print(*args, **kwargs)


out = _Out()


def progress_bar():
    """The progress bar of ingest and update, on stderr, gone when done."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description:>13}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


NO_CONFIG = ("no tidings.toml here, and neither --config nor TIDINGS_CONFIG names one: "
             "run `tidings init` to write one (its database is tidings.db beside it), "
             "or set TIDINGS_DATABASE_URL")


def require_database(config: Any) -> None:
    """Refuse to open the built-in default ``./tidings.db`` when no configuration names it: a
    command run in the wrong folder should say so, not start an empty database there."""
    if config.path is None and not getattr(config, "database_configured", True):
        raise click.ClickException(NO_CONFIG)


def open_store_or_fail(config: Any, *, migrate: bool = False):
    """The configured store; a schema that is behind is refused (``tidings db upgrade`` upgrades)."""
    from tidings.store.db import StoreError, open_store

    require_database(config)
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
        click.echo(str(exc), err=True)
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
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(default_toml(), encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {target}: {exc.strerror}") from None
    click.echo(f"wrote {target}")


class _IngestProgress:
    """Feeds pipeline events into a rich progress bar (sources and articles)."""

    def __init__(self, progress: Any) -> None:
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


def report_table(report: Any) -> Any:
    from rich.table import Table

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


def print_errors(report: Any, shown: int = 10, summaries_failed: int = 0) -> None:
    """Every error counted, the failures of whole sources listed first, and where to look next."""
    total = sum(report.errors.values()) if report is not None else 0
    if not total and not summaries_failed:
        return
    if total:
        samples = report.error_samples
        click.echo(f"{total} errors: {report.source_errors} of whole sources, "
                   f"{total - report.source_errors} of single articles")
        for sample in samples[:shown]:
            where = f" ({sample['source']})" if sample.get("source") else ""
            click.echo(f"  {click.style(sample['kind'], fg='red')} {sample['url']}{where}")
            click.echo(f"      {' '.join(sample['message'].split())[:150]}")
        if total > min(shown, len(samples)):
            click.echo(f"  ... and {total - min(shown, len(samples))} more")
    if summaries_failed:
        click.echo(f"{summaries_failed} summaries failed; the stories keep their previous summary")
    click.echo("`tidings doctor` lists the failing sources, why, and when they are retried")


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
        with progress_bar() as progress:
            return ingest(config, store, force=force, source_ids=list(source_ids) or None,
                          progress=_IngestProgress(progress))

    report = run_locked(store, wait, lambda: database_errors_clear(run))
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        out.print(report_table(report))
        print_errors(report)


@click.command("doctor")
@click.option("--all", "show_all", is_flag=True, help="List healthy sources too.")
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON on stdout.")
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
    for r in rows:
        click.echo()
        for line in doctor_lines(r):
            click.echo(line)


def doctor_lines(row: dict[str, Any], width: int = 80) -> list[str]:
    """One source's health as a few lines that fit ``width`` columns: the URL whole on its own
    line, the reason wrapped (three lines at most), then the last success and the next retry."""
    import textwrap

    errors = row["errors"]
    head = f"#{row['id']} {row['name']}"
    state = "healthy" if not errors else f"{errors} error{'s' if errors != 1 else ''} in a row"
    detail = ", ".join(x for x in (row["kind"], f"HTTP {row['status']}" if row["status"] else None) if x)
    lines = [f"{head}: {click.style(state, fg='green' if not errors else 'red')}"
             + (f" ({detail})" if detail and errors else ""), f"  {row['url']}"]
    if errors and row["reason"]:
        wrapped = textwrap.wrap(" ".join(row["reason"].split()), width=width - 4, max_lines=3, placeholder=" ...")
        lines += [f"    {part}" for part in wrapped]
    last = (row["last_success"] or "never")[:16].replace("T", " ")
    retry = (row["next_retry"] or "now")[:16].replace("T", " ")
    lines.append(f"  last success: {last}; next try: {retry}")
    return lines


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


class _UpdateProgress(_IngestProgress):
    """Adds the story stages to the ingest progress bar: one task a stage, advanced per batch."""

    STAGES = {"embed": "embedded", "cluster": "placed", "tags": "tagged", "summaries": "summarized"}

    def __init__(self, progress: Any) -> None:
        super().__init__(progress)
        self.tasks = {stage: progress.add_task(stage, total=0, visible=False) for stage in self.STAGES}
        self.ticks = {tick: stage for stage, tick in self.STAGES.items()}

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event in self.STAGES:
            self.progress.update(self.tasks[event], total=info["count"], visible=True, description=event)
        elif event in self.ticks:
            self.progress.advance(self.tasks[self.ticks[event]], info.get("count", 1))
        elif event == "loading":
            self.progress.update(self.tasks["embed"], visible=True, description="loading model")
        elif event == "summary_failed":
            self.progress.advance(self.tasks["summaries"], 0)
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
            with progress_bar() as progress:
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
    stories, summaries = result["stories"], result["summaries"]
    from rich.table import Table

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
    print_errors(result["ingest"], summaries_failed=summaries.failed)
