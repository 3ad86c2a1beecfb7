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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from dateline.model import RelatedEvent
from dateline.store.related import RankKey, rank_key

STATE_DIR = ".dateline-build"
STATE_VERSION = 3
"""The layout of the state file; another one is discarded (and the build is full)."""
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, digest BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS listed (
    event_id INTEGER PRIMARY KEY, day TEXT NOT NULL, story TEXT, contexts TEXT NOT NULL,
    mark TEXT NOT NULL, shown TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS related (
    event_id INTEGER PRIMARY KEY, length INTEGER NOT NULL,
    last_shared INTEGER, last_day INTEGER, last_slug TEXT, last_id INTEGER);
CREATE TABLE IF NOT EXISTS related_members (
    related_id INTEGER NOT NULL, event_id INTEGER NOT NULL, PRIMARY KEY (related_id, event_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS related_members_event ON related_members (event_id);
"""


class WeakestRelated(NamedTuple):
    """A recorded related list's length and last entry (None when it is empty)."""

    length: int
    owner: str | None
    """The day of the list's event (ISO), when it is listed."""
    shared: int | None
    day: int | None
    slug: str | None
    event_id: int | None

    def owner_day(self) -> int | None:
        """The list's event's day as an ordinal (what nearness is measured from)."""
        return None if self.owner is None else date.fromisoformat(self.owner).toordinal()

    def last_key(self) -> RankKey | None:
        """The rank key of the last entry, None when the list is empty."""
        if self.shared is None or self.day is None or self.slug is None:
            return None
        return rank_key(self.shared, self.day, self.slug, int(self.event_id or 0), self.owner_day())


@dataclass(frozen=True, slots=True)
class Listed:
    """Where an event was listed at the last build: its day, story slug and tag slugs.

    ``mark`` is a digest of what other events' related lists show of it and rank it by
    (date, slug, headline, tags): while it stays the same, no other related list changes.
    ``shown`` is a digest of what list pages (day, month, context, story, home) show of
    it: while it stays the same, none of them changes.
    """

    day: str
    story: str | None
    contexts: tuple[str, ...]
    mark: str
    shown: str


class BuildState:
    """The build state file of one output folder."""

    def __init__(self, out: Path) -> None:
        folder = out / STATE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "state.sqlite"
        self._db = sqlite3.connect(self.path, isolation_level=None)
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
        self._db.execute("BEGIN")

    def close(self, commit: bool = True) -> None:
        self._db.execute("COMMIT" if commit else "ROLLBACK")
        self._db.close()

    def clear(self) -> None:
        """Forget everything but the page digests (a full build refills the rest)."""
        for table in ("meta", "listed", "related", "related_members"):
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

    def paths_between(self, first: str, last: str) -> list[str]:
        """Recorded page paths ``first <= path < last`` (a prefix range), sorted."""
        rows = self._db.execute(
            "SELECT path FROM pages WHERE path >= ? AND path < ? ORDER BY path", (first, last)
        )
        return [str(r[0]) for r in rows]

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
            (
                (eid, x.day, x.story, json.dumps(list(x.contexts)), x.mark, x.shown)
                for eid, x in rows
            ),
        )

    def lists_admitting(
        self, sharing: Mapping[int, int], limit: int
    ) -> dict[int, WeakestRelated | None]:
        """Of the events in ``sharing`` (event id: tags shared with an edited event),
        those whose recorded related list may take that event, with its length and last
        entry (None: not recorded). The others' lists are full and end with an entry
        sharing more tags, which ranks first whatever the rest.

        Filtered here, in SQL: an event carrying a tag on a quarter of a 100,000-event
        archive shares it with 25,000 others, and building their rows in Python cost
        0.3 s of an incremental build.
        """
        self._db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS sharing "
            "(event_id INTEGER PRIMARY KEY, shared INTEGER NOT NULL)"
        )
        self._db.execute("DELETE FROM temp.sharing")
        self._db.executemany("INSERT INTO temp.sharing VALUES (?, ?)", sharing.items())
        found: dict[int, WeakestRelated | None] = {}
        for eid, recorded, length, shared, day, slug, last, owner in self._db.execute(
            "SELECT s.event_id, r.event_id, r.length, r.last_shared, r.last_day, r.last_slug, "
            "r.last_id, l.day FROM temp.sharing s "
            "LEFT JOIN related r ON r.event_id = s.event_id "
            "LEFT JOIN listed l ON l.event_id = s.event_id "
            "WHERE r.event_id IS NULL OR r.length < ? OR r.last_shared IS NULL "
            "OR r.last_shared <= s.shared",
            (limit,),
        ):
            found[int(eid)] = (
                None
                if recorded is None
                else WeakestRelated(int(length), owner, shared, day, slug, last)
            )
        self._db.execute("DELETE FROM temp.sharing")
        return found

    def listing(self, related_ids: Sequence[int]) -> set[int]:
        """The events whose related list includes one of ``related_ids``."""
        found: set[int] = set()
        for start in range(0, len(related_ids), 900):
            chunk = list(related_ids[start : start + 900])
            marks = ",".join("?" * len(chunk))
            found.update(
                int(r[0])
                for r in self._db.execute(
                    f"SELECT event_id FROM related_members WHERE related_id IN ({marks})",
                    chunk,
                )
            )
        return found

    def record_related(self, lists: dict[int, list[RelatedEvent]]) -> None:
        """Each event's related list, replacing what was recorded."""
        ids = list(lists)
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            self._db.execute(
                f"DELETE FROM related_members WHERE event_id IN ({marks})",
                chunk,
            )
        rows = []
        for eid, listed in lists.items():
            last = listed[-1] if listed else None
            rows.append(
                (eid, len(listed))
                + (
                    (len(last.shared), last.date.toordinal(), last.slug, last.event_id)
                    if last
                    else (None, None, None, None)
                )
            )
        self._db.executemany("INSERT OR REPLACE INTO related VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._db.executemany(
            "INSERT OR IGNORE INTO related_members VALUES (?, ?)",
            ((r.event_id, eid) for eid, listed in lists.items() for r in listed),
        )
