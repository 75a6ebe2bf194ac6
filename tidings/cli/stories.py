"""``tidings stories``: an editor's decisions from the command line (move, split, decisions).

The same operations as the editor's story pages (:mod:`tidings.stories.editing`): the decision is
recorded with who made it (``--by``, default ``cli:<login>``), the article stays where it is put,
and the two stories are never merged back by later updates.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from typing import Any

import click

from tidings.cli import get_config


def _actor(by: str | None) -> str:
    if by:
        return by
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


_by_option = click.option("--by", default=None, help="Who decides (default: cli:<login>).")
_json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


def _run(ctx: click.Context, work: Callable[..., Any], as_json: bool) -> None:
    from tidings.cli.common import open_store_or_fail
    from tidings.stories.editing import EditError
    from tidings.stories.update import cluster_config

    config = get_config(ctx)
    store = open_store_or_fail(config)
    try:
        result = work(store, cluster_config(config))
    except (EditError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(result.as_dict()))
        return
    copies = len(result.moved) - 1
    what = f"article {result.article_id}" + (f" (and {copies} syndicated cop{'y' if copies == 1 else 'ies'})"
                                             if copies else "")
    verb = "moved" if result.action == "move" else "split off"
    click.echo(f"{verb} {what} from story {result.from_story} to story {result.to_story}")
    if result.emptied:
        click.echo(f"story {result.from_story} had no other article: it now redirects to {result.to_story}")
    click.echo("both stories get a fresh summary at the next `tidings update`")


@click.group("stories")
def stories_group() -> None:
    """An editor's decisions about stories: move an article, split it off, list the decisions."""


@stories_group.command("move")
@click.argument("article_id", type=int)
@click.argument("story")
@_by_option
@_json_option
@click.pass_context
def move_command(ctx: click.Context, article_id: int, story: str, by: str | None, as_json: bool) -> None:
    """Move ARTICLE_ID (and its syndicated copies) to STORY (an id or a story's address)."""
    from tidings.stories.editing import move_article

    _run(ctx, lambda store, config: move_article(store, article_id, story, _actor(by), config), as_json)


@stories_group.command("split")
@click.argument("article_id", type=int)
@_by_option
@_json_option
@click.pass_context
def split_command(ctx: click.Context, article_id: int, by: str | None, as_json: bool) -> None:
    """Split ARTICLE_ID (and its syndicated copies) off into a new story of its own."""
    from tidings.stories.editing import split_article

    _run(ctx, lambda store, config: split_article(store, article_id, _actor(by), config), as_json)


@stories_group.command("decisions")
@click.option("--story", default=None, help="Only the decisions about this story.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.pass_context
def decisions_command(ctx: click.Context, story: str | None, limit: int) -> None:
    """The editors' decisions, newest first."""
    from tidings.cli.common import open_store_or_fail
    from tidings.stories.editing import decisions_about

    store = open_store_or_fail(get_config(ctx))
    try:
        with store.reading() as session:
            decisions = decisions_about(session, story, limit)
    finally:
        store.close()
    for d in decisions:
        verb = "moved    " if d.action == "move" else "split off"
        kept = "" if d.apart else "  (its story emptied)"
        click.echo(f"{d.created_at:%Y-%m-%d %H:%M}  {d.actor:<24} {verb} article {d.article_id:<6} "
                   f"{d.from_story} -> {d.to_story}{kept}")
