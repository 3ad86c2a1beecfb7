"""Related events: the seeds' lists, a reference implementation, and staying current."""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

import dateline.store.ranking as ranking
import dateline.store.related as related_module
from dateline.ingest.importer import import_paths
from dateline.ingest.seedpage import EventPage, parse_page
from dateline.model import Event, EventContent, Version, slug_for_headline
from dateline.store import Store
from tests.conftest import EVENT_SEEDS, Databases, seed_file


def _page(number: str) -> EventPage:
    page = parse_page(seed_file(number).read_text(encoding="utf-8"))
    assert isinstance(page, EventPage)
    return page


def _as_listed(store: Store, number: str, limit: int) -> list[tuple[object, ...]]:
    page = _page(number)
    event = store.find_event(page.content.date, page.slug)
    assert event is not None
    return [(r.date, r.slug, r.headline, r.shared) for r in store.related(event.id, limit)]


def _seed_list(number: str) -> list[tuple[object, ...]]:
    return [(r.date, r.slug, r.headline, r.contexts) for r in _page(number).related]


def test_seed_000_list_is_computed_exactly(store: Store) -> None:
    import_paths(store, [seed_file(n) for n in EVENT_SEEDS])
    assert _as_listed(store, "000", 10) == _seed_list("000")


def test_seed_001_first_five_are_computed(store: Store) -> None:
    import_paths(store, [seed_file(n) for n in EVENT_SEEDS])
    assert _as_listed(store, "001", 10)[:5] == _seed_list("001")


