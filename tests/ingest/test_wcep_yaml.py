"""The scraped Current Events Portal day files, read from ../shared/data/wcep-days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from dateline.errors import InputError
from dateline.ingest.seedpage import EventPage, parse_page
from dateline.ingest.wcep_yaml import CATEGORIES, read_portal_day, split_publishers
from tests.conftest import SHARED, seed_file

DAYS = SHARED / "data" / "wcep-days"


def _day_file(day: date) -> Path:
    return DAYS / f"{day.year:04d}" / f"{day.month:02d}" / f"{day.isoformat()}.yaml"


def test_seed_000_is_an_item_of_its_portal_day() -> None:
    seed = parse_page(seed_file("000").read_text(encoding="utf-8"))
    assert isinstance(seed, EventPage)
    day = read_portal_day(_day_file(seed.content.date))
    matches = [e for e in day.events if e.headline == seed.content.headline]
    assert len(matches) == 1
    (event,) = matches
    assert (event.date, event.story, event.category) == (date(2012, 2, 9), "Syria", None)
    assert [s.publisher for s in event.sources] == ["Reuters"]
    assert all(s.url is None for s in event.sources)


def test_a_day_reads_every_bullet_with_its_heading() -> None:
    path = _day_file(date(2012, 2, 9))
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["Intelligence_Payload"]
    day = read_portal_day(path)
    assert day.skipped == []
    assert len(day.events) == sum(len(bullets) for bullets in raw.values())
    by_heading = {(e.category or e.story) for e in day.events}
    assert by_heading == set(raw)
    categories = {e.category for e in day.events if e.category}
    stories = {e.story for e in day.events if e.story}
    assert {"Disasters", "Sport", "International Relations"} <= categories
    assert {"Syria", "Greek government debt crisis"} <= stories
    assert all(c.lower() in CATEGORIES for c in categories)
    assert not any(s.lower() in CATEGORIES for s in stories)
    for event in day.events:
        assert not event.headline.endswith(")") or "(" not in event.headline[-40:]


def test_several_publishers_are_all_sources() -> None:
    text, publishers = split_publishers(
        "Talks continue in order to resolve the debt crisis. (AP) (AP via Sydney Morning Herald)"
    )
    assert text == "Talks continue in order to resolve the debt crisis."
    assert publishers == ("AP", "AP via Sydney Morning Herald")
    assert split_publishers("(Reuters)") == ("(Reuters)", ())
    assert split_publishers("Text (with an aside) here. (BBC)") == (
        "Text (with an aside) here.",
        ("BBC",),
    )


@pytest.mark.parametrize("year", ["2002", "2012", "2025"])
def test_every_day_of_a_year_reads(year: str) -> None:
    files = sorted((DAYS / year).glob("*/*.yaml"))
    assert len(files) > 100  # the scrape starts in July 2002
    events = 0
    for path in files:
        day = read_portal_day(path)
        assert day.date.isoformat() == path.stem
        assert all(e.headline for e in day.events)
        events += len(day.events)
        assert len(day.skipped) <= len(day.events) // 10 + 1, day.skipped
    assert events > len(files)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- just\n- a list\n", "is not a Current Events day"),
        ("Date: 2012-02-30\nIntelligence_Payload: {}\n", "is not a date"),
        ("Date: '2012-02-09'\nIntelligence_Payload: [a, b]\n", "not a mapping of headings"),
        ("Date: '2012-02-09'\nIntelligence_Payload:\n  Syria: [\n", "is not valid YAML"),
    ],
)
def test_a_file_that_is_not_a_portal_day_is_named(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "day.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=expected) as caught:
        read_portal_day(path)
    assert str(path) in str(caught.value)
