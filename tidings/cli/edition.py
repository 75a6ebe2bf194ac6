"""``tidings edition``: newsletter editions (new, list, show, publish, schedule, send)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tidings.cli import get_config

if TYPE_CHECKING:
    from tidings.publish.editions.settings import NewsletterSettings
    from tidings.store.db import Store


def _store(ctx: click.Context) -> Store:
    from tidings.cli.common import open_store_or_fail

    return open_store_or_fail(get_config(ctx))


def _settings(ctx: click.Context) -> NewsletterSettings:
    from tidings.config import ConfigError
    from tidings.publish.editions.settings import newsletter_settings

    try:
        return newsletter_settings(get_config(ctx))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("edition")
def edition_group() -> None:
    """Newsletter editions: draft, list, publish, send."""


@edition_group.command("new")
@click.option("--since", default="7d", show_default=True,
              help="Stories published since: a duration back from the newest story (7d, 48h) or a date.")
@click.option("--per-section", type=click.IntRange(min=1), default=None, help="Stories per section (default: config).")
@click.pass_context
def new_command(ctx: click.Context, since: str, per_section: int | None) -> None:
    """Draft an edition from the top stories of each section."""
    from tidings.publish.editions import service
    from tidings.timeutil import as_utc, parse_since, utcnow

    store, settings = _store(ctx), _settings(ctx)
    newest = service.newest_story_time(store)
    if newest is None:
        raise click.ClickException("no stories yet: run `tidings update` first")
    now = min(utcnow(), as_utc(newest))  # a duration counts back from the newest story, as ranking does
    try:
        when = parse_since(since, now=now)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    try:
        edition_id = service.new_draft(store, settings, when, per_section)
    except service.EditionError as exc:
        raise click.ClickException(str(exc)) from None
    items = service.draft_items(store, settings, edition_id)
    click.echo(f"drafted edition {edition_id} with {len(items)} stories published from {when:%Y-%m-%d %H:%M} "
               f"to {now:%Y-%m-%d %H:%M} (the newest story)")
    for item in items:
        click.echo(f"  {'*' if item.is_lead else '-'} [{item.section_title}] {item.headline}")
    store.close()


@edition_group.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """All editions, newest first."""
    from tidings.publish.editions import service

    store = _store(ctx)
    for row in service.list_editions(store):
        when = (row.published_at or row.created_at).strftime("%Y-%m-%d %H:%M")
        extra = f" /editions/{row.slug}" if row.slug else ""
        sent = f" [{row.send_status}]" if row.send_status else ""
        click.echo(f"{row.id:>4}  {row.status:<9} {when}  {row.stories:>2} stories  {row.title}{extra}{sent}")
    store.close()


@edition_group.command("show")
@click.argument("edition_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html"]), default="text", show_default=True)
@click.pass_context
def show_command(ctx: click.Context, edition_id: int, fmt: str) -> None:
    """Print an edition (a draft as it stands now, a published one as frozen)."""
    from tidings.publish.editions import render, service

    store, settings = _store(ctx), _settings(ctx)
    edition = service.get_edition(store, edition_id)
    if edition is None:
        raise click.ClickException(f"no edition {edition_id}")
    if edition.status == "published":  # exactly what was frozen
        click.echo({"text": edition.text, "markdown": edition.markdown, "html": edition.html}[fmt] or "", nl=False)
    else:
        content = service.preview(store, settings, edition_id)
        fn = {"text": render.render_text, "markdown": render.render_markdown, "html": render.render_html}[fmt]
        click.echo(fn(content), nl=False)
    store.close()


@edition_group.command("publish")
@click.argument("edition_id", type=int)
@click.pass_context
def publish_command(ctx: click.Context, edition_id: int) -> None:
    """Freeze a draft and archive it at /editions/<slug>."""
    from tidings.publish.editions import service

    store, settings = _store(ctx), _settings(ctx)
    try:
        slug = service.publish(store, settings, edition_id)
    except service.EditionError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"published edition {edition_id}: {settings.url('/editions/' + slug)}")
    from tidings.publish.editions.render import GMAIL_CLIP_BYTES

    edition = service.get_edition(store, edition_id)
    size = len((edition.html or "").encode()) if edition else 0
    if size > GMAIL_CLIP_BYTES:
        click.echo(f"warning: the HTML is {size:,} bytes; Gmail clips messages over {GMAIL_CLIP_BYTES:,} "
                   "(draft fewer stories next time, e.g. --per-section 2)", err=True)
    store.close()


@edition_group.command("schedule")
@click.argument("edition_id", type=int)
@click.argument("when")
@click.pass_context
def schedule_command(ctx: click.Context, edition_id: int, when: str) -> None:
    """Send EDITION_ID at WHEN (an ISO date-time); `tidings serve` sends it when due."""
    from tidings.store.newsletter_models import Edition
    from tidings.timeutil import parse_datetime

    at = parse_datetime(when)
    if at is None:
        raise click.BadParameter(f"not a date-time: {when!r}", param_hint="WHEN")
    store = _store(ctx)
    with store.transaction() as session:
        edition = session.get(Edition, edition_id)
        if edition is None:
            raise click.ClickException(f"no edition {edition_id}")
        if edition.send_status is not None:
            raise click.ClickException(f"edition {edition_id} was already sent ({edition.send_status})")
        edition.scheduled_at = at
    click.echo(f"edition {edition_id} will be sent at {at.isoformat()}")
    store.close()


@edition_group.command("send")
@click.argument("edition_id", type=int)
@click.pass_context
def send_command(ctx: click.Context, edition_id: int) -> None:
    """Mail a published edition to the confirmed subscribers (each at most once)."""
    from tidings.config import ConfigError
    from tidings.publish.editions.security import Signer, load_secret
    from tidings.publish.mail.sender import SendError, send_edition
    from tidings.publish.mail.settings import smtp_settings

    config = get_config(ctx)
    store, settings = _store(ctx), _settings(ctx)
    try:
        smtp = smtp_settings(config)
        report = send_edition(store, settings, smtp, Signer(load_secret(config)), edition_id,
                              progress=lambda email: click.echo(f"  sent to {email}"))
    except (SendError, ConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    if report.empty:
        click.echo(f"edition {edition_id} has no story that an earlier edition did not carry: nothing sent")
        return
    click.echo(f"edition {edition_id}: {report.sent} sent, {report.skipped} already in the send log, "
               f"{report.failed} refused")
    for error in report.errors:
        click.echo(f"  {error}", err=True)
