"""The ``tidings`` command.

Subcommands are registered in :data:`COMMANDS` as ``name -> "module:attribute"``
and imported only when used, so ``tidings --help`` stays fast and a stage's heavy
models load only for that stage.
"""

from __future__ import annotations

import importlib
import sys

import click

from tidings import __version__

# name -> "module:attribute" of a click.Command. Keep sorted by flow.
COMMANDS: dict[str, str] = {
    "init": "tidings.commands:init_command",
    "sources": "tidings.sources.commands:sources_group",
    "ingest": "tidings.commands:ingest_command",
    "update": "tidings.commands:update_command",
    "doctor": "tidings.commands:doctor_command",
    "db": "tidings.commands:db_group",
    "extract": "tidings.extract.commands:extract_command",
    "fetch": "tidings.fetch.commands:fetch_command",
    "cluster": "tidings.stories.commands:cluster_command",
    "similarity": "tidings.stories.commands:similarity_command",
    "classify": "tidings.stories.stage_commands:classify_command",
    "tags": "tidings.stories.stage_commands:tags_command",
    "summarize": "tidings.summarize.commands:summarize_command",
    "check": "tidings.summarize.check_commands:check_command",
    "edition": "tidings.publish.editions.commands:edition_group",
    "users": "tidings.publish.editions.commands:users_group",
    "serve": "tidings.publish.serve:serve_command",
    "demo-server": "tidings.demo.commands:demo_server_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attr = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("tidings"):
                return None  # a stage not built in this checkout
            raise
        return getattr(module, attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tidings")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="TIDINGS_CONFIG",
    help="Path to tidings.toml (default: ./tidings.toml if present).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Tidings: many news sources in, a few well-told, cited stories out."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    from tidings.config import ConfigError, load_config

    try:  # every command, stage commands included, applies the configured [limits]
        ctx.obj["config"] = load_config(config_path)
    except ConfigError:
        return  # reported by the commands that read the configuration
    _apply_limits(ctx.obj["config"])


def _apply_limits(config) -> None:  # type: ignore[no-untyped-def]
    from tidings.text.bounds import configure

    try:  # [limits]: the bounds on every text a model, regex or parser sees
        configure(config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def get_config(ctx: click.Context):
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
