"""The event form's fields: what each holds, how its text becomes an event's content, and back.

A browser form sends flat text, so the lists of an event are one per line: context
tags, and sources as ``Publisher https://address`` (the address, when there is one,
is the line's last word). Parsing checks with the model's own rules
(:meth:`EventContent.validated`), so a form accepts exactly what the API and the
store accept; an error names the form field to blame and, for a list, the line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dateline.errors import InputError
from dateline.model import EventContent, Source, validate_note
from dateline.model.event import MAX_HEADLINE_LENGTH, MAX_SUMMARY_LENGTH
from dateline.web.write_api import MAX_NOTE_LENGTH, MAX_URL_LENGTH


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of the event form, as the template draws it."""

    name: str
    label: str
    kind: str
    """``text``, ``textarea``, ``date`` or ``url``."""
    hint: str = ""
    max_length: int | None = MAX_HEADLINE_LENGTH
    rows: int = 0
    required: bool = False


EVENT_FIELDS: tuple[FormField, ...] = (
    FormField("date", "Date", "date", "The day it happened.", None, required=True),
    FormField("headline", "Headline", "text", "One line.", MAX_HEADLINE_LENGTH, required=True),
    FormField(
        "summary",
        "Summary",
        "textarea",
        "Paragraphs apart by an empty line.",
        MAX_SUMMARY_LENGTH,
        8,
    ),
    FormField("story", "Story", "text", "The running story it belongs to, if any."),
    FormField("category", "Category", "text"),
    FormField("contexts", "Context tags", "textarea", "One per line.", None, 4),
    FormField(
        "sources",
        "Sources",
        "textarea",
        "One per line: the publisher, then the article's address (https://...).",
        None,
        4,
    ),
    FormField(
        "cover_image",
        "Cover image",
        "url",
        "The address of the publisher's picture (linked, never copied).",
        MAX_URL_LENGTH,
    ),
    FormField(
        "note",
        "Note",
        "text",
        "Why you write this version: shown in the event's Changes.",
        MAX_NOTE_LENGTH,
    ),
)
FIELD_NAMES = tuple(f.name for f in EVENT_FIELDS)
LABELS = {f.name: f.label for f in EVENT_FIELDS}
_LIST_ITEM = re.compile(r"^(?P<field>\w+)\[(?P<line>\d+)\]")
_SEPARATORS = " \t|,;-\u2013\u2014"
"""Between a source's publisher and its address: ``Reuters | https://...`` reads too."""


def form_values(content: EventContent, note: str | None = None) -> dict[str, str]:
    """The form's text for ``content``: what an edit form starts from."""
    return {
        "date": content.date.isoformat(),
        "headline": content.headline,
        "summary": content.summary,
        "story": content.story or "",
        "category": content.category or "",
        "contexts": "\n".join(content.contexts),
        "sources": "\n".join(
            f"{s.publisher} {s.url}" if s.url else s.publisher for s in content.sources
        ),
        "cover_image": content.cover_image or "",
        "note": note or "",
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _source(line: str) -> Source:
    words = line.split()
    if words[-1].startswith(("http://", "https://")):
        publisher = line[: line.rindex(words[-1])].rstrip(_SEPARATORS)
        return Source(publisher, words[-1])
    return Source(line, None)


def _date(text: str) -> date:
    value = text.strip()
    if not value:
        raise InputError("give the day it happened (YYYY-MM-DD)", field="date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{value[:40]!r} is not a date (expected YYYY-MM-DD)", field="date"
        ) from None


def read_event_form(values: Mapping[str, str]) -> tuple[EventContent, str | None]:
    """The content and the note a submitted form says, checked by the model's rules.

    InputError whose ``field`` is a form field's name (a list's line is in the message).
    """
    try:
        content = EventContent(
            date=_date(values.get("date", "")),
            headline=values.get("headline", ""),
            summary=values.get("summary", ""),
            story=values.get("story") or None,
            category=values.get("category") or None,
            contexts=tuple(_lines(values.get("contexts", ""))),
            sources=tuple(_source(line) for line in _lines(values.get("sources", ""))),
            cover_image=values.get("cover_image") or None,
        ).validated()
        note = validate_note(values.get("note"))
    except InputError as error:
        raise form_error(error) from None
    return content, note


def form_error(error: InputError) -> InputError:
    """``error`` blamed on a form field: ``sources[2].url`` is line 2 of ``sources``."""
    field = error.field or ""
    found = _LIST_ITEM.match(field)
    if found:
        return InputError(f"line {found['line']}: {error.detail}", field=found["field"])
    if field in LABELS:
        return error
    return InputError(f"{field}: {error.detail}" if field else error.detail, field=None)


def field_views(values: Mapping[str, str], error: InputError | None = None) -> list[dict[str, Any]]:
    """The fields as the template draws them: each with its value and its error, if any."""
    views = []
    for f in EVENT_FIELDS:
        message = error.detail if error is not None and error.field == f.name else None
        described = [
            *(["error-" + f.name] if message else []),
            *(["hint-" + f.name] if f.hint else []),
        ]
        views.append(
            {
                "name": f.name,
                "label": f.label,
                "kind": f.kind,
                "hint": f.hint,
                "max_length": f.max_length,
                "rows": f.rows,
                "required": f.required,
                "value": values.get(f.name, ""),
                "error": message,
                "described_by": " ".join(described),
            }
        )
    return views
