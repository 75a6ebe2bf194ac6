"""``tidings users``: editors who may log in to /editor (add, passwd, list) and reader apps' API passwords."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from tidings.cli import get_config

if TYPE_CHECKING:
    from tidings.store.db import Store


def _store(ctx: click.Context) -> Store:
    from tidings.cli.common import open_store_or_fail

    return open_store_or_fail(get_config(ctx))


@contextmanager
def _accounts(ctx: click.Context) -> Iterator[Store]:
    """The store for a change to an account; a refused change (no such user, a short password) is
    a one-line error, and the store is closed either way."""
    from tidings.publish.editions.users import UserError

    store = _store(ctx)
    try:
        yield store
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()


@click.group("users")
def users_group() -> None:
    """Editors who may log in to /editor."""


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_group.command("add")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.pass_context
def users_add(ctx: click.Context, email: str, password_stdin: bool) -> None:
    """Create an editor account."""
    from tidings.publish.editions.users import add_user

    with _accounts(ctx) as store:
        user = add_user(store, email, _read_password(password_stdin))
    click.echo(f"added editor {user.email} (id {user.id})")


@users_group.command("passwd")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.pass_context
def users_passwd(ctx: click.Context, email: str, password_stdin: bool) -> None:
    """Set an editor's password."""
    from tidings.publish.editions.users import set_password

    with _accounts(ctx) as store:
        set_password(store, email, _read_password(password_stdin))
    click.echo(f"password changed for {email}")


@users_group.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """All editors."""
    from tidings.cli.common import require_database
    from tidings.store.quick import sqlite_rows

    config = get_config(ctx)
    require_database(config)
    # a SQLite file at this schema is read with sqlite3 (no SQLAlchemy to import: a fast start)
    rows = sqlite_rows(config.database_url, "SELECT id, email FROM users ORDER BY id")
    if rows is None:  # another database, or one to create or to refuse: the Store says which
        from tidings.publish.editions.users import list_users

        store = _store(ctx)
        rows = [(user.id, user.email) for user in list_users(store)]
        store.close()
    for user_id, email in rows:
        click.echo(f"{user_id:>4}  {email}")


@users_group.command("api-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the API password from stdin instead of making one up.")
@click.option("--unread-on-update/--keep-read-on-update", default=None,
              help="Whether a story read in an app turns unread when it gains sources or a new summary.")
@click.pass_context
def users_api_password(ctx: click.Context, email: str, password_stdin: bool, unread_on_update: bool | None) -> None:
    """Set the password reader apps log in with (Google Reader and Fever APIs); prints a new random one."""
    from tidings.publish.readers.accounts import set_api_password, set_unread_on_update

    with _accounts(ctx) as store:
        password = set_api_password(store, email, _read_password(True) if password_stdin else None)
        if unread_on_update is not None:
            set_unread_on_update(store, email, unread_on_update)
    if password_stdin:
        click.echo(f"API password set for {email}; reader apps logged in with the old one must log in again")
    else:
        click.echo(f"API password for {email}: {password}")
        click.echo("reader apps: Google Reader API at <site>/api/greader, Fever API at <site>/api/fever.php")
