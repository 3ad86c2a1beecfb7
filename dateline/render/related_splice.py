"""An event page as built, with only its related list made anew.

A new headline of an event changes the pages of every event whose related list shows
it: 2,146 events' pages in four formats for the costliest edit of ``bench/build.py``.
Nothing else on those pages changed, and the related list is the last part of every
format (the last key of the JSON and of the XML, the last section of the Markdown and
of the HTML article), so a build renders the list alone and puts it in place of the
old one, keeping the rest of the page's bytes.

The old list is found by markers that archive text cannot make: HTML and XML escape
every ``<`` of it, JSON every ``"`` inside a string, and a Markdown page's lines come
from one-line fields. The tests check spliced pages against whole pages rendered anew.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from dateline.model import RelatedEvent
from dateline.render.html_format import render_related_section
from dateline.render.markdown import related_section
from dateline.render.views import related_view
from dateline.render.xml_format import render_related_element

_HTML_START = b'  <section aria-labelledby="related">'
_HTML_END = b"</section>\n"
_HTML_AFTER = b"</article>"
_XML_START = b"<related"
_JSON_START = b',"related":['
_MARKDOWN_START = b"\n### Related:\n"


def related_parts(page_path: str, related: Sequence[RelatedEvent]) -> dict[str, bytes]:
    """The related list of the current page of an event at ``page_path`` (no extension)
    in each format, by extension, as :func:`spliced` takes them."""
    entries = related_view(related)
    markdown = "\n".join(related_section(related)) + "\n" if related else ""
    html = render_related_section({"path": page_path, "related": entries})
    return {
        "md": markdown.encode(),
        "html": html.encode(),
        "json": b',"related":' + orjson.dumps(entries) + b"}\n",
        "xml": render_related_element(entries),
    }


def spliced(ext: str, old: bytes, part: bytes) -> bytes | None:
    """The current page of an event ``old`` (as built, format ``ext``) with ``part`` in
    place of its related list; None when no place for the list is found in it."""
    if ext == "json":
        start = old.rfind(_JSON_START)
        return None if start < 0 else old[:start] + part
    if ext == "xml":
        start = old.rfind(_XML_START)
        return None if start < 0 else old[:start] + part
    if ext == "html":
        start = old.rfind(_HTML_START)
        if start < 0:  # no list before: the block was empty, just before </article>
            start = end = old.rfind(_HTML_AFTER)
        else:
            end = old.find(_HTML_END, start)
            end = -1 if end < 0 else end + len(_HTML_END)
        if start < 0 or end < 0:
            return None
        return old[:start] + part + old[end:]
    if ext == "md":
        return _markdown(old, part)
    return None


def _markdown(old: bytes, part: bytes) -> bytes | None:
    """Sections are separated by a blank line; the page ends with one newline."""
    start = old.rfind(_MARKDOWN_START)
    head = old + b"\n" if start < 0 else old[: start + 1]  # ends with the blank line
    if not head.endswith(b"\n\n"):
        return None
    return head + part if part else head[:-1]
