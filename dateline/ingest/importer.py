"""Importing files and folders of event pages into a store, one transaction per file.

A file either imports whole or not at all; a bad file is reported (file, line, what
was expected) and the import goes on with the next one. Every event a page mentions
is imported too: a ``Related:`` entry becomes a stub event (date, headline, slug and
the tags shown) until its own page arrives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dateline.errors import ConflictError, InputError
from dateline.ingest.days import import_days
from dateline.ingest.formats import (
    FORMAT_NAMES,
    FORMATS_BY_NAME,
    IMPORTABLE_SUFFIXES,
    MAX_FILE_BYTES,
    MAX_PAGE_BYTES,
    PAGE,
    SNIFF_BYTES,
    ArchiveFormat,
    detect_format,
    format_for_suffix,
    looks_like_page,
)
from dateline.ingest.items import NotAnArchiveFileError
from dateline.ingest.merge import merge_link, merge_page
from dateline.ingest.seedpage import DayIndexPage, EventPage, OtherSitePage, parse_page
from dateline.model import Event
from dateline.nlp.vocabulary import record_links
from dateline.store import Store

__all__ = ["MAX_PAGE_BYTES", "ImportReport", "import_page", "import_paths", "looks_like_page"]


@dataclass
class ImportReport:
    """What an import did, by event id and by file."""

    files: int = 0
    added: set[int] = field(default_factory=set)
    updated: set[int] = field(default_factory=set)
    unchanged: set[int] = field(default_factory=set)
    day_indexes: list[str] = field(default_factory=list)
    site_pages: list[str] = field(default_factory=list)  # a built site's other pages
    other_formats: list[str] = field(default_factory=list)  # of a built site's pages
    not_pages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped_items: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    reworded: list[str] = field(default_factory=list)
    formats: dict[str, int] = field(default_factory=dict)

    def record(self, event_id: int, outcome: str) -> None:
        if event_id in self.added:
            return
        if outcome == "added":
            self.updated.discard(event_id)
            self.unchanged.discard(event_id)
            self.added.add(event_id)
        elif outcome == "updated":
            self.unchanged.discard(event_id)
            self.updated.add(event_id)
        elif event_id not in self.updated:
            self.unchanged.add(event_id)

    def summary(self) -> str:
        parts = [
            _count(self.files, "file"),
            f"{len(self.added)} events added",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.reworded:
            parts.append(f"{len(self.reworded)} matched to a reworded headline")
        if self.already:
            parts.append(_count(len(self.already), "file") + " already imported")
        if self.day_indexes:
            parts.append(_count(len(self.day_indexes), "day index", "day indexes") + " skipped")
        if self.site_pages:
            skipped = _count(len(self.site_pages), "list or article page")
            parts.append(f"{skipped} of a built site skipped")
        if self.other_formats:
            skipped = _count(len(self.other_formats), "HTML, JSON or XML file")
            parts.append(f"{skipped} skipped (the same page as the Markdown beside it)")
        if self.not_pages:
            skipped = _count(len(self.not_pages), "file")
            parts.append(f"{skipped} skipped (no format Dateline reads)")
        if self.skipped_items:
            parts.append(_count(len(self.skipped_items), "item") + " skipped")
        if self.errors:
            parts.append(_count(len(self.errors), "file") + " not imported")
        return ", ".join(parts)


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def find_page_files(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """Each file to import and whether it was named explicitly (True) or found in a folder."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                wanted = child.suffix.lower() in IMPORTABLE_SUFFIXES
                if child.is_file() and wanted and not hidden:
                    yield child, False
        else:
            yield path, True


def read_page_file(path: Path) -> str:
    """The text of a page file; InputError naming the file for anything that is not a page."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            raise InputError(
                f"is {size / 1e6:.1f} MB; an event page is at most "
                f"{MAX_PAGE_BYTES // (1024 * 1024)} MB",
                where=name,
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file or folder", where=name) from None
    except IsADirectoryError:
        raise InputError("is a folder", where=name) from None
    except PermissionError:
        raise InputError("cannot be read (permission denied)", where=name) from None
    if b"\x00" in data[:8192]:
        raise InputError("is a binary file, not a Markdown event page", where=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at column {column}); "
            "save the file as UTF-8",
            where=name,
            line=line,
        ) from None


def import_page(store: Store, page: EventPage, origin: str = "a page") -> dict[int, str]:
    """Merge one page into ``store`` in one transaction; outcome by event id.

    Outcomes are ``added``, ``updated`` or ``unchanged``. ConflictError (nothing
    written) when the page contradicts stored history.
    """
    outcomes: dict[int, str] = {}
    with store.transaction():
        event = _event_for_page(store, page)
        plan = merge_page(event.versions if event else (), page)
        result = store.write_history(event.id if event else None, plan.history)
        changed = result.changed
        if plan.edit is not None:
            edit = store.append_version(result.event.id, plan.edit, note=f"imported from {origin}")
            changed = changed or edit.changed
        own_id = result.event.id
        outcomes[own_id] = _outcome(result.created, changed)
        for link in page.related:
            linked = store.find_event(link.date, link.slug)
            if linked is not None and linked.id == own_id:
                continue
            history = merge_link(linked.versions if linked else (), link)
            written = store.write_history(linked.id if linked else None, history)
            if outcomes.get(written.event.id) != "added":
                outcomes[written.event.id] = _outcome(written.created, written.changed)
    return outcomes


STATISTICS_AFTER = 10_000
"""Events written by one import from which the database's statistics are refreshed."""


