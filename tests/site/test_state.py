"""The build state's own decisions, against the definitions they stand for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.model import RelatedEvent
from dateline.site.state import BuildState, Listed
from dateline.store.related import HORIZON_DAYS, rank_key

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
    state.record_related({owner: entries})
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
