"""Export then import into an empty database gives the same archive."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from dateline.ingest.importer import import_paths
from dateline.site.export import export_archive
from tests.conftest import EVENT_SEEDS, Databases, seed_file
from tests.support.archive import dump


def test_export_then_import_gives_the_same_archive(databases: Databases, tmp_path: Path) -> None:
    original = databases.open()
    import_paths(original, [seed_file(n) for n in EVENT_SEEDS])
    # Edits too: a kept headline (its earlier page goes to <slug>.v1.md), a new one,
    # editors and notes, and a one-version event with a time.
    first = next(e for e in original.iter_events() if not e.is_stub)
    original.append_version(
        first.id,
        replace(first.content, summary="Revised."),
        editor="ann",
        note="revised the summary",
    )
    edited = original.event(first.id)
    original.append_version(
        first.id, replace(edited.content, headline="A new headline"), editor="bo"
    )
    original.create_event(
        replace(first.content, headline="Created here", contexts=("Homs",)), editor="cy", note="new"
    )
    report = export_archive(original, tmp_path / "out")
    assert report.events == original.count_events()
    assert report.pages == original.count_versions()
    files = sorted(
        p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.md")
    )
    assert len(files) == report.pages + report.day_indexes
    assert any(re.search(r"\.v\d+\.md$", f) for f in files)
    assert all(f.startswith("news/") for f in files)

    copy = databases.open()
    result = import_paths(copy, [tmp_path / "out"])
    assert not result.errors
    assert len(result.day_indexes) == report.day_indexes
    assert dump(copy) == dump(original)


def test_export_writes_the_seed_url_paths(databases: Databases, tmp_path: Path) -> None:
    store = databases.open()
    import_paths(store, [seed_file("001")])
    export_archive(store, tmp_path)
    day = tmp_path / "news/2011/11/8"
    names = sorted(p.name for p in day.iterdir())
    assert "index.md" in names
    assert any(n.startswith("2011-syrian-uprising-pthe-") for n in names)
    assert len(names) == 4  # three versions and the day index
