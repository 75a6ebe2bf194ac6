"""``tidings init``: write a commented default configuration file."""

from __future__ import annotations

from pathlib import Path

import click


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
