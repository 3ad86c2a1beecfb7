"""Reading and writing events as Dateline's own records: JSON Lines and CSV.

**JSON Lines** (``.jsonl``): one JSON object per line, an event page's JSON
(:mod:`dateline.render.json_format`, ``docs/schemas/event.schema.json``) or a smaller
record with just ``date`` and ``headline``. Read: ``date`` (``YYYY-MM-DD``),
``headline``, ``summary``, ``story`` (a name, or the page's ``{"name", "path"}``),
``category``, ``contexts`` (names, or the page's ``{"name", "slug"}``), ``sources``
(``{"publisher", "url"}``, or a publisher's name alone) and ``cover_image``. The page's
other keys (:data:`PAGE_KEYS`: ``versions``, ``related``...) are ignored, so a site's
event pages can be joined into one file and imported; any other key refuses the file,
naming it, as a misspelt ``sumary`` would otherwise lose every summary without a word.

**CSV** (``.csv``, UTF-8, a byte-order mark allowed): a header row naming some of the
columns :data:`COLUMNS` (``date`` and ``headline`` are required, in any order), then
one row per event. A column not in the list refuses the file, naming it. A cell holding
several values holds one per line (a line break inside the quoted cell, as a
spreadsheet's Alt+Enter makes): ``contexts`` one name a line, ``sources`` one
``Publisher <https://url>`` or ``Publisher`` a line. Line breaks are chosen over
``"; "`` because no name may contain one (:meth:`EventContent.validated`), so every
event's values read back as written, whatever characters they hold.

What is read comes back as :class:`Records`: a list of :class:`DayItems` (one per date,
oldest first; events in file order), as every reader returns, plus ``skipped``. A bad
record is skipped with one line naming the file, the line and what was wrong (a missing
or impossible date, a line that is not JSON, a file cut off inside its last record, a
value of the wrong type, a value the model refuses); the rest of the file is read.
Records with a date go in their day's ``skipped``, the others in ``Records.skipped``.
Values are checked here by hand, not with jsonschema: a record is looser than a page
(names or objects), and each problem needs one line naming the line and the field.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from dateline.errors import InputError
from dateline.ingest.items import DayItems, NotAnArchiveFileError
from dateline.model import EventContent, Source

COLUMNS = ("date", "headline", "summary", "story", "category", "contexts", "sources", "cover_image")
"""The fields of a record, in the order the writers give them (the CSV columns)."""
REQUIRED = ("date", "headline")
PAGE_KEYS = frozenset(
    {
        "type",
        "id",
        "path",
        "current_path",
        "day",
        "partial",
        "version",
        "versions",
        "related",
        "articles",
        "retired",
    }
)
"""Keys of an event page (docs/schemas/event.schema.json) that a record does not read:
what the archive made of the event (its history, its articles, whether it was retired),
not what an importer states."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SOURCE_LINE = re.compile(r"(.*\S) <(https?://\S+)>")
_BOM = b"\xef\xbb\xbf"


class NotARecordsFileError(NotAnArchiveFileError):
    """The file is not Dateline records (a folder import skips it quietly)."""


class Records(list[DayItems]):
    """What a reader found: a list of days, and the records that fit no day.

    A list so that it is what every archive reader returns; ``skipped`` holds, one line
    each, the records skipped before their date was known (a missing or impossible
    date, a line that is not JSON).
    """

    def __init__(self, days: Iterable[DayItems] = ()) -> None:
        super().__init__(days)
        self.skipped: list[str] = []

    def events(self) -> list[EventContent]:
        """Every event read, day by day."""
        return [event for day in self for event in day.events]

    def all_skipped(self) -> list[str]:
        """Every record skipped: first those without a day, then each day's."""
        return self.skipped + [message for day in self for message in day.skipped]


# -- sniffing -----------------------------------------------------------------------


def looks_like_jsonl(head: bytes) -> bool:
    """Whether a file's first bytes look like Dateline JSON Lines (or an event page)."""
    first = head.removeprefix(_BOM).lstrip().split(b"\n", 1)[0]
    return first.startswith(b"{") and b'"date"' in first and b'"headline"' in first


def looks_like_csv(head: bytes) -> bool:
    """Whether a file's first bytes look like a Dateline CSV: a header with date and headline."""
    first = head.removeprefix(_BOM).split(b"\n", 1)[0].decode("utf-8", "replace")
    names = {cell.strip().lower() for cell in next(csv.reader([first]), [])}
    return set(REQUIRED) <= names


# -- reading ------------------------------------------------------------------------


def read_jsonl(path: Path) -> Records:
    """The events of a JSON Lines file; InputError naming the file and line of an
    unknown key, NotARecordsFileError if no line even starts like a JSON object."""
    where = str(path)
    days = _Days(where)
    record_like = 0
    with path.open("rb") as file:
        for number, raw in enumerate(file, 1):
            if number == 1:
                raw = raw.removeprefix(_BOM)
            if not raw.strip():
                continue
            record_like += raw.lstrip().startswith(b"{")
            record = _json_line(raw, days, number)
            if record is None:
                continue
            _check_keys(record, where, number)
            days.add(number, record.get("date"), partial(_content_of, record))
    if record_like == 0 and days.result.skipped:
        raise NotARecordsFileError("is not JSON Lines: no line is a JSON object", where=where)
    return days.done()


def read_csv(path: Path) -> Records:
    """The events of a CSV file; InputError naming the file and an unknown column,
    NotARecordsFileError if its header has no date and headline columns."""
    where = str(path)
    days = _Days(where)
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file, strict=True)
            header = _header(next(reader, []), where)
            for line, row in _rows(reader):
                if isinstance(row, str):
                    days.result.skipped.append(_message(where, line, row))
                elif len(row) != len(header):
                    problem = f"has {len(row)} cells, the header has {len(header)}"
                    days.result.skipped.append(_message(where, line, problem))
                else:
                    cells = dict(zip(header, row, strict=True))
                    days.add(line, cells["date"], partial(_content_of_row, cells))
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", where=where) from None
    return days.done()


