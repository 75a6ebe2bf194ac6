"""``tidings ingest`` and ``tidings update``: the pipeline's runs, with a progress bar and a report."""

from __future__ import annotations

import json
from typing import Any

import click

from tidings.cli import get_config
from tidings.cli.common import database_errors_clear, open_store_or_fail, out, progress_bar, run_locked, wait_option


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
@wait_option
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
        out.print(report.table())
        print_errors(report)


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
@wait_option
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
        out.print(result["ingest"].table())
    stories, summaries = result["stories"], result["summaries"]
    from rich.table import Table

    table = Table(title="stories", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, value in (("articles placed", stories.placed), ("copies attached", stories.copies),
                        ("reprints (weeks after their original; in no story)", stories.reprints),
                        ("new stories", stories.new_stories), ("joined a story", stories.joined),
                        ("stories merged", stories.merges), ("stories changed", stories.touched),
                        ("stories ranked", stories.ranked), ("summaries written", summaries.summarized),
                        ("summaries kept (no material change)", summaries.unchanged),
                        ("summaries failed", summaries.failed)):
        table.add_row(name, str(value))
    out.print(table)
    print_errors(result["ingest"], summaries_failed=summaries.failed)
