"""Related events on real data: precision@5 on WikiTimes stories, and Homs lists.

The figures and the rankings compared are in docs/benchmarks.md (bench/related_quality.py).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

from dateline.ingest.importer import import_paths
from dateline.ingest.seedpage import EventPage, parse_page
from dateline.model import Event
from dateline.nlp.retag import retag_archive
from dateline.store import Store, open_store
from tests.conftest import SEEDS, SHARED, seed_file

DATA = SHARED / "data"
WIKITIMES = DATA / "wikitimes" / "wikitimes_CEP_2015-09.json"
PRECISION_FLOOR = 0.43
"""Measured 0.432 (0.428 before same-day and horizon tiers); the ceiling is 0.740."""
ON_TOPIC = re.compile(r"Homs|Syria", re.IGNORECASE)


def _precision_at_5(store: Store, events: list[Event]) -> float:
    """Mean share of the top 5 related events in the event's own story, over the
    events whose story has another event (missing places count as misses)."""
    story = {e.id: e.content.story for e in events}
    sizes = Counter(s for s in story.values() if s)
    queries = [e.id for e in events if e.content.story and sizes[e.content.story] >= 2]
    store.load_related_index()
    hits = [sum(story[r.event_id] == story[q] for r in store.related(q, 5)) / 5 for q in queries]
    return sum(hits) / len(hits)


def _newest_first_precision(events: list[Event]) -> float:
    """The ranking before issue 5 (shared tags, then newest), computed plainly."""
    story = {e.id: e.content.story for e in events}
    sizes = Counter(s for s in story.values() if s)
    hits = []
    for event in events:
        if not (event.content.story and sizes[event.content.story] >= 2):
            continue
        own = set(event.content.contexts)
        ranked = sorted(
            (o for o in events if o.id != event.id and own & set(o.content.contexts)),
            key=lambda o: (
                -len(own & set(o.content.contexts)),
                -o.content.date.toordinal(),
                o.slug,
            ),
        )
        hits.append(sum(story[o.id] == event.content.story for o in ranked[:5]) / 5)
    return sum(hits) / len(hits)


def test_precision_at_5_on_wikitimes_stories(store: Store) -> None:
    import_paths(store, [WIKITIMES])
    events = list(store.iter_events())
    assert len(events) == 428
    measured = _precision_at_5(store, events)
    assert measured >= PRECISION_FLOOR
    assert measured >= _newest_first_precision(events)


def test_february_2012_homs_events_relate_to_homs_and_syria(tmp_path: Path) -> None:
    """Seeds, three months of portal days around February 2012, two months a decade
    later (Ukraine: civilians, artillery, Russia, shelling, as the retagged seed 000
    is tagged), and the linked sources that give the vocabulary; retagged as
    ``dateline contexts retag`` does. SQLite only: the import and retagging take most
    of the time, and the related ranking is checked on both backends elsewhere."""
    store = open_store(f"sqlite:///{tmp_path / 'homs.db'}")
    days = DATA / "wcep-days"
    months = [days / "2012" / m for m in ("01", "02", "03")] + [
        days / "2022" / "02",
        days / "2024" / "09",
    ]
    import_paths(store, [SEEDS, DATA / "wcep-html", DATA / "wikitimes", *months])
    assert retag_archive(store).tags_added > 0
    store.load_related_index()

    def off_topic(event: Event) -> list[str]:
        return [
            r.headline
            for r in store.related(event.id, 10)
            if not (ON_TOPIC.search(r.headline) or any(ON_TOPIC.search(t) for t in r.shared))
        ]

    page = parse_page(seed_file("000").read_text(encoding="utf-8"))
    assert isinstance(page, EventPage)
    seed = store.find_event(page.content.date, page.slug)
    assert seed is not None and len(seed.content.contexts) > 3  # retagging added some
    assert len(store.related(seed.id, 10)) == 10
    assert off_topic(seed) == []
    homs = [
        e
        for e in store.iter_events()
        if date(2012, 2, 1) <= e.content.date <= date(2012, 2, 29) and "Homs" in e.content.headline
    ]
    assert len(homs) >= 15
    # One is left, honestly: 2012-02-25's list holds a 2022 Ukraine event sharing three
    # generic tags (civilians, artillery, shelling), above those sharing two Homs tags;
    # the seeds rank by shared count first, so no nearness can move it below them.
    assert sum(len(off_topic(e)) for e in homs) <= 1
