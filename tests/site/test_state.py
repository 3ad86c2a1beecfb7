"""The build state's own decisions, against the definitions they stand for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.errors import DatelineError
from dateline.model import RelatedEvent
from dateline.site.state import BuildState, Listed, related_records
from dateline.store.ranking import HORIZON_DAYS, rank_key

LIMIT = 10
BASE = date(2012, 2, 9).toordinal()
# Days around the list's event (BASE): the same day, the next, the horizon's edges, or
# anywhere, so that every tier and every tie between them comes up.
EDGES = [0, 1, -1, HORIZON_DAYS, -HORIZON_DAYS, HORIZON_DAYS + 1, -HORIZON_DAYS - 1]
DAYS = st.one_of(st.sampled_from(EDGES), st.integers(-3 * HORIZON_DAYS, 3 * HORIZON_DAYS)).map(
    lambda offset: BASE + offset
)
SLUGS = st.sampled_from(["a", "b", "homs", "homs-2"])
LISTED, UNLISTED = 1000, 1001


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildState]:
    built = BuildState(tmp_path_factory.mktemp("site"))
    yield built
    built.close(commit=False)


def _related(event_id: int, day: int, slug: str, shared: int) -> RelatedEvent:
    return RelatedEvent(event_id, date.fromordinal(day), slug, "Headline", ("tag",) * shared)


@settings(max_examples=400, deadline=None)
@given(
    length=st.sampled_from([LIMIT, LIMIT, LIMIT, 0, 1, LIMIT - 1]),
    last_shared=st.integers(1, 3),
    last_day=DAYS,
    last_slug=SLUGS,
    last_id=st.integers(1, 40),
    owner_day=st.sampled_from([None, BASE, BASE + 1]),
    shared=st.integers(1, 3),
    day=DAYS,
    slug=SLUGS,
    event_id=st.integers(1, 40),
)
def test_the_lists_an_edit_may_enter_are_those_rank_key_says(
    state: BuildState,
    length: int,
    last_shared: int,
    last_day: int,
    last_slug: str,
    last_id: int,
    owner_day: int | None,
    shared: int,
    day: int,
    slug: str,
    event_id: int,
) -> None:
    """``lists_admitting`` decides in SQL what :func:`rank_key` defines: a list with room
    takes the event; a full one when the event would rank before its last entry (or,
    its event's day unknown, when they share as many tags)."""
    owner = UNLISTED if owner_day is None else LISTED
    entries = [_related(100 + i, BASE, "x", 4) for i in range(length - 1)]
    if length:
        entries.append(_related(last_id, last_day, last_slug, last_shared))
    state.record_related(related_records({owner: entries}))
    if owner_day is not None:
        state.record_listed(
            [(owner, Listed(date.fromordinal(owner_day).isoformat(), None, (), "", ""))]
        )
    if length < LIMIT:
        expected = True
    else:
        edited = rank_key(shared, day, slug, event_id, owner_day)
        expected = edited < rank_key(last_shared, last_day, last_slug, last_id, owner_day)
    admitted = state.lists_admitting({owner: shared}, LIMIT, day, slug, event_id)
    assert (owner in admitted) == expected


def test_a_list_never_recorded_may_take_anything(state: BuildState) -> None:
    assert state.lists_admitting({424242: 1}, LIMIT, BASE, "a", 1) == {424242}
    assert state.lists_admitting({}, LIMIT, BASE, "a", 1) == set()


@settings(max_examples=200, deadline=None)
@given(
    lists=st.lists(
        st.dictionaries(
            st.integers(2000, 2005),
            st.lists(st.tuples(st.integers(1, 12), SLUGS), max_size=4, unique_by=lambda r: r[0]),
            max_size=4,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_recorded_related_lists_are_the_last_recorded(
    tmp_path_factory: pytest.TempPathFactory, lists: list[dict[int, list[tuple[int, str]]]]
) -> None:
    """Lists recorded again and again (as builds do) leave exactly the last of each:
    who lists whom (``listing``), and the last entry (what ``lists_admitting`` reads)."""
    state = BuildState(tmp_path_factory.mktemp("site"))
    try:
        last: dict[int, list[tuple[int, str]]] = {}
        for recorded in lists:
            state.record_related(
                related_records(
                    {
                        owner: [_related(m, BASE + m, slug, 1 + m % 3) for m, slug in members]
                        for owner, members in recorded.items()
                    }
                )
            )
            last |= recorded
        expected = {
            member: {o for o, members in last.items() if member in {m for m, _ in members}}
            for member in range(1, 13)
        }
        for member in range(1, 13):  # searched by its digits: 1 is in 11 and 12 too
            assert state.listings([member]) == {member: expected[member]}
        assert state.listings(range(1, 13)) == expected  # searched in one pass
        for owner, members in last.items():
            row = state._db.execute(
                "SELECT length, last_shared, last_day, last_slug, last_id FROM related "
                "WHERE event_id = ?",
                (owner,),
            ).fetchone()
            tail = members[-1] if members else None
            assert row == (
                (len(members), 1 + tail[0] % 3, BASE + tail[0], tail[1], tail[0])
                if tail
                else (0, None, None, None, None)
            )
    finally:
        state.close(commit=False)


def test_a_second_build_of_the_same_folder_stops_with_a_clear_error(tmp_path: Path) -> None:
    first = BuildState(tmp_path)
    try:
        with pytest.raises(DatelineError, match="being built by another process"):
            BuildState(tmp_path, wait=0.1)
    finally:
        first.close()
    BuildState(tmp_path, wait=0.1).close()  # once it is done, the next one builds


@settings(max_examples=60, deadline=None)
@given(
    batches=st.lists(
        st.dictionaries(
            st.integers(1, 30),
            st.lists(
                st.tuples(st.integers(1, 30), SLUGS), max_size=LIMIT, unique_by=lambda m: m[0]
            ),
            max_size=6,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_new_lists_are_recorded_as_record_related_records_them(
    tmp_path_factory: pytest.TempPathFactory, batches: list[dict[int, list[tuple[int, str]]]]
) -> None:
    """A full build's path (``record_new_related`` after ``clear``, each event in one
    batch) leaves the same rows as the general one."""
    owners_seen: set[int] = set()
    disjoint = []
    for batch in batches:  # a full build records each event's list once
        disjoint.append({o: m for o, m in batch.items() if o not in owners_seen})
        owners_seen |= set(batch)
    tables = []
    for record in ("record_related", "record_new_related"):
        state = BuildState(tmp_path_factory.mktemp("site"))
        try:
            state.record_related(related_records({99: [_related(5, BASE, "old", 1)]}))
            state.clear()
            for batch in disjoint:
                getattr(state, record)(
                    related_records(
                        {
                            owner: [_related(m, BASE + m, slug, 1 + m % 3) for m, slug in members]
                            for owner, members in batch.items()
                        }
                    )
                )
            tables.append(
                (
                    state._db.execute("SELECT * FROM related ORDER BY 1").fetchall(),
                    state.listings(range(1, 31)),
                )
            )
        finally:
            state.close(commit=False)
    assert tables[0] == tables[1]
    listed = {(o, m) for batch in disjoint for o, ms in batch.items() for m, _ in ms}
    assert {(o, m) for m, owners in tables[1][1].items() for o in owners} == listed
