"""Reading the scraped Current Events Portal day files (``wcep-days/YYYY/MM/YYYY-MM-DD.yaml``).

Each file holds one portal day: ``Date``, ``Source_URI`` and ``Intelligence_Payload``,
a mapping from a heading to the day's bullets under it. A heading is either one of
the portal's categories ("Armed conflicts and attacks", in a dozen spellings over the
years) or a story heading ("Syrian civil war"). A bullet is the headline followed by
the publishers it cites in parentheses: ``... killed in the past day. (Reuters)``,
sometimes several (``(AP) (AP via Sydney Morning Herald)``). The scrape lost links, so
sources have no URLs and the events carry no context tags.

The scrape also flattened the portal's nested story headings into bullets: from 2014
on, most days list ``- Russo-Ukrainian War``, ``- 2022 Russian invasion of Ukraine``
and then the item, all as siblings (48,037 of the corpus's 162,123 bullets are such
headings). A bullet that cites no publisher, does not end a sentence and has at most
:data:`STORY_HEADING_MAX_WORDS` words is read as a story heading, not an event; the
innermost heading (the last of a run) becomes the ``story`` of the *one* item that
follows it. Where a story had several items the later ones lose it, since the scrape
no longer says where the story ends: checked against the rendered January 2023 page
(:mod:`dateline.ingest.wcep_html`), this gives 312 of 323 matched items the page's own
story, where carrying the heading on until the next one gives only 238.

This module only reads: it turns a file into event contents, or says in one line why
it cannot (naming the file). Storing them is :mod:`dateline.ingest.importer`'s job.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from dateline.errors import InputError
from dateline.ingest.items import DayItems, NotAnArchiveFileError
from dateline.model import EventContent, Source

# The portal's category headings as the scrape spells them, 2002-2026 (lower case).
# Any other heading is a story heading. "Uncategorized" is neither.
CATEGORIES = frozenset(
    name.lower()
    for name in (
        "Armed conflicts and attacks",
        "Armed conflict and attacks",
        "Arts and culture",
        "Art and culture",
        "Business and economy",
        "Business and economics",
        "Business",
        "Disasters and accidents",
        "Disasters",
        "Health and environment",
        "Health and medicine",
        "Health",
        "International relations",
        "Law and crime",
        "Politics and elections",
        "Politics",
        "Science and technology",
        "Science",
        "Sports",
        "Sport",
    )
)
UNCATEGORIZED = "uncategorized"
STORY_HEADING_MAX_WORDS = 12
"""A publisher-less bullet of at most this many words, not ending a sentence, is a
flattened story heading (the longest real ones, such as "Foreign aid to Ukraine during
the Russo-Ukrainian War", stay well below)."""
_SENTENCE_END = re.compile(r"[.!?\"')\]\u201d\u2019]$")
_TRAILING_PUBLISHER = re.compile(r"\s*\(([^()]{1,120})\)\s*$")
MAX_FILE_BYTES = 2_000_000
"""A portal day is tens of kilobytes; anything much bigger is not one."""


class NotAPortalDayError(NotAnArchiveFileError):
    """The file is YAML (or not even that) but no portal day: a folder import skips it."""


PortalDay = DayItems
"""One day file read: its events, and the bullets skipped with the reason."""


def split_publishers(bullet: str) -> tuple[str, tuple[str, ...]]:
    """``"Text. (AP) (BBC)"`` -> ``("Text.", ("AP", "BBC"))``: the publishers at the end."""
    text = " ".join(bullet.split())
    publishers: list[str] = []
    while match := _TRAILING_PUBLISHER.search(text):
        if not text[: match.start()].strip():
            break  # the whole bullet is in parentheses: keep it as the headline
        publishers.insert(0, match[1].strip())
        text = text[: match.start()].rstrip()
    return text, tuple(dict.fromkeys(publishers))


def looks_like_portal_day(head: bytes) -> bool:
    """Whether a file's first bytes look like a scraped portal day (for format detection)."""
    return b"Intelligence_Payload" in head or head.lstrip(b"\xef\xbb\xbf\r\n ").startswith(b"Date:")


def read_portal_day(path: Path) -> PortalDay:
    """Read one day file. InputError (naming the file) when it is not a portal day."""
    where = str(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"is {path.stat().st_size:,} bytes, too big for a portal day", where=where)
    return parse_portal_day(path.read_bytes(), where)


def parse_portal_day(data: bytes, where: str) -> PortalDay:
    """The day a file's bytes hold (``where`` names the file in errors)."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"is {len(data):,} bytes, too big for a portal day", where=where)
    try:
        parsed = yaml.load(data, Loader=_LOADER)
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        raise NotAPortalDayError(
            f"is not valid YAML ({getattr(error, 'problem', None) or 'unreadable'})",
            where=where,
            line=None if line is None else line + 1,
        ) from None
    return portal_day(parsed, where)


def portal_day(data: Any, where: str) -> PortalDay:
    """The events of a parsed day file (``where`` names it in errors)."""
    if not isinstance(data, dict) or "Date" not in data or "Intelligence_Payload" not in data:
        raise NotAPortalDayError(
            "is not a Current Events day (expected the keys Date and Intelligence_Payload)",
            where=where,
        )
    day = _day(data["Date"], where)
    payload = data["Intelligence_Payload"] or {}
    if not isinstance(payload, dict):
        raise InputError("Intelligence_Payload is not a mapping of headings", where=where)
    source = data.get("Source_URI")
    result = PortalDay(day, str(source) if source else None)
    for heading, bullets in payload.items():
        name = " ".join(str(heading).split())
        category, story = _heading(name)
        inner: str | None = None  # the flattened story heading just read, if any
        for bullet in bullets if isinstance(bullets, list) else [bullets]:
            if not isinstance(bullet, str) or not bullet.strip():
                result.skipped.append(f"{where}: an empty bullet under {name!r}")
                continue
            headline, publishers = split_publishers(bullet)
            if is_story_heading(headline, publishers):
                inner = headline
                continue
            content = EventContent(
                day,
                headline,
                category=category,
                story=inner or story,
                sources=tuple(Source(p) for p in publishers),
            )
            inner = None
            try:
                content = content.validated()
            except InputError as error:
                result.skipped.append(f"{where}: a bullet under {name!r}: {error}")
                continue
            result.add(content)
    return result


def is_story_heading(text: str, publishers: tuple[str, ...]) -> bool:
    """Whether a bullet is a flattened story heading rather than an item."""
    return (
        not publishers
        and not _SENTENCE_END.search(text)
        and len(text.split()) <= STORY_HEADING_MAX_WORDS
    )


def _heading(name: str) -> tuple[str | None, str | None]:
    """(category, story) of a heading."""
    if name.lower() == UNCATEGORIZED or not name:
        return None, None
    if name.lower() in CATEGORIES:
        return name, None
    return None, name


def _day(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(
            f"Date {value!r} is not a date (expected YYYY-MM-DD)", where=where, field="Date"
        ) from None


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe parser when it is there (far faster on the 8,587-file corpus),
    with dates left as text: YAML would raise a bare ValueError on ``2012-02-30``,
    where :func:`_day` says which file has an impossible date."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)
_LOADER = _Loader
