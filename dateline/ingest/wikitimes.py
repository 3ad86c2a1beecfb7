"""Reading WikiTimes exports: Current Events items with their story, entities and sources.

WikiTimes (L3S) keeps the Current Events Portal as JSON. Three shapes hold events:

* an export, a list of events (``wikitimes_CEP_*.json``, the API's ``/events`` answer);
* a story timeline, an object with the story's ``name`` and its ``event`` list;
* each event: ``date``, ``description``, optionally ``category`` ``{"name": "War_Conflict"}``,
  ``belongsToStory`` ``{"name", "wikipediaUrl"}``, ``entity`` ``[{"name", "wikiURL"}]``,
  ``source`` ``[{"url", "sourceName"}]`` and ``location`` (not read: the place is one of
  the entities when it matters).

The API's lists of entities and of stories are JSON too, and look alike at a glance:
:func:`read_wikitimes` refuses them with :class:`NotAWikiTimesFileError`, naming what
the file is.

How an event becomes an :class:`EventContent`:

* **headline** is the whole description, spaces normalised, and **summary** stays empty.
  A portal item is one bullet, and :mod:`dateline.ingest.wcep_yaml` makes the same
  bullet a headline, even when it runs to three sentences (121 of September 2015's 428
  do): so the two readers give the same headline for the same item, and the importer
  can tell it is one event (303 of those 428 match a portal item of their day exactly).
  Only a description longer than a headline may be (1,000 characters; the longest of
  September 2015 has 897) is split: its first sentence is the headline, the whole text
  the summary.
* The export dropped the portal's source links but kept the commas between them
  (``"... south of Mogadishu. , "``); such commas after a sentence's end are removed,
  and so are Wikipedia's footnote marks (``[1]``, ``[citation needed]``).
* **category**: WikiTimes' ten categories are renamed to the portal heading each one
  stands for (:data:`CATEGORY_NAMES`: in September 2015 every item found in both has
  that heading), so both readers file an item alike; another name keeps its words.
* **story** is the story's name; **contexts** the titles of the entities' Wikipedia articles
  (their names when they have no address), in order, once each;
  **sources** ``Source(sourceName, url)`` (the URL's host when the name is missing).

Records count from 1 in messages, with the record's WikiTimes ``id`` when it has one.
A record without a usable date cannot be put on a day: it is listed in the result's
``skipped``; one refused for another reason goes in its day's ``skipped``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from dateline.errors import InputError
from dateline.ingest.items import DayItems, NotAnArchiveFileError
from dateline.ingest.records import Records, json_ends_early
from dateline.ingest.wikilinks import wiki_title
from dateline.model import EventContent, Source
from dateline.model.event import MAX_HEADLINE_LENGTH

CATEGORY_NAMES = {
    "War_Conflict": "Armed conflicts and attacks",
    "Disaster_Accident": "Disasters and accidents",
    "International_Relation": "International relations",
    "Law_Crime": "Law and crime",
    "Politics": "Politics and elections",
    "Business_Finance": "Business and economy",
    "Entertainment_Culture": "Arts and culture",
    "Sports": "Sports",
    "Technology_Internet": "Science and technology",
    "Health_Medical_Pharma": "Health",
}
"""WikiTimes category -> the portal heading it stands for (as the portal spelt it in 2015)."""

MAX_FILE_BYTES = 256 * 1024 * 1024
"""The whole 2000-2015 export is far smaller; a file past this is not one."""

_SNIFF_MARKERS = (b'"belongsToStory"', b'"wikiURL"', b'"wikipediaUrl"')
# Commas left where the export dropped source links: after a sentence's end, or at the start.
_LINK_COMMAS = re.compile(r"(?:(?<=[.!?\"'\u2019\u201d)])|^)(?:\s*,)+(?=\s|$)")
_FOOTNOTES = re.compile(r"\[(?:\d+|citation needed)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"\u201c(]?[A-Z0-9])")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class NotAWikiTimesFileError(NotAnArchiveFileError):
    """The file is not a WikiTimes list of events (a folder import skips it quietly)."""


class EventLinks(NamedTuple):
    """What one WikiTimes event links: its story and its entities' Wikipedia pages."""

    date: date
    headline: str
    story: str | None
    entities: list[tuple[str, str | None]]
    """(name, Wikipedia URL), in the event's order, once per name."""


def looks_like_wikitimes(head: bytes) -> bool:
    """Whether a file's first bytes (a kilobyte is plenty) look like WikiTimes JSON.

    True for the entity and story lists too: their reader then says what they are,
    which tells a person more than "format not recognised".
    """
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith((b"[", b"{")):
        return False
    return any(marker in text for marker in _SNIFF_MARKERS) or (
        b'"description"' in text and b'"entity"' in text
    )


