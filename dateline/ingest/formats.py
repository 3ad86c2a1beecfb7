"""The file formats ``dateline import`` reads, and telling them apart by content.

Each archive format is a name, the file-name endings a folder import looks at, a sniff
of the file's first bytes and a reader from bytes to :class:`DayItems`. The seed page
format (``page``) is read differently (a page is one event and its links, merged by
:mod:`dateline.ingest.merge`), so it has a sniff here but no day reader.

Detection looks at the content, not the name: a ``.txt`` file holding a portal day is a
portal day. The file name only chooses which files of a folder are looked at.
``--format`` skips detection.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dateline.ingest.items import DayItems
from dateline.ingest.records import looks_like_csv, looks_like_jsonl, read_csv, read_jsonl
from dateline.ingest.wcep_html import looks_like_portal_html, read_portal_html
from dateline.ingest.wcep_yaml import looks_like_portal_day, read_portal_day
from dateline.ingest.wikitimes import (
    load_wikitimes,
    looks_like_wikitimes,
    read_wikitimes,
    wikitimes_links,
)
from dateline.nlp.vocabulary import Link, read_portal_html_links, wikitimes_entity_links

SNIFF_BYTES = 8192
PAGE = "page"
_LOOKS_LIKE_PAGE = re.compile(r"^(Formats:|#{1,3} \[)")


@dataclass(frozen=True)
class ArchiveFormat:
    """A format ``dateline import`` reads into day items."""

    name: str
    description: str
    suffixes: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    read: Callable[[Path], list[DayItems]]
    max_bytes: int
    links: Callable[[Path], list[Link]] | None = None
    """The link sightings the file holds (text linking an article), for the context
    vocabulary (:mod:`dateline.nlp.vocabulary`); None for formats without links."""


def looks_like_page(text: str) -> bool:
    """A seed-format event page starts with its Formats line or its ``# [headline]``."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    return bool(_LOOKS_LIKE_PAGE.match(first))


def _page_sniff(head: bytes) -> bool:
    return looks_like_page(head.decode("utf-8", errors="replace").lstrip("\ufeff"))


PAGE_SUFFIXES = (".md", ".txt", ".markdown")
MAX_PAGE_BYTES = 5 * 1024 * 1024

ARCHIVE_FORMATS: tuple[ArchiveFormat, ...] = (
    ArchiveFormat(
        "portal-yaml",
        "a scraped Current Events Portal day (wcep-days/YYYY/MM/YYYY-MM-DD.yaml)",
        (".yaml", ".yml"),
        looks_like_portal_day,
        lambda path: [read_portal_day(path)],
        2_000_000,
    ),
    ArchiveFormat(
        "portal-html",
        "a rendered Current Events Portal day or month page (HTML)",
        (".html", ".htm"),
        looks_like_portal_html,
        read_portal_html,
        20_000_000,
        read_portal_html_links,
    ),
    ArchiveFormat(
        "wikitimes",
        "a WikiTimes export or API response (JSON)",
        (".json",),
        looks_like_wikitimes,
        read_wikitimes,
        256 * 1024 * 1024,
        lambda path: wikitimes_entity_links(wikitimes_links(load_wikitimes(path), str(path))),
    ),
    ArchiveFormat(
        "jsonl",
        "Dateline events as JSON Lines, one event JSON object per line",
        (".jsonl", ".ndjson"),
        looks_like_jsonl,
        read_jsonl,
        1024 * 1024 * 1024,
    ),
    ArchiveFormat(
        "csv",
        "Dateline events as CSV (date, headline, summary, story, category, contexts, ...)",
        (".csv",),
        looks_like_csv,
        read_csv,
        1024 * 1024 * 1024,
    ),
)
FORMATS_BY_NAME = {f.name: f for f in ARCHIVE_FORMATS}
FORMAT_NAMES = (PAGE, *FORMATS_BY_NAME)
IMPORTABLE_SUFFIXES = PAGE_SUFFIXES + tuple(s for f in ARCHIVE_FORMATS for s in f.suffixes)
MAX_FILE_BYTES = max([MAX_PAGE_BYTES, *(f.max_bytes for f in ARCHIVE_FORMATS)])


def detect_format(head: bytes) -> str | None:
    """The name of the format a file's first bytes show, or None if none fits."""
    if _page_sniff(head):
        return PAGE
    for archive_format in ARCHIVE_FORMATS:
        if archive_format.sniff(head):
            return archive_format.name
    return None


def format_for_suffix(suffix: str) -> str | None:
    """The format a file name's ending suggests (for a file named on the command line
    whose content fits no format: its reader then says what is wrong with it)."""
    suffix = suffix.lower()
    if suffix in PAGE_SUFFIXES:
        return PAGE
    return next((f.name for f in ARCHIVE_FORMATS if suffix in f.suffixes), None)