def _rows(reader: Any) -> Iterator[tuple[int, list[str] | str]]:
    """Each non-blank row with the line it starts on, or (a string) why it is no row.

    The reader is strict, so a quoted cell left open is an error, not a cell that
    swallows the rest of the file.
    """
    last = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "end of data" in str(error):
                yield last + 1, "is cut off: a quoted cell is not closed before the end of the file"
                return
            yield last + 1, f"is not a CSV row ({error})"
        else:
            if row and (len(row) > 1 or row[0].strip()):
                yield last + 1, row
        last = reader.line_num


class _Days:
    """Collects a file's records by date, and the reasons records are skipped."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.by_date: dict[date, DayItems] = {}
        self.result = Records()

    def add(self, line: int, raw_date: Any, content: Callable[[], EventContent]) -> None:
        """Read a record found at ``line``: its date first, then (``content()``) the rest."""
        try:
            day = _date(raw_date)
        except InputError as error:
            self.result.skipped.append(_message(self.where, line, error.detail, error.field))
            return
        items = self.by_date.setdefault(day, DayItems(day))
        try:
            items.add(replace(content(), date=day).validated())
        except InputError as error:
            items.skipped.append(_message(self.where, line, error.detail, error.field))

    def done(self) -> Records:
        self.result.extend(self.by_date[d] for d in sorted(self.by_date))
        return self.result


def _message(where: str, line: int, problem: str, field: str | None = None) -> str:
    return str(InputError(problem, where=where, line=line, field=field))


def _json_line(raw: bytes, days: _Days, number: int) -> dict[str, Any] | None:
    """The line's object, or None (the reason recorded) when it is not one."""
    try:
        value = json.loads(raw)
    except UnicodeDecodeError:
        problem = "is not UTF-8 text"
    except json.JSONDecodeError as error:
        if not raw.endswith(b"\n") and json_ends_early(error, raw):
            problem = "is cut off: the file ends inside this record"
        else:
            problem = f"is not JSON ({error.msg}, column {error.colno})"
    else:
        if isinstance(value, dict):
            return value
        problem = f"is a JSON {_json_type(value)}, not an event object"
    days.result.skipped.append(_message(days.where, number, problem))
    return None


def json_ends_early(error: json.JSONDecodeError, text: bytes) -> bool:
    """Whether JSON that failed to parse is cut off: it stops where more was expected,
    or inside a string (a string is only "unterminated" when its closing quote never
    comes). Then "the file is cut off" says more than the parser's message."""
    return error.msg.startswith("Unterminated string") or not text[error.pos :].strip()


def _check_keys(record: dict[str, Any], where: str, line: int) -> None:
    # The type first: a site's day or tag page has keys no record has ("title"), and
    # "is a 'day' page" says more than "unknown key 'title'".
    kind = record.get("type", "event")
    if kind != "event":
        raise InputError(
            f"is {'an' if str(kind)[:1] in 'aeiou' else 'a'} {kind!r} page, not an event "
            "(expected type 'event' or none)",
            where=where,
            line=line,
            field="type",
        )
    for key in record:
        if key not in COLUMNS and key not in PAGE_KEYS:
            raise InputError(
                f"unknown key {key!r} (a record has {', '.join(COLUMNS)}; "
                "an event page's other keys are ignored)",
                where=where,
                line=line,
            )


def _header(row: list[str], where: str) -> list[str]:
    names = [cell.strip().lower() for cell in row]
    if not set(REQUIRED) <= set(names):
        raise NotARecordsFileError(
            "is not a Dateline events CSV (its first row has no date and headline columns)",
            where=where,
            line=1,
        )
    for name in names:
        if name not in COLUMNS:
            raise InputError(
                f"unknown column {name!r} (the columns are {', '.join(COLUMNS)})",
                where=where,
                line=1,
            )
        if names.count(name) > 1:
            raise InputError(f"column {name!r} appears twice", where=where, line=1)
    return names


