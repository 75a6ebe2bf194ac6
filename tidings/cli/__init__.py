"""The ``tidings`` command: the top layer, which imports the stages (never the reverse).

Each subcommand is a module of this package (``run.py``: ingest and update, ``db.py``, ``users.py`` ...),
registered in :data:`COMMANDS` as ``name -> ("module:attribute", help)`` and imported only when used,
so ``tidings --help`` imports none of them and a stage's heavy models load only for that stage.
``--config`` may come before or after the subcommand.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

import click

from tidings import __version__
from tidings.logs import log_options

if TYPE_CHECKING:
    from tidings.config import Config

# name -> ("module:attribute" of a click.Command, its one-line help for `tidings --help`, so that
# listing the commands imports none of them). Keep in the order of the flow.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("tidings.cli.init:init_command", "Write a commented default configuration file."),
    "sources": ("tidings.cli.sources:sources_group", "Manage the sources Tidings polls."),
    "ingest": ("tidings.cli.run:ingest_command", "Fetch due sources, extract and store their articles."),
    "update": ("tidings.cli.run:update_command", "Ingest, then build, rank and summarize the stories."),
    "backfill": ("tidings.cli.backfill:backfill_command",
                 "Read web archives (WARC) or JSON Lines dumps into the store."),
    "stories": ("tidings.cli.stories:stories_group", "Move an article to another story, or split it off."),
    "doctor": ("tidings.cli.doctor:doctor_command", "Unhealthy sources: why they failed, when they are retried."),
    "db": ("tidings.cli.db:db_group", "Database schema: show or upgrade."),
    "extract": ("tidings.cli.extract:extract_command", "One page's extracted article as JSON."),
    "fetch": ("tidings.cli.fetch:fetch_command", "Fetch URLs through the guarded fetcher."),
    "cluster": ("tidings.cli.cluster:cluster_command", "Articles (JSON Lines) -> the story each joins."),
    "similarity": ("tidings.cli.cluster:similarity_command", "Pairs of articles -> score and verdict."),
    "classify": ("tidings.cli.classify:classify_command", "Articles -> section and scores."),
    "tags": ("tidings.cli.classify:tags_command", "Articles -> tags, best first."),
    "summarize": ("tidings.cli.summarize:summarize_command", "Stories -> headline, lead, cited sentences."),
    "check": ("tidings.cli.check:check_command", "Summaries -> which sentences the sources support."),
    "edition": ("tidings.cli.edition:edition_group", "Newsletter editions: draft, publish, send."),
    "users": ("tidings.cli.users:users_group", "Editors who may log in to /editor."),
    "serve": ("tidings.cli.serve:serve_command", "The web site, feeds and API; updates on a schedule."),
    "demo-server": ("tidings.cli.demo:demo_server_command", "Serve the demo newsstand on loopback."),
}


def hoist_config(args: list[str]) -> list[str]:
    """Move ``--config PATH`` (or ``--config=PATH``) from after the subcommand to before it, so
    that ``tidings sources list --config x.toml`` works like ``tidings --config x.toml sources list``."""
    args = list(args)
    hoisted: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            break
        if arg == "--config" and i + 1 < len(args):
            hoisted += args[i:i + 2]
            del args[i:i + 2]
            continue
        if arg.startswith("--config="):
            hoisted.append(args.pop(i))
            continue
        i += 1
    return hoisted + args


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_config(args))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, help_) in COMMANDS.items()])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attr = target[0].partition(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tidings")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="TIDINGS_CONFIG",
    help="Path to tidings.toml (default: ./tidings.toml if present).",
)
@log_options  # -v / --log-level, then logging from the [log] table (tidings.logs)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Tidings: many news sources in, a few well-told, cited stories out."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    from tidings.config import ConfigError, load_config

    try:  # every command, stage commands included, applies the configured [limits]
        ctx.obj["config"] = load_config(config_path)
    except ConfigError as exc:
        if config_path:  # a file named before the command: its mistake stops every command, stage ones too
            raise click.ClickException(str(exc)) from None
        return  # else reported by the commands that read the configuration (--config may follow the command)
    _apply_limits(ctx.obj["config"])


def _apply_limits(config: Config) -> None:
    from tidings.text.bounds import configure

    try:  # [limits]: the bounds on every text a model, regex or parser sees
        configure(config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def get_config(ctx: click.Context) -> Config:
    """The loaded configuration for a command (loaded once per process)."""
    from tidings.config import ConfigError, load_config

    root = ctx.find_root()
    root.ensure_object(dict)
    if "config" not in root.obj:
        try:
            root.obj["config"] = load_config(root.obj.get("config_path"))
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        _apply_limits(root.obj["config"])
    return root.obj["config"]


def main() -> None:
    try:
        cli(obj={})
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
