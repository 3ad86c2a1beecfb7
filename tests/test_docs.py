"""The README is a newcomer's page: its commands must exist and work as shown."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from dateline.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_shows_the_two_commands() -> None:
    assert "make demo" in README and "make test" in README
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_every_command_in_the_readme_exists() -> None:
    used = set(re.findall(r"^dateline (\w+)", README, re.M))
    assert used, "the README shows the CLI"
    assert used <= set(cli.commands)  # type: ignore[attr-defined]
    assert set(cli.commands) <= used, "every command is in the README"  # type: ignore[attr-defined]
    for name in used:
        assert CliRunner().invoke(cli, [name, "--help"]).exit_code == 0


def test_docs_linked_from_the_readme_exist() -> None:
    for link in re.findall(r"\]\((docs/[^)]+)\)", README):
        assert (ROOT / link).is_file(), link
