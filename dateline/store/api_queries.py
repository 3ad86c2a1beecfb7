"""Reads the live web app needs and :class:`~dateline.store.Store` has no method for.

Kept apart from ``store.py`` (which others extend at the same time), these functions
take a Store and read on a connection of its public ``engine`` (as the related index
does): each is one read transaction of its own, never a caller's. They answer what a
static build learns by walking the whole archive (which days, months and years have
pages, every address a sitemap lists) with one indexed query each, and list events
page by page (keyset pagination on ``(date, id)``: a page costs the same at any depth,
and an event added meanwhile is neither skipped nor repeated).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from dateline.store import schema as t
from dateline.store.store import Store


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What ``GET /api/events`` narrows the list by (None: no condition)."""

    first: date | None = None
    last: date | None = None
    context: str | None = None
    story: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class VersionAddress:
    """What a version's page address is made of (see :func:`dateline.model.event_path`)."""

    event_id: int
    number: int
    date: date
    slug: str


def change_mark(store: Store) -> str:
    """A value that changes whenever a write to the archive commits (for caches).

    Every write appends to ``event_changes``, so on SQLite, whose writers take turns,
    the newest ``seq`` is enough. On PostgreSQL a sequence number is taken when a
    transaction inserts, not when it commits: a later number can commit first, and
    the earlier one's commit leaves the maximum unchanged. The current snapshot (which
    transactions are visible) changes with every commit, so it is part of the mark.
    Article pages change without any event changing (a new article, a new copy): their
    log, ``article_changes``, counts too.
    """
    with store.quick.connection() as reader:  # asked at every request: the quick path
        return reader.change_mark()


def event_ids_page(
    store: Store,
    where: EventFilter,
    *,
    after: tuple[date, int] | None = None,
    descending: bool = False,
    limit: int = 50,
) -> list[int]:
    """Ids of the next ``limit`` events matching ``where``, ordered by (date, id).

    ``after`` is the (date, id) of the last event of the previous page; with
    ``descending`` the order (and so "after") is newest first.
    """
    e = t.events.c
    query = sa.select(e.id)
    if where.first is not None:
        query = query.where(e.date >= where.first)
    if where.last is not None:
        query = query.where(e.date <= where.last)
    if where.story is not None:
        query = query.where(e.story_slug == where.story)
    if where.context is not None:
        tagged = (
            sa.select(t.event_contexts.c.event_id)
            .join(t.contexts, t.contexts.c.id == t.event_contexts.c.context_id)
            .where(t.contexts.c.slug == where.context)
        )
        query = query.where(e.id.in_(tagged))
    if where.category is not None:
        v = t.versions.c
        query = query.join(
            t.versions, sa.and_(v.event_id == e.id, v.number == e.current_version)
        ).where(v.category == where.category)
    key = sa.tuple_(e.date, e.id)
    if after is not None:
        query = query.where(key < after if descending else key > after)
    order = (e.date.desc(), e.id.desc()) if descending else (e.date, e.id)
    with store.engine.connect() as conn:
        return [int(i) for i in conn.execute(query.order_by(*order).limit(limit)).scalars()]


def has_versions_dated(store: Store, first: date, last: date) -> bool:
    """Whether any version (current or earlier) is dated ``first`` to ``last``.

    A month or year has pages when one has: an earlier version's page links to its day.
    """
    v = t.versions.c
    query = sa.select(v.id).where(v.date >= first, v.date <= last).limit(1)
    with store.engine.connect() as conn:
        return conn.execute(query).first() is not None


def version_years(store: Store) -> list[int]:
    """The years any version is dated, oldest first (one sitemap each)."""
    year = sa.extract("year", t.versions.c.date)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(year).distinct()).scalars()
        return sorted(int(y) for y in rows)


def version_story_names(store: Store) -> list[str]:
    """Every story heading any version (current or earlier) names."""
    story = t.versions.c.story
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(story).where(story.is_not(None)).distinct()).scalars())


def version_addresses(store: Store, first: date, last: date) -> list[VersionAddress]:
    """Every version dated ``first`` to ``last``: what their page addresses are made of."""
    v = t.versions.c
    query = (
        sa.select(v.event_id, v.number, v.date, v.slug)
        .where(v.date >= first, v.date <= last)
        .order_by(v.event_id, v.number)
    )
    with store.engine.connect() as conn:
        return [VersionAddress(*row) for row in conn.execute(query)]


def context_year_counts(store: Store) -> dict[str, dict[int, int]]:
    """For every context tag with events now: how many it has in each year."""
    year = sa.extract("year", t.events.c.date).label("year")
    query = (
        sa.select(t.contexts.c.slug, year, sa.func.count())
        .select_from(t.event_contexts)
        .join(t.contexts, t.contexts.c.id == t.event_contexts.c.context_id)
        .join(t.events, t.events.c.id == t.event_contexts.c.event_id)
        .group_by(t.contexts.c.slug, year)
    )
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    with store.engine.connect() as conn:
        for slug, in_year, n in conn.execute(query):
            counts[slug][int(in_year)] = int(n)
    return dict(counts)
