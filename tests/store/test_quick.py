"""The quick reads (on the driver) give what the store's own reads give, on both backends."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from dateline.ingest.importer import import_paths
from dateline.store import Store
from dateline.store import schema as t
from tests.conftest import EVENT_SEEDS, SHARED, seed_file
from tests.site.test_site_schemas import add_articles

WIKITIMES = SHARED / "data" / "wikitimes" / "wikitimes_CEP_2015-09.json"


def _archive(store: Store) -> list[int]:
    """The seed pages and a month of WikiTimes (many tags, stories, sources)."""
    import_paths(store, [*(seed_file(n) for n in EVENT_SEEDS), WIKITIMES])
    with store.engine.connect() as conn:
        return sorted(conn.execute(sa.select(t.events.c.id)).scalars())


def _edit(store: Store, event_id: int, **changes: Any) -> None:
    """A new version of the event with ``changes`` to its current content."""
    event = store.event(event_id)
    store.edit_event(
        event_id,
        replace(event.content, **changes),
        editor="t",
        note="n",
        expected_version=event.current.number,
    )


def test_events_and_their_pages_read_the_same(store: Store) -> None:
    ids = _archive(store)
    assert len(ids) > 400
    with store.quick.connection() as reader:
        for event_id in ids:
            event = store.event(event_id)
            assert reader.event(event_id) == event
            for version in event.versions:
                day, slug, number = version.content.date, version.slug, version.number
                assert reader.find(day, slug, number) == (event_id, number)
                assert reader.find_event(day, slug, number) == (event, number)
                named = reader.tags_named(version.content.contexts)
                slugs = store.context_slugs(version.content.contexts)
                assert {name: slug for _, name, slug in named} == slugs
            content = event.content
            current = event.current.number
            assert reader.find(content.date, event.slug, None) == (event_id, current)
            assert reader.find_event(content.date, event.slug, None) == (event, current)
            # The current version's tags are the event's rows, in their order: what
            # event pages give the related list instead of reading them (web/pages.py).
            assert reader.tags_named(content.contexts) == reader.event_tags(event_id)
        assert reader.event(max(ids) + 1) is None
        assert reader.find(event.content.date, "no-such-slug", None) is None
        assert reader.find_event(event.content.date, "no-such-slug", None) is None
        assert reader.tags_named(["No Such Tag"]) == []


def test_retired_versions_and_the_change_log(store: Store) -> None:
    ids = _archive(store)
    with store.quick.connection() as reader:
        assert reader.last_change() == store.last_change()
        mark = reader.change_mark()
        assert reader.retired(ids[0]) == frozenset()
    event = store.event(ids[0])
    _edit(store, ids[0], summary="Edited.")
    store.retire_event(ids[0], editor="t", note="gone", expected_version=event.current.number + 1)
    with store.quick.connection() as reader:  # a new connection sees both commits
        assert (
            reader.retired(ids[0]) == store.retired_versions(ids[0]) == {event.current.number + 2}
        )
        assert reader.change_mark() != mark
        assert reader.last_change() == store.last_change()
        changes = reader.changes_since(0)
        assert [seq for seq, _ in changes] == sorted(seq for seq, _ in changes)
        assert sorted({e for _, e in changes}) == store.changed_since(0)
        assert reader.event(ids[0]) == store.event(ids[0])


def test_an_events_articles_read_the_same(store: Store) -> None:
    ids = _archive(store)
    add_articles(store, ids[0])
    expected = store.event_articles([ids[0], ids[1]])
    assert len(expected[ids[0]]) == 2 and ids[1] not in expected
    assert any(a.article.representative_id for a in expected[ids[0]])  # the copy is named
    with store.quick.connection() as reader:
        assert reader.event_articles(ids[0]) == expected[ids[0]]
        assert reader.event_articles(ids[1]) == []
    # An event page finds its event first, which tells whether any article is attached:
    # then an event without one reads none.
    for event_id in ids[:2]:
        event = store.event(event_id)
        with store.quick.connection() as reader:
            found = reader.find_event(event.content.date, event.slug, None)
            assert found is not None and found[0].id == event_id
            reader._cursor = counting = _CountingCursor(reader._cursor)
            assert reader.event_articles(event_id) == expected.get(event_id, [])
            assert counting.statements == (event_id == ids[0])


class _CountingCursor:
    """A driver cursor that counts the statements run on it."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self.statements = 0

    def execute(self, *args: Any) -> Any:
        self.statements += 1
        return self._cursor.execute(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def test_tags_learned_at_start_are_read_no_more(store: Store) -> None:
    """A server learns every tag at start (QuickReads.learn_tags): a page's tags are then
    named without a query, and a tag made afterwards is still read when first met."""
    ids = _archive(store)
    every = {c.name: c.slug for c in store.contexts(include_unused=True)}
    assert len(every) > 100
    store.quick.learn_tags()
    with store.quick.connection() as reader:
        reader._cursor = counting = _CountingCursor(reader._cursor)
        named = reader.tags_named(list(every))
        assert {name: slug for _, name, slug in named} == every
        assert counting.statements == 0
    event = store.event(ids[0])
    _edit(store, ids[0], contexts=(*event.content.contexts, "A Tag Made Later"))
    with store.quick.connection() as reader:
        reader._cursor = counting = _CountingCursor(reader._cursor)
        (made,) = reader.tags_named(["A Tag Made Later"])
        assert made[1:] == ("A Tag Made Later", "a-tag-made-later")
        assert counting.statements == 1
        assert reader.tags_named(list(every)) == named  # and the others still unread
        assert counting.statements == 1


def test_a_kept_connection_serves_its_own_thread_and_sees_every_write(store: Store) -> None:
    """A server keeps one connection for its event loop's readers (keep_connection): each
    reader sees what was committed before it, and other threads read on the pool."""
    ids = _archive(store)
    store.quick.keep_connection()
    try:
        with store.quick.connection() as reader:
            mark = reader.change_mark()
            kept = reader._cursor.connection
        _edit(store, ids[0], headline="Read on a kept connection")
        with store.quick.connection() as reader:
            assert reader._cursor.connection is kept
            assert reader.change_mark() != mark
            found = reader.event(ids[0])
            assert found is not None and found.content.headline == "Read on a kept connection"
        elsewhere = []

        def read_elsewhere() -> None:
            with store.quick.connection() as reader:
                elsewhere.append(reader._cursor.connection)

        with store.quick.connection() as outer:  # a reader within a reader ends nothing
            with store.quick.connection() as inner:
                assert inner._cursor.connection is outer._cursor.connection is kept
            if store.backend == "postgresql":  # now(): when the transaction began
                outer._cursor.execute("SELECT now()")
                began = outer._cursor.fetchone()
                with store.quick.connection() as inner:
                    inner._cursor.execute("SELECT 1")
                outer._cursor.execute("SELECT now()")
                assert outer._cursor.fetchone() == began
        thread = threading.Thread(target=read_elsewhere)
        thread.start()
        thread.join()
        assert elsewhere and elsewhere[0] is not kept
    finally:
        store.quick.release()
    with store.quick.connection() as reader:  # given back: the pool hands it out again
        assert reader.change_mark() != mark
