"""Pages as JSON: the page view, keys in a fixed order (see docs/schemas/).

Written by orjson, compactly, on one line, as UTF-8 bytes: programs read these files,
and ``python -m json.tool`` pretty-prints one for a person. Keys keep the view's order
(orjson writes a dict in insertion order), so a page's bytes change only when its
content does. The standard library's C encoder took 70-90 us for an event page of the
1,000,000-event serving bench, orjson 7-9 us: a twentieth of the whole page's time.
"""

from __future__ import annotations

from typing import Any

import orjson

from dateline.render.listed import ListedEntry


def render_json(view: dict[str, Any]) -> bytes:
    return orjson.dumps(view, default=_made, option=orjson.OPT_APPEND_NEWLINE)


def entry_json(entry: dict[str, Any]) -> bytes:
    """A list entry's object as a page has it (the JSON part of a
    :class:`~dateline.render.listed.ListedEntry`)."""
    return orjson.dumps(entry)


def _made(value: Any) -> orjson.Fragment:
    """A list entry made by a full build (:mod:`dateline.render.listed`), as it was
    written: orjson calls this only for what it cannot write itself."""
    if type(value) is ListedEntry:
        return orjson.Fragment(value.json)
    raise TypeError(f"a page view holds a {type(value).__name__}, which JSON cannot say")
