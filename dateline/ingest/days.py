"""Storing the items of a day (from any archive reader), each matched to its event.

An item is the stored event of its day that has

1. the same headline (whatever else changed: heading, sources, links), or else
2. a reworded headline: one of the day's events not matched in step 1 whose headline
   :func:`dateline.ingest.rewording.same_item` accepts (similar, naming the same
   things, or citing the same source URL).

A matched item adds a version only when it brings something new: another headline,
heading, summary, or a source or context the event lacks. Stored sources (with their
URLs) and contexts are never dropped by an import, so a seed page's links survive its
portal day, and importing the same day twice changes nothing. An unmatched item is a
new event. A day new to the archive goes in through :meth:`Store.bulk_create`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dateline.ingest.items import DayItems
from dateline.ingest.rewording import pair_reworded
from dateline.model import EventContent, EventEntry, Source, Version, slug_for_headline
from dateline.store import Store, utc_now


@dataclass
class DayOutcome:
    """What storing some days did: outcome by event id, and the reworded matches."""

    outcomes: dict[int, str] = field(default_factory=dict)
    reworded: list[str] = field(default_factory=list)

    def set(self, event_id: int, outcome: str) -> None:
        if self.outcomes.get(event_id) == "added":
            return
        if outcome == "unchanged" and event_id in self.outcomes:
            return
        self.outcomes[event_id] = outcome


def import_days(store: Store, days: list[DayItems], origin: str) -> DayOutcome:
    """Store the items of ``days`` in one transaction (a file is all or nothing)."""
    result = DayOutcome()
    with store.transaction():
        for day in days:
            _import_day(store, day, origin, result)
    return result


def _import_day(store: Store, day: DayItems, origin: str, result: DayOutcome) -> None:
    note = f"imported from {origin}"
    taken = store.taken_slugs(day.date)  # cheaper than listing the day's events
    if not taken and day.events:  # a day new to the archive
        for event_id in _bulk_add(store, day, origin, taken):
            result.set(event_id, "added")
        return
    entries = store.entries_between(day.date, day.date)
    by_headline = {e.headline: e for e in entries}
    matched: dict[int, int] = {}  # item index -> event id
    for index, content in enumerate(day.events):
        entry = by_headline.get(content.headline)
        if entry is not None and entry.id not in matched.values():
            matched[index] = entry.id
    loose = [i for i in range(len(day.events)) if i not in matched]
    free = [e for e in entries if e.id not in matched.values()]
    if loose and free:
        for i, j, score in _reworded(store, [day.events[i] for i in loose], free):
            matched[loose[i]] = free[j].id
            result.reworded.append(
                f"{day.date}: {free[j].headline!r} reworded as "
                f"{day.events[loose[i]].headline!r} (similarity {score:.0f})"
            )
    for index, content in enumerate(day.events):
        known = matched.get(index)
        if known is None:
            event = store.create_event(content, note=note)
            result.set(event.id, "added")
            continue
        current = store.event(known).content
        wanted = _updated(current, content)
        if wanted == current:
            result.set(known, "unchanged")
        else:
            store.append_version(known, wanted, note=note)
            result.set(known, "updated")


def _reworded(
    store: Store, items: list[EventContent], free: list[EventEntry]
) -> list[tuple[int, int, float]]:
    """Pairs (item, free entry, score) of reworded headlines, one to one."""
    events = {e.id: e for e in store.events([e.id for e in free])}
    incoming = [(c.headline, _urls(c.sources)) for c in items]
    stored = [(e.headline, _urls(events[e.id].content.sources)) for e in free]
    return pair_reworded(incoming, stored)


def _urls(sources: tuple[Source, ...]) -> frozenset[str]:
    return frozenset(s.url for s in sources if s.url)


def _updated(current: EventContent, item: EventContent) -> EventContent:
    """The event's content once ``item`` is taken in: the item's own fields win (its
    headline, heading and summary when it has one); sources and contexts only grow."""
    return replace(
        current,
        headline=item.headline,
        category=item.category,
        story=item.story,
        summary=item.summary or current.summary,
        cover_image=item.cover_image or current.cover_image,
        sources=_merged_sources(current.sources, item.sources),
        contexts=tuple(dict.fromkeys(current.contexts + item.contexts)),
    )


def _merged_sources(stored: tuple[Source, ...], new: tuple[Source, ...]) -> tuple[Source, ...]:
    """The stored sources (they may have URLs where the item has none), then each new
    source they lack: a publisher not named yet, or a URL not cited yet."""
    merged = list(stored)
    for source in new:
        if source.url and any(s.url == source.url for s in merged):
            continue
        same_name = [
            i for i, s in enumerate(merged) if s.publisher.casefold() == source.publisher.casefold()
        ]
        if not source.url and same_name:
            continue
        without_url = [i for i in same_name if not merged[i].url]
        if source.url and without_url:
            merged[without_url[0]] = source  # the publisher named before now has its link
            continue
        merged.append(source)
    return tuple(merged)


def _bulk_add(store: Store, day: DayItems, origin: str, taken: set[str]) -> list[int]:
    """Insert a day's items with :meth:`Store.bulk_create`; the ids of the new events.

    Slugs follow :meth:`Store.create_event`'s rule (the headline's, then ``-2``,
    ``-3``...), avoiding every slug used on that day; an item without one goes the
    one-by-one way.
    """
    taken = taken | {"index"}  # the slugs any version ever had on that day
    now = utc_now()
    histories = []
    single = []
    for content in day.events:
        base = slug_for_headline(content.headline)
        if not base:
            single.append(content)
            continue
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base[: 140 - len(str(n)) - 1].rstrip('-')}-{n}"
        taken.add(slug)
        histories.append([Version(1, slug, content, now, None, f"imported from {origin}")])
    store.bulk_create(histories)
    for content in single:
        store.create_event(content, note=f"imported from {origin}")
    return [e.id for e in store.entries_between(day.date, day.date)]
