"""What a site build remembers between runs, so the next build can be incremental.

A small SQLite file inside the output folder (``.dateline-build/state.sqlite``): the
digest of every page written (a page whose new text has the same digest is not
rewritten), where each event was listed (its day, story and tags, to know which lists
it leaves when edited), each event's related list and its weakest entry (to know
whose lists an edit can change), and the archive change (``event_changes.seq``) the
build reached. It holds no archive text. Deleting the folder only makes the next build a full one.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from dateline.errors import DatelineError
from dateline.model import RelatedEvent
from dateline.store.ranking import FAR, HORIZON_DAYS, NEAR, SAME_DAY

STATE_DIR = ".dateline-build"
STATE_VERSION = 5
"""The layout of the state file; another one is discarded (and the build is full).

A list's members are kept in its ``related`` row (JSON, in list order), which
:meth:`BuildState.recorded_lists` reads and :meth:`BuildState.listings` searches.
Version 4 also kept a row per member, keyed by member, for ``listings`` to look up: a
full build's 1,000,000 rows took 1.2 s of the parent process's CPU, which its workers
share the two CPUs with, to spare each incremental build that moves an event about 20
ms. Version 3 indexed those rows by list too, and its page digests were SHA-256 (see
:func:`dateline.site.output.digest`)."""
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, digest BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS listed (
    event_id INTEGER PRIMARY KEY, day TEXT NOT NULL, story TEXT, contexts TEXT NOT NULL,
    mark TEXT NOT NULL, shown TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS related (
    event_id INTEGER PRIMARY KEY, length INTEGER NOT NULL,
    last_shared INTEGER, last_day INTEGER, last_slug TEXT, last_id INTEGER,
    members TEXT NOT NULL);
"""

_OWNER_DAY = "CAST(julianday(l.day) - 1721424.5 AS INTEGER)"
"""The day of a list's event as an ordinal (``date.toordinal``), from its ISO date."""


def _tier(day: str) -> str:
    """:func:`dateline.store.related._tier` in SQL: nearness of ``day`` to the list's event."""
    return (
        f"(CASE WHEN {day} = {_OWNER_DAY} THEN {SAME_DAY} "
        f"WHEN abs({day} - {_OWNER_DAY}) <= {HORIZON_DAYS} THEN {NEAR} ELSE {FAR} END)"
    )


_OUTRANKS_LAST = (
    f"({_tier(':day')}, -:day, :slug, :event_id) "
    f"< ({_tier('r.last_day')}, -r.last_day, r.last_slug, coalesce(r.last_id, 0))"
)
"""Whether the edited event outranks a full list's last entry sharing as many tags."""

_ADMITTING = (
    "SELECT s.value FROM json_each(:ids) s "
    "LEFT JOIN related r ON r.event_id = s.value "
    "LEFT JOIN listed l ON l.event_id = s.value "
    "WHERE r.event_id IS NULL OR r.length < :limit OR r.last_shared IS NULL "
    "OR r.last_shared < :shared "
    "OR (r.last_shared = :shared AND (l.day IS NULL OR r.last_day IS NULL "
    f"OR r.last_slug IS NULL OR {_OUTRANKS_LAST}))"
)
"""The lists of events ``ids`` (sharing ``:shared`` tags) that the edited event may
enter. Without the list's event's day (not listed) nearness is unknown: as many shared
tags then admits, as :class:`dateline.store.related.RankKey` answers."""


def _json(value: Sequence[Any]) -> str:
    """A list of ids or tag slugs as JSON text, by orjson: a full build writes 200,000
    of them (the listed events' tags in the parent, the related lists' members in the
    workers), 2.6-3.3 us each with the standard library's encoder, 0.2-0.3 us so.
    Read back with :func:`json.loads`, which reads either's text."""
    return orjson.dumps(value).decode()


_SEARCHED_BY_DIGITS = 4
"""Up to this many ids, :meth:`BuildState.listings` searches the lists for each one."""

RelatedRecord = tuple[Any, ...]
"""What the build state keeps of an event's related list: its row of the ``related``
table (the event's id, the length, the last entry's rank, the members as JSON)."""


def related_records(lists: Mapping[int, Sequence[RelatedEvent]]) -> dict[int, RelatedRecord]:
    """Related lists as the state records them (:meth:`BuildState.record_related`).

    Plain tuples, made where the lists are: a worker process of a full build sends
    these back for its 1,000 lists, 0.08 MB pickled and unpickled in under 1 ms, where
    the lists themselves (10,000 RelatedEvent objects) were 0.95 MB, 27 ms to pickle
    and 22 ms to unpickle, in the parent, which the workers wait for.
    """
    records = {}
    for eid, listed in lists.items():
        last = listed[-1] if listed else None
        row = (eid, len(listed)) + (
            (len(last.shared), last.date.toordinal(), last.slug, last.event_id)
            if last
            else (None, None, None, None)
        )
        records[eid] = (*row, _json([r.event_id for r in listed]))
    return records