@pytest.mark.parametrize(
    "path",
    [
        "sql",
        "index",
        "batch",
        "walk",
        "walk-after-edits",
        "snapshot",
        "snapshot-walk",
        "snapshot-on-base",
    ],
)
def test_both_paths_agree_with_a_plain_reference(
    databases: Databases, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random archives with skewed tags: the SQL query (first lookups) and the index
    (after load_related_index) rank as a brute-force ranking does: most shared tags,
    then same day, then within the horizon, then the rest, newest first in each.

    "walk" makes every tag with 20 events or more a big one, and walks the events
    carrying as many of them by day in windows of 1, 2, 4... days, to the end if need
    be; "walk-after-edits" reads the levels of 3 events or fewer whole, and also moves
    events to other days and tags and adds events after the index is loaded, so both
    read postings and bitmaps patched by the catch-up. "snapshot" ranks with an index
    of only the sample's tags (Store.related_snapshot), after edits; "snapshot-walk"
    with its big tags walked too; "snapshot-on-base" takes some tags from an earlier
    snapshot (of two of the sample's events) and reads the others."""
    if path.endswith("walk") or path == "walk-after-edits":
        monkeypatch.setattr(related_module, "BIG_POSTINGS", 20)
        monkeypatch.setattr(related_module, "FIRST_WINDOW_DAYS", 1)
        monkeypatch.setattr(related_module, "READ_WHOLE_LEVEL", 0 if path == "walk" else 3)
    rng = random.Random(7)
    tags = [f"tag{i}" for i in range(12)]
    weights = [1 / (i + 1) for i in range(12)]
    store = databases.open()
    contents = []
    for n in range(300):
        chosen = tuple(dict.fromkeys(rng.choices(tags, weights, k=rng.randint(0, 4))))
        # Many same-day ties, and some years apart: beyond the horizon of some others.
        spread = rng.choice([40, 40, 9000])
        day = date(2012, 1, 1) + timedelta(days=rng.randint(0, spread))
        contents.append(EventContent(day, f"Event {n}", contexts=chosen))
    store.bulk_create([Version(1, slug_for_headline(c.headline), c)] for c in contents)
    events = list(store.iter_events())
    if path == "sql":
        monkeypatch.setattr(ranking, "WARM_AFTER", 10**9)
    elif not path.startswith("snapshot"):
        store.load_related_index()
        assert store.related(events[0].id, 10) is not None  # the walk's day copies made
    if path in ("walk-after-edits", "snapshot", "snapshot-on-base"):
        for event in rng.sample(events, 40):
            chosen = tuple(dict.fromkeys(rng.choices(tags, weights, k=rng.randint(0, 4))))
            moved = event.content.date + timedelta(days=rng.choice([-1, 0, 3, 5000]))
            store.append_version(event.id, replace(event.content, date=moved, contexts=chosen))
        for n in range(300, 340):  # ids past those the index was loaded with
            chosen = tuple(dict.fromkeys(rng.choices(tags, weights, k=rng.randint(1, 4))))
            day = date(2012, 1, 1) + timedelta(days=rng.randint(0, 40))
            store.create_event(EventContent(day, f"Event {n}", contexts=chosen))
        events = list(store.iter_events())
    sample = rng.sample(events, 60)
    batch = {}
    if path == "batch":
        batch, index = store.related_many([e.id for e in sample]), store
    elif path == "snapshot-on-base":
        base = store.related_snapshot([e.id for e in sample[:2]])
        index = store.related_snapshot([e.id for e in sample], base=base)
        assert 0 < len(base._postings) < len(index._postings)  # both ways of reading used
        batch = index.related_many([e.id for e in sample])
    elif path.startswith("snapshot"):
        index = store.related_snapshot([e.id for e in sample])
        batch = index.related_many([e.id for e in sample])
    horizon = timedelta(days=ranking.HORIZON_DAYS)
    for event in sample:
        own = event.content.contexts
        when = event.content.date

        def nearness(other: Event, when: date = when) -> int:
            apart = abs(other.content.date - when)
            return 0 if apart == timedelta(0) else 1 if apart <= horizon else 2

        expected = sorted(
            (
                (other, tuple(t for t in own if t in other.content.contexts))
                for other in events
                if other.id != event.id and set(own) & set(other.content.contexts)
            ),
            key=lambda p: (
                -len(p[1]),
                nearness(p[0]),
                -p[0].content.date.toordinal(),
                p[0].slug,
            ),
        )[:10]
        got = batch[event.id] if batch else store.related(event.id, 10)
        assert [(r.event_id, r.shared) for r in got] == [(o.id, s) for o, s in expected]
        if batch:
            assert index.sharing(event.id) == {
                other.id: len(set(own) & set(other.content.contexts))
                for other in events
                if other.id != event.id and set(own) & set(other.content.contexts)
            }


def test_writes_from_another_process_are_seen(databases: Databases) -> None:
    url = databases.new_url()
    reader, writer = databases.open(url), databases.open(url)
    a = writer.create_event(EventContent(date(2012, 2, 9), "A", contexts=("Homs",)))
    assert reader.related(a.id) == []  # loads the index
    b = writer.create_event(EventContent(date(2012, 2, 10), "B", contexts=("Homs", "Syria")))
    assert [r.event_id for r in reader.related(a.id)] == [b.id]
    writer.append_version(b.id, replace(b.content, contexts=("Syria",)))
    assert reader.related(a.id) == []
    c = writer.create_event(EventContent(date(2012, 2, 11), "C", contexts=("Syria",)))
    assert [(r.event_id, r.shared) for r in reader.related(b.id)] == [(c.id, ("Syria",))]


def test_a_kept_listing_describes_lists_as_the_rows_do(databases: Databases) -> None:
    """A server keeps every event's slug and headline (load_related_index(listing=True))
    instead of reading the listed events' rows, and so does a full site build (its
    lists by related_many, from the rows it read with the entries): their lists equal
    those read from the rows, dates, slugs and headlines included, through another
    process's edits of headlines (new slugs), tags, moves to other days, retirements and
    new events."""
    url = databases.new_url()
    writer, listing, rows = databases.open(url), databases.open(url), databases.open(url)
    given = databases.open(url)  # a full site build's: the rows it read with the entries
    rng = random.Random(11)
    tags = [f"tag{i}" for i in range(6)]
    contents = [
        EventContent(
            date(2012, 1, 1) + timedelta(days=rng.randint(0, 60)),
            f"Event {n} <b>&</b> \u00e9t\u00e9 \u0645\u062f\u064a\u0646\u0629",
            contexts=tuple(dict.fromkeys(rng.choices(tags, k=rng.randint(1, 3)))),
        )
        for n in range(120)
    ]
    writer.bulk_create([Version(1, slug_for_headline(c.headline), c)] for c in contents)
    listing.load_related_index(listing=True)
    rows.load_related_index()
    given.load_related_index(listing={e.id: (e.slug, e.headline) for e in given.all_entries()})
    assert listing._related()._listing is not None and rows._related()._listing is None

    def same_lists() -> None:
        ids = [e.id for e in writer.iter_events()]
        for event_id in ids:
            kept = listing.related(event_id, 10)
            assert kept == rows.related(event_id, 10)
            with listing.quick.connection() as reader:  # as a page asks, on its reader
                assert listing.related(event_id, 10, reader) == kept
        assert any(listing.related(event_id, 10) for event_id in ids)
        # A site build's batch of lists, made from the listing as well.
        assert listing.related_many(ids, 10) == {i: rows.related(i, 10) for i in ids}
        assert given.related_many(ids, 10) == {i: rows.related(i, 10) for i in ids}
        # With the events' tag names given, as a full build has them in its entries.
        names = {e.id: list(e.content.contexts) for e in writer.iter_events()}
        assert given.related_many(ids, 10, names) == {i: rows.related(i, 10) for i in ids}
        # Names that disagree with the index (as if a tag had been dropped since they
        # were read): the best candidates by the index are ranked by the tags the names
        # give, as ranking.described ranks them, not by their scores.
        fewer = {i: n[:-1] for i, n in names.items() if len(n) > 1}
        made = given.related_many(sorted(fewer), 10, fewer)
        index = given._related()
        assert index._context_ids is not None
        entries = {e.id: e for e in given.all_entries()}
        ids_of = index._context_ids
        for owner, listed in made.items():
            if any(name not in ids_of for name in fewer[owner]):  # read, as for any name
                assert listed == rows.related(owner, 10)  # not mapped when it was first read
                continue
            chosen = index._best(owner, index._tags_of(owner), 10)
            own = [(ids_of[name], name) for name in fewer[owner]]
            theirs = {c: set(index._tags_of(c)) for c in chosen}
            found = [entries[i] for i in (*chosen, owner) if i in entries]
            rows_of = [(e.id, e.date, e.slug, e.headline) for e in found]
            assert listed == ranking.described(owner, theirs, 10, own, rows_of)
        assert any(made.values())

    same_lists()
    events = list(writer.iter_events())
    for event in rng.sample(events, 30):
        moved = event.content.date + timedelta(days=rng.choice([0, 1, -3, 4000]))
        retagged = tuple(rng.sample(tags, 2)) if rng.random() < 0.3 else event.content.contexts
        content = replace(
            event.content, headline=f"{event.content.headline} again", date=moved, contexts=retagged
        )
        writer.append_version(event.id, content)
    for event in rng.sample(events, 5):
        current = writer.event(event.id)
        assert current is not None
        writer.retire_event(
            event.id, editor="t", note="gone", expected_version=current.current.number
        )
    for n in range(5):
        writer.create_event(EventContent(date(2012, 1, 2), f"Later {n}", contexts=("tag0",)))
    # A tag made after the given names were first mapped to ids: those events' own tags
    # are read instead (a mapping made before would miss it, and name it nowhere).
    writer.create_event(EventContent(date(2012, 1, 3), "Late tag", contexts=("late", "tag0")))
    writer.create_event(EventContent(date(2012, 1, 3), "Late tag too", contexts=("tag1", "late")))
    same_lists()


def test_bitmap_lookups_agree_with_sets() -> None:
    """The bitmap helpers of the big-tag path, against plain sets: members, levels of
    "in at least k of these", and lookups of ids inside and past a bitmap's end."""
    rng = np.random.default_rng(3)
    sets = [set(rng.choice(640, size=n, replace=False).tolist()) for n in (300, 120, 45)]
    bitmaps = []
    for members, size in zip(sets, (704, 640, 768), strict=True):  # grown unevenly
        flags = np.zeros(size, dtype=bool)
        flags[list(members)] = True
        bitmaps.append(np.packbits(flags, bitorder="little"))
    levels = related_module._levels(bitmaps)
    for k, level in enumerate(levels, start=1):
        expected = sorted(i for i in range(800) if sum(i in s for s in sets) >= k)
        assert related_module._members(level).tolist() == expected
    ids = rng.integers(0, 900, size=400)  # some past the end of every bitmap
    for members, bits in zip(sets, bitmaps, strict=True):
        assert related_module._has(bits, ids).tolist() == [int(i) in members for i in ids]
        inside = ids[ids < 600]
        assert related_module._has(bits, inside).tolist() == [int(i) in members for i in inside]
    counted, counts = related_module._counted([np.array(sorted(s)) for s in sets])
    assert dict(zip(counted.tolist(), counts.tolist(), strict=True)) == {
        i: sum(i in s for s in sets) for i in set().union(*sets)
    }
    nothing = np.zeros(0, dtype=np.int64)
    assert [a.tolist() for a in related_module._counted([nothing, nothing])] == [[], []]


def test_many_threads_ranking_while_others_write_never_starve_the_pool(
    databases: Databases,
) -> None:
    """A server's writes run in worker threads, each ranking the edited event's list
    afterwards with no reader of its own (Store.related). No thread may hold a pooled
    connection while it waits for the index's lock: with more threads than the pool has
    connections, one holding the lock and waiting for a connection would wait for ever
    (the pool's timeout), as 50 writers once found."""
    url = databases.new_url()
    writer, server = databases.open(url), databases.open(url)
    contents = [
        EventContent(date(2012, 2, 1) + timedelta(days=n % 9), f"Event {n}", contexts=("Homs",))
        for n in range(40)
    ]
    writer.bulk_create([Version(1, slug_for_headline(c.headline), c)] for c in contents)
    server.load_related_index(listing=True)
    server.engine.pool._timeout = 5  # type: ignore[attr-defined]  # fail in seconds, not 30
    ids = [e.id for e in writer.iter_events()]
    errors: list[BaseException] = []
    start = threading.Barrier(24)

    def edit_and_rank(n: int) -> None:
        try:
            start.wait()
            for step in range(4):
                event_id = ids[n]  # its own event: no edit is stale
                event = server.event(event_id)
                server.edit_event(
                    event_id,
                    replace(event.content, summary=f"Thread {n}, step {step}."),
                    editor="t",
                    note="n",
                    expected_version=event.current.number,
                )
                assert server.related(event_id, 10)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=edit_and_rank, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]


def test_an_event_the_index_has_no_day_for_gets_an_empty_list(store: Store) -> None:
    """An event whose tags the index holds but not its day (one added between the index's
    two reads, until a catch-up brings its day) gets an empty list, as a deleted one."""
    a = store.create_event(EventContent(date(2012, 2, 9), "A", contexts=("Homs",)))
    b = store.create_event(EventContent(date(2012, 2, 10), "B", contexts=("Homs",)))
    store.load_related_index(listing={e.id: (e.slug, e.headline) for e in store.all_entries()})
    index = store._related()
    assert [r.event_id for r in index.related_many([a.id], 10)[a.id]] == [b.id]
    index._day[a.id] = -1
    assert index.related_many([a.id], 10) == {a.id: []}
