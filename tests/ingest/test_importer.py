"""Importing seed-format files: merging, order independence, and bad input."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest

from dateline.ingest import importer
from dateline.ingest.importer import MAX_PAGE_BYTES, import_paths
from dateline.store import Store
from tests.conftest import EVENT_SEEDS, Databases, seed_file
from tests.support.archive import dump

SEEDS = [seed_file(n) for n in EVENT_SEEDS]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_any_order_gives_the_same_archive(databases: Databases, order: tuple[int, ...]) -> None:
    reference, reordered = databases.open(), databases.open()
    assert not import_paths(reference, SEEDS).errors
    assert not import_paths(reordered, [SEEDS[i] for i in order]).errors
    assert dump(reordered) == dump(reference)


def test_three_seeds_make_nineteen_events(store: Store) -> None:
    report = import_paths(store, SEEDS)
    # 3 pages + 16 distinct events named only in their Related lists.
    assert (len(report.added), len(report.updated), len(report.unchanged)) == (19, 0, 0)
    assert store.count_events() == 19
    stubs = [e for e in store.iter_events() if e.is_stub]
    assert len(stubs) == 16
    # 001's history: two earlier versions known from its Changes list, then the page.
    event = store.find_event(date(2011, 11, 8), read_slug("001"))
    assert event is not None
    assert [v.partial for v in event.versions] == [True, True, False]
    assert event.versions[0].slug.startswith("2011-syrian-uprising-pthe-")  # kept verbatim


def read_slug(number: str) -> str:
    from dateline.ingest.seedpage import EventPage, parse_page

    page = parse_page(seed_file(number).read_text(encoding="utf-8"))
    assert isinstance(page, EventPage)
    return page.slug


def test_importing_twice_changes_nothing(store: Store) -> None:
    import_paths(store, SEEDS)
    before = dump(store)
    again = import_paths(store, SEEDS)
    assert (len(again.added), len(again.updated), len(again.unchanged)) == (0, 0, 19)
    assert dump(store) == before


def test_a_stub_is_completed_by_its_own_page(store: Store) -> None:
    import_paths(store, [seed_file("003")])  # 003 mentions 000 in its Related list
    stub = store.find_event(date(2012, 2, 9), read_slug("000"))
    assert stub is not None and stub.is_stub
    assert stub.content.contexts == ("bombardment", "Homs")  # as shown in 003, sorted
    report = import_paths(store, [seed_file("000")])
    full = store.event(stub.id)
    assert stub.id in report.updated
    assert not full.is_stub
    assert len(full.versions) == 1
    assert full.content.contexts == ("Homs", "Syrian Army", "bombardment")


def test_an_edited_page_records_a_new_version(store: Store, tmp_path: Path) -> None:
    import_paths(store, SEEDS)
    text = seed_file("003").read_text(encoding="utf-8")
    edited = tmp_path / "003.md"
    edited.write_text(text.replace("26-day army assault", "26-day assault"), encoding="utf-8")
    report = import_paths(store, [edited])
    assert not report.errors
    event = store.find_event(date(2012, 3, 1), read_slug("003"))
    assert event is not None and len(event.versions) == 2
    assert event.id in report.updated
    assert "26-day assault" in event.content.summary
    assert event.current.note == "imported from 003.md"
    assert event.versions[0].content.summary.endswith("President Bashar al-Assad.")


def test_a_page_contradicting_stored_history_is_refused(store: Store, tmp_path: Path) -> None:
    import_paths(store, SEEDS)
    before = dump(store)
    text = seed_file("001").read_text(encoding="utf-8")
    # Swap the first two versions' slugs: not a continuation of the stored history.
    lines = text.split("\n")
    a = next(i for i, line in enumerate(lines) if "(First version)" in line)
    lines[a], lines[a + 1] = lines[a + 1], lines[a]
    bad = tmp_path / "001.md"
    bad.write_text("\n".join(lines), encoding="utf-8")
    report = import_paths(store, [bad])
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"{bad}: ")
    assert "does not continue the stored history" in report.errors[0]
    assert dump(store) == before


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_FILES = {
    "malformed": (
        lambda p: _write(p, seed_file("000").read_bytes().replace(b"### Source:", b"## Source")),
        ":8: expected a section heading",
    ),
    "unknown date": (
        lambda p: _write(
            p,
            seed_file("000")
            .read_bytes()
            .replace(b"[2012-02-9](/news/2012/02/9/", b"[2012-13-9](/news/2012/13/9/"),
        ),
        ":1: date: '2012-13-9' is not a date",
    ),
    "empty headline": (
        lambda p: _write(p, b"### [2012-02-9](/news/2012/02/9/index.md)\n\n# \n"),
        ":3: headline: is empty",
    ),
    "invalid utf-8": (
        lambda p: _write(p, seed_file("000").read_bytes().replace(b"Homs on", b"Homs \xff on")),
        ":5: not valid UTF-8 (byte 0xff at column 73)",
    ),
    "binary": (lambda p: _write(p, b"\x89PNG\r\n\x1a\n\x00\x00"), ": is a binary file"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_files_are_reported_and_change_nothing(store: Store, tmp_path: Path, kind: str) -> None:
    import_paths(store, SEEDS)
    before = dump(store)
    make, message = BAD_FILES[kind]
    path = make(tmp_path / "bad.md")
    report = import_paths(store, [path, seed_file("000")])
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"{path}{message}")
    assert "\n" not in report.errors[0]
    assert report.files == 1  # the good file after it was still imported
    assert dump(store) == before


def test_a_huge_file_is_refused_without_reading_it(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    report = import_paths(store, [path])
    assert report.errors == [
        f"{path}: is 52.4 MB; an event page is at most {MAX_PAGE_BYTES // (1024 * 1024)} MB"
    ]
    assert store.count_events() == 0


def test_folders_skip_files_that_are_not_event_pages(store: Store, seeds_dir: Path) -> None:
    report = import_paths(store, [seeds_dir])
    assert sorted(Path(p).name[:3] for p in report.not_pages) == ["002", "004", "REA"]
    assert report.files == 3 and not report.errors


def test_an_explicit_file_that_is_not_a_page_is_an_error(store: Store) -> None:
    report = import_paths(store, [seed_file("002")])
    assert len(report.errors) == 1
    assert "expected the day heading" in report.errors[0]


def _planned_events(store: Store) -> int:
    """How many events the query planner believes the archive holds (-1: no idea)."""
    with store.engine.connect() as conn:
        if store.backend == "postgresql":
            query = "SELECT reltuples FROM pg_class WHERE relname = 'events'"
            return int(conn.exec_driver_sql(query).scalar_one())
        tables = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
        if not conn.exec_driver_sql(tables).scalar_one():
            return -1
        stats = conn.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'events'")
        return max((int(stat.split()[0]) for (stat,) in stats), default=-1)


def test_a_large_import_refreshes_the_planners_statistics(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After importing 1,000,000 events, PostgreSQL still planned for an empty archive.
    first = import_paths(store, [seed_file(EVENT_SEEDS[0])])
    assert 0 < len(first.added) < importer.STATISTICS_AFTER  # too few to refresh
    assert _planned_events(store) != store.count_events()
    monkeypatch.setattr(importer, "STATISTICS_AFTER", 5)
    report = import_paths(store, SEEDS)
    assert len(report.added) >= 5
    assert _planned_events(store) == store.count_events()


def test_a_built_site_imports_as_the_archive_it_was_built_from(
    databases: Databases, tmp_path: Path
) -> None:
    """``dateline import site/`` of a whole built site: each event from its Markdown
    pages (which carry the history), the same pages' HTML, JSON and XML skipped, and
    the home, year, month, tag, story and article pages skipped as made from them."""
    from tests.site.test_site_schemas import build_seed_site  # edits, articles, retiring

    built = databases.open()
    out = build_seed_site(built, tmp_path / "site")
    again = databases.open()
    report = import_paths(again, [out])
    assert report.errors == []
    contents = [[v[:3] for v in event] for event in dump(built)]  # number, slug, content
    assert [[v[:3] for v in event] for event in dump(again)] == contents
    # (A folder import does not even look at .xml files.)
    assert {Path(p).suffix for p in report.other_formats} == {".html", ".json"}
    skipped = {Path(p).relative_to(out).parts[0] for p in report.site_pages}
    assert skipped == {"index.md", "news", "context", "story", "articles"}
    assert "list or article pages of a built site skipped" in report.summary()
