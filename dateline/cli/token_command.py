"""``dateline token``: make, list and revoke the API tokens that may write through the API.

A group of its own module, registered by ``dateline/cli/main.py``
(``cli.add_command(token)``); the archive is the root group's ``--db``, read from the
root context like every other command's. Dateline's errors become one line on stderr
and exit status 2, also when the group runs outside ``dateline`` (tests invoke it so).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import click

from dateline.errors import DatelineError
from dateline.store import open_store

if TYPE_CHECKING:
    from dateline.store import Store
    from dateline.store.tokens import ApiToken

EXIT_USER_ERROR = 2


class UserError(click.ClickException):
    """A user's mistake on its way to the terminal: one line, exit status 2."""

    exit_code = EXIT_USER_ERROR


@contextmanager
def _store(ctx: click.Context) -> Iterator[Store]:
    try:
        store = open_store(ctx.find_root().obj)
        try:
            yield store
        finally:
            store.close()
    except DatelineError as error:
        raise UserError(str(error)) from None
    except OSError as error:  # a database folder that cannot be written, a full disk...
        where = f"{error.filename}: " if error.filename else ""
        raise UserError(f"{where}{error.strerror or error}") from None


def _time(value: datetime | None) -> str:
    return value.isoformat(sep=" ") if value else "-"


@click.group("token")
def token() -> None:
    """API tokens: who may create, edit and retire events through the HTTP API.

    Reading needs no token. A token is sent as 'Authorization: Bearer <token>'; its
    name becomes the editor of every version written with it. Only a digest of each
    token is stored: a token is shown once, when it is made.
    """


@token.command("create")
@click.option("--name", required=True, help="Who writes with it (becomes the editor's name).")
@click.pass_context
def token_create(ctx: click.Context, name: str) -> None:
    """Make a token and print it (once: it cannot be shown again).

    \b
    Example:
      dateline token create --name ann
    """
    with _store(ctx) as store:
        made, secret = store.create_token(name)
    click.echo(secret)
    click.echo(
        f"Token {made.id} for {made.name!r}: keep it now, it is not stored and cannot be "
        "shown again.",
        err=True,
    )


@token.command("list")
@click.pass_context
def token_list(ctx: click.Context) -> None:
    """List every token (never the token itself): id, name, state and times.

    \b
    Example:
      dateline token list
    """
    with _store(ctx) as store:
        found = store.tokens()
    if not found:
        click.echo("No API tokens (make one with: dateline token create --name NAME)", err=True)
        return
    click.echo(
        f"{'id':>5}  {'state':<7}  {'created':<19}  {'last used':<19}  {'revoked':<19}  name"
    )
    for item in found:
        click.echo(_row(item))


def _row(item: ApiToken) -> str:
    state = "revoked" if item.revoked else "active"
    return (
        f"{item.id:>5}  {state:<7}  {_time(item.created_at):<19}  "
        f"{_time(item.last_used_at):<19}  {_time(item.revoked_at):<19}  {item.name}"
    )


@token.command("revoke")
@click.argument("ref", metavar="NAME|ID")
@click.pass_context
def token_revoke(ctx: click.Context, ref: str) -> None:
    """Revoke a token at once: writes with it are refused (403) from now on.

    NAME is the active token of that name; ID (digits) any token.

    \b
    Example:
      dateline token revoke ann
    """
    with _store(ctx) as store:
        revoked = store.revoke_token(ref)
    click.echo(f"Revoked token {revoked.id} ({revoked.name})")
