"""Importing files and folders of event pages into a store, one transaction per file.

A file either imports whole or not at all; a bad file is reported (file, line, what
was expected) and the import goes on with the next one. Every event a page mentions
is imported too: a ``Related:`` entry becomes a stub event (date, headline, slug and
the tags shown) until its own page arrives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from dateline.errors import ConflictError, InputError
from dateline.ingest.merge import merge_link, merge_page
from dateline.ingest.seedpage import DayIndexPage, EventPage, parse_page
from dateline.ingest.wcep_yaml import NotAPortalDayError, PortalDay, read_portal_day
from dateline.model import Event, Source, Version, slug_for_headline
from dateline.store import Store, utc_now

MAX_PAGE_BYTES = 5 * 1024 * 1024
PAGE_SUFFIXES = (".md", ".txt", ".markdown")
PORTAL_DAY_SUFFIXES = (".yaml", ".yml")
_LOOKS_LIKE_PAGE = re.compile(r"^(Formats:|#{1,3} \[)")


@dataclass
class ImportReport:
    """What an import did, by event id and by file."""

    files: int = 0
    added: set[int] = field(default_factory=set)
    updated: set[int] = field(default_factory=set)
    unchanged: set[int] = field(default_factory=set)
    day_indexes: list[str] = field(default_factory=list)
    not_pages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped_items: list[str] = field(default_factory=list)

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
            f"{self.files} file{'s' if self.files != 1 else ''}",
            f"{len(self.added)} events added",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.day_indexes:
            parts.append(f"{len(self.day_indexes)} day indexes skipped")
        if self.not_pages:
            parts.append(f"{len(self.not_pages)} files skipped (not event pages)")
        if self.skipped_items:
            parts.append(f"{len(self.skipped_items)} items skipped")
        if self.errors:
            parts.append(f"{len(self.errors)} files not imported")
        return ", ".join(parts)


def find_page_files(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """Each file to import and whether it was named explicitly (True) or found in a folder."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                wanted = child.suffix in PAGE_SUFFIXES or child.suffix in PORTAL_DAY_SUFFIXES
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


def looks_like_page(text: str) -> bool:
    first = next((line for line in text.split("\n") if line.strip()), "")
    return bool(_LOOKS_LIKE_PAGE.match(first))


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


def import_paths(
    store: Store,
    paths: Iterable[Path],
    on_file: Callable[[Path], None] | None = None,
) -> ImportReport:
    """Import every page file in ``paths`` (files or folders), each in its own transaction."""
    report = ImportReport()
    for path, explicit in find_page_files(paths):
        if on_file is not None:
            on_file(path)
        if path.suffix in PORTAL_DAY_SUFFIXES:
            _import_portal_day_file(store, path, explicit, report)
            continue
        try:
            text = read_page_file(path)
            if not explicit and not looks_like_page(text):
                report.not_pages.append(str(path))
                continue
            try:
                page = parse_page(text)
            except InputError as error:
                raise error.located(str(path)) from None
            if isinstance(page, DayIndexPage):
                report.day_indexes.append(str(path))
                continue
            try:
                outcomes = import_page(store, page, origin=path.name)
            except (ConflictError, InputError) as error:
                raise InputError(str(error), where=str(path)) from None
        except InputError as error:
            report.errors.append(str(error))
            continue
        report.files += 1
        for event_id, outcome in outcomes.items():
            report.record(event_id, outcome)
    return report


def import_portal_day(store: Store, day: PortalDay, origin: str) -> dict[int, str]:
    """Store a portal day's items in one transaction; outcome by event id.

    An item is the stored event of the same day with the same headline, whatever its
    tags and summary (the scrape has neither): importing a day twice changes nothing,
    and a changed heading or a new publisher adds a version. Stored sources are kept
    (with their URLs), so a seed page's event keeps its links. (Matching a reworded headline to
    its event is not done yet: it is added as a new event.)
    """
    outcomes: dict[int, str] = {}
    with store.transaction():
        stored = {e.headline: e.id for e in store.entries_between(day.date, day.date)}
        if not stored:  # a day new to the archive: insert its items in one go
            fresh = _bulk_add(store, day, origin)
            outcomes.update((event_id, "added") for event_id in fresh)
            stored = {e.headline: e.id for e in store.entries_between(day.date, day.date)}
        for content in day.events:
            event_id = stored.get(content.headline)
            if event_id is None:
                event = store.create_event(content, note=f"imported from {origin}")
                stored[content.headline] = event.id
                outcomes[event.id] = "added"
                continue
            current = store.event(event_id).content
            wanted = replace(
                current,
                category=content.category,
                story=content.story,
                sources=_merged_sources(current.sources, content.sources),
            )
            if wanted == current:
                outcomes.setdefault(event_id, "unchanged")
            else:
                store.append_version(event_id, wanted, note=f"imported from {origin}")
                outcomes[event_id] = "updated" if outcomes.get(event_id) != "added" else "added"
    return outcomes


def _merged_sources(stored: tuple[Source, ...], portal: tuple[Source, ...]) -> tuple[Source, ...]:
    """The stored sources (they may have URLs; the scrape has none), then each publisher
    the portal names that they lack: a re-import never drops a source."""
    named = {s.publisher.casefold() for s in stored}
    return stored + tuple(s for s in portal if s.publisher.casefold() not in named)


def _bulk_add(store: Store, day: PortalDay, origin: str) -> list[int]:
    """Insert a day's items with :meth:`Store.bulk_create`; the ids of the new events.

    Slugs follow :meth:`Store.create_event`'s rule (the headline's, then ``-2``,
    ``-3``...), avoiding every slug used on that day; an item without one is left for
    the one-by-one path.
    """
    taken = store.taken_slugs(day.date) | {"index"}
    now = utc_now()
    histories = []
    for content in day.events:
        base = slug_for_headline(content.headline)
        if not base:
            continue
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base[: 140 - len(str(n)) - 1].rstrip('-')}-{n}"
        taken.add(slug)
        histories.append([Version(1, slug, content, now, None, f"imported from {origin}")])
    before = {e.id for e in store.entries_between(day.date, day.date)}
    store.bulk_create(histories)
    return [e.id for e in store.entries_between(day.date, day.date) if e.id not in before]


def _import_portal_day_file(store: Store, path: Path, explicit: bool, report: ImportReport) -> None:
    try:
        day = read_portal_day(path)
        outcomes = import_portal_day(store, day, origin=path.name)
    except NotAPortalDayError as error:
        if explicit:
            report.errors.append(str(error))
        else:
            report.not_pages.append(str(path))
        return
    except InputError as error:
        report.errors.append(str(error if error.where else error.located(str(path))))
        return
    except ConflictError as error:
        report.errors.append(str(InputError(str(error), where=str(path))))
        return
    report.files += 1
    report.skipped_items += day.skipped
    for event_id, outcome in outcomes.items():
        report.record(event_id, outcome)


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