def load_wikitimes(path: Path) -> Any:
    """The parsed JSON of a WikiTimes file; InputError naming the file if unreadable.

    The whole file is parsed at once (the standard ``json`` module): exports are a few
    megabytes a year, so a streaming parser would buy nothing.
    """
    where = str(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(f"is {size:,} bytes, too big for a WikiTimes export", where=where)
    raw = path.read_bytes()
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", where=where) from None
    except json.JSONDecodeError as error:
        if json_ends_early(error, raw):
            raise InputError(
                "is cut off: the JSON ends before its last record is closed",
                where=where,
                line=error.lineno,
            ) from None
        raise InputError(
            f"is not valid JSON ({error.msg}, column {error.colno})",
            where=where,
            line=error.lineno,
        ) from None


def read_wikitimes(path: Path) -> Records:
    """The events of a WikiTimes file, one :class:`DayItems` per date.

    InputError naming the file if it is not JSON; :class:`NotAWikiTimesFileError` if it
    is JSON but holds no WikiTimes events.
    """
    return wikitimes_items(load_wikitimes(path), str(path))


def wikitimes_items(data: Any, where: str) -> Records:
    """The events of parsed WikiTimes JSON (``where`` names it in messages), by date."""
    days: dict[date, DayItems] = {}
    result = Records()
    for item in _items(data, where):
        if isinstance(item, str):
            result.skipped.append(item)
            continue
        day = days.setdefault(item.content.date, DayItems(item.content.date))
        if item.problem:
            day.skipped.append(item.problem)
        else:
            day.add(item.content)
    result.extend(days[d] for d in sorted(days))
    return result


def wikitimes_links(data: Any, where: str = "WikiTimes data") -> list[EventLinks]:
    """Per event read, in file order: its date, headline (as :func:`wikitimes_items`
    gives it), story and entities with their Wikipedia URLs.

    For measuring taggers and related events against WikiTimes' own links. Records
    that :func:`wikitimes_items` skips are left out here too.
    """
    return [
        EventLinks(i.content.date, i.content.headline, i.content.story, i.entities)
        for i in _items(data, where)
        if not isinstance(i, str) and not i.problem
    ]


class _Item(NamedTuple):
    content: EventContent
    entities: list[tuple[str, str | None]]
    problem: str  # why the (dated) record is skipped; empty when it is not


def _items(data: Any, where: str) -> Iterator[_Item | str]:
    """Each record read, or (a string) why a record without a usable date is skipped."""
    records, story = _event_list(data, where)
    for index, record in enumerate(records, 1):
        label = f"{where}: record {index}"
        if isinstance(record, dict) and record.get("id") is not None:
            label += f" (id {record['id']})"
        if not isinstance(record, dict):
            yield f"{label}: is {type(record).__name__}, not an event object"
            continue
        day = _date(record.get("date"))
        if isinstance(day, str):
            yield f"{label}: {day}"
            continue
        yield _item(record, day, story, label)


def _event_list(data: Any, where: str) -> tuple[list[Any], str | None]:
    """The event records of the file, and the story when the file is one story's timeline."""
    if isinstance(data, dict) and isinstance(data.get("event"), list):
        return data["event"], _name(data)
    if isinstance(data, list):
        dicts = [r for r in data if isinstance(r, dict)]
        if not data or any("description" in r for r in dicts):
            return data, None
        if any("wikiURL" in r for r in dicts):
            raise NotAWikiTimesFileError("is a list of WikiTimes entities, not events", where=where)
        if any("wikipediaUrl" in r for r in dicts):
            raise NotAWikiTimesFileError("is a list of WikiTimes stories, not events", where=where)
    raise NotAWikiTimesFileError(
        "is not a WikiTimes events file (expected a list of events with a date and a "
        "description, or a story with its event list)",
        where=where,
    )


def _item(record: dict[str, Any], day: date, story: str | None, label: str) -> _Item:
    entities = _entities(record.get("entity"))
    description = record.get("description")
    if not isinstance(description, str):
        return _Item(EventContent(day, ""), entities, f"{label}: has no description")
    headline, summary = headline_and_summary(description)
    category = _name(record.get("category"))
    content = EventContent(
        day,
        headline,
        summary=summary,
        story=_name(record.get("belongsToStory")) or story,
        category=CATEGORY_NAMES.get(category or "", category and category.replace("_", " ")),
        contexts=tuple(dict.fromkeys(_context_name(name, url) for name, url in entities)),
        sources=tuple(_sources(record.get("source"))),
    )
    try:
        return _Item(content.validated(), entities, "")
    except InputError as error:
        return _Item(content, entities, f"{label}: {error}")


def headline_and_summary(description: str) -> tuple[str, str]:
    """A description's headline and summary: the whole text and nothing, unless it is
    too long for a headline (then its first sentence, and the whole text)."""
    text = _FOOTNOTES.sub("", " ".join(description.split()))
    text = " ".join(_LINK_COMMAS.sub("", text).split())
    if len(text) <= MAX_HEADLINE_LENGTH:
        return text, ""
    return _SENTENCE_END.split(text, maxsplit=1)[0], text


def _date(value: Any) -> date | str:
    """The record's date, or why there is none."""
    if value is None or value == "":
        return "has no date"
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        return f"date {value!r} is not a date (expected YYYY-MM-DD)"
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return f"date {value!r} is not a date of the calendar"


def _name(value: Any) -> str | None:
    """The ``name`` of a WikiTimes object (a category, a story), spaces normalised."""
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return " ".join(value["name"].split()) or None
    return None


def _context_name(name: str, url: str | None) -> str:
    """An entity's context: the title of its Wikipedia article (the export's names lost
    their accents and punctuation), else its name."""
    title = wiki_title(url) if url else None
    return title if title and ":" not in title else name


def _entities(value: Any) -> list[tuple[str, str | None]]:
    """(name, Wikipedia URL) of each named entity, once per name, in order."""
    found: dict[str, str | None] = {}
    for entity in value if isinstance(value, list) else ():
        name = _name(entity)
        if name and name not in found:
            url = entity.get("wikiURL")
            found[name] = url.strip() if isinstance(url, str) and url.strip() else None
    return list(found.items())


def _sources(value: Any) -> Iterator[Source]:
    for source in value if isinstance(value, list) else ():
        if not isinstance(source, dict):
            continue
        url = source.get("url") if isinstance(source.get("url"), str) else None
        url = url.strip() if url and url.strip() else None
        name = source.get("sourceName") if isinstance(source.get("sourceName"), str) else None
        publisher = " ".join((name or "").split()) or (urlsplit(url).hostname if url else None)
        if publisher:
            yield Source(publisher, url)
