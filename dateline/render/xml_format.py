"""Pages as XML, built with lxml from the page view (see docs/schemas/*.xsd).

The mapping is mechanical, so XML says exactly what JSON says: a key becomes an element,
a list becomes an element holding one child per item (``contexts`` -> ``context``), a
missing value (None) leaves its element out, and booleans are ``true``/``false``.

A site build writes this for every page, so the walk over the view is written for
speed: one ``SubElement`` call per element, values dispatched on their exact type.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from lxml import etree

from dateline.render.listed import ListedEntry

ITEM_NAMES = {
    "contexts": "context",
    "sources": "source",
    "versions": "version",
    "related": "event",
    "shared": "context",
    "events": "event",
    "days": "day",
    "months": "month",
    "years": "year",
    "names": "name",
    "entries": "entry",
    "articles": "article",
    "authors": "author",
    "copies": "copy",
}

_SubElement = etree.SubElement
_OWN_TEXT = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
"""For reading back what lxml itself wrote (:func:`_made_events`), without the
indentation it wrote: the page's serialization indents again, for the depth it puts
the elements at. Only whitespace *between* elements goes: an element whose whole text is
whitespace keeps it (libxml2 drops a blank text only where elements are its siblings),
and entries have no mixed content."""

_ENTRY_START = b"<x>\n  <events>\n"
_ENTRY_END = b"  </events>\n</x>\n"
"""Around a made entry as :func:`entry_element` serializes it: at a page's events' depth."""
_EMPTY_EVENTS = b"\n  <events/>\n"
"""A page's own ``events`` (a child of the root), left empty to put the made ones in."""


_RELATED_KEYS = ("id", "date", "headline", "path", "shared")
"""The keys of a related entry's view (``views.related_view``), which
:func:`_with_kept_related` puts together from its parts."""
_KEPT: ContextVar[dict[Any, bytes] | None] = ContextVar("dateline_related_xml", default=None)


@contextmanager
def related_parts_kept(kept: dict[Any, bytes]) -> Iterator[None]:
    """Event pages made in the block keep the XML of their related entries' parts in
    ``kept``, and reuse what it holds (see :func:`_with_kept_related`).

    Parts are kept by their content, so they are never stale; ``kept`` only grows: a
    full build's worker keeps it for all its event pages (the benchmark's largest process
    peaked at 665 MiB against 593 MiB before, with the indented list entries too).
    """
    token = _KEPT.set(kept)
    try:
        yield
    finally:
        _KEPT.reset(token)


def render_xml(view: dict[str, Any]) -> bytes:
    root = etree.Element(view["type"])
    events = view.get("events")
    if events and any(type(e) is ListedEntry for e in events):
        return _with_made_events(root, view, events)
    kept = _KEPT.get()
    if kept is not None and view.get("related") and next(reversed(view)) == "related":
        return _with_kept_related(root, view, kept)
    return _whole(root, view)


def _whole(root: etree._Element, view: dict[str, Any]) -> bytes:
    """The page of ``view``, every element made here, under ``root`` (still empty)."""
    _fill(root, {k: v for k, v in view.items() if k != "type"})
    return _document(root)


def _document(root: etree._Element) -> bytes:
    text: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return text


def _with_kept_related(root: etree._Element, view: dict[str, Any], kept: dict[Any, bytes]) -> bytes:
    """An event page whose related list (its last element) is put together from parts
    lxml wrote before: each related event's own elements, and each set of shared tags.

    A related entry has eight elements or so, most of an event page's XML, and a full
    build lists each event on about ten pages: 108 -> 80 us an event page's XML on
    30,000 random pages of the 100,000-event benchmark archive rendered once each with
    nothing kept at first, 58 us with every part kept. Parts are kept by content: a
    related event's own elements by its id, date, headline and path (an id first, so
    never equal to a set of shared tags, which are names).
    """
    related = view["related"]
    if any(tuple(r) != _RELATED_KEYS for r in related):
        return _whole(root, view)
    _fill(root, {k: v for k, v in view.items() if k != "type" and k != "related"})
    text = _document(root)
    end = b"</" + view["type"].encode() + b">\n"
    if not text.endswith(end):  # nothing but the list: the root was written empty
        return _whole(etree.Element(view["type"]), view)
    parts = [text[: -len(end)], b"  <related>\n"]
    for entry in related:
        own = (entry["id"], entry["date"], entry["headline"], entry["path"])
        part = kept.get(own)
        if part is None:
            part = kept[own] = _related_part({k: entry[k] for k in _RELATED_KEYS[:-1]})
        shared = tuple(entry["shared"])
        tags = kept.get(shared)
        if tags is None:
            tags = kept[shared] = _related_part({"shared": list(shared)})
        parts += (b"    <event>\n", part, tags, b"    </event>\n")
    parts += (b"  </related>\n", end)
    return b"".join(parts)


