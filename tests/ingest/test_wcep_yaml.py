"""The scraped Current Events Portal day files, read from ../shared/data/wcep-days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from dateline.errors import InputError
from dateline.ingest.importer import import_paths
from dateline.ingest.rewording import fold
from dateline.ingest.seedpage import EventPage, parse_page
from dateline.ingest.wcep_html import read_portal_html
from dateline.ingest.wcep_yaml import CATEGORIES, read_portal_day, split_publishers
from dateline.store import Store
from tests.conftest import SHARED, Databases, seed_file
from tests.support.archive import dump

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


def test_importing_a_portal_month_twice_changes_nothing(store: Store) -> None:
    month = sorted((DAYS / "2012" / "02").glob("*.yaml"))[:10]
    first = import_paths(store, month)
    assert first.errors == [] and first.files == 10
    expected = sum(len({e.headline for e in read_portal_day(p).events}) for p in month)
    assert len(first.added) == store.count_events() == expected
    before = dump(store)
    again = import_paths(store, month)
    assert (len(again.added), len(again.updated)) == (0, 0)
    assert len(again.unchanged) == expected
    assert dump(store) == before


def test_a_changed_heading_adds_a_version(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "2012-02-09.yaml"
    item = "Troops enter Homs. (Reuters)"
    path.write_text(
        f"Date: '2012-02-09'\nIntelligence_Payload:\n  Syria:\n  - {item}\n", encoding="utf-8"
    )
    (event_id,) = import_paths(store, [path]).added
    path.write_text(
        f"Date: '2012-02-09'\nIntelligence_Payload:\n  Syrian uprising:\n  - {item} (BBC)\n",
        encoding="utf-8",
    )
    report = import_paths(store, [path])
    assert report.updated == {event_id}
    event = store.event(event_id)
    assert len(event.versions) == 2
    assert event.content.story == "Syrian uprising"
    assert [s.publisher for s in event.content.sources] == ["Reuters", "BBC"]


def test_a_yaml_file_that_is_not_a_day_is_reported_or_skipped(store: Store, tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("- not\n- a day\n", encoding="utf-8")
    (tmp_path / "bad-date.yaml").write_text(
        "Date: '2012-02-30'\nIntelligence_Payload: {}\n", encoding="utf-8"
    )
    in_folder = import_paths(store, [tmp_path])
    assert in_folder.not_pages == [str(tmp_path / "notes.yaml")]
    assert len(in_folder.errors) == 1 and "bad-date.yaml" in in_folder.errors[0]
    named = import_paths(store, [tmp_path / "notes.yaml"])
    assert len(named.errors) == 1 and "is not a Current Events day" in named.errors[0]
    assert store.count_events() == 0


def test_a_headline_repeated_under_two_headings_is_one_item(store: Store, tmp_path: Path) -> None:
    """Found on the real corpus: such days added two versions at every re-import."""
    path = tmp_path / "2012-02-09.yaml"
    path.write_text(
        "Date: '2012-02-09'\nIntelligence_Payload:\n"
        "  Syria:\n  - Troops enter Homs. (Reuters)\n"
        "  Armed conflicts and attacks:\n  - Troops enter Homs. (BBC)\n",
        encoding="utf-8",
    )
    (event,) = read_portal_day(path).events
    assert (event.story, [s.publisher for s in event.sources]) == ("Syria", ["Reuters", "BBC"])
    assert len(import_paths(store, [path]).added) == 1
    again = import_paths(store, [path])
    assert (again.updated, len(again.unchanged)) == (set(), 1)
    assert store.count_versions() == 1


def test_a_new_day_gets_the_slugs_one_by_one_creation_gives(
    databases: Databases, tmp_path: Path
) -> None:
    """A day new to the archive is inserted in one go: same events, same slugs."""
    path = tmp_path / "2012-02-09.yaml"
    path.write_text(
        "Date: '2012-02-09'\nIntelligence_Payload:\n  Syria:\n"
        "  - Troops enter Homs. (Reuters)\n  - Troops enter Homs! (BBC)\n  - Index (AP)\n",
        encoding="utf-8",
    )
    bulk = databases.open()
    assert len(import_paths(bulk, [path]).added) == 3
    one_by_one = databases.open()
    for content in read_portal_day(path).events:
        one_by_one.create_event(content, note=f"imported from {path.name}")
    slugs = [e.slug for e in bulk.iter_events()]
    assert slugs == [e.slug for e in one_by_one.iter_events()]
    assert slugs == ["troops-enter-homs", "troops-enter-homs-2", "index-2"]


def test_a_seed_event_keeps_its_source_links_when_its_portal_day_arrives(store: Store) -> None:
    seed = parse_page(seed_file("000").read_text(encoding="utf-8"))
    assert isinstance(seed, EventPage)
    import_paths(store, [seed_file("000")])
    event = store.find_event(seed.content.date, seed.slug)
    assert event is not None
    before = event.content.sources
    assert before and all(s.url for s in before)
    assert not import_paths(store, [_day_file(seed.content.date)]).errors
    after = store.event(event.id).content
    assert after.sources[: len(before)] == before
    assert after.story == "Syria"


def test_flattened_story_headings_are_stories_not_events() -> None:
    """From 2014 on the scrape lists story headings as bullets. Checked against the
    rendered page of January 2023 (which keeps the nesting): the scrape's items are the
    page's items, and nearly all get the page's story."""
    page = {
        (day.date, fold(e.headline)): e.story
        for day in read_portal_html(SHARED / "data" / "wcep-html" / "2023-01.html")
        for e in day.events
    }
    scraped = [
        (day.date, e)
        for path in sorted((DAYS / "2023" / "01").glob("*.yaml"))
        for day in [read_portal_day(path)]
        for e in day.events
    ]
    assert abs(len(scraped) - len(page)) <= 2  # 668 bullets, half of them headings
    stories = [
        (page[(d, fold(e.headline))], e.story) for d, e in scraped if (d, fold(e.headline)) in page
    ]
    assert len(stories) >= 320
    agree = sum(1 for truth, read in stories if truth == read)
    assert agree / len(stories) >= 0.95
    # A heading is never an event: no scraped item is a story name of the page.
    story_names = {s for s in page.values() if s}
    assert not [e.headline for _, e in scraped if e.headline in story_names]
