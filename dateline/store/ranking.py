"""The ranking of related events, without the in-memory index: what it orders by, and
the whole ranking as one SQL query, for a store's first few lookups.

Kept apart from :mod:`dateline.store.related` so that a command that ranks a list or
two (``dateline show``, an incremental build after a summary edit) or none does not
import numpy for the index (50-70 ms of its start-up): the index is made when a store
needs it (:meth:`dateline.store.Store.related` after :data:`WARM_AFTER` lookups, a
snapshot, an export, a server).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from dateline.model import RelatedEvent
from dateline.store import schema as t

WARM_AFTER = 3
"""Queries answered by SQL before the index is loaded."""
HORIZON_DAYS = 2922
"""Eight years: events sharing as many tags but further apart than this rank after
those nearer. The seeds allow no less than 5.95 years (seed 001, of 2011-11-08, lists
Homs events of 2017 above those of 2012). Chosen on the whole portal archive (a scratch
comparison on 1,000 story events, not kept as a bench): 6, 8 and 10 years gave
precision@5 0.104, 0.099 and 0.096, and left 3, 2 and 3 off-topic entries in the top 10s
of February 2012's Homs events; 8 left the fewest, at about the same precision."""
SAME_DAY, NEAR, FAR = 0, 1, 2
"""Nearness tiers of a related event to the event whose list it is on."""


@dataclass(frozen=True, slots=True)
class RankKey:
    """A related entry's place in one event's list: ``a < b`` when ``a`` comes first.

    ``tier`` is None when the day of the list's event was not given: then nearness is
    unknown, and ``a < b`` answers "can ``a`` come before ``b``?" with yes whenever the
    shared counts are equal. That is what a site build asks to find the lists an
    edited event may enter: a yes too many costs a page rendered again, a no too many
    a stale page.
    """

    shared: int
    tier: int | None
    day: int
    slug: str
    event_id: int

    def __lt__(self, other: RankKey) -> bool:
        if self.shared != other.shared:
            return self.shared > other.shared
        if self.tier is None or other.tier is None:
            return True
        return (self.tier, -self.day, self.slug, self.event_id) < (
            other.tier,
            -other.day,
            other.slug,
            other.event_id,
        )


def rank_key(
    shared: int, day: int, slug: str, event_id: int, owner_day: int | None = None
) -> RankKey:
    """A related entry's place in the list of the event dated ``owner_day``.

    Most shared tags first; then the same day as that event, then within
    :data:`HORIZON_DAYS` of it, then the rest; newest first within each (``day`` and
    ``owner_day`` are dates' ordinals); then by slug and id (never insertion order).
    Site builds use it to tell whether an edited event can enter a list; without
    ``owner_day`` the answer is conservative (see :class:`RankKey`).
    """
    return RankKey(shared, None if owner_day is None else tier(day, owner_day), day, slug, event_id)


def tier(day: int, owner_day: int) -> int:
    apart = abs(day - owner_day)
    return SAME_DAY if apart == 0 else NEAR if apart <= HORIZON_DAYS else FAR


def rank_tuple(related: RelatedEvent, owner_day: int) -> tuple[int, int, int, str, int]:
    """:func:`rank_key` with the owner's day known, as a plain tuple (sorts faster)."""
    return order_key(
        len(related.shared), related.date.toordinal(), related.slug, related.event_id, owner_day
    )


def order_key(
    shared: int, day: int, slug: str, event_id: int, owner_day: int
) -> tuple[int, int, int, str, int]:
    """:func:`rank_tuple` of an entry not made yet (``day`` and ``owner_day`` counted
    alike: ordinals, or days since any fixed day)."""
    return (-shared, tier(day, owner_day), -day, slug, event_id)


def described(
    event_id: int,
    theirs: Mapping[int, AbstractSet[int]],
    limit: int,
    own: Sequence[tuple[int, str]],
    rows: Sequence[tuple[int, date, str, str]],
) -> list[RelatedEvent]:
    """The list of ``event_id`` (whose tags are ``own``: id and name, in order), ordered
    exactly and naming the shared tags, from the chosen events' tags (``theirs``) and
    their ``rows`` (id, date, slug, headline; the owner's among them, for its date)."""
    owner = next((day.toordinal() for eid, day, _, _ in rows if eid == event_id), None)
    if owner is None:  # deleted meanwhile
        return []
    related = []
    for eid, day, slug, headline in rows:
        shared = tuple(name for cid, name in own if cid in theirs.get(eid, ()))
        if shared and eid != event_id:
            related.append(RelatedEvent(eid, day, slug, headline, shared))
    related.sort(key=lambda r: rank_tuple(r, owner))
    return related[:limit]


