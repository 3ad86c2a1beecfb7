"""Comparing whole archives regardless of the ids a database happened to assign."""

from __future__ import annotations

from dateline.store import Store


def dump(store: Store) -> list[tuple[object, ...]]:
    """Every event's full history as plain data, ordered by current date and slug."""
    events = [
        tuple(
            (v.number, v.slug, v.content, v.created_at, v.editor, v.note, v.partial)
            for v in event.versions
        )
        for event in store.iter_events()
    ]
    return sorted(events, key=lambda vs: (vs[-1][2].date, vs[-1][1]))
