"""The store keeps history append-only and old URLs resolving, on both backends."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa

from dateline.errors import ConflictError, InputError, NotFoundError, StaleVersionError
from dateline.model import EventContent, Source, Version, is_valid_slug
from dateline.store import Store
from tests.conftest import Databases

DAY = date(2012, 2, 9)
CONTENT = EventContent(
    DAY,
    "Troops pour into Homs",
    "Artillery barrages.",
    contexts=("Homs", "Syrian Army"),
    sources=(Source("Reuters", "https://r.example/1"),),
)


def test_create_and_read_back(store: Store) -> None:
    event = store.create_event(CONTENT, editor="ann", note="first")
    again = store.event(event.id)
    assert again == event
    assert event.slug == "troops-pour-into-homs"
    assert event.current.editor == "ann" and event.current.created_at is not None
    assert store.find(DAY, "troops-pour-into-homs") == (event, event.current)


def test_edits_append_versions_and_old_slugs_keep_resolving(store: Store) -> None:
    event = store.create_event(CONTENT)
    first = event.current
    edited = store.append_version(
        event.id,
        replace(CONTENT, headline="Troops pour into Homs again"),
        editor="bo",
        note="new wording",
        expected_version=1,
    )
    assert edited.changed
    new = edited.event
    assert [v.number for v in new.versions] == [1, 2]
    assert new.versions[0] == first  # untouched
    assert new.slug == "troops-pour-into-homs-again"
    assert store.find(DAY, "troops-pour-into-homs")[1] == first
    assert store.find(DAY, "troops-pour-into-homs-again")[1].number == 2
    # The same headline keeps the slug; the plain slug shows the newest version with it.
    third = store.append_version(event.id, replace(new.content, summary="More."), editor="cy")
    assert third.event.slug == new.slug
    assert store.find(DAY, new.slug)[1].number == 3
    assert store.find(DAY, new.slug, version=2)[1].number == 2


def test_an_edit_that_changes_nothing_adds_no_version(store: Store) -> None:
    event = store.create_event(CONTENT)
    result = store.append_version(event.id, CONTENT, editor="ann")
    assert not result.changed
    assert store.count_versions() == 1


def test_a_stale_edit_is_refused(store: Store) -> None:
    event = store.create_event(CONTENT)
    store.append_version(event.id, replace(CONTENT, summary="A."), expected_version=1)
    with pytest.raises(StaleVersionError, match="is at version 2, not 1"):
        store.append_version(event.id, replace(CONTENT, summary="B."), expected_version=1)
    assert store.event(event.id).content.summary == "A."


def test_new_slugs_avoid_other_events_of_the_same_day(store: Store) -> None:
    a = store.create_event(CONTENT)
    b = store.create_event(replace(CONTENT, summary="Another report."))
    c = store.create_event(replace(CONTENT, summary="A third."))
    assert (a.slug, b.slug, c.slug) == (
        "troops-pour-into-homs",
        "troops-pour-into-homs-2",
        "troops-pour-into-homs-3",
    )
    elsewhere = store.create_event(replace(CONTENT, date=date(2012, 2, 10)))
    assert elsewhere.slug == "troops-pour-into-homs"


def test_complete_versions_are_never_rewritten(store: Store) -> None:
    event = store.create_event(CONTENT)
    changed = replace(event.current, content=replace(CONTENT, summary="Rewritten."))
    with pytest.raises(ConflictError, match=r"version 1 .* never rewritten"):
        store.write_history(event.id, [changed])
    with pytest.raises(ConflictError):
        store.write_history(event.id, [replace(changed, number=1, slug="other")])
    assert store.event(event.id) == event


def test_partial_versions_may_be_completed_and_renumbered(store: Store) -> None:
    stub = Version(1, "troops-pour-into-homs", EventContent(DAY, CONTENT.headline), partial=True)
    created = store.write_history(None, [stub])
    assert created.created and created.event.is_stub
    earlier = Version(1, "troops-in-homs", EventContent(DAY, "Troops in Homs"), partial=True)
    full = Version(2, "troops-pour-into-homs", CONTENT)
    result = store.write_history(created.event.id, [earlier, full])
    assert result.changed
    assert [v.slug for v in result.event.versions] == ["troops-in-homs", "troops-pour-into-homs"]
    assert not result.event.is_stub


def test_invalid_content_names_the_field(store: Store) -> None:
    with pytest.raises(InputError, match="headline: must not be empty"):
        store.create_event(replace(CONTENT, headline=" "))
    assert store.count_events() == 0


def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(ConflictError), store.transaction():
        store.create_event(CONTENT)
        raise ConflictError("abandon")
    assert store.count_events() == 0


def test_missing_events(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no event with id 42"):
        store.event(42)
    with pytest.raises(NotFoundError, match="no event at 2012-02-09/nothing"):
        store.find(DAY, "nothing")


def test_contexts_are_counted(store: Store) -> None:
    store.create_event(CONTENT)
    store.create_event(replace(CONTENT, headline="Other", contexts=("Homs",)))
    assert [(c.name, c.slug, c.event_count) for c in store.contexts()] == [
        ("Homs", "homs", 2),
        ("Syrian Army", "syrian-army", 1),
    ]


def test_the_busiest_contexts_are_the_first_of_all(store: Store) -> None:
    """``contexts(limit=n)`` (read another way) is ``contexts()[:n]``, ties at the
    cut-off going by name as in the full list, for every cut-off."""
    import random

    rng = random.Random(3)
    names = [f"Tag {chr(65 + i)}" for i in range(12)]
    for n in range(40):
        tags = tuple(dict.fromkeys(rng.choices(names, [1, 1, 2, 2, 2, 3, 3, 3, 3, 5, 5, 8], k=3)))
        store.create_event(replace(CONTENT, headline=f"Event {n}", contexts=tags))
    every = store.contexts()
    assert len({c.event_count for c in every}) < len(every)  # some counts are tied
    for limit in range(len(every) + 2):
        assert store.contexts(limit=limit) == every[:limit]
    with_unused = store.contexts(include_unused=True)
    assert store.contexts(include_unused=True, limit=5) == with_unused[:5]


def test_a_tags_latest_events_are_the_same_read_either_way(store: Store) -> None:
    """The newest events of a tag (its page's latest, its feed) are read by walking the
    archive newest first when the tag is common, by sorting its events when rare: both
    give the plain answer, ties on date or change time broken by id."""
    import random

    rng = random.Random(5)
    for n in range(120):  # "Common" on most events, "Rare" on a few; many same days
        tags = ("Common",) if rng.random() < 0.7 else ()
        tags += ("Rare",) if n % 17 == 0 else ()
        day = date(2012, 1, 1 + rng.randint(0, 9))
        store.create_event(replace(CONTENT, date=day, headline=f"Event {n}", contexts=tags))
    for event in rng.sample(list(store.iter_events()), 30):  # changes out of date order
        store.append_version(event.id, replace(event.content, summary="Revised."))
    everything = store.entries(sorted(e.id for e in store.iter_events()))
    for slug, limit in [("common", 5), ("common", 200), ("rare", 3), ("rare", 50)]:
        tagged = [e for e in everything if slug in {c.slug for c in e.contexts}]
        by_date = sorted(tagged, key=lambda e: (e.date, e.id), reverse=True)[:limit]
        assert store.entries_with_context(slug, latest=limit) == by_date
        by_change = sorted(tagged, key=lambda e: (e.updated_at, e.id), reverse=True)[:limit]
        assert store.latest_entries(limit, slug) == by_change
    assert store.latest_entries(5, "no-such-tag") == []


def test_a_tags_days_and_years_follow_every_edit(store: Store) -> None:
    """A tag's day counts and a year's events are read off the tag's links, which carry
    each event's date: edits that move an event to another day or year, retag it or
    untag it must move its links' dates too."""
    import random

    rng = random.Random(8)
    for n in range(60):
        tags = tuple(rng.sample(["Port", "Rail", "Road"], rng.randint(0, 2)))
        day = date(2011 + rng.randint(0, 2), rng.randint(1, 12), rng.randint(1, 28))
        store.create_event(replace(CONTENT, date=day, headline=f"Event {n}", contexts=tags))
    for event in rng.sample(list(store.iter_events()), 40):
        moved = replace(
            event.content,
            date=date(2011 + rng.randint(0, 2), rng.randint(1, 12), rng.randint(1, 28))
            if rng.random() < 0.7
            else event.content.date,
            contexts=tuple(rng.sample(["Port", "Rail", "Road"], rng.randint(0, 3))),
        )
        store.append_version(event.id, moved)
    everything = store.entries(sorted(e.id for e in store.iter_events()))
    for slug in ("port", "rail", "road", "no-such-tag"):
        tagged = [e for e in everything if slug in {c.slug for c in e.contexts}]
        assert store.context_day_counts(slug) == Counter(e.date for e in tagged)
        for year in (2010, 2011, 2012, 2013):
            of_year = sorted(
                (e for e in tagged if e.date.year == year), key=lambda e: (e.date, e.id)
            )
            assert store.entries_with_context(slug, year=year) == of_year
        newest = sorted(tagged, key=lambda e: (e.date, e.id), reverse=True)
        for limit in (1, 7, 100):
            assert store.entries_with_context(slug, latest=limit) == newest[:limit]


def test_iterating_reads_every_event_in_date_order(store: Store) -> None:
    days = [date(2012, 3, d) for d in (5, 1, 3, 2, 4)]
    for day in days:
        store.create_event(replace(CONTENT, date=day))
    seen = [e.content.date for e in store.iter_events(batch_size=2)]
    assert seen == sorted(days)
    assert store.days() == sorted(days)


def test_all_entries_read_at_once_are_those_read_in_batches(store: Store) -> None:
    """A full build reads every entry at once; they must be the batches' entries, tags
    in each event's order (retagged events, untagged ones and retired ones among them)."""
    import random

    rng = random.Random(11)
    names = ["Homs", "Baba Amr", "Syrian Army", "Red Crescent"]
    for n in range(40):
        tags = tuple(rng.sample(names, rng.randint(0, 3)))
        day = date(2012, rng.randint(1, 3), rng.randint(1, 28))
        store.create_event(replace(CONTENT, date=day, headline=f"Event {n}", contexts=tags))
    for event in rng.sample(list(store.iter_events()), 15):
        retagged = tuple(rng.sample(names, rng.randint(0, 4)))
        store.append_version(event.id, replace(event.content, contexts=retagged))
    first = next(iter(store.iter_events()))
    store.retire_event(first.id, editor=None, note=None, expected_version=first.current.number)
    batched = list(store.iter_entries(batch_size=7))
    assert store.all_entries() == batched
    assert any(not e.contexts for e in batched) and any(len(e.contexts) > 2 for e in batched)
    assert any(e.retired for e in batched)


def test_events_read_at_once_are_those_read_one_by_one(store: Store) -> None:
    """A full build reads its events a thousand at a time on the driver's cursor
    (Store.events); each must be the event read alone, through SQLAlchemy's rows: every
    version, dates and times, tags and sources in order, partial, retired and unretired
    ones, a cover image, a story and a category, text with quotes and non-ASCII letters;
    in the order asked for, missing ids left out."""
    first = store.create_event(
        replace(
            CONTENT,
            story="Siege of Homs",
            category="Armed conflicts",
            cover_image="https://example.org/a.jpg",
            sources=(Source('BBC "News"', "https://bbc.example/1"), Source("Local", None)),
            contexts=("Homs", "Bābā ʿAmr"),
        ),
        editor="ed",
        note="first",
    )
    store.append_version(first.id, replace(first.content, headline="Shelling resumes — again"))
    store.retire_event(first.id, editor="ed", note="gone", expected_version=2)
    store.append_version(
        first.id, replace(first.content, summary="Back, \u0645\u062f\u064a\u0646\u0629")
    )
    second = store.create_event(replace(CONTENT, date=date(2011, 3, 15), contexts=()))
    third = store.create_event(replace(CONTENT, date=date(2012, 2, 10), headline="Third"))
    store.retire_event(third.id, editor=None, note=None, expected_version=1)
    ids = [third.id, 999_999, first.id, second.id]
    assert store.events(ids) == [store.event(i) for i in ids if i != 999_999]
    assert [(len(e.versions), e.retiring, e.retired) for e in store.events(ids)] == [
        (2, frozenset({2}), True),
        (4, frozenset({3}), False),
        (1, frozenset(), False),
    ]
    assert store.events([]) == []


def test_the_latest_days_are_the_newest_of_the_counted_days(store: Store) -> None:
    assert store.latest_days(3) == []
    for day in (5, 1, 3, 3, 2, 4, 5):
        store.create_event(replace(CONTENT, date=date(2012, 3, day), headline=f"Day {day}"))
    newest_first = sorted(store.day_counts(), reverse=True)
    for limit in range(7):
        assert store.latest_days(limit) == newest_first[:limit]


def test_concurrent_writers_wait_their_turn(databases: Databases) -> None:
    """Two stores (two processes, as far as they know) edit one event at once: the
    second waits for the first, sees its version, and no write is lost or fails."""
    url = databases.new_url()
    first, second = databases.open(url), databases.open(url)
    event = first.create_event(CONTENT)
    done: list[object] = []

    def edit_from_second() -> None:
        try:
            done.append(second.append_version(event.id, replace(CONTENT, summary="B.")))
        except Exception as error:  # reported below; a thread cannot raise into pytest
            done.append(error)

    with first.transaction():
        first.append_version(event.id, replace(CONTENT, summary="A."))
        thread = threading.Thread(target=edit_from_second)
        thread.start()
        thread.join(timeout=0.5)  # it cannot finish while this transaction holds the lock
        assert thread.is_alive()
    thread.join(timeout=30)
    assert len(done) == 1 and not isinstance(done[0], Exception), done
    assert [v.content.summary for v in first.event(event.id).versions] == [
        "Artillery barrages.",
        "A.",
        "B.",
    ]


def test_a_transaction_belongs_to_its_thread(store: Store) -> None:
    # A server writes in worker threads while its event loop reads from the same Store:
    # a read must neither join the writer's transaction nor be refused because of it.
    event = store.create_event(CONTENT)
    inside, finish = threading.Event(), threading.Event()

    def write() -> None:
        with store.transaction():
            store.edit_event(
                event.id,
                replace(CONTENT, summary="Written in a thread."),
                editor="ann",
                note=None,
                expected_version=1,
            )
            inside.set()
            finish.wait(30)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert inside.wait(30)
        assert store.related(event.id) == []  # refused inside a transaction
        assert store.event(event.id).current.content.summary == CONTENT.summary  # not yet
    finally:
        finish.set()
        writer.join(30)
    assert store.event(event.id).current.content.summary == "Written in a thread."


def test_context_slugs_stay_unique(store: Store) -> None:
    store.create_event(replace(CONTENT, contexts=("Homs", "HOMS", "homs!", "Syria")))
    assert sorted((c.name, c.slug) for c in store.contexts()) == [
        ("HOMS", "homs-2"),
        ("Homs", "homs"),
        ("Syria", "syria"),
        ("homs!", "homs-3"),
    ]


def test_bulk_create_validates_like_single_writes(store: Store) -> None:
    doubled = replace(CONTENT, headline="  Padded  ", contexts=("Homs", "Homs"))
    assert store.bulk_create([[Version(1, "padded", doubled)]]) == 1
    (event,) = store.iter_events()
    assert event.content.headline == "Padded" and event.content.contexts == ("Homs",)
    with pytest.raises(InputError, match="headline: must not be empty"):
        store.bulk_create([[Version(1, "x", replace(CONTENT, headline=""))]])


def test_moving_an_event_to_a_day_where_its_slug_is_taken_gives_a_new_slug(store: Store) -> None:
    here = store.create_event(CONTENT)
    there = store.create_event(replace(CONTENT, date=date(2012, 2, 10)))
    moved = store.append_version(here.id, replace(CONTENT, date=date(2012, 2, 10)))
    assert moved.event.slug == "troops-pour-into-homs-2"
    assert store.find(date(2012, 2, 10), "troops-pour-into-homs")[0].id == there.id


def test_an_event_never_takes_the_day_index_slug(store: Store) -> None:
    event = store.create_event(EventContent(date(2020, 1, 5), "Index"))
    assert event.slug == "index-2"


def test_numbered_context_slugs_are_valid_slugs(store: Store) -> None:
    long_a, long_b = "a" * 129 + " b", "A" * 129 + " B"
    store.create_event(EventContent(date(2020, 1, 5), "One", contexts=(long_a, long_b)))
    slugs = [c.slug for c in store.contexts()]
    assert len(set(slugs)) == 2 and all(is_valid_slug(s) for s in slugs)


def test_postgresql_writers_of_the_change_log_take_turns(databases: Databases) -> None:
    """A change is never numbered below one that committed before it (PostgreSQL hands
    out numbers at insert), or readers catching up by number would miss it."""
    if databases.backend != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    url = databases.new_url()
    first, second, reader = databases.open(url), databases.open(url), databases.open(url)
    done: list[int] = []
    with first.transaction():
        first.create_event(EventContent(date(2012, 2, 9), "First writer"))
        writer = threading.Thread(
            target=lambda: done.append(
                second.create_event(EventContent(date(2012, 2, 9), "Second writer")).id
            )
        )
        writer.start()
        with reader.engine.connect() as conn:
            waiting = 0
            for _ in range(2000):  # until the second writer waits for its turn
                waiting = conn.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    )
                ).scalar_one()
                if waiting:
                    break
                threading.Event().wait(0.01)
        assert waiting == 1
        assert reader.last_change() == 0  # nothing committed, nothing numbered
    writer.join(timeout=30)
    assert done
    seen = reader.changed_since(0)
    assert len(seen) == 2 and reader.last_change() == 2
