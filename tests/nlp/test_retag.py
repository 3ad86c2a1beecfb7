"""Retagging the archive: tags are only added, a version only when one is, stubs left alone.

Runs on SQLite and PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

from datetime import date

from dateline.model import EventContent, Source, Version
from dateline.model.event import MAX_CONTEXTS
from dateline.nlp.retag import RETAG_NOTE, retag_archive
from dateline.nlp.vocabulary import Link, build_vocabulary, record_links, vocabulary_from_store
from dateline.store import Store

DAY = date(2020, 5, 4)


def _create(store: Store, headline: str, *contexts: str, summary: str = "") -> int:
    content = EventContent(
        DAY,
        headline,
        summary,
        contexts=contexts,
        sources=(Source("Wire", "https://w.example/1"),),
    )
    return store.create_event(content).id


def test_the_archive_vocabulary_is_its_tags_and_the_sightings_recorded(store: Store) -> None:
    _create(store, "Floods in Greenland", "Greenland")
    store.record_aliases("page.html", [("Blue troops", "Blue Armed Forces")])
    vocabulary = vocabulary_from_store(store)
    assert vocabulary.forms == {
        "Greenland": "Greenland",
        "Blue troops": "Blue Armed Forces",
        "Blue Armed Forces": "Blue Armed Forces",
    }


def test_retagging_adds_what_the_text_names_after_the_tags_an_event_has(store: Store) -> None:
    store.record_aliases("page.html", [("Blue troops", "Blue Armed Forces")])
    tagged = _create(store, "Floods in Greenland", "Greenland", "Flood")
    plain = _create(store, "Blue troops enter Greenland", "Invasion", summary="Greenland protests.")
    untouched = _create(store, "A quiet day")
    seen: list[tuple[int, tuple[str, ...]]] = []
    report = retag_archive(store, lambda event_id, added: seen.append((event_id, added)))
    assert store.event(plain).content.contexts == ("Invasion", "Blue Armed Forces", "Greenland")
    current = store.event(plain).current
    assert current.number == 2 and current.note == RETAG_NOTE
    assert store.event(plain).versions[0].content.contexts == ("Invasion",)
    assert len(store.event(tagged).versions) == 1
    assert len(store.event(untouched).versions) == 1
    assert seen == [(tagged, ()), (plain, ("Blue Armed Forces", "Greenland")), (untouched, ())]
    assert (report.events, report.retagged, report.tags_added) == (3, 1, 2)
    assert report.summary().startswith("1 of 3 events retagged, 2 tags added")


def test_a_second_retag_with_the_same_vocabulary_writes_nothing(store: Store) -> None:
    _create(store, "Floods in Greenland", "Greenland")
    _create(store, "Greenland votes")
    assert retag_archive(store).retagged == 1
    versions = store.count_versions()
    again = retag_archive(store)
    assert (again.retagged, again.tags_added) == (0, 0)
    assert store.count_versions() == versions


def test_retagging_after_the_vocabulary_grew_tags_older_events(store: Store) -> None:
    old = _create(store, "Blue troops cross the river")
    assert retag_archive(store).retagged == 0
    store.record_aliases("page.html", [("Blue troops", "Blue Armed Forces")])
    assert retag_archive(store).retagged == 1
    assert store.event(old).content.contexts == ("Blue Armed Forces",)


def test_stubs_are_skipped(store: Store) -> None:
    _create(store, "Floods in Greenland", "Greenland")
    stub = Version(1, "greenland-votes", EventContent(DAY, "Greenland votes"), partial=True)
    stub_id = store.write_history(None, [stub]).event.id
    report = retag_archive(store)
    assert report.stubs == 1 and report.retagged == 0
    assert store.event(stub_id).versions == (stub,)
    assert report.summary().endswith("; skipped: 1 known only from a link")


def test_an_event_with_the_most_tags_allowed_takes_no_more(store: Store) -> None:
    names = [f"Tag {n}" for n in range(MAX_CONTEXTS)]
    _create(store, "Floods in Greenland", *names)
    other = _create(store, "Greenland and Tag 1", "Greenland")
    nearly = _create(store, "Greenland and Tag 49", *names[:-1])
    report = retag_archive(store)
    assert report.full == 1
    assert store.event(other).content.contexts == ("Greenland", "Tag 1")
    # Room for one more: the first the text names.
    assert store.event(nearly).content.contexts == (*names[:-1], "Greenland")


def test_a_given_vocabulary_is_used_instead_of_the_archives(store: Store) -> None:
    event = _create(store, "Blue troops in Greenland", "Greenland")
    vocabulary = build_vocabulary(["Blue Armed Forces"], [])
    report = retag_archive(store, vocabulary=vocabulary)
    assert report.contexts == 1 and report.retagged == 0
    assert store.event(event).content.contexts == ("Greenland",)


def test_links_are_recorded_per_source_leaving_out_what_no_rule_keeps(store: Store) -> None:
    found = [
        Link("Blue troops", "Blue Armed Forces"),
        Link("Blue troops", "Blue Armed Forces"),
        Link("x" * 250, "Blue Armed Forces"),
    ]
    assert record_links(store, "page.html", found) == 1
    assert store.aliases() == {("Blue troops", "Blue Armed Forces"): 2}
