"""``tidings sources``: add (with feed discovery), list, remove, import and export OPML."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from tidings.cli import get_config

out = Console()


@click.group("sources")
def sources_group() -> None:
    """Manage the sources Tidings polls."""


@sources_group.command("add")
@click.argument("url")
@click.option("--name", help="Display name (default: the feed's title).")
@click.option("--country", help="ISO country code of the outlet, e.g. US, FR.")
@click.option("--language", help="ISO language code, e.g. en, fr (default: the feed's).")
@click.option("--authority", type=click.FloatRange(0, 1), default=None,
              help="How much the outlet weighs in ranking, 0..1 (new sources: 0.5).")
@click.pass_context
def add_command(ctx: click.Context, url: str, name: str | None, country: str | None, language: str | None,
                authority: float | None) -> None:
    """Add a source from a feed URL or a homepage (its feed or sitemap is discovered)."""
    from tidings.cli.common import open_store_or_fail
    from tidings.fetch.client import Fetcher
    from tidings.sources.finder import SourceNotFound, find_source
    from tidings.sources.registry import upsert_source

    config = get_config(ctx)

    async def discover():
        async with Fetcher(config.fetch) as fetcher:
            return await find_source(fetcher, url, name=name, country=country, language=language,
                                     authority=0.5 if authority is None else authority)

    try:
        found = asyncio.run(discover())
    except SourceNotFound as exc:
        raise click.ClickException(str(exc)) from None
    store = open_store_or_fail(config)
    with store.transaction() as session:
        # on a source already registered, change only what this command was told (and the discovered basics)
        given = {"name": name, "country": country, "language": language, "authority": authority}
        fields = {"kind", "homepage"} | {k for k, v in given.items() if v is not None}
        source, what = upsert_source(session, found.spec, fields=fields)
        source_id = source.id
    click.echo(f"{what} source {source_id}: {found.spec.name} <{found.spec.url}> "
               f"({found.how}, {found.entries} entries now)")


@sources_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include removed (inactive) sources.")
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON on stdout.")
@click.pass_context
def list_command(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """List registered sources with their health."""
    from tidings.cli.common import open_store_or_fail
    from tidings.sources.registry import list_sources

    store = open_store_or_fail(get_config(ctx))
    with store.reading() as session:
        rows: list[dict[str, Any]] = [
            {"id": s.id, "name": s.name, "kind": s.kind, "url": s.url, "homepage": s.homepage,
             "country": s.country, "language": s.language, "authority": s.authority, "active": s.active,
             "errors": s.consecutive_errors, "last_status": s.last_status,
             "last_fetched": s.last_fetched_at.isoformat() if s.last_fetched_at else None,
             "next_due": s.next_due_at.isoformat() if s.next_due_at else None}
            for s in list_sources(session, active_only=not show_all)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(show_header=True, header_style="bold")
    for col in ("id", "name", "kind", "lang", "country", "auth", "health", "url"):
        table.add_column(col, overflow="fold", no_wrap=col in ("id", "kind", "health"))
    for r in rows:
        health = "ok" if r["errors"] == 0 else f"[red]{r['errors']} errors[/red]"
        if r["last_fetched"] is None and r["errors"] == 0:
            health = "never fetched"
        if not r["active"]:
            health = "removed"
        table.add_row(str(r["id"]), r["name"], r["kind"], r["language"] or "", r["country"] or "",
                      f"{r['authority']:.2f}", health, r["url"])
    out.print(table)


@sources_group.command("remove")
@click.argument("ref")
@click.pass_context
def remove_command(ctx: click.Context, ref: str) -> None:
    """Stop polling a source (by id or URL). Its articles stay, credited to it."""
    from tidings.cli.common import open_store_or_fail
    from tidings.sources.registry import remove_source

    store = open_store_or_fail(get_config(ctx))
    with store.transaction() as session:
        source = remove_source(session, ref)
        if source is None:
            raise click.ClickException(f"no source {ref!r}")
        click.echo(f"removed source {source.id}: {source.name}")


@sources_group.command("import")
@click.argument("path_or_url")
@click.pass_context
def import_command(ctx: click.Context, path_or_url: str) -> None:
    """Import sources from an OPML (or TOML) file or URL.

    A feed outline (xmlUrl) is registered as it is; a homepage outline (htmlUrl only, e.g.
    type="link") has its feed or sitemap discovered, as `tidings sources add` does. Every outline
    left out is listed with the reason.

    \b
    Example:
      tidings sources import tidings/sources/default_sources.opml
      tidings sources import https://example.org/subscriptions.opml
    """
    from tidings.cli.common import open_store_or_fail
    from tidings.sources.importer import ImportError_, discover_homepages, read_list
    from tidings.sources.registry import sync_sources

    config = get_config(ctx)
    try:
        outlines = asyncio.run(read_list(config, path_or_url))
    except ImportError_ as exc:
        raise click.ClickException(str(exc)) from None
    found, failed = asyncio.run(discover_homepages(config, outlines.homepages)) if outlines.homepages else ([], [])
    store = open_store_or_fail(config)
    with store.transaction() as session:
        result = sync_sources(session, outlines.feeds + [f.spec for f in found], reactivate=True)
    listed = len(outlines.feeds) + len(outlines.homepages) + len(outlines.skipped)
    click.echo(f"imported {len(outlines.feeds) + len(found)} of {listed} sources: {result.added} added, "
               f"{result.updated} updated, {result.unchanged} unchanged")
    for item in found:
        click.echo(f"  discovered {item.spec.name}: {item.how} at {item.spec.url}")
    skipped = outlines.skipped + failed
    if skipped:
        click.echo(f"skipped {len(skipped)}:")
        for label, why in skipped:
            click.echo(f"  {label}: {why}")


@sources_group.command("export")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.pass_context
def export_command(ctx: click.Context, path: str | None) -> None:
    """Export active sources as OPML (to PATH, or stdout)."""
    from tidings.cli.common import open_store_or_fail
    from tidings.sources.registry import export_opml

    store = open_store_or_fail(get_config(ctx))
    with store.reading() as session:
        text = export_opml(session)
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"wrote {path}")
    else:
        sys.stdout.write(text)
