"""Opaque pagination cursors: where the previous page of a list ended.

A cursor is the list's name and the key of its last item, base64url-encoded: opaque
to clients, so the key can change without breaking an API promise. A cursor that was
not made by the same list (or was edited) is an InputError on the ``cursor`` field.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date

from dateline.errors import InputError

_SEPARATOR = "\x1f"
MAX_ID = 2**31 - 1
"""The largest id a database column holds (PostgreSQL ``integer``)."""


def encode_cursor(kind: str, *key: str) -> str:
    text = _SEPARATOR.join((kind, *key))
    return base64.urlsafe_b64encode(text.encode("utf-8")).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, kind: str, parts: int) -> list[str]:
    """The key ``encode_cursor(kind, ...)`` put in ``cursor`` (``parts`` strings)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        fields = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8").split(_SEPARATOR)
    except (ValueError, binascii.Error, UnicodeError):
        fields = []
    if len(fields) != parts + 1 or fields[0] != kind:
        raise _bad(cursor, kind)
    return fields[1:]


def event_key(cursor: str, sort: str) -> tuple[date, int]:
    """The (date, id) an events cursor made with ``sort`` ends at."""
    made_for, day, number = decode_cursor(cursor, "events", 3)
    if made_for != sort:
        raise InputError(
            f"this cursor continues a list sorted by {made_for!r}, not {sort!r}", field="cursor"
        )
    try:
        key = date.fromisoformat(day), int(number)
    except ValueError:
        raise _bad(cursor, "events") from None
    if not 1 <= key[1] <= MAX_ID:
        raise _bad(cursor, "events")
    return key


def offset_key(cursor: str, kind: str) -> int:
    """The position a cursor of a list kept in memory (``kind``) continues from."""
    (text,) = decode_cursor(cursor, kind, 1)
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise _bad(cursor, kind)
    return int(text)


def _bad(cursor: str, kind: str) -> InputError:
    shown = cursor if len(cursor) <= 40 else cursor[:37] + "..."
    return InputError(
        f"{shown!r} is not a cursor of this {kind} list (use the 'next' value of the "
        "previous page, or leave it out to start)",
        field="cursor",
    )