_PART_START = b"<x>\n  <related>\n    <event>\n"
_PART_END = b"    </event>\n  </related>\n</x>\n"


def _related_part(fields: dict[str, Any]) -> bytes:
    """The elements of ``fields`` as lxml writes them in a related entry of an event page."""
    root = etree.Element("x")
    _fill(_SubElement(_SubElement(root, "related"), "event"), fields)
    text: bytes = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return text[len(_PART_START) : -len(_PART_END)]


def _with_made_events(root: etree._Element, view: dict[str, Any], events: list[Any]) -> bytes:
    """A list page whose events a full build made (:mod:`dateline.render.listed`): the
    page serialized with its ``events`` empty, and the made entries put in as lxml wrote
    them, indented for their place (:func:`entry_element`).

    Parsing the made entries into the page and serializing them again (as pages whose
    events lie deeper still do, :func:`_made_events`) took 198 us a tag's page, this 60
    (medians of 5 rounds over 6,217 tag and tag-year pages of the 100,000-event
    benchmark archive; the same bytes). The empty element is found by its indentation
    (only a child of the root has two spaces) and its name: archive text cannot make
    ``<``, lxml escapes it.
    """
    _fill(root, {k: ([] if k == "events" else v) for k, v in view.items() if k != "type"})
    text = _document(root)
    at = text.index(_EMPTY_EVENTS) + 1
    made = [e.xml if type(e) is ListedEntry else entry_element(e) for e in events]
    return b"".join(
        (text[:at], b"  <events>\n", *made, b"  </events>\n", text[at + len(_EMPTY_EVENTS) - 1 :])
    )


def render_related_element(related: list[dict[str, Any]]) -> bytes:
    """An event page's ``related`` element as the page's XML has it, the last child of
    the root: from the newline before it to the end of the document."""
    root = etree.Element("event")
    _fill(root, {"related": related})
    text: bytes = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return text[text.index(b"\n  <related") :]


def _fill(element: etree._Element, mapping: dict[str, Any]) -> None:
    """An element per key of ``mapping`` (None: none), under ``element``.

    The common kinds of value (text, lists of dicts, dicts, numbers, booleans) are set
    here rather than through :func:`_set`: a list page has thousands of elements, and a
    call less per element was a fifth of the XML's time.
    """
    for key, value in mapping.items():
        if value is None:
            continue
        kind = type(value)
        if kind is list and key == "events" and any(type(v) is ListedEntry for v in value):
            element.append(_made_events(value))
            continue
        child = _SubElement(element, key)
        if kind is str:
            child.text = value
        elif kind is list:
            name = ITEM_NAMES[key]
            for item in value:
                if type(item) is dict:
                    _fill(_SubElement(child, name), item)
                elif type(item) is str:  # a related entry's shared tags, a tag's names
                    _SubElement(child, name).text = item
                else:
                    _set(_SubElement(child, name), name, item)
        elif kind is dict:
            _fill(child, value)
        elif kind is int:
            child.text = str(value)
        elif kind is bool:
            child.text = "true" if value else "false"
        else:
            _set(child, key, value)


def _set(element: etree._Element, key: str, value: Any) -> None:
    """``value`` (of the view's key ``key``) as the content of ``element``."""
    kind = type(value)
    if kind is str:
        element.text = value
    elif kind is dict:
        _fill(element, value)
    elif kind is list:
        name = ITEM_NAMES[key]
        for item in value:
            _set(_SubElement(element, name), name, item)
    elif kind is bool:
        element.text = "true" if value else "false"
    elif isinstance(value, dict):  # the rare subclasses, as their base
        _fill(element, value)
    elif isinstance(value, list):
        _set(element, key, list(value))
    else:
        element.text = str(value)


def entry_element(entry: dict[str, Any]) -> bytes:
    """A list entry's ``<event>`` element as a page whose ``events`` are a child of its
    root has it, indented, from its first line's indentation to its last line's end (the
    XML part of a :class:`~dateline.render.listed.ListedEntry`)."""
    root = etree.Element("x")
    _fill(_SubElement(_SubElement(root, "events"), "event"), entry)
    text: bytes = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return text[len(_ENTRY_START) : -len(_ENTRY_END)]


def _made_events(entries: list[Any]) -> etree._Element:
    """A list page's ``events`` element from entries made by a full build (and entry
    views for any it had not made), where they lie deeper than :func:`_with_made_events`
    puts them (a month's days, the home page's).

    lxml takes about 0.7 us an element, and an entry has about 19: the elements of the
    entries a full build made once are read back from lxml's own text of them, in one
    parse a page (139 against 286 us for a tag's page of 14 entries; the same bytes
    once written). Only what lxml itself wrote is parsed here: archive text in it is
    escaped as in any element.
    """
    parts = [e.xml if type(e) is ListedEntry else entry_element(e) for e in entries]
    return etree.fromstring(b"<events>" + b"".join(parts) + b"</events>", _OWN_TEXT)
