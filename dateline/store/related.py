"""Related events: the events sharing the most context tags with an event.

The ranking (:func:`rank_key`): most shared tags first; among as many shared tags,
events of the same day first, then those within :data:`HORIZON_DAYS` of the event,
then the rest; newest first within each; then slug and id. The seed pages fix the rest:
their lists are "most shared tags, then newest", and they leave room for nothing else
(``bench/related_quality.py`` and docs/benchmarks.md show what was tried and why it
was dropped, e.g. rare tags weighing more, or nearest first).

Why an in-memory index and not one SQL query: on a 1,000,000-event archive with
Zipf-distributed tags a ``GROUP BY`` over ``event_contexts`` takes 38-78 ms at p99 and
more once ties are broken by date, because a common tag ("Syria") drags in tens of
thousands of rows per query. ``bench/related.py`` measures both (figures in
docs/benchmarks.md); this index answers in a few milliseconds.

The index keeps, per context tag, a sorted numpy array of the ids of events carrying
it (postings), and per event its date as a day number. For an event with only small
tags, a query merges their postings, counts how often each event occurs (the number of
shared tags), and picks the best by (shared count, nearness, date). Tags on
:data:`BIG_POSTINGS` events or more also have their postings sorted by day and as a
bitmap: events carrying several of them are read off the bitmaps level by level, and
those carrying one are walked in rank order, stopping once the best are known
(:meth:`RelatedIndex._best_with_big_tags`). Loading the index reads every
(tag, event) pair, a few seconds at 1,000,000 events, which a single lookup
(``dateline show``) should not pay: the first few queries of a store are answered by
one SQL query each instead (:mod:`dateline.store.ranking`, which needs no numpy), and
the index is made and loaded when more follow (an export, a server). Once loaded, it
catches up with the ``event_changes`` log before every query, so writes made by other
processes are seen too. Both paths rank identically (tests/store/test_related.py checks
them against a brute-force ranking). A server also keeps every event's slug and
headline (:mod:`dateline.store.listing`): its lists read no rows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from itertools import pairwise
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from dateline.model import RelatedEvent
from dateline.store import schema as t
from dateline.store.listing import EventListing
from dateline.store.quick import QuickReads, Reader
from dateline.store.ranking import (
    HORIZON_DAYS,
    describe_many_by_sql,
    described,
    order_key,
    own_tags,
)

IntArray = npt.NDArray[np.int64]
Scored = tuple[list[int], list[int]]
"""Candidates for a related list and their :func:`_score`, in the same order."""
BIG_POSTINGS = 4096
"""Tags on at least this many events are read off bitmaps and walked by day
(:meth:`RelatedIndex._best_with_big_tags`) instead of counted whole."""
FIRST_WINDOW_DAYS = 16
"""Width of the first window of that walk; each next one is twice as wide."""
READ_WHOLE_LEVEL = 2048
"""Events carrying as many of an event's big tags, and no small one, read off their bitmap
at once (:meth:`RelatedIndex._best_with_big_tags`); more are walked by day."""
_ID_MASK = (1 << 32) - 1
_BIT = np.array([1 << i for i in range(8)], dtype=np.uint8)
"""Each bit of a byte, by its place: a bitmap's bytes hold ids in little bit order."""


