"""Pages as XML, built with lxml from the page view (see docs/schemas/*.xsd).

The mapping is mechanical, so XML says exactly what JSON says: a key becomes an element,
a list becomes an element holding one child per item (``contexts`` -> ``context``), a
missing value (None) leaves its element out, and booleans are ``true``/``false``.

A site build writes this for every page, so the walk over the view is written for
speed: one ``SubElement`` call per element, values dispatched on their exact type.

Written without indentation, as JSON is (``xmllint --format`` indents a file for a
person): indented, the 100,000-event benchmark archive's XML pages took 30% more bytes
(965 against 743 MB, of a site of 3 GB), and lxml half as long again to write a page
out (16.9 against 10.9 us).
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
_OWN_TEXT = etree.XMLParser(resolve_entities=False, no_network=True)
"""For reading back what lxml itself wrote (:func:`_made_events`)."""

_ENTRY_START = b"<x><events>"
_ENTRY_END = b"</events></x>"
"""Around a made entry as :func:`entry_element` serializes it."""
_EVENTS_MARK = "dateline-events"
"""A processing instruction put in a page's own (empty) ``events`` to find where the
made entries go (:func:`_with_made_events`): archive text cannot make one, as lxml
escapes every ``<`` of it, and pages have no other."""


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
    events = view.get("events")
    if events and any(type(e) is ListedEntry for e in events):
        return _with_made_events(view, events)
    kept = _KEPT.get()
    if kept is not None and view.get("related") and next(reversed(view)) == "related":
        return _with_kept_related(view, kept)
    return _whole(view)


def _whole(view: dict[str, Any]) -> bytes:
    """The page of ``view``, every element made here."""
    return _document(_tree((view["type"],), {k: v for k, v in view.items() if k != "type"}))


def _document(root: etree._Element) -> bytes:
    text: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return text


def _with_kept_related(view: dict[str, Any], kept: dict[Any, bytes]) -> bytes:
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
        return _whole(view)
    text = _document(
        _tree((view["type"],), {k: v for k, v in view.items() if k != "type" and k != "related"})
    )
    end = b"</" + view["type"].encode() + b">"
    if not text.endswith(end):  # nothing but the list: the root was written empty
        return _whole(view)
    parts = [text[: -len(end)], b"<related>"]
    for entry in related:
        own = (entry["id"], entry["date"], entry["headline"], entry["path"])
        part = kept.get(own)
        if part is None:
            part = kept[own] = _related_part({k: entry[k] for k in _RELATED_KEYS[:-1]})
        shared = tuple(entry["shared"])
        tags = kept.get(shared)
        if tags is None:
            tags = kept[shared] = _related_part({"shared": list(shared)})
        parts += (b"<event>", part, tags, b"</event>")
    parts += (b"</related>", end)
    return b"".join(parts)


_PART_START = b"<x><related><event>"
_PART_END = b"</event></related></x>"


def _related_part(fields: dict[str, Any]) -> bytes:
    """The elements of ``fields`` as lxml writes them in a related entry of an event page."""
    root = _tree(("x", "related", "event"), fields)
    text: bytes = etree.tostring(root, encoding="UTF-8")
    return text[len(_PART_START) : -len(_PART_END)]


def _with_made_events(view: dict[str, Any], events: list[Any]) -> bytes:
    """A list page whose events a full build made (:mod:`dateline.render.listed`): the
    page serialized with its ``events`` empty, and the made entries put in as lxml wrote
    them (:func:`entry_element`).

    Parsing the made entries into the page and serializing them again (as pages whose
    events lie deeper still do, :func:`_made_events`) took 198 us a tag's page, this 60
    (medians of 5 rounds over 6,217 tag and tag-year pages of the 100,000-event
    benchmark archive; the same bytes). The place is marked in the empty element by a
    processing instruction (:data:`_EVENTS_MARK`).
    """
    root = _tree(
        (view["type"],),
        {k: ([] if k == "events" else v) for k, v in view.items() if k != "type"},
    )
    own = root.find("events")
    assert own is not None  # the view has events
    own.append(etree.ProcessingInstruction(_EVENTS_MARK))
    head, tail = _document(root).split(_MARKED_EVENTS)
    made = [e.xml if type(e) is ListedEntry else entry_element(e) for e in events]
    return b"".join((head, b"<events>", *made, b"</events>", tail))


def _marked_events() -> bytes:
    """The marked empty ``events`` as lxml writes it (a processing instruction with no
    text gets a space after its name)."""
    events = etree.Element("events")
    events.append(etree.ProcessingInstruction(_EVENTS_MARK))
    text: bytes = etree.tostring(events)
    return text


_MARKED_EVENTS = _marked_events()


def render_related_element(related: list[dict[str, Any]]) -> bytes:
    """An event page's ``related`` element as the page's XML has it, the last child of
    the root: from its start to the end of the document."""
    text: bytes = etree.tostring(_tree(("event",), {"related": related}), encoding="UTF-8")
    return text[text.index(b"<related") :]


SHAPES_KEPT = 2048
"""At most this many made trees are kept to copy (:func:`_tree`); then none again."""
SHAPE_MOST_ELEMENTS = 256
"""Bigger trees are not kept (a tag's page with years of months): few pages share
their shape, and 2,048 of them could take a few hundred MB."""
_SHAPES: dict[tuple[Any, ...], etree._Element] = {}


def _tree(path: tuple[str, ...], mapping: dict[str, Any]) -> etree._Element:
    """A new tree of elements named ``path``, each the only child of the one before,
    the last filled with ``mapping`` (:func:`_fill`); its first element.

    Pages of a kind mostly have the same elements, only their texts differ: a tree made
    once for each shape (which elements, how many items a list has) is kept, and a page
    of a shape met before is a copy of it (lxml copies a tree in C) with every text set
    again, in document order. An event page's elements (the related list aside), 44 ->
    31 us: lxml makes an element in about a microsecond through its Python API, and
    copies it in a tenth of that. The same bytes: tests/render/test_json_xml.py checks
    them against trees made element by element on generated views.
    """
    texts: list[str | None] = [None]  # the filled element's own: none
    shape: list[Any] = [path]
    plain = _shape(mapping, shape, texts)
    key = tuple(shape) if plain and len(texts) <= SHAPE_MOST_ELEMENTS else None
    made = _SHAPES.get(key) if key is not None else None
    if made is not None:
        # A whole copy: lxml's copy.copy of an element copies what it holds too.
        top: etree._Element = made.__copy__()  # type: ignore[attr-defined]
        element = top
        for _ in path[1:]:
            element = element[0]
        for node, text in zip(element.iter(), texts, strict=True):
            if text is not None:
                node.text = text
        return top
    top = element = etree.Element(path[0])
    for name in path[1:]:
        element = _SubElement(element, name)
    _fill(element, mapping)
    if key is not None:
        if len(_SHAPES) >= SHAPES_KEPT:
            _SHAPES.clear()
        _SHAPES[key] = top.__copy__()  # type: ignore[attr-defined]
    return top


def _shape(mapping: dict[str, Any], shape: list[Any], texts: list[str | None]) -> bool:
    """Whether :func:`_fill` makes ``mapping`` of plain values alone (text, numbers,
    booleans, dicts and lists of dicts or text); if so, its elements' names and the
    lengths of its lists are added to ``shape``, and the text of each element it makes
    to ``texts`` (None for an element holding others), in document order."""
    for key, value in mapping.items():
        if value is None:
            continue
        kind = type(value)
        if kind is str:
            shape.append(key)
            texts.append(value)
        elif kind is list:
            shape += (key, len(value))
            texts.append(None)
            for item in value:
                if type(item) is dict:
                    shape.append(None)  # an item's own elements follow, closed by ")"
                    texts.append(None)
                    if not _shape(item, shape, texts):
                        return False
                    shape.append(")")
                elif type(item) is str:
                    shape.append("")
                    texts.append(item)
                else:  # a list entry made by a full build, or what _set makes
                    return False
        elif kind is dict:
            shape += (key, None)
            texts.append(None)
            if not _shape(value, shape, texts):
                return False
            shape.append(")")
        elif kind is int:
            shape.append(key)
            texts.append(str(value))
        elif kind is bool:
            shape.append(key)
            texts.append("true" if value else "false")
        else:
            return False
    return True


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
    """A list entry's ``<event>`` element as a page has it (the XML part of a
    :class:`~dateline.render.listed.ListedEntry`)."""
    text: bytes = etree.tostring(_tree(("x", "events", "event"), entry), encoding="UTF-8")
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
