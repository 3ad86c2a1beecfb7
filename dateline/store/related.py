"""Related events: the events sharing the most context tags with an event, newest first.

Why an in-memory index and not one SQL query: on a 1,000,000-event archive with
Zipf-distributed tags a ``GROUP BY`` over ``event_contexts`` takes 38-78 ms at p99 and
more once ties are broken by date, because a common tag ("Syria") drags in tens of
thousands of rows per query. ``bench/related.py`` measures both (figures in
docs/benchmarks.md); this index answers in a few milliseconds.

The index keeps, per context tag, a sorted numpy array of the ids of events carrying
it (postings), and per event its date as a day number. A query concatenates the
postings of the event's tags, counts occurrences per event with ``bincount`` (the
number of shared tags), and picks the best by (shared count, date). It is loaded on
first use and, before every query, catches up with the ``event_changes`` log, so
writes made by other processes are seen too.
"""

from __future__ import annotations

import threading
from datetime import date

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from dateline.model import RelatedEvent
from dateline.store import schema as t

IntArray = npt.NDArray[np.int64]


class RelatedIndex:
    """Postings of context tags over event ids, kept in step with the database."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._loaded = False
        self._seen_change = 0
        self._postings: dict[int, IntArray] = {}
        self._day = np.zeros(0, dtype=np.int64)  # day number by event id; -1 = no event
        self._tags: dict[int, tuple[int, ...]] = {}  # context ids by event id

    # -- queries ------------------------------------------------------------------

    def related(self, event_id: int, limit: int = 10) -> list[RelatedEvent]:
        with self._lock:
            self._catch_up()
            tags = self._tags.get(event_id, ())
            chosen = self._best(event_id, tags, limit)
        if not chosen:
            return []
        return self._describe(event_id, chosen, limit)

    def _best(self, event_id: int, tags: tuple[int, ...], limit: int) -> list[int]:
        """Ids of the best candidates, ties at the cut-off included (ordered later)."""
        lists = [self._postings[c] for c in tags if c in self._postings]
        if not lists or limit <= 0:
            return []
        counts = np.bincount(np.concatenate(lists))
        if event_id < len(counts):
            counts[event_id] = 0
        candidates = np.flatnonzero(counts)
        if len(candidates) == 0:
            return []
        score = (counts[candidates].astype(np.int64) << 32) | self._day[candidates]
        if len(candidates) > limit:
            cut = np.partition(score, len(score) - limit)[len(score) - limit]
            candidates = candidates[score >= cut]
        return [int(c) for c in candidates]

    def _describe(self, event_id: int, ids: list[int], limit: int) -> list[RelatedEvent]:
        """Fetch the chosen events, order them exactly and name their shared tags."""
        with self._engine.connect() as conn:
            own = conn.execute(
                sa.select(t.contexts.c.id, t.contexts.c.name)
                .join(t.event_contexts, t.event_contexts.c.context_id == t.contexts.c.id)
                .where(t.event_contexts.c.event_id == event_id)
                .order_by(t.event_contexts.c.position)
            ).all()
            rows = conn.execute(
                sa.select(
                    t.events.c.id, t.events.c.date, t.events.c.slug, t.events.c.headline
                ).where(t.events.c.id.in_(ids))
            ).all()
            tag_rows = conn.execute(
                sa.select(t.event_contexts.c.event_id, t.event_contexts.c.context_id).where(
                    t.event_contexts.c.event_id.in_(ids)
                )
            ).all()
        theirs: dict[int, set[int]] = {}
        for eid, cid in tag_rows:
            theirs.setdefault(eid, set()).add(cid)
        related = []
        for row in rows:
            shared = tuple(name for cid, name in own if cid in theirs.get(row.id, ()))
            if shared:
                related.append(RelatedEvent(row.id, row.date, row.slug, row.headline, shared))
        related.sort(key=lambda r: (-len(r.shared), -r.date.toordinal(), r.slug, r.event_id))
        return related[:limit]

    # -- keeping up with the database ----------------------------------------------

    def _catch_up(self) -> None:
        with self._engine.connect() as conn:
            if not self._loaded:
                self._load(conn)
                return
            changed = conn.execute(
                sa.select(t.event_changes.c.seq, t.event_changes.c.event_id)
                .where(t.event_changes.c.seq > self._seen_change)
                .order_by(t.event_changes.c.seq)
            ).all()
            if not changed:
                return
            self._seen_change = changed[-1].seq
            ids = sorted({row.event_id for row in changed})
            for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
                self._refresh(conn, chunk)

    def _load(self, conn: sa.Connection) -> None:
        """Read every (tag, event) pair and every event's day in two streamed queries."""
        self._seen_change = int(
            conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(t.event_changes.c.seq), 0))
            ).scalar_one()
        )
        day_rows = conn.execute(sa.select(t.events.c.id, _day_number(conn)))
        ids_days = _to_array(day_rows, 2)
        size = int(ids_days[:, 0].max()) + 1 if len(ids_days) else 0
        self._day = np.full(size, -1, dtype=np.int64)
        self._day[ids_days[:, 0]] = ids_days[:, 1]
        pairs = _to_array(
            conn.execute(
                sa.select(t.event_contexts.c.context_id, t.event_contexts.c.event_id).order_by(
                    t.event_contexts.c.context_id, t.event_contexts.c.event_id
                )
            ),
            2,
        )
        self._postings = {}
        if len(pairs):
            bounds = np.flatnonzero(np.diff(pairs[:, 0])) + 1
            for chunk in np.split(pairs, bounds):
                self._postings[int(chunk[0, 0])] = chunk[:, 1].copy()
        by_event = pairs[np.argsort(pairs[:, 1], kind="stable")]
        self._tags = {}
        if len(by_event):
            bounds = np.flatnonzero(np.diff(by_event[:, 1])) + 1
            for chunk in np.split(by_event, bounds):
                self._tags[int(chunk[0, 1])] = tuple(int(c) for c in chunk[:, 0])
        self._loaded = True

    def _refresh(self, conn: sa.Connection, ids: list[int]) -> None:
        """Re-read the tags and days of events ``ids`` and patch the postings."""
        days: dict[int, int] = dict(
            conn.execute(
                sa.select(t.events.c.id, _day_number(conn)).where(t.events.c.id.in_(ids))
            ).all()
        )
        new_tags: dict[int, list[int]] = {}
        for eid, cid in conn.execute(
            sa.select(t.event_contexts.c.event_id, t.event_contexts.c.context_id).where(
                t.event_contexts.c.event_id.in_(ids)
            )
        ):
            new_tags.setdefault(eid, []).append(cid)
        top = max(ids) + 1
        if top > len(self._day):
            grown = np.full(max(top, 2 * len(self._day)), -1, dtype=np.int64)
            grown[: len(self._day)] = self._day
            self._day = grown
        for eid in ids:
            old = set(self._tags.get(eid, ()))
            new = set(new_tags.get(eid, ()))
            for cid in old - new:
                posting = self._postings[cid]
                self._postings[cid] = posting[posting != eid]
            for cid in new - old:
                posting = self._postings.get(cid, np.zeros(0, dtype=np.int64))
                at = int(np.searchsorted(posting, eid))
                self._postings[cid] = np.insert(posting, at, eid)
            self._tags[eid] = tuple(new_tags.get(eid, ()))
            self._day[eid] = int(days.get(eid, -1))


def _day_number(conn: sa.Connection) -> sa.ColumnElement[int]:
    """The event's date as a day count, computed by the database (cheaper than in Python)."""
    if conn.dialect.name == "postgresql":
        return (t.events.c.date - sa.literal(date(1, 1, 1))).label("day")
    return sa.cast(sa.func.julianday(t.events.c.date) - 1721425.5, sa.Integer).label("day")


def _to_array(
    result: sa.CursorResult[tuple[int, int]] | sa.Result[tuple[int, int]], width: int
) -> IntArray:
    """Stream integer rows into an (n, width) array without building a list of tuples."""
    chunks = []
    while rows := result.fetchmany(100_000):
        flat = np.fromiter(
            (v for row in rows for v in row), dtype=np.int64, count=len(rows) * width
        )
        chunks.append(flat.reshape(-1, width))
    return np.concatenate(chunks) if chunks else np.zeros((0, width), dtype=np.int64)