class RelatedIndex:
    """Postings of context tags over event ids, kept in step with the database."""

    def __init__(self, engine: sa.Engine, quick: QuickReads | None = None) -> None:
        self._engine = engine
        self._quick = quick or QuickReads(engine)
        self._lock = threading.Lock()
        self._loaded = False
        self._seen_change = 0
        self._postings: dict[int, IntArray] = {}
        self._by_day: dict[int, IntArray] = {}  # big tags' postings by day (_day_sorted)
        self._bits: dict[int, npt.NDArray[np.uint8]] = {}  # and as bits by id (_carries)
        self._day = np.zeros(0, dtype=np.int64)  # day number by event id; -1 = no event
        # Context ids by event id, as CSR arrays (loaded) plus a dict (changed since).
        self._tag_ptr = np.zeros(1, dtype=np.int64)
        self._tag_ids = np.zeros(0, dtype=np.int64)
        self._changed_tags: dict[int, tuple[int, ...]] = {}
        # Every event's tags as tuples, by id (None: not made), for bulk ranking (load).
        self._tag_tuples: list[tuple[int, ...]] | None = None
        self._frozen = False  # a snapshot (:meth:`snapshot`): never caught up
        self._read: tuple[IntArray, IntArray] | None = None  # a snapshot's pairs and days
        self._listing: EventListing | None = None  # slugs and headlines (load(listing=True))
        self._context_ids: dict[str, int] | None = None  # by name (related_many's names)

    @property
    def loaded(self) -> bool:
        """Whether the whole index was read (:meth:`load`, or a query that loaded it)."""
        return self._loaded

    def snapshot(self, event_ids: Sequence[int], base: RelatedIndex | None = None) -> RelatedIndex:
        """An index of only the tags ``event_ids`` carry now, read now and never updated.

        It ranks those events' related lists and counts who shares their tags
        (:meth:`related_many`, :meth:`sharing`) exactly as the whole index does, since
        both read only the postings of the event's own tags and the days of the events
        on them; for other events its answers are wrong. What an incremental site build
        needs after an edit: loading the whole index read all 318,000 (tag, event)
        pairs of a 100,000-event archive (0.4 s) to rank a few dozen lists.

        ``base``: an earlier snapshot whose tags are taken as it read them, so that only
        the others are read (a build's second snapshot mostly needs the tags of its
        first, the commonest among them: 25,000 events read again).
        """
        part = RelatedIndex(self._engine, self._quick)
        with self._engine.connect() as conn:
            part._load(conn, sorted(set(event_ids)), base)
        part._frozen = True
        return part

    # -- queries ------------------------------------------------------------------

    def load(self, listing: bool | dict[int, tuple[str, str]] = False) -> None:
        """Load the index now (for callers about to ask for many events' related lists).

        ``listing``: also keep every event's slug and headline (a server: then a related
        list reads no rows; see :mod:`dateline.store.listing`), read from the database,
        or given (every event's ``(slug, headline)`` by id, as a full site build holds
        them: 0.45 s less to wait for at 100,000 events).
        """
        with self._lock:
            self._catch_up()
            if isinstance(listing, dict):
                self._context_ids = None  # read again when asked for (_own_tags)
                self._listing = EventListing.of(listing)
                self._tag_tuples = self._every_tags()
            elif listing and self._listing is None:
                with self._engine.connect() as conn:
                    self._listing = EventListing.read(conn)
                # An event changed since the catch-up above is past _seen_change: the
                # next catch-up reads its row again, so the listing never lags the index.

    def related(
        self, event_id: int, limit: int = 10, reader: Reader | None = None
    ) -> list[RelatedEvent]:
        """``reader``: a quick reader to read with (a page being read has one open).

        Without one, no connection is held while the lock is waited for: a thread
        holding the lock may need one to catch up, and threads holding the pool's every
        connection while they wait would starve it (50 writers, each ranking its edited
        event's list in a worker thread, timed out on the pool).
        """
        own = None
        if self._listing is not None:  # the list is made under the lock, but for own tags
            if reader is None:
                with self._quick.connection() as own_reader:
                    own = _named(own_reader.event_tags(event_id))
            else:
                own = _named(reader.event_tags(event_id))
        with self._lock:
            self._catch_up(reader)
            scored = self._best_scored(event_id, self._tags_of(event_id), limit)
            if not scored[0]:
                return []
            if own is not None:
                return self._from_listing(event_id, scored, limit, own)
            theirs = {c: frozenset(self._tags_of(c)) for c in scored[0]}
        if reader is None:
            with self._quick.connection() as own_reader:
                return self._described(event_id, theirs, limit, own_reader)
        return self._described(event_id, theirs, limit, reader)

    def _described(
        self, event_id: int, theirs: dict[int, frozenset[int]], limit: int, reader: Reader
    ) -> list[RelatedEvent]:
        own = _named(reader.event_tags(event_id))
        return described(event_id, theirs, limit, own, reader.event_rows([*theirs, event_id]))

    def related_many(
        self,
        event_ids: Sequence[int],
        limit: int = 10,
        names: Mapping[int, Sequence[str]] | None = None,
    ) -> dict[int, list[RelatedEvent]]:
        """:meth:`related` for many events at once: one catch-up and a few batched queries.

        What a site build needs: one ``related`` call per event costs three queries each.
        With the listing loaded (``load(listing=True)``: a full site build) the lists
        are made in memory (:meth:`_from_listing`) but for the events' own tags, one
        query per 900 events: ranked and described, 160 us a list against 197 us
        described by SQL (medians of 8 rounds of 4,000 lists at 100,000 events).

        ``names``: the events' tag names in their order, where the caller holds them (a
        full build reads every event's entry first), so that no query reads them (6.6-7.2
        us a list, see :meth:`_own_tags`).
        """
        if self._listing is not None:
            own = self._own_tags(sorted(set(event_ids)), names or {})
            with self._lock:
                self._catch_up()
                return {
                    e: self._from_listing(
                        e, self._best_scored(e, self._tags_of(e), limit), limit, own.get(e, [])
                    )
                    for e in event_ids
                }
        with self._lock:
            self._catch_up()
            chosen = {e: self._best(e, self._tags_of(e), limit) for e in event_ids}
            wanted = sorted({c for ids in chosen.values() for c in ids})
            tags = {c: set(self._tags_of(c)) for c in wanted}
        return describe_many_by_sql(self._engine, chosen, limit, tags)

    def _own_tags(
        self, event_ids: Sequence[int], names: Mapping[int, Sequence[str]]
    ) -> dict[int, list[tuple[int, str]]]:
        """``(id, name)`` of the events' tags, in each event's order: from ``names``
        where given and every name is known (:attr:`_context_ids`, read once), else read
        (a tag made since the names were read)."""
        ids = self._context_ids
        if names and ids is None:
            with self._engine.connect() as conn:
                rows = conn.execute(sa.select(t.contexts.c.name, t.contexts.c.id))
                ids = self._context_ids = {name: cid for name, cid in rows}
        own: dict[int, list[tuple[int, str]]] = {}
        unread = []
        for event_id in event_ids:
            tags = names.get(event_id)
            if tags is None or ids is None:
                unread.append(event_id)
                continue
            found = [(ids.get(name, -1), name) for name in tags]
            if all(cid >= 0 for cid, _ in found):
                own[event_id] = found
            else:
                unread.append(event_id)
        if unread:
            with self._engine.connect() as conn:
                own.update(own_tags(conn, unread))
        return own

    def sharing(self, event_id: int) -> dict[int, int]:
        """How many tags each other event shares with ``event_id`` (only those sharing one)."""
        with self._lock:
            self._catch_up()
            lists = [self._postings[c] for c in self._tags_of(event_id) if c in self._postings]
        if not lists:
            return {}
        ids, counts = np.unique(np.concatenate(lists), return_counts=True)
        return {int(i): int(n) for i, n in zip(ids, counts, strict=True) if i != event_id}

    def _every_tags(self) -> list[tuple[int, ...]]:
        """Every event's tags as a tuple, by id: what a full site build, which ranks every
        event's list, looks up ten times a list (a tuple from the arrays each time: 15 us
        of a list's 127 at 100,000 events; these tuples take about 10 MB there)."""
        flat = self._tag_ids.tolist()
        bounds = self._tag_ptr.tolist()
        every = [tuple(flat[a:b]) for a, b in pairwise(bounds)]
        for event_id, tags in self._changed_tags.items():
            every += [()] * (event_id + 1 - len(every))
            every[event_id] = tags
        return every

    def _tags_of(self, event_id: int) -> tuple[int, ...]:
        if self._tag_tuples is not None:
            return self._tag_tuples[event_id] if event_id < len(self._tag_tuples) else ()
        if event_id in self._changed_tags:
            return self._changed_tags[event_id]
        if event_id + 1 >= len(self._tag_ptr):
            return ()
        start, end = self._tag_ptr[event_id], self._tag_ptr[event_id + 1]
        return tuple(self._tag_ids[start:end].tolist())

    def _best(self, event_id: int, tags: tuple[int, ...], limit: int) -> list[int]:
        """Ids of the best candidates, ties at the cut-off included (ordered later), sorted."""
        return sorted(self._best_scored(event_id, tags, limit)[0])

    def _best_scored(self, event_id: int, tags: tuple[int, ...], limit: int) -> Scored:
        """The best candidates and their :func:`_score`, ties at the cut-off included,
        in no order."""
        lists = [self._postings[c] for c in tags if c in self._postings]
        if not lists or limit <= 0:
            return [], []
        owner = int(self._day[event_id]) if event_id < len(self._day) else -1
        big = [c for c in tags if len(self._postings.get(c, ())) >= BIG_POSTINGS]
        if big and owner >= 0:
            return self._best_with_big_tags(event_id, owner, tags, big, limit)
        ids, shared = _counted(lists)
        mine = ids != event_id
        ids, shared = ids[mine], shared[mine]
        return _top(ids, _score(shared, self._day[ids], owner), limit)

    def _best_with_big_tags(
        self, event_id: int, owner: int, tags: tuple[int, ...], big: list[int], limit: int
    ) -> Scored:
        """:meth:`_best_scored` for an event with a common tag, touching few of its postings.

        Counting every posting of a tag on a quarter of 1,000,000 events took 3 ms a
        list. Instead the candidates are gathered best first:

        - events carrying one of the small tags: their postings are counted whole, and
          a bit lookup per big tag completes their shared counts;
        - then the events carrying exactly ``k`` of the ``m`` big tags (and no small
          one), ``k`` from ``m`` down to 1, each level a bitmap (:func:`_levels`: an
          AND of 1,000,000 bits takes microseconds). A level with few events is read
          whole; a bigger one is walked in rank order, day by day, over the day-sorted
          copies (:meth:`_day_sorted`) of its ``m - k + 1`` smallest tags (an event
          carrying ``k`` of them carries one of those), in windows of doubling width
          (:func:`_walk`).

        It stops once ``limit`` candidates rank above the best any event not reached
        yet could: sharing ``k`` tags after a level read whole, ``k`` tags on the next
        window's day within a walk.
        """
        smalls = [self._postings[c] for c in tags if c in self._postings and c not in big]
        if smalls:
            known, shared = _counted(smalls)
            mine = known != event_id
            known, shared = known[mine], shared[mine]
            for c in big:
                shared += self._carries(c, known)
        else:
            known = shared = np.zeros(0, dtype=np.int64)
        found = [known]
        scores = [_score(shared, self._day[known], owner)]
        beyond_big = _lowest_score(len(big) + 1)  # more shared tags than the big ones give
        if len(known) >= limit and np.count_nonzero(scores[0] >= beyond_big) >= limit:
            return _top(known, scores[0], limit)  # no event without a small tag can beat these
        big = sorted(big, key=lambda c: len(self._postings[c]))
        levels = _levels([self._bits_of(c) for c in big])
        for k in range(len(levels), 0, -1):
            exact = levels[k - 1] if k == len(levels) else levels[k - 1] & ~levels[k]
            if k > 1 and int(np.bitwise_count(exact).sum()) <= READ_WHOLE_LEVEL:
                ids = _members(exact)
                ids = ids[~_contains(known, ids) & (ids != event_id)]
                found.append(ids)
                scores.append(_score(np.full(len(ids), k), self._day[ids], owner))
            elif self._walk_level(k, None if len(big) == 1 else exact, big[: len(big) - k + 1],
                                  event_id, owner, limit, known, found, scores):  # fmt: skip
                break
            if sum(int(np.count_nonzero(s >= _lowest_score(k))) for s in scores) >= limit:
                break  # the level is all in, and no event of a level below can beat these
        return _top(np.concatenate(found), np.concatenate(scores), limit)

    def _walk_level(
        self,
        k: int,
        exact: npt.NDArray[np.uint64] | None,
        walked: list[int],
        event_id: int,
        owner: int,
        limit: int,
        known: IntArray,
        found: list[IntArray],
        scores: list[IntArray],
    ) -> bool:
        """Walk the events of bitmap ``exact`` (sharing ``k`` tags; None: every event
        of the one walked tag) by day over the ``walked`` tags' postings, adding them to
        ``found`` and ``scores``; True once ``limit`` candidates rank above any event
        not reached yet."""
        sorted_keys = [self._day_sorted(c) for c in walked]
        first = min(int(keys[0] >> 32) for keys in sorted_keys)
        last = max(int(keys[-1] >> 32) for keys in sorted_keys)
        windows = _walk(owner, first, last)  # made as needed: most walks stop in one or two
        window = next(windows, None)
        earlier = np.sort(np.concatenate(scores))  # the candidates found before the walk
        walked_scores: list[IntArray] = []
        while window is not None:
            low, high = window
            parts = []
            for keys in sorted_keys:
                start = int(np.searchsorted(keys, low << 32))
                end = int(np.searchsorted(keys, (high + 1) << 32))
                parts.append(keys[start:end] & _ID_MASK)
            ids = np.unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]
            if len(ids):
                keep = ~_contains(known, ids) & (ids != event_id)
                if exact is not None:
                    keep &= _has(exact, ids)
                ids = ids[keep]
                found.append(ids)
                walked_scores.append(_score(np.full(len(ids), k), self._day[ids], owner))
                scores.append(walked_scores[-1])
            window = next(windows, None)
            if window is not None:
                bound = _score_of(k, window[1], owner)
                above = len(earlier) - int(np.searchsorted(earlier, bound, "right"))
                above += sum(int(np.count_nonzero(x > bound)) for x in walked_scores)
                if above >= limit:
                    return True
        return False

    def _carries(self, context_id: int, ids: IntArray) -> npt.NDArray[np.bool_]:
        """Which of ``ids`` carry the tag: a bit each for a big tag (a binary
        search of a quarter of a million postings for 70,000 ids took 5 ms)."""
        bits = self._bits.get(context_id)
        if bits is None:
            return _contains(self._postings[context_id], ids)
        return _has(bits, ids)

    def _bits_of(self, context_id: int) -> npt.NDArray[np.uint8]:
        """A big tag's bitmap by event id (made with its day-sorted copy)."""
        self._day_sorted(context_id)
        return self._bits[context_id]

    def _day_sorted(self, context_id: int) -> IntArray:
        """A big tag's postings as ``day << 32 | id``, sorted: its events by day.

        Made when the index loads (on first use for a tag grown big since), kept in
        step by :meth:`_refresh`.
        """
        keys = self._by_day.get(context_id)
        if keys is None:
            posting = self._postings[context_id]
            keys = np.sort((self._day[posting] << 32) | posting)
            self._by_day[context_id] = keys
            members = np.zeros(_whole_words(len(self._day)) * 64, dtype=bool)
            members[posting] = True
            self._bits[context_id] = np.packbits(members, bitorder="little")
        return keys

    def _from_listing(
        self, event_id: int, scored: Scored, limit: int, own: list[tuple[int, str]]
    ) -> list[RelatedEvent]:
        """The list of ``event_id`` (whose tags are ``own``: id and name, in order) from
        its best candidates and their scores (:meth:`_best_scored`), their slugs and
        headlines in memory (a server's, see :mod:`dateline.store.listing`): ordered as
        :func:`~dateline.store.ranking.described` orders, each entry made once its place
        is known. Called under the lock: a catch-up patches all of them.

        The score already orders by shared tags, nearness and day, so only slug and id
        are left to break ties, and the shared tags are named for the entries kept
        alone: 30.3 -> 28.1 us a list against working out each candidate's rank again
        (medians of 9 rounds of 4,000 lists at 100,000 events; 36.3 us before
        :class:`~dateline.model.RelatedEvent` was a named tuple). The names must agree
        with the count the score holds; where they do not (the event's tags changed
        between reading them and ranking), the candidates are ranked by their names,
        as before (:meth:`_from_listing_by_names`).
        """
        assert self._listing is not None
        if event_id >= len(self._day) or self._day[event_id] < 0:  # deleted meanwhile
            return []
        get, tags_of = self._listing.getter(), self._tags_of
        ranked = []
        for other, score in zip(*scored, strict=True):
            found = get(other)
            if found is None or score < 0 or other == event_id:  # no day: not read yet
                continue
            ranked.append((-score, found[0], other, found[1]))
        ranked.sort()
        related = []
        for minus_score, slug, other, headline in ranked[:limit]:
            tags = tags_of(other)
            shared = tuple([name for cid, name in own if cid in tags])
            if len(shared) != -minus_score >> 34:
                return self._from_listing_by_names(event_id, scored[0], limit, own)
            day = date.fromordinal(1 + (-minus_score & _ID_MASK))
            related.append(RelatedEvent(other, day, slug, headline, shared))
        return related

    def _from_listing_by_names(
        self, event_id: int, chosen: list[int], limit: int, own: list[tuple[int, str]]
    ) -> list[RelatedEvent]:
        """:meth:`_from_listing` with each candidate's rank worked out from the tags it
        shares by ``own``'s names, not from its score."""
        assert self._listing is not None
        owner = int(self._day[event_id]) if event_id < len(self._day) else -1
        if owner < 0:  # deleted meanwhile
            return []
        ranked = []
        get, tags_of = self._listing.getter(), self._tags_of
        for other, day in zip(chosen, self._day[chosen].tolist(), strict=True):
            found = get(other)
            if found is None or day < 0 or other == event_id:
                continue
            tags = tags_of(other)
            shared = tuple([name for cid, name in own if cid in tags])
            if shared:
                key = order_key(len(shared), day, found[0], other, owner)
                ranked.append((key, found[1], shared))
        ranked.sort(key=itemgetter(0))
        return [
            RelatedEvent(other, date.fromordinal(1 - minus_day), slug, headline, shared)
            for (_, _, minus_day, slug, other), headline, shared in ranked[:limit]
        ]

    # -- keeping up with the database ----------------------------------------------

    def _catch_up(self, reader: Reader | None = None) -> None:
        if self._frozen:
            return
        if not self._loaded:
            with self._engine.connect() as conn:
                self._load(conn)
            return
        # Asked before every query: on the driver, as the server's other hot reads,
        # unless the reader has just read the log's newest number with its event.
        if reader is not None and reader.latest_change == self._seen_change:
            return
        if reader is None:
            with self._quick.connection() as own_reader:
                changed = own_reader.changes_since(self._seen_change)
        else:
            changed = reader.changes_since(self._seen_change)
        if not changed:
            return
        self._seen_change = changed[-1][0]
        ids = sorted({event_id for _, event_id in changed})
        with self._engine.connect() as conn:
            for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
                self._refresh(conn, chunk)

    def _load(
        self,
        conn: sa.Connection,
        events: Sequence[int] | None = None,
        base: RelatedIndex | None = None,
    ) -> None:
        """Read every (tag, event) pair and every event's day, straight into arrays;
        with ``events``, only the pairs of the tags those events carry and the days of
        the events carrying them, less the tags ``base`` read (:meth:`snapshot`)."""
        self._seen_change = int(
            conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(t.event_changes.c.seq), 0))
            ).scalar_one()
        )
        if events is None:
            ids_days, pairs = _ids_days(conn), _tag_pairs(conn)
        else:
            tags = sorted(
                {
                    cid
                    for chunk in _chunks(events, 900)
                    for cid in conn.execute(
                        sa.select(t.event_contexts.c.context_id).where(
                            t.event_contexts.c.event_id.in_(chunk)
                        )
                    ).scalars()
                }
            )
            known = base._read if base is not None else None
            if base is not None and known is not None:
                tags = [c for c in tags if c not in base._postings]
            pairs, ids_days = _tag_pairs_days(conn, tags)
            if known is not None:
                pairs = np.concatenate((known[0], pairs))
                ids_days = np.concatenate((known[1], ids_days))
                pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]  # sorted, as read
            self._read = (pairs, ids_days)
        # An event added between the two reads is in the pairs alone: room for it too
        # (its day comes with the catch-up, which reads every change since _seen_change).
        size = max(int(a.max()) + 1 if len(a) else 0 for a in (ids_days[:, 0], pairs[:, 1]))
        self._day = np.full(size, -1, dtype=np.int64)
        self._day[ids_days[:, 0]] = ids_days[:, 1]
        self._postings = {}
        self._by_day = {}
        self._bits = {}
        if len(pairs):
            starts = np.flatnonzero(np.diff(pairs[:, 0], prepend=-1))
            ends = np.append(starts[1:], len(pairs))
            members = pairs[:, 1]
            for context_id, start, end in zip(
                pairs[starts, 0].tolist(), starts.tolist(), ends.tolist(), strict=True
            ):
                self._postings[context_id] = members[start:end]
        for context_id, posting in self._postings.items():
            if len(posting) >= BIG_POSTINGS:  # now, not in the first query that walks it
                self._day_sorted(context_id)
        by_event = pairs[np.argsort(pairs[:, 1], kind="stable")]
        self._tag_ptr = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(by_event[:, 1], minlength=size), out=self._tag_ptr[1:])
        self._tag_ids = by_event[:, 0].copy()
        self._changed_tags = {}
        self._tag_tuples = None
        self._loaded = True

    def _refresh(self, conn: sa.Connection, ids: list[int]) -> None:
        """Re-read the tags and days of events ``ids`` and patch the postings (and the
        listing, when one is kept)."""
        e = t.events.c
        rows = conn.execute(
            sa.select(e.id, _day_number(conn), e.slug, e.headline).where(e.id.in_(ids))
        ).all()
        days: dict[int, int] = {eid: day for eid, day, _, _ in rows}
        if self._listing is not None:
            found = {eid: (slug, headline) for eid, _, slug, headline in rows}
            for eid in ids:
                self._listing.update(eid, found.get(eid))
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
            old = set(self._tags_of(eid))
            new = set(new_tags.get(eid, ()))
            old_day, new_day = int(self._day[eid]), int(days.get(eid, -1))
            for cid in (old | new) & self._by_day.keys():
                keys, bits = self._by_day[cid], self._bits[cid]
                if cid in old:
                    keys = keys[keys != (old_day << 32) | eid]
                    bits[eid >> 3] &= ~np.uint8(1 << (eid & 7))
                if cid in new:
                    key = (new_day << 32) | eid
                    keys = np.insert(keys, int(np.searchsorted(keys, key)), key)
                    if eid >> 3 >= len(bits):
                        bits = np.concatenate(
                            (bits, np.zeros(_whole_words(len(self._day)) * 8 - len(bits), np.uint8))
                        )
                    bits[eid >> 3] |= np.uint8(1 << (eid & 7))
                self._by_day[cid], self._bits[cid] = keys, bits
            for cid in old - new:
                posting = self._postings[cid]
                self._postings[cid] = posting[posting != eid]
            for cid in new - old:
                posting = self._postings.get(cid, np.zeros(0, dtype=np.int64))
                at = int(np.searchsorted(posting, eid))
                self._postings[cid] = np.insert(posting, at, eid)
            self._changed_tags[eid] = tuple(new_tags.get(eid, ()))
            if self._tag_tuples is not None:
                self._tag_tuples += [()] * (eid + 1 - len(self._tag_tuples))
                self._tag_tuples[eid] = self._changed_tags[eid]
            self._day[eid] = new_day


