"""Pages as XML, built with lxml from the page view (see docs/schemas/event.xsd).

The mapping is mechanical, so XML says exactly what JSON says: a key becomes an element,
a list becomes an element holding one child per item (``contexts`` -> ``context``), a
missing value (None) leaves its element out, and booleans are ``true``/``false``.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

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
}


def render_xml(view: dict[str, Any]) -> bytes:
    root = etree.Element(view["type"])
    _fill(root, view, skip={"type"})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _fill(element: etree._Element, mapping: dict[str, Any], skip: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    for key, value in mapping.items():
        if key in skip or value is None:
            continue
        child = etree.SubElement(element, key)
        _set(child, key, value)


def _set(element: etree._Element, key: str, value: Any) -> None:
    if isinstance(value, dict):
        _fill(element, value)
    elif isinstance(value, list):
        for item in value:
            _set(etree.SubElement(element, ITEM_NAMES[key]), ITEM_NAMES[key], item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)
