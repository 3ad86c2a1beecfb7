"""Exporting the whole archive as a folder of seed-format Markdown pages.

One page per event version at its URL path (``news/YYYY/MM/D/<slug>.md``) plus one
index per day (``news/YYYY/MM/D/index.md``). Importing the folder into an empty
database gives the same archive back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dateline.model import day_path
from dateline.render.markdown import render_day_index, render_event_page, version_path
from dateline.store import Store


@dataclass
class ExportReport:
    events: int = 0
    pages: int = 0
    day_indexes: int = 0


def export_archive(
    store: Store,
    out: Path,
    on_event: Callable[[], None] | None = None,
) -> ExportReport:
    """Write every version page and day index under ``out``; files are replaced atomically."""
    report = ExportReport()
    store.load_related_index()
    for event in store.iter_events():
        related = store.related(event.id)
        for version in event.versions:
            page = render_event_page(event, version, related)
            _write(out, version_path(event, version), page)
            report.pages += 1
        report.events += 1
        if on_event is not None:
            on_event()
    for day in store.days():
        _write(out, day_path(day), render_day_index(day, store.entries_between(day, day)))
        report.day_indexes += 1
    return report


def _write(root: Path, url_path: str, text: str) -> None:
    target = root / url_path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