@dataclass(frozen=True, slots=True)
class RecordedList:
    """An event's related list as the last build recorded it: its members (in list
    order), how many, and its last entry's day (an ordinal; None: empty)."""

    members: tuple[int, ...]
    length: int
    last_day: int | None


class Listed(NamedTuple):
    """Where an event was listed at the last build: its day, story slug and tag slugs.

    ``mark`` is a digest of what other events' related lists show of it and rank it by
    (date, slug, headline, tags): while it stays the same, no other related list changes.
    ``shown`` is a digest of what list pages (day, month, context, story, home) show of
    it: while it stays the same, none of them changes.

    A named tuple, not a dataclass: a full build's workers send 100,000 of them to the
    parent, which unpickled a frozen dataclass through Python code (``__setstate__``).
    """

    day: str
    story: str | None
    contexts: tuple[str, ...]
    mark: str
    shown: str


class PageDigests:
    """The page digests of a build state, read-only from another process: the worker
    processes of a build read the digests the last build committed (the build's own
    changes are not committed yet, and are not what they ask for: the pages of their
    events, which no other process writes)."""

    def __init__(self, out: Path) -> None:
        path = out / STATE_DIR / "state.sqlite"
        self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)

    def digest(self, path: str) -> bytes | None:
        row = self._db.execute("SELECT digest FROM pages WHERE path = ?", (path,)).fetchone()
        return None if row is None else bytes(row[0])

    def close(self) -> None:
        self._db.close()


