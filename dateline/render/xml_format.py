"""Pages as XML, built with lxml from the page view (see docs/schemas/*.xsd).

The mapping is mechanical, so XML says exactly what JSON says: a key becomes an element,
a list becomes an element holding one child per item (``contexts`` -> ``context``), a
missing value (None) leaves its element out, and booleans are ``true``/``false``.

A site build writes this for every page, so the walk over the view is written for
speed: one ``SubElement`` call per element, values dispatched on their exact type.
"""

from __future__ import annotations

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


def render_xml(view: dict[str, Any]) -> bytes:
    root = etree.Element(view["type"])
    _fill(root, {k: v for k, v in view.items() if k != "type"})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


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
    """A list entry's ``<event>`` element as a page has it, alone (the XML part of a
    :class:`~dateline.render.listed.ListedEntry`)."""
    element = etree.Element("event")
    _fill(element, entry)
    text: bytes = etree.tostring(element, encoding="UTF-8")
    return text


def _made_events(entries: list[Any]) -> etree._Element:
    """A list page's ``events`` element from entries made by a full build (and entry
    views for any it had not made).

    lxml takes about 0.7 us an element, and an entry has about 19: the elements of the
    entries a full build made once are read back from lxml's own text of them, in one
    parse a page (139 against 286 us for a tag's page of 14 entries; the same bytes
    once written). Only what lxml itself wrote is parsed here: archive text in it is
    escaped as in any element.
    """
    parts = [e.xml if type(e) is ListedEntry else entry_element(e) for e in entries]
    return etree.fromstring(b"<events>" + b"".join(parts) + b"</events>", _OWN_TEXT)
