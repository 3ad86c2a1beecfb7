"""The dateline command: every command works, has help with an example, and user
errors are one line with exit status 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dateline.cli.main import cli
from dateline.store import open_store
from tests.conftest import EVENT_SEEDS, SHARED, seed_file
from tests.support.archive import dump

SEEDS = [str(seed_file(n)) for n in EVENT_SEEDS]
SLUG_000 = (
    "syrian-army-troops-continue-to-pour-into-homs-as-part-of-the-latest-offensive-"
    "with-scores-of-civilians-and-anti-government-protesters-repor"
)
PATH_000 = f"/news/2012/02/9/{SLUG_000}.md"


def run(*args: str, db: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", db, *args], input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def seeded(database_url: str) -> str:
    code, out, _ = run("import", *SEEDS, db=database_url)
    assert code == 0, out
    assert out.strip() == "3 files, 19 events added, 0 updated, 0 unchanged"
    return database_url


def test_show_by_path_id_and_date_slug(seeded: str) -> None:
    code, by_path, _ = run("show", PATH_000, db=seeded)
    assert code == 0
    assert by_path.startswith("Formats: [HTML](/news/2012/02/9/")
    assert "### Related:" in by_path
    assert run("show", f"2012-02-09/{SLUG_000}", db=seeded)[1] == by_path
    assert run("show", f"https://example.org{PATH_000}", db=seeded)[1] == by_path


def test_edit_history_and_old_versions(seeded: str) -> None:
    code, out, _ = run(
        "edit",
        PATH_000,
        "--summary",
        "Corrected.",
        "--editor",
        "ann",
        "--note",
        "BBC correction",
        db=seeded,
    )
    assert code == 0
    assert out.strip() == f"Recorded version 2: {PATH_000}"
    code, out, _ = run("history", PATH_000, db=seeded)
    lines = out.strip().split("\n")
    assert lines[0].startswith(f"1\ttime unknown\t-\t{PATH_000.removesuffix('.md')}.v1.md")
    assert lines[1].startswith("2\t") and "\tann\t" in lines[1] and lines[1].endswith("(current)")
    assert lines[2] == "\tBBC correction"
    old = run("show", PATH_000.replace(".md", ".v1.md"), db=seeded)[1]
    assert "_Version 1 of 2: see the [current version]" in old
    assert "to halt the carnage." in old and "Corrected." not in old
    assert "Corrected." in run("show", PATH_000, db=seeded)[1]


def test_stale_edit_is_refused(seeded: str) -> None:
    run("edit", PATH_000, "--summary", "One.", db=seeded)
    code, _out, err = run("edit", PATH_000, "--summary", "Two.", "--expect-version", "1", db=seeded)
    assert code == 2
    assert err.strip().startswith("Error: event ") and "is at version 2, not 1" in err
    assert len(err.strip().split("\n")) == 1


def test_edit_in_editor(seeded: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = tmp_path / "fake-editor"
    script.write_text("#!/bin/sh\nsed -i 's/to halt the carnage/to stop the killing/' \"$1\"\n")
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    code, out, _ = run("edit", PATH_000, "--note", "wording", db=seeded)
    assert code == 0, out
    assert "to stop the killing" in run("show", PATH_000, db=seeded)[1]


def test_related(seeded: str) -> None:
    code, out, _ = run("related", PATH_000, "--limit", "3", db=seeded)
    assert code == 0
    assert [line.split("\t")[:2] for line in out.strip().split("\n")] == [
        ["2012-02-15", "Homs, Syrian Army, bombardment"],
        ["2012-02-13", "Homs, Syrian Army, bombardment"],
        ["2012-02-10", "Homs, Syrian Army, bombardment"],
    ]


def test_build_then_rebuild_after_an_edit(seeded: str, tmp_path: Path) -> None:
    out = tmp_path / "site"
    code, text, _ = run("build", str(out), db=seeded)
    assert code == 0
    written = int(re.search(r"full build: (\d+) pages written", text)[1])  # type: ignore[index]
    assert written == sum(
        1 for p in out.rglob("*") if p.is_file() and ".dateline-build" not in p.parts
    )
    code, text, _ = run("build", str(out), db=seeded)
    assert code == 0 and "incremental build: 0 pages written" in text
    code, _, _ = run("edit", "2", "--summary", "Corrected.", "--note", "typo", db=seeded)
    assert code == 0
    code, text, _ = run("build", str(out), db=seeded)
    again = int(re.search(r"incremental build: (\d+) pages written", text)[1])  # type: ignore[index]
    assert 0 < again < written
    assert any("Corrected." in p.read_text(encoding="utf-8") for p in out.rglob("*.html"))


def test_export_and_import_round_trip(seeded: str, databases: object, tmp_path: Path) -> None:
    code, out, _ = run("export", str(tmp_path / "out"), db=seeded)
    assert code == 0
    assert out.strip() == f"19 events: 21 pages and 19 day indexes written to {tmp_path / 'out'}"
    copy = databases.new_url()  # type: ignore[attr-defined]
    code, out, _ = run("import", str(tmp_path / "out"), db=copy)
    assert code == 0
    assert (
        out.strip() == "21 files, 19 events added, 0 updated, 0 unchanged, 19 day indexes skipped"
    )
    a, b = open_store(seeded), open_store(copy)
    try:
        assert dump(a) == dump(b)
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "999"], "Error: no event with id 999"),
        (
            ["show", "/news/2012/02/31/x.md"],
            "Error: path: '/news/2012/02/31/x.md' names a day that does not exist",
        ),
        (["show", "yesterday"], "Error: event: 'yesterday' is not an event reference"),
        (
            ["show", "/news/2012/02/9/index.md"],
            "Error: event: '/news/2012/02/9/index.md' is a day index, not an event",
        ),
        (["import", "/no/such/file.md"], "Error: /no/such/file.md: no such file or folder"),
        (["edit", "1", "--headline", " "], "Error: headline: must not be empty"),
        (["edit", "1", "--headline", ""], "Error: headline: must not be empty"),
    ],
)
def test_user_errors_are_one_line_with_status_2(seeded: str, args: list[str], message: str) -> None:
    before = _dump_url(seeded)
    code, _, err = run(*args, db=seeded)
    assert code == 2
    assert err.strip().split("\n") == [err.strip()]
    assert err.strip().startswith(message)
    assert _dump_url(seeded) == before


def _dump_url(url: str) -> list[tuple[object, ...]]:
    store = open_store(url)
    try:
        return dump(store)
    finally:
        store.close()


def test_bad_file_in_an_import_exits_2_and_names_the_line(seeded: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("### [2012-02-30](/news/2012/02/30/index.md)\n\n# Headline\n")
    code, out, err = run("import", str(bad), SEEDS[0], db=seeded)
    assert code == 2
    assert (
        err.strip()
        == f"Error: {bad}:1: date: '2012-02-30' is not a date (expected YYYY-MM-D, e.g. 2012-02-9)"
    )
    assert out.strip() == (
        "0 files, 0 events added, 0 updated, 0 unchanged, 1 file already imported, "
        "1 file not imported"
    )
    # --again reads the file imported before: nothing in it changes the archive.
    code, out, _ = run("import", "--again", str(bad), SEEDS[0], db=seeded)
    assert out.strip() == "1 file, 0 events added, 0 updated, 11 unchanged, 1 file not imported"


def test_unreachable_databases(tmp_path: Path) -> None:
    code, _, err = run("show", "1", db="postgresql://nobody@127.0.0.1:9/none")
    assert code == 2
    assert err.startswith(
        "Error: cannot open database postgresql+psycopg://nobody@127.0.0.1:9/none: "
    )
    code, _, err = run("show", "1", db=str(tmp_path / "missing" / "x.db"))
    assert code == 2
    assert (
        err.strip() == f"Error: cannot open {tmp_path / 'missing' / 'x.db'}: "
        f"folder {tmp_path / 'missing'} does not exist"
    )


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths += _command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


def test_every_command_has_help_with_an_example() -> None:
    assert isinstance(cli, click.Group)
    commands = _command_paths(cli)
    assert {" ".join(c) for c in commands} >= {
        "build", "contexts list", "contexts retag", "edit", "export", "history", "import",
        "related", "show",
    }  # fmt: skip
    for path in commands:
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.stdout, path


def test_the_installed_command_runs(tmp_path: Path) -> None:
    """The console script itself, as the README uses it (no traceback on errors)."""
    exe = Path(sys.executable).parent / "dateline"
    env = {**os.environ, "DATELINE_DATABASE_URL": str(tmp_path / "x.db")}
    done = subprocess.run(
        [exe, "import", *SEEDS], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [exe, "show", "12345"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 2
    assert done.stderr == "Error: no event with id 12345\n"


def test_an_unwritable_export_folder_is_one_line(seeded: str, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "news").write_text("a file where a folder must go")
    code, _, err = run("export", str(locked), db=seeded)
    assert code == 2
    assert err.strip().startswith("Error: ") and "\n" not in err.strip()
    assert str(locked / "news") in err


def test_contexts_retag_tags_plain_text_with_the_linked_vocabulary(database_url: str) -> None:
    data = SHARED / "data"
    plain_day = data / "wcep-days" / "2023" / "02" / "2023-02-01.yaml"
    code, out, _ = run(
        "import", str(data / "wcep-html" / "2023-01.html"), str(plain_day), db=database_url
    )
    assert code == 0, out
    with open_store(database_url) as store:
        plain = [e for e in store.iter_events() if e.content.date.month == 2]
    assert plain and not any(e.content.contexts for e in plain)
    code, out, _ = run("contexts", "retag", db=database_url)
    assert code == 0
    assert re.fullmatch(
        r"[\d,]+ of [\d,]+ events retagged, [\d,]+ tags added \(vocabulary: .*\)\n", out
    )
    with open_store(database_url) as store:
        tagged = [store.event(e.id) for e in plain]
    assert sum(1 for e in tagged if e.content.contexts) >= len(plain) // 2
    assert all(e.current.note == "contexts retagged" for e in tagged if e.content.contexts)
    # Nothing new to learn: a second run writes nothing.
    code, out, _ = run("contexts", "retag", db=database_url)
    assert out.startswith("0 of ")
    code, out, _ = run("contexts", "list", "--limit", "3", db=database_url)
    assert code == 0 and len(out.splitlines()) == 3


def test_search_lists_matches_and_refuses_unreadable_queries(seeded: str) -> None:
    code, out, err = run("search", "homs", "bombardment", db=seeded)
    assert code == 0
    lines = out.splitlines()
    assert lines and all(re.match(r"\d{4}-\d{2}-\d{2} +\d+  ", line) for line in lines)
    assert err.strip() == f"{len(lines)} of {len(lines)} events shown"
    code, _, err = run("search", "homs", "AND", "(", db=seeded)
    assert code == 2
    assert err.startswith("Error: query: cannot be read as a search")


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_keeps_idle_connections_open_longer_than_uvicorn_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """uvicorn closes a connection idle for 5 s; a client reusing it at that moment gets
    a reset (bench/serve.py's 50 writers did). ``serve`` asks for 75 s, or --keep-alive."""
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **options: calls.append(options))
    from dateline.web.session import SECRET_VARIABLE

    # What serve sets for its workers, put back after the test.
    monkeypatch.setenv("DATELINE_DATABASE_URL", str(tmp_path / "unused.db"))
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    db = str(tmp_path / "archive.db")
    runner = CliRunner()
    for extra, expected in (([], 75), (["--keep-alive", "20"], 20)):
        result = runner.invoke(cli, ["--db", db, "serve", "--workers", str(workers), *extra])
        assert result.exit_code == 0, result.output
        assert calls.pop()["timeout_keep_alive"] == expected
    result = runner.invoke(cli, ["--db", db, "serve", "--keep-alive", "0"])
    assert result.exit_code == 2 and "--keep-alive" in result.output


