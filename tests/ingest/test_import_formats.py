"""``dateline import`` on every format it reads, detected from the content, with the
file ledger that makes an interrupted import resumable. Inputs are the real files of
../shared/data, read at test time."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from dateline.ingest.formats import PAGE, detect_format
from dateline.ingest.importer import import_paths
from dateline.ingest.records import write_csv, write_jsonl
from dateline.ingest.wcep_yaml import read_portal_day
from dateline.store import Store, open_store
from tests.conftest import ROOT, SEEDS, SHARED, seed_file

DATA = SHARED / "data"
HTML_MONTH = DATA / "wcep-html" / "2023-01.html"
WIKITIMES = DATA / "wikitimes" / "wikitimes_CEP_2015-09.json"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (seed_file("000"), PAGE),
        (DATA / "wcep-days" / "2012" / "02" / "2012-02-09.yaml", "portal-yaml"),
        (HTML_MONTH, "portal-html"),
        (WIKITIMES, "wikitimes"),
        (DATA / "wikitimes" / "story-99.json", "wikitimes"),
        (DATA / "ucdp" / "ucdpged_sample_1000.csv", None),
        (DATA / "chronoledge" / "events" / "2025_June_15.json", None),
        (SEEDS / "README.md", None),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else str(value),
)
def test_formats_are_detected_from_the_content(path: Path, expected: str | None) -> None:
    assert detect_format(path.read_bytes()[:8192]) == expected


def test_detection_ignores_the_file_name(tmp_path: Path, store: Store) -> None:
    disguised = tmp_path / "notes.txt"
    disguised.write_bytes(HTML_MONTH.read_bytes())
    report = import_paths(store, [disguised])
    assert (report.formats, len(report.added)) == ({"portal-html": 1}, 334)


def test_the_portal_html_month_imports_with_its_links(store: Store) -> None:
    report = import_paths(store, [HTML_MONTH])
    assert not report.errors and not report.skipped_items
    assert len(report.added) == 334
    events = list(store.iter_events())
    assert sum(len(e.content.sources) for e in events) == 363
    assert all(s.url and s.url.startswith("http") for e in events for s in e.content.sources)
    assert sum(1 for e in events if e.content.contexts) > 300
    assert {e.content.date for e in events} == {date(2023, 1, d) for d in range(1, 32)}
    again = import_paths(store, [HTML_MONTH])
    assert (len(again.added), len(again.updated), len(again.unchanged)) == (0, 0, 334)


def test_the_html_page_over_the_yaml_scrape_adds_links_not_duplicates(store: Store) -> None:
    """The same month from the scrape (no links) and then from the rendered page: the
    page's items are matched to the scraped events, most by headline, some reworded."""
    scraped = import_paths(store, [DATA / "wcep-days" / "2023" / "01"])
    assert not scraped.errors
    before = store.count_events()
    report = import_paths(store, [HTML_MONTH])
    assert len(report.updated) >= 330  # each gains its links and URLs as a version
    assert len(report.added) <= 2  # items the scrape does not have
    assert 5 <= len(report.reworded) <= 20
    assert store.count_events() == before + len(report.added)
    with_urls = [e for e in store.iter_events() if any(s.url for s in e.content.sources)]
    assert len(with_urls) >= 330


def test_wikitimes_imports_with_entities_as_contexts(store: Store) -> None:
    report = import_paths(store, [WIKITIMES])
    assert not report.errors and len(report.added) == 428
    events = list(store.iter_events())
    assert sum(1 for e in events if e.content.story) == 242
    assert sum(1 for e in events if e.content.contexts) > 400


def test_a_folder_skips_json_that_is_not_events(store: Store) -> None:
    report = import_paths(store, [DATA / "wikitimes"])
    assert not report.errors
    skipped = {Path(p).name for p in report.not_pages}
    assert {"entities-2001-01.json", "storiesWithoutTimeline.json"} <= skipped
    named = import_paths(store, [DATA / "wikitimes" / "entities-2001-01.json"])
    assert len(named.errors) == 1 and "entities-2001-01.json" in named.errors[0]


def test_own_jsonl_and_csv_round_trip_through_import(tmp_path: Path, store: Store) -> None:
    day = read_portal_day(DATA / "wcep-days" / "2012" / "02" / "2012-02-09.yaml")
    with (tmp_path / "events.jsonl").open("w", encoding="utf-8") as fh:
        write_jsonl(day.events, fh)
    with (tmp_path / "events.csv").open("w", encoding="utf-8", newline="") as fh:
        write_csv(day.events, fh)
    first = import_paths(store, [tmp_path / "events.jsonl"])
    assert first.formats == {"jsonl": 1} and len(first.added) == len(day.events)
    second = import_paths(store, [tmp_path / "events.csv"])
    assert second.formats == {"csv": 1}
    assert (len(second.added), len(second.updated)) == (0, 0)
    stored = sorted((e.content for e in store.iter_events()), key=lambda c: c.headline)
    assert stored == sorted(day.events, key=lambda c: c.headline)


def test_a_record_with_an_impossible_date_is_skipped_and_named(
    tmp_path: Path, store: Store
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"date": "2012-02-30", "headline": "An impossible day"}\n'
        '{"date": "2012-02-09", "headline": "A possible day"}\n',
        encoding="utf-8",
    )
    report = import_paths(store, [path])
    assert len(report.added) == 1 and not report.errors
    (skipped,) = report.skipped_items
    assert skipped.startswith(f"{path}:1") and "2012-02-30" in skipped


