"""The dateline command starts fast: each command imports its own library when it runs.

``dateline build`` must finish an incremental build in under 2 s, start-up included, so
building the command tree must not import the ingest, search, NLP or web modules (nor
the packages they bring). Each check runs in a fresh interpreter: this test process has
imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

from dateline.cli.main import cli
from dateline.store import open_store
from tests.conftest import EVENT_SEEDS, seed_file

HEAVY = (
    "dateline.ingest",
    "dateline.search",
    "dateline.nlp",
    "dateline.web",
    "fastapi",
    "uvicorn",
    "trafilatura",
    "sklearn",
)
# dateline.render.markdown writes pages in the seed-page syntax that this module reads.
SHARED_WITH_THE_RENDERER = {"dateline.ingest", "dateline.ingest.seedpage"}


def _modules_after(code: str) -> set[str]:
    """The names in sys.modules after running ``code`` in a new Python process."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(f"{h}.") for h in HEAVY))


def test_importing_the_command_imports_no_command_library() -> None:
    assert _heavy(_modules_after("import dateline.cli.main")) == []


def test_build_imports_only_what_building_needs(tmp_path: Path) -> None:
    db = str(tmp_path / "archive.db")
    seeds = [str(seed_file(n)) for n in EVENT_SEEDS]
    imported = CliRunner().invoke(cli, ["--db", db, "import", *seeds])
    assert imported.exit_code == 0, imported.output
    code = (
        "from dateline.cli.main import cli\n"
        f"cli(['--db', {db!r}, 'build', {str(tmp_path / 'site')!r}], standalone_mode=False)"
    )
    modules = _modules_after(code)
    assert (tmp_path / "site" / "index.html").is_file()
    assert set(_heavy(modules)) <= SHARED_WITH_THE_RENDERER
    # The next build is incremental: it forks no worker processes, nor imports their module.
    again = _modules_after(code)
    assert set(_heavy(again)) <= SHARED_WITH_THE_RENDERER
    assert "multiprocessing" not in again
    # Nor its progress bar, which a build of so little never shows (50 ms to import).
    assert "rich.progress" in modules and "rich.progress" not in again
    # A SQLite archive needs no PostgreSQL dialect (60-90 ms to import): the schema
    # names its PostgreSQL options only once a PostgreSQL engine is made.
    assert "sqlalchemy.dialects.postgresql" not in modules | again
    # An edit that related lists do not show (a summary) ranks the event's own list by
    # SQL: no related-events index, so no numpy (50-70 ms to import).
    store = open_store(db)
    try:
        event = store.event(1)
        store.append_version(1, replace(event.content, summary="Edited."), editor="t")
    finally:
        store.close()
    edited = _modules_after(code)
    assert "numpy" in modules and "numpy" not in again | edited
    pages = (tmp_path / "site" / "news").rglob("*.html")
    assert any("Edited." in page.read_text(encoding="utf-8") for page in pages)


def test_the_command_leaves_what_it_loaded_to_the_end_of_the_process() -> None:
    """``main`` freezes the heap when the command is done (dateline/cli/main.py), so
    that exiting does not spend 0.2-0.3 s collecting it: seen from an atexit hook, which
    runs after ``main`` has returned, whatever the command's exit status."""
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "sys.argv = ['dateline', '--help']\n"
        "from dateline.cli.main import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "frozen True"