def _named(tags: Sequence[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """``(id, name)`` of a reader's ``(id, name, slug)`` tags."""
    return [(cid, name) for cid, name, _ in tags]


def _score(shared: IntArray, days: IntArray, owner: int) -> IntArray:
    """One integer per candidate that orders as rank_key does, less slug and id (ties
    at the cut-off are all kept and ordered exactly later): shared count, then 2 for
    the same day, 1 within the horizon, 0 beyond (FAR - tier), then the day.

    In place on ``shared``, in few passes: up to a quarter of a million candidates.
    """
    score = shared
    score <<= 2
    score += days == owner
    score += (days >= owner - HORIZON_DAYS) & (days <= owner + HORIZON_DAYS)
    score <<= 32
    score |= days
    return score


def _score_of(shared: int, day: int, owner: int) -> int:
    """:func:`_score` of one candidate."""
    near = owner - HORIZON_DAYS <= day <= owner + HORIZON_DAYS
    return ((shared << 2) + (day == owner) + near) << 32 | day


def _lowest_score(shared: int) -> int:
    """The lowest :func:`_score` of a candidate sharing ``shared`` tags (above all of fewer)."""
    return shared << 34


def _counted(lists: Sequence[IntArray]) -> tuple[IntArray, IntArray]:
    """The ids in any of ``lists`` (each sorted), sorted and once each, and in how many.

    By merging, not ``np.bincount``: that makes an array as long as the highest id,
    8 MB at 1,000,000 events, for a few thousand postings (1 ms of a list's 1.1 ms).
    """
    if len(lists) == 1:
        return lists[0], np.ones(len(lists[0]), dtype=np.int64)
    merged = np.sort(np.concatenate(lists), kind="stable")  # merges sorted runs
    if len(merged) == 0:  # tags whose last event left them
        return merged, np.zeros(0, dtype=np.int64)
    first = np.ones(len(merged), dtype=bool)
    np.not_equal(merged[1:], merged[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.empty(len(starts), dtype=np.int64)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1] = len(merged) - starts[-1]
    return merged[starts], counts


def _top(ids: IntArray, scores: IntArray, limit: int) -> Scored:
    """The ``limit`` best of ``ids`` by score, and every one tied with the last, with
    their scores."""
    if len(scores) > limit:
        cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        kept = scores >= cut
        ids, scores = ids[kept], scores[kept]
    return ids.tolist(), scores.tolist()


def _whole_words(bits: int) -> int:
    """64-bit words to hold ``bits`` bits (bitmaps are kept in whole words: :func:`_levels`)."""
    return (bits + 63) // 64


def _levels(bitmaps: Sequence[npt.NDArray[np.uint8]]) -> list[npt.NDArray[np.uint64]]:
    """Bitmaps of the events set in at least 1, 2, ... of ``bitmaps``: ``[k - 1]`` for k.

    A bit-sliced count (each bitmap ANDed into the level below and ORed into the
    first), as 64-bit words: 15,625 words at 1,000,000 events, some microseconds an
    operation.
    """
    size = _whole_words(max(len(b) for b in bitmaps) * 8) * 8
    words = []
    for bits in bitmaps:
        if len(bits) != size:  # a tag whose bitmap was not grown with the archive's last ids
            bits = np.concatenate((bits, np.zeros(size - len(bits), dtype=np.uint8)))
        words.append(bits.view(np.uint64))
    if len(words) == 1:
        return words
    levels = [words[0].copy()]
    for word in words[1:]:
        for below in range(len(levels) - 1, -1, -1):  # top down: each ANDs the old level
            both = levels[below] & word
            if below + 1 == len(levels):
                levels.append(both)
            else:
                levels[below + 1] |= both
        levels[0] |= word
    return levels


def _members(words: npt.NDArray[np.uint64]) -> IntArray:
    """The ids whose bits are set, ascending (read as bytes: whatever the byte order).

    Only the words with a bit set are unpacked, and their bits are searched as one flat
    run of booleans: numpy finds non-zero booleans much faster than non-zero integers
    (on 2,000 members of 1,000,000 bits, 1.3 ms searching the unpacked bytes by row and
    column, 0.14 ms this way).
    """
    where = np.flatnonzero(words != 0)
    if len(where) == 0:
        return np.zeros(0, dtype=np.int64)
    bits = np.unpackbits(words[where].view(np.uint8), bitorder="little").view(np.bool_)
    at = np.flatnonzero(bits)
    ids: IntArray = where[at >> 6] * 64 + (at & 63)
    return ids


def _has(bits: npt.NDArray[Any], ids: IntArray) -> npt.NDArray[np.bool_]:
    """Which of ``ids`` have their bit set in ``bits`` (a bitmap, as bytes or words)."""
    octets = bits.view(np.uint8)
    found = np.zeros(len(ids), dtype=bool)
    if len(ids) == 0:
        return found
    if int(ids.max()) >> 3 < len(octets):  # the usual case: no id past the bitmap's end
        set_bits: npt.NDArray[np.bool_] = (octets[ids >> 3] & _BIT[ids & 7]).astype(np.bool_)
        return set_bits
    inside = (ids >> 3) < len(octets)
    found[inside] = _has(octets, ids[inside])
    return found


def _contains(posting: IntArray, ids: IntArray) -> npt.NDArray[np.bool_]:
    """Which of ``ids`` are in ``posting`` (sorted): a binary search each."""
    if len(posting) == 0:
        return np.zeros(len(ids), dtype=bool)
    at = np.searchsorted(posting, ids)
    at[at == len(posting)] = 0
    found: npt.NDArray[np.bool_] = posting[at] == ids
    return found


def _walk(owner: int, first: int, last: int) -> Iterator[tuple[int, int]]:
    """Day ranges (inclusive) in rank order for an event of day ``owner``, over days
    ``first`` to ``last``: the same day, then within the horizon newest first, then the
    rest newest first, in windows of doubling width."""
    yield owner, owner
    segments = (
        (owner + 1, owner + HORIZON_DAYS),
        (owner - HORIZON_DAYS, owner - 1),
        (owner + HORIZON_DAYS + 1, last),
        (first, owner - HORIZON_DAYS - 1),
    )
    width = FIRST_WINDOW_DAYS
    for low, high in segments:
        low, high = max(low, first), min(high, last)
        while high >= low:
            yield max(low, high - width + 1), high
            high -= width
            width *= 2


def _chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    return (values[i : i + size] for i in range(0, len(values), size))


def _day_number(conn: sa.Connection) -> sa.ColumnElement[int]:
    """The event's date as a day count, computed by the database (cheaper than in Python)."""
    if conn.dialect.name == "postgresql":
        return (t.events.c.date - sa.literal_column("DATE '0001-01-01'")).label("day")
    return sa.cast(sa.func.julianday(t.events.c.date) - 1721425.5, sa.Integer).label("day")


def _ids_days(conn: sa.Connection) -> IntArray:
    """Every event's (id, day number) as an (n, 2) array, read as text as :func:`_tag_pairs`
    reads its pairs (one row: the ids, and the days in the same order)."""
    if conn.dialect.name == "postgresql":
        sql = (
            "SELECT string_agg(id::text, ',' ORDER BY id), "
            "string_agg((date - DATE '0001-01-01')::text, ',' ORDER BY id) FROM events"
        )
    else:  # both aggregates see the rows in one order
        sql = (
            "SELECT group_concat(id), "
            "group_concat(CAST(julianday(date) - 1721425.5 AS INTEGER)) FROM events"
        )
    ids, days = conn.exec_driver_sql(sql).one()
    if not ids:
        return np.zeros((0, 2), dtype=np.int64)
    return np.column_stack(
        (np.array(ids.split(","), dtype=np.int64), np.array(days.split(","), dtype=np.int64))
    )


def _tag_pairs(conn: sa.Connection) -> IntArray:
    """Every (context id, event id) pair as an (n, 2) array, sorted.

    Read as one row per tag holding its event ids as text, which numpy parses: a
    Python tuple per pair cost 0.28-0.45 s for the 318,000 pairs of a 100,000-event
    archive, the text a fifth of that.
    """
    if conn.dialect.name == "postgresql":
        joined = "string_agg(event_id::text, ',' ORDER BY event_id)"
    else:
        joined = "group_concat(event_id)"  # order not promised: see _parse_pairs
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"SELECT context_id, {joined} FROM event_contexts GROUP BY context_id")
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return _parse_pairs(rows)[0]


def _tag_pairs_days(conn: sa.Connection, tags: Sequence[int]) -> tuple[IntArray, IntArray]:
    """The (context id, event id) pairs of ``tags`` as :func:`_tag_pairs` gives them, and
    the (id, day number) of their events (an event on several of them comes several
    times), in one query: a snapshot read them as two, 0.075 s against 0.043 s for the
    26,000 events of a tag on a quarter of a 100,000-event archive. The days are the
    links' own (``event_contexts.date``, kept with each link), read off the index on
    (context, date, event) without a lookup of each event's row: for that tag 82-98 ->
    14-15 ms, for the 30 commonest tags 330 -> 66 ms."""
    if conn.dialect.name == "postgresql":
        ids = "string_agg(ec.event_id::text, ',' ORDER BY ec.event_id)"
        days = "string_agg((ec.date - DATE '0001-01-01')::text, ',' ORDER BY ec.event_id)"
    else:  # both aggregates see the rows in one order
        ids = "group_concat(ec.event_id)"
        days = "group_concat(CAST(julianday(ec.date) - 1721425.5 AS INTEGER))"
    query = (
        f"SELECT ec.context_id, {ids}, {days} FROM event_contexts ec "
        "WHERE ec.context_id IN ({}) GROUP BY ec.context_id"
    )
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    rows: list[tuple[int, str, str]] = []
    try:  # integers from the database: safe to write into the query
        for chunk in _chunks([int(c) for c in tags], 5000):
            cursor.execute(query.format(",".join(map(str, chunk))))
            rows += cursor.fetchall()
    finally:
        cursor.close()
    pairs, events = _parse_pairs(rows)
    if not rows:
        return pairs, np.zeros((0, 2), dtype=np.int64)
    day_numbers = np.array(",".join(r[2] for r in rows).split(","), dtype=np.int64)
    return pairs, np.column_stack((events, day_numbers))


def _parse_pairs(rows: Sequence[Sequence[Any]]) -> tuple[IntArray, IntArray]:
    """Rows of (context id, its event ids as comma-separated text, ...) as the sorted
    (context id, event id) pairs, and the event ids in the order read."""
    if not rows:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)
    contexts = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    counts = np.fromiter((r[1].count(",") + 1 for r in rows), dtype=np.int64, count=len(rows))
    events = np.array(",".join(r[1] for r in rows).split(","), dtype=np.int64)
    keys = (np.repeat(contexts, counts) << 32) | events
    if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):  # SQLite's order
        keys = np.sort(keys)
    return np.column_stack((keys >> 32, keys & _ID_MASK)), events