class BuildState:
    """The build state file of one output folder."""

    def __init__(self, out: Path, *, wait: float = 5.0) -> None:
        folder = out / STATE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "state.sqlite"
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=wait)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        # A build is one transaction of up to a million rows: with SQLite's default
        # 2 MiB page cache it spills to the WAL again and again. This is a ceiling, not
        # an allocation.
        self._db.execute("PRAGMA cache_size=-262144")
        if self._db.execute("PRAGMA user_version").fetchone()[0] != STATE_VERSION:
            # Another layout (an older Dateline): start afresh; the next build is full.
            for (table,) in self._db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            ).fetchall():
                self._db.execute(f'DROP TABLE "{table}"')
            self._db.execute(f"PRAGMA user_version = {STATE_VERSION}")
        self._db.executescript(SCHEMA)
        try:
            # Written from the start: a second build of the same folder waits (``wait``
            # seconds) for this one, then stops, instead of writing the same pages.
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            self._db.close()
            raise DatelineError(
                f"{out} is being built by another process (its build state "
                f"{self.path} is locked): wait for that build to finish ({error})"
            ) from None

    def close(self, commit: bool = True) -> None:
        self._db.execute("COMMIT" if commit else "ROLLBACK")
        self._db.close()

    def clear(self) -> None:
        """Forget everything but the page digests (a full build refills the rest)."""
        for table in ("meta", "listed", "related"):
            self._db.execute(f"DELETE FROM {table}")

    # -- meta -------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- pages ------------------------------------------------------------------------

    def digests(self) -> dict[str, bytes]:
        return dict(self._db.execute("SELECT path, digest FROM pages"))

    def digest(self, path: str) -> bytes | None:
        row = self._db.execute("SELECT digest FROM pages WHERE path = ?", (path,)).fetchone()
        return None if row is None else bytes(row[0])

    def record_pages(self, pages: Iterable[tuple[str, bytes]]) -> None:
        # In key order (stable: of a page given twice the last stays), so that each
        # insert lands next to the one before in the B-tree.
        ordered = sorted(pages, key=itemgetter(0))
        self._db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?)", ordered)

    def forget_pages(self, paths: Iterable[str]) -> None:
        self._db.executemany("DELETE FROM pages WHERE path = ?", ((p,) for p in paths))

    def paths_between(self, first: str, last: str, ending: str = "") -> list[str]:
        """Recorded page paths ``first <= path < last`` (a prefix range) that end with
        ``ending``, sorted. (Filtered by SQLite: the sitemaps ask for the HTML pages
        alone, a quarter of the site's files, at the end of a build.)"""
        rows = self._db.execute(
            "SELECT path FROM pages WHERE path >= ? AND path < ? AND substr(path, ?) = ? "
            "ORDER BY path",
            (first, last, -len(ending) if ending else 1 << 30, ending),
        ).fetchall()
        return [path for (path,) in rows]

    # -- where events are listed, and their related lists ------------------------------

    def listed(self, ids: Sequence[int]) -> dict[int, Listed]:
        found = {}
        for start in range(0, len(ids), 900):
            chunk = list(ids[start : start + 900])
            marks = ",".join("?" * len(chunk))
            for eid, day, story, contexts, mark, shown in self._db.execute(
                "SELECT event_id, day, story, contexts, mark, shown FROM listed "
                f"WHERE event_id IN ({marks})",
                chunk,
            ):
                found[int(eid)] = Listed(day, story, tuple(json.loads(contexts)), mark, shown)
        return found

    def record_listed(self, rows: Iterable[tuple[int, Listed]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO listed VALUES (?, ?, ?, ?, ?, ?)",
            ((eid, x.day, x.story, _json(x.contexts), x.mark, x.shown) for eid, x in rows),
        )

    def lists_admitting(
        self, sharing: Mapping[int, int], limit: int, day: int, slug: str, event_id: int
    ) -> set[int]:
        """Of the events in ``sharing`` (event id: tags shared with an edited event), those
        whose recorded related list the edited event (dated ``day``, an ordinal, with
        ``slug`` and ``event_id``) may enter: lists not recorded or with room, and full
        lists whose last entry it outranks (:func:`dateline.store.related.rank_key`, which
        ``_OUTRANKS_LAST`` writes in SQL; tests/site/test_state.py holds them equal).

        Decided here, in SQL: an event carrying a tag on a quarter of a 100,000-event
        archive shares it with 25,000 others, about 5,000 of whose lists end with an
        entry sharing as many tags; comparing those in Python took 150-220 ms of an
        incremental build, this 50-70 ms. The ids go in as JSON (``json_each``, built
        into SQLite since 3.38 and into Debian's and Python's builds before), one query
        per shared count: inserting them into a temporary table took half of that.
        """
        by_count: dict[int, list[int]] = defaultdict(list)
        for other, shared in sharing.items():
            by_count[shared].append(other)
        found: set[int] = set()
        for shared, members in by_count.items():
            rows = self._db.execute(
                _ADMITTING,
                {
                    "ids": _json(members),
                    "shared": shared,
                    "limit": limit,
                    "day": day,
                    "slug": slug,
                    "event_id": event_id,
                },
            )
            found.update(int(r[0]) for r in rows)
        return found

    def listings(self, related_ids: Iterable[int]) -> dict[int, set[int]]:
        """The events whose recorded related list includes each of ``related_ids``.

        Searched in the lists' JSON, as no row per member is kept (see
        :data:`STATE_VERSION`): a few ids by their digits (``instr``, 20 ms for 100,000
        lists), each list found that way read to drop a longer id holding them; more
        ids in one pass over every list's members (``json_each``, 90-140 ms).
        """
        wanted = sorted(set(related_ids))
        found: dict[int, set[int]] = {member: set() for member in wanted}
        if len(wanted) <= _SEARCHED_BY_DIGITS:
            for member in wanted:
                for eid, members in self._db.execute(
                    "SELECT event_id, members FROM related WHERE instr(members, ?) > 0",
                    (str(member),),
                ):
                    if member in json.loads(members):
                        found[member].add(int(eid))
            return found
        for eid, member in self._db.execute(
            "SELECT r.event_id, m.value FROM related r, json_each(r.members) m "
            "WHERE m.value IN (SELECT value FROM json_each(?))",
            (_json(wanted),),
        ):
            found[int(member)].add(int(eid))
        return found

    def recorded_lists(self, ids: Sequence[int]) -> dict[int, RecordedList]:
        """The recorded related lists of the events ``ids`` (those recorded)."""
        found: dict[int, RecordedList] = {}
        for start in range(0, len(ids), 900):
            chunk = list(ids[start : start + 900])
            marks = ",".join("?" * len(chunk))
            for eid, length, last_day, members in self._db.execute(
                f"SELECT event_id, length, last_day, members FROM related "
                f"WHERE event_id IN ({marks})",
                chunk,
            ):
                found[eid] = RecordedList(tuple(json.loads(members)), length, last_day)
        return found

    def record_new_related(self, records: Mapping[int, RelatedRecord]) -> None:
        """:meth:`record_related` for events with no list recorded (a full build, after
        :meth:`clear`): nothing to compare."""
        self._db.executemany(
            "INSERT INTO related VALUES (?, ?, ?, ?, ?, ?, ?)", list(records.values())
        )

    def record_related(self, records: Mapping[int, RelatedRecord]) -> None:
        """Each event's related list (as :func:`related_records` gives it), replacing
        what was recorded; only the rows that differ are written."""
        ids = list(records)
        recorded: dict[int, tuple[Any, ...]] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT * FROM related WHERE event_id IN ({marks})", chunk
            ):
                recorded[row[0]] = tuple(row)
        self._db.executemany(
            "INSERT OR REPLACE INTO related VALUES (?, ?, ?, ?, ?, ?, ?)",
            [row for eid, row in records.items() if recorded.get(eid) != row],
        )