def test_db_may_follow_the_command(seeded: str, tmp_path: Path) -> None:
    """``dateline serve --db URL`` as issue 4 writes it: every command, subcommands of a
    group too, takes ``--db`` after its name, overriding one given before it."""
    other = str(tmp_path / "other.db")
    runner = CliRunner()
    before = runner.invoke(cli, ["--db", seeded, "show", PATH_000], catch_exceptions=False)
    assert before.exit_code == 0 and SLUG_000 in before.stdout
    for args in (
        ["show", PATH_000, "--db", seeded],
        ["--db", other, "show", "--db", seeded, PATH_000],
    ):
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert result.stdout == before.stdout
    listed = runner.invoke(cli, ["contexts", "list", "--db", seeded], catch_exceptions=False)
    assert listed.exit_code == 0 and "Homs" in listed.stdout
    # Given after, it wins over one given before: the other archive is empty.
    empty = runner.invoke(cli, ["--db", seeded, "show", PATH_000, "--db", other])
    assert empty.exit_code == 2 and "Homs" not in empty.stdout


def test_serve_takes_db_after_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    served: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append(app))
    db = tmp_path / "archive.db"
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--port", "8123"])
    assert result.exit_code == 0, result.output
    (app,) = served
    assert app.state.store.url.endswith("archive.db")  # type: ignore[attr-defined]
    assert db.exists()
