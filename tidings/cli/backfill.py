"""``tidings backfill PATH...``: load a history of articles from web archives or dumps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from tidings.cli import get_config


class _BackfillProgress:
    """Archive bytes read (rate, ETA) and records, then the stories and summaries stages."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.read = progress.add_task("read", total=None)
        self.stories = progress.add_task("embed", total=0, visible=False)
        self.summaries = progress.add_task("summaries", total=0, visible=False)
        self.records = 0

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        p = self.progress
        if event == "read_start":
            p.update(self.read, total=info["bytes"])
        elif event == "read":
            self.records += info["records"]
            p.update(self.read, completed=info["bytes"], description=f"read {self.records:,} records")
        elif event == "embed":
            p.update(self.stories, total=info["count"], completed=0, visible=True)
        elif event == "embedded":
            p.advance(self.stories, info["count"])
        elif event == "summaries":
            p.update(self.summaries, total=info["count"], completed=0, visible=True)
        elif event == "summarized":
            p.advance(self.summaries)


@click.command("backfill")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--chunk", type=click.IntRange(min=1), default=512, show_default=True,
              help="Records extracted and committed together (a kill loses at most one chunk's work).")
@click.pass_context
def backfill_command(ctx: click.Context, paths: tuple[Path, ...], as_json: bool, quiet: bool, chunk: int) -> None:
    """Load articles from WARC / WARC.gz archives (CC-NEWS layout) or JSON Lines dumps, then build
    their stories and summaries. Safe to interrupt: run it again and it resumes."""
    from rich.console import Console

    from tidings.backfill.readers import archive_kind
    from tidings.backfill.run import backfill
    from tidings.cli.common import open_store_or_fail, out, run_locked
    from tidings.engine.executors import EngineError

    for path in paths:
        try:
            archive_kind(path)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    config = get_config(ctx)
    store = open_store_or_fail(config)

    def run():
        if quiet or as_json:
            return backfill(config, store, list(paths), chunk=chunk)
        columns = (TextColumn("{task.description:>22}"), BarColumn(), TaskProgressColumn(), MofNCompleteColumn(),
                   TransferSpeedColumn(), TimeElapsedColumn(), TimeRemainingColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            return backfill(config, store, list(paths), progress=_BackfillProgress(progress), chunk=chunk)

    try:
        report = run_locked(store, 0.0, run)  # a writer like `update`: one at a time per database
    except (EngineError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    table = Table(title="backfill", header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    stories, summaries = report.stories, report.summaries
    rate = report.new / report.elapsed if report.elapsed else 0.0
    for name, value in (("records read", report.records), ("stored before (skipped)", report.already),
                        ("new articles", report.new), ("of which copies", report.copies),
                        ("updated", report.updated), ("repeated in the archives", report.unchanged),
                        ("records failed", sum(report.errors.values())),
                        ("new stories", stories.new_stories - stories.merges),
                        ("summaries written", summaries.summarized),
                        ("seconds", f"{report.elapsed:.1f}"), ("new articles/s", f"{rate:.2f}")):
        table.add_row(name, str(value))
    out.print(table)
    for kind, count in sorted(report.errors.items()):
        out.print(f"[red]{kind}[/red]: {count}", highlight=False)
    for sample in report.error_samples[:5]:
        out.print(f"  {sample['origin']}: {sample['kind']}: {sample['message']}", highlight=False)