def import_paths(
    store: Store,
    paths: Iterable[Path],
    on_file: Callable[[Path], None] | None = None,
    *,
    file_format: str | None = None,
    resume: bool = False,
) -> ImportReport:
    """Import every file in ``paths`` (files or folders), each in its own transaction.

    The format of each file is detected from its content unless ``file_format`` names
    one (see :mod:`dateline.ingest.formats`). Each file imported is noted, by content
    hash, in the same transaction as its events; with ``resume`` a file already noted
    is skipped, so an interrupted import continues where it stopped.
    """
    report = ImportReport()
    known = store.imported_hashes() if resume else set()
    for path, explicit in find_page_files(paths):
        if on_file is not None:
            on_file(path)
        try:
            if not explicit and _markdown_beside(path):
                report.other_formats.append(str(path))
                continue
            digest, head = _fingerprint(path)
            if digest in known:
                report.already.append(str(path))
                continue
            name = file_format or detect_format(head)
            if name is None and explicit:
                name = format_for_suffix(path.suffix)  # its reader says what is wrong
            if name is None:
                if explicit:
                    raise InputError(
                        "is not a file Dateline can import (expected one of: "
                        + ", ".join(FORMAT_NAMES)
                        + "; --format forces one)",
                        where=str(path),
                    )
                report.not_pages.append(str(path))
                continue
            if name == PAGE:
                events = _import_page_file(store, path, explicit, report, digest)
            else:
                events = _import_archive_file(store, path, FORMATS_BY_NAME[name], report, digest)
        except NotAnArchiveFileError as error:
            if explicit or file_format:
                report.errors.append(str(error if error.where else error.located(str(path))))
            else:
                report.not_pages.append(str(path))
            continue
        except InputError as error:
            report.errors.append(str(error if error.where else error.located(str(path))))
            continue
        except ConflictError as error:
            report.errors.append(str(InputError(str(error), where=str(path))))
            continue
        if events is not None:
            report.files += 1
            report.formats[name] = report.formats.get(name, 0) + 1
            known.add(digest)
    if len(report.added) + len(report.updated) >= STATISTICS_AFTER:
        store.refresh_statistics()
    return report


def _markdown_beside(path: Path) -> bool:
    """Whether ``path`` is the HTML, JSON or XML of a built site's page whose Markdown
    (``Formats:`` first) is beside it: the Markdown says all the others do, and an
    event page's history besides, so a folder import reads it alone (reading both made
    each event twice, once from each)."""
    if path.suffix not in (".html", ".json", ".xml"):
        return False
    try:
        with path.with_suffix(".md").open("rb") as markdown:
            return markdown.read(8) == b"Formats:"
    except OSError:
        return False


def _fingerprint(path: Path) -> tuple[str, bytes]:
    """The SHA-256 of a file's content and its first bytes, read in one pass."""
    digest = hashlib.sha256()
    head = b""
    try:
        if path.is_dir():
            raise InputError("is a folder", where=str(path))
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"is {size / 1e6:,.0f} MB; Dateline imports files of at most "
                f"{MAX_FILE_BYTES / 1e6:,.0f} MB",
                where=str(path),
            )
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                if not head:
                    head = chunk[:SNIFF_BYTES]
                digest.update(chunk)
    except FileNotFoundError:
        raise InputError("no such file or folder", where=str(path)) from None
    except PermissionError:
        raise InputError("cannot be read (permission denied)", where=str(path)) from None
    return digest.hexdigest(), head


def _import_page_file(
    store: Store, path: Path, explicit: bool, report: ImportReport, digest: str
) -> int | None:
    """Import a seed-format page; the count of events it touched (None: not a page)."""
    text = read_page_file(path)
    if not explicit and not looks_like_page(text):
        report.not_pages.append(str(path))
        return None
    try:
        page = parse_page(text)
    except InputError as error:
        raise error.located(str(path)) from None
    if isinstance(page, DayIndexPage):
        report.day_indexes.append(str(path))
        return None
    if isinstance(page, OtherSitePage):
        report.site_pages.append(str(path))
        return None
    try:
        with store.transaction():
            outcomes = import_page(store, page, origin=path.name)
            store.record_imported_file(digest, str(path), PAGE, len(outcomes))
    except (ConflictError, InputError) as error:
        raise InputError(str(error), where=str(path)) from None
    for event_id, outcome in outcomes.items():
        report.record(event_id, outcome)
    return len(outcomes)


def _import_archive_file(
    store: Store, path: Path, archive_format: ArchiveFormat, report: ImportReport, digest: str
) -> int:
    """Read a file of day items and store them in one transaction with its ledger note."""
    days = archive_format.read(path)
    links = archive_format.links(path) if archive_format.links else []
    with store.transaction():
        result = import_days(store, days, origin=path.name)
        if links:
            record_links(store, str(path), links)
        store.record_imported_file(digest, str(path), archive_format.name, len(result.outcomes))
    report.skipped_items += list(getattr(days, "skipped", []))
    for day in days:
        report.skipped_items += day.skipped
    report.reworded += result.reworded
    for event_id, outcome in result.outcomes.items():
        report.record(event_id, outcome)
    return len(result.outcomes)


def _outcome(created: bool, changed: bool) -> str:
    return "added" if created else "updated" if changed else "unchanged"


def _event_for_page(store: Store, page: EventPage) -> Event | None:
    """The stored event a page is about: found by any version's date and slug."""
    keys = [(page.content.date, page.slug)] + [(c.date, c.slug) for c in page.changes]
    found: dict[int, Event] = {}
    for day, slug in keys:
        event = store.find_event(day, slug)
        if event is not None:
            found[event.id] = event
    if len(found) > 1:
        raise ConflictError(
            "the page's versions are stored as different events (ids "
            + ", ".join(str(i) for i in sorted(found))
            + "); merging events is not supported"
        )
    return next(iter(found.values()), None)
