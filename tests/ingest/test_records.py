"""Dateline's own records: JSON Lines and CSV, written and read back."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dateline.errors import InputError
from dateline.ingest.items import NotAnArchiveFileError
from dateline.ingest.records import (
    COLUMNS,
    PAGE_KEYS,
    NotARecordsFileError,
    looks_like_csv,
    looks_like_jsonl,
    read_csv,
    read_jsonl,
    write_csv,
    write_jsonl,
)
from dateline.model import Event, EventContent, EventEntry, Source
from dateline.render.json_format import render_json
from dateline.render.views import day_view, event_view
from tests.conftest import ROOT, SHARED
from tests.ingest.test_seedpage import contents, events

# Lists of events as a file may hold them: no two with the same day and headline (a
# reader takes those for one item, as DayItems.add says).
_event_lists = st.lists(contents(), max_size=6, unique_by=lambda c: (c.date, c.headline))


def _by_day(items: list[EventContent]) -> list[EventContent]:
    """What a reader gives back: days oldest first, each day's events in file order."""
    return sorted(items, key=lambda c: c.date)


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def _jsonl(path: Path, items: list[EventContent]) -> Path:
    with path.open("w", encoding="utf-8") as file:
        write_jsonl(items, file)
    return path


def _csv(path: Path, items: list[EventContent]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        write_csv(items, file)
    return path


# -- round trips --------------------------------------------------------------------


@given(_event_lists)
def test_jsonl_reads_back_what_was_written(
    tmp_path_factory: pytest.TempPathFactory, items: list[EventContent]
) -> None:
    path = _jsonl(tmp_path_factory.mktemp("jsonl") / "events.jsonl", items)
    read = read_jsonl(path)
    assert read.all_skipped() == []
    assert read.events() == _by_day(items)
    assert len(read) == len({c.date for c in items})


@given(_event_lists)
def test_csv_reads_back_what_was_written(
    tmp_path_factory: pytest.TempPathFactory, items: list[EventContent]
) -> None:
    path = _csv(tmp_path_factory.mktemp("csv") / "events.csv", items)
    read = read_csv(path)
    assert read.all_skipped() == []
    assert read.events() == _by_day(items)


AWKWARD = EventContent(
    date(1900, 1, 1),
    'A "quoted", semi; colon headline',
    summary='Two lines,\n"quoted" and\u2028a line separator',
    story="Story; with, punctuation",
    category="Law and crime",
    contexts=("Homs; Syria", "Name, with comma", "a\u2028b", "<https://not.a/url>"),
    sources=(
        Source("Reuters <https://r.example/1>", "https://r.example/2"),
        Source("A; B <via C>", None),
        Source("<https://x.example/>", None),
    ),
    cover_image="https://img.example/a.jpg",
)


@pytest.mark.parametrize(("write", "read"), [(_jsonl, read_jsonl), (_csv, read_csv)])
def test_separators_and_quotes_in_values_read_back(
    tmp_path: Path, write: object, read: object
) -> None:
    """Values holding what the formats use as separators (the CSV cell's lines, a
    source's ``<url>``) still read back as written."""
    path = write(tmp_path / "events", [AWKWARD])  # type: ignore[operator]
    assert read(path).events() == [AWKWARD]  # type: ignore[operator]


def test_a_publisher_that_reads_as_publisher_and_url_is_refused_in_csv() -> None:
    content = EventContent(date(2012, 2, 9), "A thing", sources=(Source("Foo <https://a.org>"),))
    with pytest.raises(InputError) as caught:
        write_csv([content], io.StringIO())
    assert str(caught.value) == (
        "sources[1].publisher: 'Foo <https://a.org>' would read back as a publisher and "
        "a URL; give the URL apart"
    )
    write_jsonl([content], io.StringIO())  # JSON has no such ambiguity


def test_invalid_content_is_not_written() -> None:
    with pytest.raises(InputError, match=r"^headline: must be a single line$"):
        write_jsonl([EventContent(date(2012, 2, 9), "Two\nlines")], io.StringIO())


@given(events())
def test_an_event_page_json_is_a_record(
    tmp_path_factory: pytest.TempPathFactory, event: Event
) -> None:
    """Dateline's own event pages (as the site writes them), one a line, import as the
    version each shows: the page's other keys are ignored."""
    shown = [v.content for v in event.versions]
    assume(len({(c.date, c.headline) for c in shown}) == len(shown))
    path = tmp_path_factory.mktemp("pages") / "pages.jsonl"
    path.write_text("".join(render_json(event_view(event, v)).decode() for v in event.versions))
    read = read_jsonl(path)
    assert read.all_skipped() == []
    assert read.events() == _by_day(shown)


def test_the_ignored_page_keys_are_the_schema_keys_not_read() -> None:
    schema = json.loads((ROOT / "docs" / "schemas" / "event.schema.json").read_text())
    assert set(schema["properties"]) == set(COLUMNS) | PAGE_KEYS
    assert set(COLUMNS) <= set(schema["properties"])


# -- hand-written files -------------------------------------------------------------


def test_a_minimal_jsonl_record_and_the_page_shapes(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "min.jsonl",
        '{"date": "2012-02-09", "headline": " Troops enter Homs "}\n'
        "\n"
        '{"date": "2012-02-09", "headline": "B",'
        ' "story": {"name": "Syria", "path": "/story/syria"},'
        ' "contexts": [{"name": "Homs", "slug": "homs"}, "Syria"],'
        ' "sources": ["AP", {"publisher": "BBC", "url": "https://bbc.example/x"}],'
        ' "summary": null, "category": null}\n',
    )
    read = read_jsonl(path)
    assert read.events() == [
        EventContent(date(2012, 2, 9), "Troops enter Homs"),
        EventContent(
            date(2012, 2, 9),
            "B",
            story="Syria",
            contexts=("Homs", "Syria"),
            sources=(Source("AP"), Source("BBC", "https://bbc.example/x")),
        ),
    ]


def test_bad_jsonl_records_are_skipped_with_file_and_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.jsonl",
        '{"date": "2012-02-09", "headline": "Good"}\n'
        '{"headline": "No date"}\n'
        '{"date": "2012-02-30", "headline": "Impossible date"}\n'
        "this is not JSON\n"
        "[1, 2]\n"
        '{"date": "2012-02-09", "headline": "Two\\nlines"}\n'
        '{"date": "2012-02-09", "headline": "Tags", "contexts": "Syria"}\n'
        '{"date": "9 Feb 2012", "headline": "Other date"}\n'
        '{"date": "2012-02-10", "headline": "Also good"}\n'
        '{"date": "2012-02-10", "headline": "Cut',
    )
    read = read_jsonl(path)
    assert [e.headline for e in read.events()] == ["Good", "Also good"]
    assert read.skipped == [
        f"{path}:2: date: missing (expected YYYY-MM-DD)",
        f"{path}:3: date: '2012-02-30' is not a date of the calendar",
        f"{path}:4: is not JSON (Expecting value, column 1)",
        f"{path}:5: is a JSON array, not an event object",
        f"{path}:8: date: '9 Feb 2012' is not a date (expected YYYY-MM-DD)",
        f"{path}:10: is cut off: the file ends inside this record",
    ]
    assert read[0].skipped == [
        f"{path}:6: headline: must be a single line",
        f"{path}:7: contexts: expected a list, not string",
    ]


