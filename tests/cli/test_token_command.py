"""``dateline token``: create prints the token once (and it works), list shows every
token without it, revoke by name or id; mistakes are one line with exit status 2."""

from __future__ import annotations

import click
from click.testing import CliRunner

from dateline.cli.token_command import token
from dateline.store import open_store


@click.group()
@click.option("--db", "database")
@click.pass_context
def root(ctx: click.Context, database: str) -> None:
    """Stands in for ``dateline``: the archive comes from the root context, as there."""
    ctx.obj = database


root.add_command(token)


def run(database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(root, ["--db", database_url, "token", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_create_list_and_revoke(database_url: str) -> None:
    code, out, err = run(database_url, "create", "--name", "ann")
    assert code == 0, err
    secret = out.strip()
    assert len(secret) == 43 and "\n" not in secret
    assert "cannot be shown again" in err and "'ann'" in err
    with open_store(database_url) as store:
        found = store.use_token(secret)
        assert found is not None and found.name == "ann" and not found.revoked
    assert run(database_url, "create", "--name", "bo")[0] == 0

    code, listing, _ = run(database_url, "list")
    assert code == 0
    header, *rows = listing.splitlines()
    assert header.split() == ["id", "state", "created", "last", "used", "revoked", "name"]
    assert [(r.split()[0], r.split()[1], r.split()[-1]) for r in rows] == [
        ("1", "active", "ann"),
        ("2", "active", "bo"),
    ]
    assert secret not in listing

    assert run(database_url, "revoke", "ann") == (0, "Revoked token 1 (ann)\n", "")
    assert run(database_url, "revoke", "2") == (0, "Revoked token 2 (bo)\n", "")
    rows = run(database_url, "list")[1].splitlines()[1:]
    assert [r.split()[1] for r in rows] == ["revoked", "revoked"]
    with open_store(database_url) as store:
        found = store.use_token(secret)
        assert found is not None and found.revoked


def test_mistakes_are_one_line_with_status_2(database_url: str) -> None:
    assert run(database_url, "create", "--name", "ann")[0] == 0
    cases = [
        (("create", "--name", "ann"), "a token named 'ann' exists"),
        (("create", "--name", "a:b"), "contains ':'"),
        (("create", "--name", "42"), "all digits"),
        (("revoke", "nobody"), "no API token with the name 'nobody'"),
        (("revoke", "7"), "no API token with the id '7'"),
    ]
    for args, message in cases:
        code, out, err = run(database_url, *args)
        assert code == 2, (args, out, err)
        assert out == "" and err.startswith("Error: ") and message in err, (args, err)
        assert len(err.strip().splitlines()) == 1
    assert run(database_url, "revoke", "ann")[0] == 0
    code, _, err = run(database_url, "revoke", "ann")
    assert code == 2 and "revoked already" in err


def test_an_empty_list_says_how_to_make_one(database_url: str) -> None:
    code, out, err = run(database_url, "list")
    assert (code, out) == (0, "")
    assert "dateline token create --name NAME" in err


def test_every_command_has_help_with_an_example() -> None:
    for name in ("create", "list", "revoke"):
        result = CliRunner().invoke(root, ["token", name, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output and f"dateline token {name}" in result.output


def test_an_unreachable_database_is_one_line() -> None:
    code, _, err = run("/nonexistent-folder/x.db", "list")
    assert code == 2 and "does not exist" in err and len(err.strip().splitlines()) == 1