def _date(value: Any) -> date:
    if value is None or value == "":
        raise InputError("missing (expected YYYY-MM-DD)", field="date")
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise InputError(f"{value!r} is not a date (expected YYYY-MM-DD)", field="date")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{value!r} is not a date of the calendar", field="date") from None


def _content_of(record: dict[str, Any]) -> EventContent:
    """The fields of a JSON record (its date is read apart)."""
    story = record.get("story")
    if isinstance(story, dict):
        story = story.get("name")
    return EventContent(
        date.min,
        _text(record, "headline", required=True),
        summary=_text(record, "summary"),
        story=_optional_text(story, "story"),
        category=_optional_text(record.get("category"), "category"),
        contexts=tuple(_context(c) for c in _list(record, "contexts")),
        sources=tuple(_json_source(s, i) for i, s in enumerate(_list(record, "sources"), 1)),
        cover_image=_optional_text(record.get("cover_image"), "cover_image"),
    )


def _text(record: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = record.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InputError(
            "missing" if value is None else f"expected text, not {_json_type(value)}", field=key
        )
    return value


def _optional_text(value: Any, key: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InputError(f"expected text or null, not {_json_type(value)}", field=key)


def _list(record: dict[str, Any], key: str) -> list[Any]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"expected a list, not {_json_type(value)}", field=key)
    return value


def _context(value: Any) -> str:
    name = value.get("name") if isinstance(value, dict) else value
    if not isinstance(name, str):
        raise InputError("expected names (or objects with a name)", field="contexts")
    return name


def _json_source(value: Any, position: int) -> Source:
    if isinstance(value, str):
        return Source(value)
    field = f"sources[{position}]"
    if not isinstance(value, dict) or not isinstance(value.get("publisher"), str):
        raise InputError("expected an object with a publisher (and a url)", field=field)
    url = value.get("url")
    if url is not None and not isinstance(url, str):
        raise InputError(f"expected text or null, not {_json_type(url)}", field=f"{field}.url")
    return Source(value["publisher"], url)


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _content_of_row(cells: dict[str, str]) -> EventContent:
    """The fields of a CSV row (its date is read apart); empty cells are absent values."""
    return EventContent(
        date.min,
        cells["headline"],
        summary=cells.get("summary", ""),
        story=cells.get("story") or None,
        category=cells.get("category") or None,
        contexts=tuple(_lines(cells.get("contexts", ""))),
        sources=tuple(_csv_source(line) for line in _lines(cells.get("sources", ""))),
        cover_image=cells.get("cover_image") or None,
    )


def _lines(cell: str) -> Iterator[str]:
    # Not str.splitlines: it also splits at U+2028 and the like, which a name may hold.
    lines = cell.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return (line.strip() for line in lines if line.strip())


def _csv_source(line: str) -> Source:
    match = _SOURCE_LINE.fullmatch(line)
    return Source(match[1], match[2]) if match else Source(line)


# -- writing ------------------------------------------------------------------------


def record_of(content: EventContent) -> dict[str, Any]:
    """The JSON record of an event (validated first: InputError naming the field)."""
    content = content.validated()
    return {
        "date": content.date.isoformat(),
        "headline": content.headline,
        "summary": content.summary,
        "story": content.story,
        "category": content.category,
        "contexts": list(content.contexts),
        "sources": [{"publisher": s.publisher, "url": s.url} for s in content.sources],
        "cover_image": content.cover_image,
    }


def write_jsonl(events: Iterable[EventContent], fh: TextIO) -> None:
    """Write one record per line (UTF-8 text as is; ``fh`` opened with encoding="utf-8")."""
    for content in events:
        fh.write(json.dumps(record_of(content), ensure_ascii=False) + "\n")


def write_csv(events: Iterable[EventContent], fh: TextIO) -> None:
    """Write the header and one row per event (``fh`` opened with newline="", as the
    csv module asks). InputError when a value could not be read back as written: a
    source without URL whose publisher ends like ``Name <https://...>``."""
    writer = csv.writer(fh)
    writer.writerow(COLUMNS)
    for content in events:
        record = record_of(content)
        writer.writerow(
            [
                record["date"],
                record["headline"],
                record["summary"],
                record["story"] or "",
                record["category"] or "",
                "\n".join(record["contexts"]),
                "\n".join(_source_line(s, i) for i, s in enumerate(record["sources"], 1)),
                record["cover_image"] or "",
            ]
        )


def _source_line(source: dict[str, Any], position: int) -> str:
    publisher, url = source["publisher"], source["url"]
    if url:
        return f"{publisher} <{url}>"
    if _SOURCE_LINE.fullmatch(publisher):
        raise InputError(
            f"{publisher!r} would read back as a publisher and a URL; give the URL apart",
            field=f"sources[{position}].publisher",
        )
    return str(publisher)
