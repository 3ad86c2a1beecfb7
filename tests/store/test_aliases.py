"""The store's part of the context vocabulary: link sightings per origin, and retagging.

Every test runs on SQLite and on PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

from datetime import date

import pytest

from dateline.errors import ConflictError, InputError, NotFoundError, StaleVersionError
from dateline.model import EventContent, Source, Version
from dateline.store import Store

DAY = date(2020, 5, 4)


def _content(headline: str, *contexts: str) -> EventContent:
    return EventContent(
        DAY, headline, contexts=contexts, sources=(Source("Wire", "https://w.example/1"),)
    )


def test_sightings_are_counted_per_pair_and_summed_over_origins(store: Store) -> None:
    pairs = store.record_aliases(
        "a.html",
        [("Blue Army", "Blue Armed Forces"), ("Blue Army", "Blue Armed Forces"), ("x", "X")],
    )
    store.record_aliases("b.json", [("Blue Army", "Blue Armed Forces")])
    assert pairs == 2
    assert store.aliases() == {("Blue Army", "Blue Armed Forces"): 3, ("x", "X"): 1}
    assert store.alias_origins() == {"a.html": 2, "b.json": 1}


def test_recording_an_origin_again_replaces_what_it_said(store: Store) -> None:
    store.record_aliases("a.html", [("Blue Army", "Blue Armed Forces")] * 2)
    store.record_aliases("a.html", [("Blue Army", "Blue Armed Forces"), ("Reds", "Red Party")])
    assert store.aliases() == {("Blue Army", "Blue Armed Forces"): 1, ("Reds", "Red Party"): 1}
    store.record_aliases("a.html", [])
    assert store.aliases() == {}
    assert store.alias_origins() == {}


def test_texts_and_names_differing_in_case_are_kept_apart(store: Store) -> None:
    store.record_aliases("a", [("blue army", "Blue Army"), ("Blue Army", "Blue Army")])
    assert store.aliases() == {("blue army", "Blue Army"): 1, ("Blue Army", "Blue Army"): 1}


def test_sightings_have_their_spaces_normalised(store: Store) -> None:
    store.record_aliases(" a ", [("  Blue\tArmy ", "Blue  Armed Forces")])
    assert store.aliases() == {("Blue Army", "Blue Armed Forces"): 1}
    assert store.alias_origins() == {"a": 1}


@pytest.mark.parametrize(
    ("pair", "field"),
    [
        (("", "Blue"), "alias"),
        (("Blue", "   "), "context"),
        (("Blue", "x" * 201), "context"),
        (("Blue\nArmy", "Blue"), "alias"),
    ],
)
def test_unusable_sightings_are_refused_and_nothing_is_written(
    store: Store, pair: tuple[str, str], field: str
) -> None:
    store.record_aliases("a", [("Blue", "Blue")])
    with pytest.raises(InputError, match=f"^{field}: .*expected one line of 1 to 200"):
        store.record_aliases("a", [("Red", "Red"), pair])
    assert store.aliases() == {("Blue", "Blue"): 1}


def test_recording_sightings_creates_no_context_tags(store: Store) -> None:
    store.record_aliases("a", [("Blue Army", "Blue Armed Forces")])
    assert store.contexts(include_unused=True) == []


def test_current_versions_are_read_in_id_order_across_batches(store: Store) -> None:
    ids = [store.create_event(_content(f"Event number {n}")).id for n in range(5)]
    store.append_version(ids[2], _content("Event number 2, edited"), note="edit")
    read = list(store.iter_current_versions(batch_size=2))
    assert [event_id for event_id, _ in read] == ids
    assert [version.number for _, version in read] == [1, 1, 2, 1, 1]
    assert read[2][1].content.headline == "Event number 2, edited"


def test_adding_contexts_appends_a_version_that_keeps_the_old_tags(store: Store) -> None:
    event = store.create_event(_content("Blue troops cross the river", "River"))
    result = store.add_contexts(
        event.id, ["Blue Army", "River", "Crossing"], note="contexts retagged", expected_version=1
    )
    assert result.changed
    current = result.event.current
    assert current.number == 2 and current.note == "contexts retagged"
    assert current.content.contexts == ("River", "Blue Army", "Crossing")
    assert current.content.sources == event.content.sources
    assert [c.name for c in store.contexts()] == sorted(["River", "Blue Army", "Crossing"])


def test_adding_only_known_contexts_writes_nothing(store: Store) -> None:
    event = store.create_event(_content("Blue troops cross the river", "River", "Blue Army"))
    result = store.add_contexts(event.id, ["Blue Army"], note="contexts retagged")
    assert not result.changed
    assert store.count_versions() == 1


def test_adding_contexts_to_a_version_no_longer_current_is_refused(store: Store) -> None:
    event = store.create_event(_content("Blue troops cross the river"))
    store.append_version(event.id, _content("Blue troops cross the wide river"), note="edit")
    with pytest.raises(StaleVersionError):
        store.add_contexts(event.id, ["River"], note="contexts retagged", expected_version=1)
    assert store.event(event.id).content.contexts == ()


def test_stubs_and_missing_events_are_not_tagged(store: Store) -> None:
    stub = Version(1, "blue-troops", EventContent(DAY, "Blue troops"), partial=True)
    event_id = store.write_history(None, [stub]).event.id
    with pytest.raises(ConflictError, match="known only from a link"):
        store.add_contexts(event_id, ["Blue Army"], note="contexts retagged")
    with pytest.raises(NotFoundError):
        store.add_contexts(event_id + 1, ["Blue Army"], note="contexts retagged")
