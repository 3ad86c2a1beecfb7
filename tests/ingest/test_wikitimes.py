"""WikiTimes exports and API answers, read from ../shared/data/wikitimes."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dateline.errors import InputError
from dateline.ingest.items import NotAnArchiveFileError
from dateline.ingest.wcep_yaml import read_portal_day
from dateline.ingest.wikilinks import wiki_title
from dateline.ingest.wikitimes import (
    CATEGORY_NAMES,
    NotAWikiTimesFileError,
    headline_and_summary,
    load_wikitimes,
    looks_like_wikitimes,
    read_wikitimes,
    wikitimes_items,
    wikitimes_links,
)
from dateline.model import EventContent
from tests.conftest import SHARED

DATA = SHARED / "data" / "wikitimes"
EXPORT = DATA / "wikitimes_CEP_2015-09.json"
STORY = DATA / "story-99.json"
EVENTS_2001 = DATA / "events-2001-01.json"


def _raw(path: Path) -> Any:
    return json.loads(path.read_bytes())


def _by_id(path: Path, record_id: str) -> tuple[dict[str, Any], EventContent]:
    """The raw record with WikiTimes id ``record_id`` and the event read from it."""
    records = _raw(path)
    records = records["event"] if isinstance(records, dict) else records
    (raw,) = [r for r in records if r["id"] == record_id]
    day = next(d for d in read_wikitimes(path) if d.date.isoformat() == raw["date"])
    position = [r["id"] for r in records if r["date"] == raw["date"]].index(record_id)
    return raw, day.events[position]


def test_the_september_2015_export_reads_whole() -> None:
    days = read_wikitimes(EXPORT)
    events = days.events()
    assert days.all_skipped() == []
    assert len(events) == 428  # as the data README says; no two items of a day repeat
    assert sum(1 for e in events if e.story) == 242
    assert [d.date for d in days] == [date(2015, 9, n) for n in range(1, 31)]
    assert len({e.story for e in events if e.story}) == 90
    assert {e.category for e in events} == set(CATEGORY_NAMES.values())
    # Every description fits a headline (the longest has 897 characters).
    assert all(e.summary == "" for e in events)
    for event in events:
        assert "  " not in event.headline
        assert not event.headline.endswith(",")
        assert "[citation needed]" not in event.headline


def test_a_record_with_story_entities_and_sources() -> None:
    raw, event = _by_id(EXPORT, "56657")
    assert event.date == date(2015, 9, 1)
    assert raw["description"].endswith("intact.  ")
    assert event.headline == raw["description"].strip()
    assert event.story == "Destruction of cultural heritage by ISIL"
    assert event.category == "Armed conflicts and attacks"  # WikiTimes says War_Conflict
    assert event.contexts[:2] == ("United Nations", "Syria")
    assert len(event.contexts) == 5
    assert [s.publisher for s in event.sources] == ["BBC", "Al Jazeera English Online"]
    assert [s.url for s in event.sources] == [s["url"] for s in raw["source"]]
    assert event.cover_image is None


def test_commas_left_by_dropped_links_are_removed() -> None:
    raw, event = _by_id(EXPORT, "56658")
    assert raw["description"].endswith("Mogadishu. , ")
    assert event.headline.endswith("Mogadishu.")
    assert event.headline == raw["description"][: -len(" , ")]
    assert [s.publisher for s in event.sources] == ["AP", "Al-Jazeera"]
    # Commas between sentences go too; the one after a dropped link mid-sentence stays.
    raw, event = _by_id(EXPORT, "57078")
    assert raw["description"].count(" ,") == 6
    assert event.headline.count(" ,") == 1
    assert len(event.contexts) == 11


def test_records_without_sources_or_entities_still_read() -> None:
    raw, event = _by_id(EXPORT, "56766")
    assert raw["source"] == [] and "[citation needed]" in raw["description"]
    assert event.sources == () and event.category == "Sports" and event.story is None
    # The export's entity name lost its dash; the context is the article's real title.
    assert "2018 FIFA World Cup qualification AFC Second Round" not in event.contexts
    assert "2018 FIFA World Cup qualification \u2013 AFC Second Round" in event.contexts
    raw, event = _by_id(EXPORT, "56831")
    assert raw["entity"] == [] and event.contexts == ()
    assert len(event.sources) == 2


def test_categories_agree_with_the_portal_days() -> None:
    """The same items read from the portal scrape: most headlines are the same, and the
    renamed categories are the portal's (up to the portal's own spelling variants)."""
    portal = {}
    for path in sorted((SHARED / "data" / "wcep-days" / "2015" / "09").glob("*.yaml")):
        day = read_portal_day(path)
        portal.update({(day.date, e.headline): e for e in day.events})
    events = read_wikitimes(EXPORT).events()
    matched = [(e, portal[(e.date, e.headline)]) for e in events if (e.date, e.headline) in portal]
    # Measured: 303 of 428. The rest differ in the text itself (the two scrapes differ:
    # a story heading glued to the item, a comma lost with a link, a word edited).
    assert len(matched) >= 300
    categorised = [(w.category, p.category) for w, p in matched if p.category]
    agree = sum(1 for w, p in categorised if w and w.casefold() == p.casefold())
    # Measured: 292 of 299; the others are "Sport" and "Business and economics".
    assert agree >= 0.95 * len(categorised)


def test_a_story_timeline_is_one_story() -> None:
    days = read_wikitimes(STORY)
    events = days.events()
    assert len(events) == 35
    assert {e.story for e in events} == {"Taliban insurgency"}
    assert len(days) == 33  # two days have two events each
    assert [d.date for d in days] == sorted(d.date for d in days)
    assert sum(1 for e in events if e.category is None) == 10  # no category in the file


def test_the_story_name_applies_when_an_event_does_not_say() -> None:
    data = _raw(STORY)
    for record in data["event"]:
        del record["belongsToStory"]
    events = wikitimes_items(data, "story").events()
    assert len(events) == 35
    assert {e.story for e in events} == {"Taliban insurgency"}


def test_the_api_events_answer_reads_and_loses_its_footnote_marks() -> None:
    days = read_wikitimes(EVENTS_2001)
    assert len(days.events()) == 18
    assert all(e.story is None and e.category is None and e.sources == () for e in days.events())
    raw, event = _by_id(EVENTS_2001, "151")
    assert raw["description"].endswith(".[1]")
    assert event.headline == raw["description"][: -len("[1]")]
    assert event.contexts == ("Greece", "Euro")


@pytest.mark.parametrize(
    ("name", "kind"),
    [("entities-2001-01.json", "entities"), ("storiesWithoutTimeline.json", "stories")],
)
def test_entity_and_story_lists_are_not_events(name: str, kind: str) -> None:
    path = DATA / name
    assert looks_like_wikitimes(path.read_bytes()[:1024])
    with pytest.raises(NotAWikiTimesFileError) as caught:
        read_wikitimes(path)
    assert str(caught.value) == f"{path}: is a list of WikiTimes {kind}, not events"
    assert isinstance(caught.value, NotAnArchiveFileError)


@pytest.mark.parametrize("data", [{"id": "1"}, [1, 2], "text", [{"name": "x"}]])
def test_other_json_is_not_wikitimes(data: Any) -> None:
    with pytest.raises(NotAWikiTimesFileError, match=r"^x\.json: is not a WikiTimes events file"):
        wikitimes_items(data, "x.json")


def test_bad_records_are_skipped_with_their_place() -> None:
    good = {"date": "2015-09-02", "description": "A thing happens.", "entity": [], "source": []}
    data = [
        good,
        {**good, "date": None, "id": "7"},
        {**good, "date": "2015-02-30"},
        {**good, "date": "02/09/2015"},
        "not a record",
        {**good, "description": None},
        {**good, "description": " , "},
        {**good, "description": "Another thing happens."},
    ]
    days = wikitimes_items(data, "w.json")
    assert [e.headline for e in days.events()] == ["A thing happens.", "Another thing happens."]
    assert days.skipped == [
        "w.json: record 2 (id 7): has no date",
        "w.json: record 3: date '2015-02-30' is not a date of the calendar",
        "w.json: record 4: date '02/09/2015' is not a date (expected YYYY-MM-DD)",
        "w.json: record 5: is str, not an event object",
    ]
    (day,) = days
    assert day.skipped == [
        "w.json: record 6: has no description",
        "w.json: record 7: headline: must not be empty",
    ]


def test_a_description_too_long_for_a_headline_keeps_its_first_sentence() -> None:
    long = "First sentence here. " + "Then more words follow. " * 60
    headline, summary = headline_and_summary(long)
    assert headline == "First sentence here."
    assert summary == long.strip() and len(summary) > 1000
    assert headline_and_summary("Short one. Two. ") == ("Short one. Two.", "")


def test_a_source_without_a_name_is_named_by_its_host() -> None:
    record = {
        "date": "2015-09-02",
        "description": "A thing happens.",
        "source": [{"url": "https://news.example.org/a"}, {"sourceName": "Wire"}, {}],
    }
    (event,) = wikitimes_items([record], "w.json").events()
    assert [(s.publisher, s.url) for s in event.sources] == [
        ("news.example.org", "https://news.example.org/a"),
        ("Wire", None),
    ]


def test_a_cut_off_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_bytes(EXPORT.read_bytes()[:5000])
    with pytest.raises(InputError) as caught:
        read_wikitimes(path)
    assert not isinstance(caught.value, NotAnArchiveFileError)  # never skipped quietly
    assert str(caught.value) == (
        f"{path}:1: is cut off: the JSON ends before its last record is closed"
    )


def test_broken_json_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n{"date": "2015-09-01",\n "description": x}\n]\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_wikitimes(path)
    assert str(caught.value) == f"{path}:3: is not valid JSON (Expecting value, column 17)"


def test_the_sniff_knows_wikitimes_from_other_json() -> None:
    for path in DATA.glob("*.json"):
        assert looks_like_wikitimes(path.read_bytes()[:1024]), path
    chronoledge = SHARED / "data" / "chronoledge" / "event_metadata.jsonl"
    assert not looks_like_wikitimes(chronoledge.read_bytes()[:1024])
    assert not looks_like_wikitimes(b'{"date": "2015-09-01", "headline": "A thing"}\n')
    assert not looks_like_wikitimes(b"Date: '2015-09-01'\nIntelligence_Payload:\n")


def test_links_give_each_event_its_story_and_wikipedia_pages() -> None:
    data = load_wikitimes(EXPORT)
    links = wikitimes_links(data)
    assert len(links) == 428
    assert sum(1 for link in links if link.story) == 242
    read = {(e.date, e.headline): e for e in read_wikitimes(EXPORT).events()}
    for link in links:
        event = read[(link.date, link.headline)]
        assert link.story == event.story
        # Each entity's context is the title its address names.
        assert tuple(dict.fromkeys(wiki_title(url) for _, url in link.entities)) == event.contexts
    urls = [url for link in links for _, url in link.entities]
    assert len(urls) == sum(len(r["entity"]) for r in data)  # no event repeats an entity
    assert all(url and url.startswith("http://en.wikipedia.org/wiki/") for url in urls)
    first = links[0]
    assert first.entities[1] == ("Syria", "http://en.wikipedia.org/wiki/Syria")
    stories = Counter(link.story for link in wikitimes_links(load_wikitimes(STORY)))
    assert stories == {"Taliban insurgency": 35}
