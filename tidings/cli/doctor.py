"""``tidings doctor``: unhealthy sources, why they failed, when they are retried; recent runs."""

from __future__ import annotations

import json
from typing import Any

import click

from tidings.cli import get_config
from tidings.cli.common import open_store_or_fail, out


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
