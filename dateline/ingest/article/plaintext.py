"""A plain-text article (such as seed 002) split into title, paragraphs and a date.

The title is the first line (when it is short enough to be one). Paragraphs are blocks
separated by blank lines, their lines joined (hard-wrapped text); a text without any
blank line has one paragraph a line. The date, if any, is the first one htmldate finds
in the title and the first paragraphs (a dateline such as "Homs, 4 February 2012"):
dates further down are usually about something else.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from htmldate import find_date

from dateline.ingest.article import boilerplate as rules

_BLANK_LINES_RE = re.compile(r"\n[ \t\f\v]*\n")


@dataclass(frozen=True, slots=True)
class PlainArticle:
    """The parts of a plain-text article, before boilerplate is trimmed."""

    title: str | None
    paragraphs: tuple[str, ...]
    published: date | None


def split_plaintext(text: str) -> PlainArticle:
    """Title (first line), paragraphs and the dateline's date of a plain-text article."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    title_line, _, rest = text.partition("\n")
    title: str | None = " ".join(title_line.split())
    if len(title_line) > rules.PLAIN_TITLE_MAX_CHARS:
        title, rest = None, text
    paragraphs = split_paragraphs(rest)
    head = ([title] if title else []) + list(paragraphs[: rules.DATE_SCAN_PARAGRAPHS])
    return PlainArticle(title, paragraphs, date_in_text(head))


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Blocks between blank lines, a hard-wrapped block's lines joined; lines when no blank line."""
    if not _BLANK_LINES_RE.search(text):
        return _clean(text.split("\n"))
    paragraphs: list[str] = []
    for block in _BLANK_LINES_RE.split(text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if all(len(line) >= rules.HARD_WRAP_MIN_CHARS for line in lines[:-1]):
            paragraphs.append(" ".join(lines))
        else:
            paragraphs.extend(lines)
    return _clean(paragraphs)


def _clean(paragraphs: list[str]) -> tuple[str, ...]:
    return tuple(joined for joined in (" ".join(p.split()) for p in paragraphs) if joined)


def date_in_text(paragraphs: list[str]) -> date | None:
    """The date htmldate's text search finds in ``paragraphs`` (as a tiny page), or None."""
    if not paragraphs:
        return None
    page = "<html><body>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    found = find_date(page + "</body></html>", extensive_search=True, original_date=True)
    return date.fromisoformat(found) if found else None