def test_the_ledger_skips_files_already_imported(tmp_path: Path, store: Store) -> None:
    month = DATA / "wcep-days" / "2012" / "02"
    first = import_paths(store, [month], resume=True)
    files = len(list(month.glob("*.yaml")))
    assert first.files == files and not first.already
    again = import_paths(store, [month], resume=True)
    assert (again.files, len(again.already), len(again.added)) == (0, files, 0)
    # A changed file is new content: it is read again.
    changed = tmp_path / "2012-02-09.yaml"
    changed.write_text(
        (month / "2012-02-09.yaml").read_text(encoding="utf-8").replace("(Reuters)", "(AFP)"),
        encoding="utf-8",
    )
    third = import_paths(store, [changed], resume=True)
    assert third.files == 1 and third.updated


def _entries(url: str) -> list[tuple[object, ...]]:
    """The archive as (date, slug, contents of every version), ids and times left out."""
    with open_store(url) as store:
        return sorted(
            (e.content.date, e.slug, tuple(v.content for v in e.versions))
            for e in store.iter_events()
        )


def _imported_files(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM imported_files").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _as_in_a_terminal() -> None:
    # A job started in the background by a shell without job control (``make test &``)
    # inherits SIGINT ignored, and Python then never raises KeyboardInterrupt: Ctrl-C
    # is restored to what a command typed in a terminal has.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_import(db: Path, folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dateline", "--db", str(db), "import", str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_as_in_a_terminal,
    )


def _wait_for_files(db: Path, process: subprocess.Popen[bytes], count: int) -> None:
    deadline = time.monotonic() + 120
    while _imported_files(db) < count:
        assert process.poll() is None, "the import finished before it could be interrupted"
        assert time.monotonic() < deadline, "the import made no progress"
        time.sleep(0.05)


@pytest.mark.parametrize("how", ["kill -9", "Ctrl-C"])
def test_an_interrupted_import_continues_where_it_stopped(tmp_path: Path, how: str) -> None:
    year = DATA / "wcep-days" / "2012"
    reference = tmp_path / "reference.db"
    done = subprocess.run(
        [sys.executable, "-m", "dateline", "--db", str(reference), "import", str(year)],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    files = len(list(year.rglob("*.yaml")))
    assert done.stdout.decode().startswith(f"{files} files,")

    interrupted = tmp_path / "interrupted.db"
    process = _start_import(interrupted, year)
    _wait_for_files(interrupted, process, 40)
    os.kill(process.pid, signal.SIGKILL if how == "kill -9" else signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    kept = _imported_files(interrupted)
    assert 40 <= kept < files
    if how == "Ctrl-C":
        assert process.returncode == 130
        assert "run the same command again to continue" in stderr.decode()

    rerun = subprocess.run(
        [sys.executable, "-m", "dateline", "--db", str(interrupted), "import", str(year)],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    summary = rerun.stdout.decode()
    assert summary.startswith(f"{files - kept} files,")
    assert f"{kept} files already imported" in summary
    assert _entries(f"sqlite:///{interrupted}") == _entries(f"sqlite:///{reference}")


def test_bad_inputs_are_named_skipped_and_damage_nothing(tmp_path: Path, store: Store) -> None:
    """Issue 5's list of bad input, named on the command line, among good files."""
    import_paths(store, [seed_file("000"), seed_file("001")])
    before = _snapshot(store)
    good_day = DATA / "wcep-days" / "2012" / "02" / "2012-02-09.yaml"
    not_a_day = tmp_path / "notes.yaml"
    not_a_day.write_text("title: my notes\nitems: [1, 2]\n", encoding="utf-8")
    not_the_portal = tmp_path / "article.html"
    not_the_portal.write_bytes(b"<!doctype html><html><body><p>Just an article.</p></body></html>")
    missing_date = tmp_path / "events.jsonl"
    missing_date.write_text(
        '{"headline": "No date here"}\n{"date": "2012-02-10", "headline": "A dated item"}\n',
        encoding="utf-8",
    )
    impossible = tmp_path / "2012-02-30.yaml"
    impossible.write_text(
        good_day.read_text(encoding="utf-8").replace("2012-02-09", "2012-02-30"), encoding="utf-8"
    )
    truncated = tmp_path / "2023-01.html"
    truncated.write_bytes(HTML_MONTH.read_bytes()[: HTML_MONTH.stat().st_size // 2])
    bad = [not_a_day, not_the_portal, impossible, truncated]
    report = import_paths(store, [*bad, missing_date, good_day])

    assert len(report.errors) == len(bad)
    for path, error in zip(bad, report.errors, strict=True):
        assert error.startswith(f"{path}"), error
        assert "\n" not in error and "Traceback" not in error
    assert "2012-02-30" in report.errors[2]
    assert "cut short" in report.errors[3] or "truncated" in report.errors[3]
    (skipped,) = report.skipped_items
    assert skipped.startswith(f"{missing_date}:1") and "date" in skipped
    assert report.files == 2  # the JSON Lines file (its good record) and the good day
    after = _snapshot(store)
    # What was stored before is still there, untouched or only added to.
    for key, contents in before.items():
        assert after[key][: len(contents)] == contents


def _snapshot(store: Store) -> dict[tuple[object, ...], tuple[object, ...]]:
    return {
        (e.versions[0].content.date, e.versions[0].slug): tuple(v.content for v in e.versions)
        for e in store.iter_events()
    }
