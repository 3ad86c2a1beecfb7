"""Reworded portal items: matched to their event, and never confused with another item
of the day. Real days of ../shared/data/wcep-days, read at test time."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from dateline.ingest.importer import import_paths
from dateline.ingest.rewording import fold, names, pair_reworded, same_item
from dateline.ingest.wcep_yaml import read_portal_day
from dateline.store import Store
from tests.conftest import SHARED

DAYS = SHARED / "data" / "wcep-days"


def _day_file(day: date) -> Path:
    return DAYS / f"{day.year:04d}" / f"{day.month:02d}" / f"{day.isoformat()}.yaml"


# Days whose different items look most alike (found by bench/rewording.py): the same
# sentence about another country, a story name about another place.
NEAR_TWIN_DAYS = [
    date(2021, 5, 26),  # "Taiwan reports a record ..." / "Thailand reports a record ..."
    date(2021, 2, 15),  # Denmark's / Japan's GDP contracts ...
    date(2021, 11, 29),  # Spain / Sweden report their first Omicron case
    date(2021, 3, 6),  # Malawi / Fiji receive their first COVAX shipment
    date(2020, 10, 8),  # COVID-19 pandemic in New York / in New York City
    date(2020, 3, 17),  # Impact of the COVID-19 pandemic on politics / on sports
    date(2023, 11, 14),  # Operation 1027 / Operation 1107
]


@pytest.mark.parametrize("day", NEAR_TWIN_DAYS, ids=str)
def test_different_items_of_a_day_are_never_taken_for_one(day: date) -> None:
    headlines = [e.headline for e in read_portal_day(_day_file(day)).events]
    assert len(headlines) > 5
    for i, first in enumerate(headlines):
        for second in headlines[i + 1 :]:
            assert same_item(first, second) is None, (first, second)


def _reworded(headline: str) -> list[str]:
    """Rewordings a portal editor makes: spacing before punctuation, a toll updated
    (digits or words), a clause added with a place name."""
    variants = [re.sub(r"([,.])", r" \1", headline)]
    if re.search(r"\d+", headline):
        variants.append(re.sub(r"\d+", lambda m: str(int(m.group()) + 7), headline, count=1))
    variants.append(headline.rstrip(".") + ", Syria.")
    return variants


def test_rewordings_of_real_items_match_their_item_only() -> None:
    day = read_portal_day(_day_file(date(2012, 2, 9)))
    headlines = [e.headline for e in day.events if len(e.headline.split()) >= 10]
    assert len(headlines) >= 10
    for index, original in enumerate(headlines):
        for variant in _reworded(original):
            assert same_item(variant, original) is not None, (variant, original)
            others = [h for i, h in enumerate(headlines) if i != index]
            assert all(same_item(variant, other) is None for other in others), variant


def test_names_ignore_numbers_and_fold_case() -> None:
    assert names("Four people are killed in Basra, Iraq.") == {"basra", "iraq"}
    assert names("COVID-19 cases rise in Homs") == {"covid 19", "homs"}
    assert fold("Aïn Defla  Province ,") == "ain defla province"


def test_pairs_are_one_to_one_most_similar_first() -> None:
    stored = [("Rebels shell the city of Homs, killing 12 people.", frozenset())]
    incoming = [
        ("Rebels shell the city of Homs, killing 14 people.", frozenset()),
        ("Rebels shell the city of Homs , killing 12 people .", frozenset()),
    ]
    assert [(i, j) for i, j, _ in pair_reworded(incoming, stored)] == [(1, 0)]


def test_a_shared_source_url_lowers_the_bar() -> None:
    first = "Syrian troops shell the city of Homs for a fifth day."
    second = "Syrian troops shell Homs for the fifth consecutive day, activists say."
    assert same_item(first, second) is None
    assert same_item(first, second, shared_source=True) is not None


def test_a_later_scrape_with_reworded_items_adds_versions(tmp_path: Path, store: Store) -> None:
    original = _day_file(date(2012, 2, 9))
    first = import_paths(store, [original])
    count = store.count_events()
    assert len(first.added) == count
    data = yaml.safe_load(original.read_text(encoding="utf-8"))
    payload = data["Intelligence_Payload"]
    changed: list[tuple[str, str]] = []
    for bullets in payload.values():
        for index, bullet in enumerate(bullets):
            match = re.search(r"\d+", bullet)
            if match and len(changed) < 3 and len(bullet.split()) >= 12:
                new = bullet[: match.start()] + str(int(match.group()) + 3) + bullet[match.end() :]
                bullets[index] = new
                changed.append((bullet, new))
    assert len(changed) == 3
    later = tmp_path / original.name
    later.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    report = import_paths(store, [later])
    assert (len(report.added), len(report.updated), len(report.reworded)) == (0, 3, 3)
    assert store.count_events() == count
    for event in store.iter_events():
        if len(event.versions) > 1:
            old, new = event.versions[0], event.current
            assert old.content.headline != new.content.headline
            # The old address still leads to the event.
            assert store.find(old.content.date, old.slug)[0].id == event.id
