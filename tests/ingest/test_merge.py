"""The merge rules are what make imports order-independent: check that property."""

from __future__ import annotations

from datetime import date, datetime
from functools import reduce

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.errors import ConflictError
from dateline.ingest.merge import combine
from dateline.model import EventContent, Version

DAY = date(2012, 2, 9)
tags = st.lists(
    st.sampled_from(["Homs", "Syria", "bombardment", "Syrian Army", "hama"]),
    max_size=4,
    unique=True,
).map(tuple)
partials = st.builds(
    lambda headline, contexts, when, editor: Version(
        1, "s", EventContent(DAY, headline, contexts=contexts), when, editor, None, partial=True
    ),
    st.sampled_from(["Troops in Homs", "Troops in Homs."]),
    tags,
    st.none() | st.sampled_from([datetime(2017, 8, 25), datetime(2017, 8, 27)]),
    st.none() | st.sampled_from(["ann", "bo"]),
)


@given(st.lists(partials, min_size=1, max_size=5), st.randoms())
def test_combining_accounts_of_a_version_ignores_their_order(
    accounts: list[Version],
    rng: object,
) -> None:
    shuffled = list(accounts)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert reduce(combine, shuffled) == reduce(combine, accounts)


@given(partials)
def test_a_complete_account_beats_a_partial_one(partial: Version) -> None:
    full = Version(1, "s", EventContent(DAY, "Troops in Homs", "Summary.", contexts=("Homs",)))
    merged = combine(partial, full)
    assert merged.content == full.content and not merged.partial
    assert combine(full, partial) == merged
    assert merged.created_at == partial.created_at  # what only the link knew is kept


def test_two_complete_accounts_must_agree() -> None:
    a = Version(1, "s", EventContent(DAY, "Troops in Homs", "One."))
    b = Version(1, "s", EventContent(DAY, "Troops in Homs", "Two."))
    assert combine(a, a) == a
    with pytest.raises(ConflictError, match="stored with other content"):
        combine(a, b)