def test_a_cut_off_string_is_a_cut_off_record(tmp_path: Path) -> None:
    path = _write(tmp_path / "cut.jsonl", '{"date": "2012-02-10", "headline": "Cut off in')
    read = read_jsonl(path)
    assert read.skipped == [f"{path}:1: is cut off: the file ends inside this record"]


def test_an_unknown_key_refuses_the_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "typo.jsonl",
        '{"date": "2012-02-09", "headline": "A"}\n'
        '{"date": "2012-02-09", "headline": "B", "sumary": "Misspelt"}\n',
    )
    with pytest.raises(InputError) as caught:
        read_jsonl(path)
    assert str(caught.value) == (
        f"{path}:2: unknown key 'sumary' (a record has date, headline, summary, story, "
        "category, contexts, sources, cover_image; an event page's other keys are ignored)"
    )
    assert not isinstance(caught.value, NotAnArchiveFileError)


def test_another_page_type_refuses_the_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "day.jsonl", '{"type": "day", "date": "2012-02-09", "headline": "A"}\n'
    )
    with pytest.raises(InputError) as caught:
        read_jsonl(path)
    assert str(caught.value) == (
        f"{path}:1: type: is a 'day' page, not an event (expected type 'event' or none)"
    )
    # A site's own day page, whose keys no record has, says so too.
    entry = EventEntry(1, date(2012, 2, 9), "a", "A")
    day_page = _write(
        tmp_path / "index.json", render_json(day_view(date(2012, 2, 9), [entry])).decode()
    )
    with pytest.raises(InputError, match="is a 'day' page, not an event"):
        read_jsonl(day_page)