def best_by_sql(engine: sa.Engine, event_id: int, limit: int) -> list[int]:
    """The same ranking in one query: fine for one lookup, too slow for many."""
    with engine.connect() as conn:
        day = conn.execute(
            sa.select(t.events.c.date).where(t.events.c.id == event_id)
        ).scalar_one_or_none()
    if day is None:
        return []
    mine = t.event_contexts.alias("mine")
    other = t.event_contexts.alias("other")
    shared = sa.func.count().label("shared")
    reach = timedelta(days=HORIZON_DAYS)
    tier = sa.case(
        (t.events.c.date == day, SAME_DAY),
        (t.events.c.date.between(_shifted(day, -reach), _shifted(day, reach)), NEAR),
        else_=FAR,
    )
    query = (
        sa.select(t.events.c.id)
        .select_from(mine)
        .join(other, other.c.context_id == mine.c.context_id)
        .join(t.events, t.events.c.id == other.c.event_id)
        .where(mine.c.event_id == event_id, other.c.event_id != event_id)
        .group_by(t.events.c.id, t.events.c.date, t.events.c.slug)
        .order_by(shared.desc(), tier, t.events.c.date.desc(), t.events.c.slug, t.events.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(query).scalars()]


def describe_by_sql(
    engine: sa.Engine, event_id: int, ids: list[int], limit: int
) -> list[RelatedEvent]:
    """Fetch the chosen events, order them exactly and name their shared tags."""
    return describe_many_by_sql(engine, {event_id: ids}, limit)[event_id]


def describe_many_by_sql(
    engine: sa.Engine,
    chosen: Mapping[int, Collection[int]],
    limit: int,
    tags: Mapping[int, AbstractSet[int]] | None = None,
) -> dict[int, list[RelatedEvent]]:
    """Each event's list from its chosen events (``chosen``: event id to the ids on its
    list, in any order), ordered exactly and naming the shared tags, in a few queries
    for all of them. ``tags``: the chosen events' tag ids where known (an index keeps
    them), else read. An event that no longer exists gets an empty list."""
    owners = sorted(chosen)
    wanted = sorted({c for ids in chosen.values() for c in ids})
    rows: dict[int, tuple[int, date, str, str]] = {}
    theirs: dict[int, set[int]] = {c: set(tags[c]) for c in wanted} if tags is not None else {}
    ec = t.event_contexts.c
    with engine.connect() as conn:
        own = own_tags(conn, owners)
        for chunk in _chunks(sorted(set(wanted) | set(owners)), 900):
            for eid, day, slug, headline in conn.execute(
                sa.select(
                    t.events.c.id, t.events.c.date, t.events.c.slug, t.events.c.headline
                ).where(t.events.c.id.in_(chunk))
            ).all():
                rows[eid] = (eid, day, slug, headline)
        if tags is None:
            for chunk in _chunks(wanted, 900):
                for eid, cid in conn.execute(
                    sa.select(ec.event_id, ec.context_id).where(ec.event_id.in_(chunk))
                ).all():
                    theirs.setdefault(eid, set()).add(cid)
    return {
        owner: described(
            owner,
            theirs,
            limit,
            own.get(owner, []),
            [rows[i] for i in (*chosen[owner], owner) if i in rows],
        )
        for owner in owners
    }


def own_tags(conn: sa.Connection, owners: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """``(context id, name)`` of each event's tags, in the event's order (none: absent)."""
    ec = t.event_contexts.c
    own: dict[int, list[tuple[int, str]]] = {}
    for chunk in _chunks(owners, 900):
        for eid, cid, name in conn.execute(
            sa.select(ec.event_id, t.contexts.c.id, t.contexts.c.name)
            .join(t.contexts, t.contexts.c.id == ec.context_id)
            .where(ec.event_id.in_(chunk))
            .order_by(ec.event_id, ec.position)
        ).all():
            own.setdefault(eid, []).append((cid, name))
    return own


def _chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    return (values[i : i + size] for i in range(0, len(values), size))


def _shifted(day: date, by: timedelta) -> date:
    """``day + by``, clamped to the dates Python can hold."""
    try:
        return day + by
    except OverflowError:
        return date.max if by > timedelta(0) else date.min


def related_by_sql(engine: sa.Engine, event_id: int, limit: int) -> list[RelatedEvent]:
    """``event_id``'s related list ranked by one query (:func:`best_by_sql`)."""
    chosen = best_by_sql(engine, event_id, limit)
    return describe_by_sql(engine, event_id, chosen, limit) if chosen else []