def test_a_file_with_no_json_object_is_not_records(tmp_path: Path) -> None:
    """Unless a line at least starts like one: then it is a broken record."""
    path = _write(tmp_path / "x.jsonl", "date,headline\n2012-02-09,A\n")
    with pytest.raises(NotARecordsFileError) as caught:
        read_jsonl(path)
    assert str(caught.value) == f"{path}: is not JSON Lines: no line is a JSON object"
    assert read_jsonl(_write(tmp_path / "empty.jsonl", "")) == []


def test_a_hand_written_csv(tmp_path: Path) -> None:
    """Columns in any order and case, a byte-order mark, CRLF line ends, blank lines,
    several values in a cell one per line."""
    path = tmp_path / "hand.csv"
    path.write_bytes(
        "\ufeffHeadline,Date,Contexts,Sources\r\n"
        'Troops enter Homs,2012-02-09,"Homs\r\nSyria\r\n","Reuters <https://r.example/a>\r\nAP"\r\n'
        "\r\n"
        "Talks go on,2012-02-08,,\r\n".encode()
    )
    assert looks_like_csv(path.read_bytes()[:1024])
    read = read_csv(path)
    assert read.all_skipped() == []
    assert read.events() == [
        EventContent(date(2012, 2, 8), "Talks go on"),
        EventContent(
            date(2012, 2, 9),
            "Troops enter Homs",
            contexts=("Homs", "Syria"),
            sources=(Source("Reuters", "https://r.example/a"), Source("AP")),
        ),
    ]


def test_bad_csv_rows_are_skipped_with_file_and_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.csv",
        "date,headline,summary\n"
        "2012-02-09,Good,\n"
        ',No date,"Its summary\nruns on two lines"\n'
        "2012-02-30,Impossible date,\n"
        "2012-02-09,Too,many,cells\n"
        '2012-02-09,"Broken"quote,\n'
        "2012-02-09,,Empty headline\n"
        "2012-02-10,Also good,\n"
        '2012-02-11,Cut,"A summary cut off\n',
    )
    read = read_csv(path)
    assert [e.headline for e in read.events()] == ["Good", "Also good"]
    assert read.skipped == [
        f"{path}:3: date: missing (expected YYYY-MM-DD)",
        f"{path}:5: date: '2012-02-30' is not a date of the calendar",
        f"{path}:6: has 4 cells, the header has 3",
        f"{path}:7: is not a CSV row (',' expected after '\"')",
        f"{path}:10: is cut off: a quoted cell is not closed before the end of the file",
    ]
    assert read[0].skipped == [f"{path}:8: headline: must not be empty"]


def test_an_unknown_column_refuses_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "typo.csv", "date,headline,sumary\n2012-02-09,A,x\n")
    with pytest.raises(InputError) as caught:
        read_csv(path)
    assert str(caught.value) == (
        f"{path}:1: unknown column 'sumary' (the columns are date, headline, summary, "
        "story, category, contexts, sources, cover_image)"
    )
    assert not isinstance(caught.value, NotAnArchiveFileError)
    path = _write(tmp_path / "twice.csv", "date,headline,Date\n")
    with pytest.raises(InputError, match=r"column 'date' appears twice$"):
        read_csv(path)


def test_a_csv_that_is_not_records() -> None:
    ucdp = SHARED / "data" / "ucdp" / "ucdpged_sample_1000.csv"
    assert not looks_like_csv(ucdp.read_bytes()[:1024])
    with pytest.raises(NotARecordsFileError) as caught:
        read_csv(ucdp)
    assert str(caught.value) == (
        f"{ucdp}:1: is not a Dateline events CSV (its first row has no date and headline columns)"
    )


def test_a_csv_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("date,headline\n2012-02-09,Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_csv(path)
    assert str(caught.value) == f"{path}: is not UTF-8 text"


def test_the_sniffers_tell_the_formats_apart(tmp_path: Path) -> None:
    items = [EventContent(date(2012, 2, 9), "A thing happens", summary="S" * 3000)]
    jsonl = _jsonl(tmp_path / "a.jsonl", items).read_bytes()[:1024]
    table = _csv(tmp_path / "a.csv", items).read_bytes()[:1024]
    assert looks_like_jsonl(jsonl) and not looks_like_csv(jsonl)
    assert looks_like_csv(table) and not looks_like_jsonl(table)
    wikitimes = (SHARED / "data" / "wikitimes" / "wikitimes_CEP_2015-09.json").read_bytes()
    chronoledge = (SHARED / "data" / "chronoledge" / "event_metadata.jsonl").read_bytes()
    for other in (wikitimes[:1024], chronoledge[:1024], b"", b"date\n"):
        assert not looks_like_jsonl(other) and not looks_like_csv(other)
