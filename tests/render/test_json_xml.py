"""JSON and XML pages are documented contracts: every page of an archive validates
against docs/schemas, and the XML says exactly what the JSON says."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from dateline.ingest.importer import import_paths
from dateline.model import Event
from dateline.render import xml_format
from dateline.render.json_format import render_json
from dateline.render.views import event_view
from dateline.render.xml_format import ITEM_NAMES, related_parts_kept, render_xml
from dateline.store import Store
from tests.conftest import EVENT_SEEDS, seed_file

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


@pytest.fixture(scope="module")
def json_schema() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / "event.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def xml_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "event.xsd"))


def archive_pages(store: Store) -> list[tuple[Event, dict[str, Any]]]:
    """Every version page of the seed archive, with edits that exercise every field."""
    import_paths(store, [seed_file(n) for n in EVENT_SEEDS])
    first = next(e for e in store.iter_events() if not e.is_stub)
    store.append_version(
        first.id,
        replace(first.content, summary="Revised <b>&</b> checked.", category="Armed conflicts"),
        editor="ann",
        note="a <script>alert(1)</script> note",
    )
    store.load_related_index()
    pages = []
    for event in store.iter_events():
        related = store.related(event.id)
        pages += [(event, event_view(event, v, related)) for v in event.versions]
    return pages


def test_every_page_matches_both_schemas(
    store: Store, json_schema: jsonschema.protocols.Validator, xml_schema: xmlschema.XMLSchema
) -> None:
    pages = archive_pages(store)
    assert len(pages) == store.count_versions() == 22
    for _event, view in pages:
        document = json.loads(render_json(view))
        json_schema.validate(document)
        xml_schema.validate(render_xml(view))
    assert any(view["related"] for _e, view in pages)
    assert any(view["version"]["editor"] == "ann" for _e, view in pages)


def test_xml_says_what_json_says(store: Store) -> None:
    for _event, view in archive_pages(store):
        assert _from_xml(render_xml(view)) == _as_text(view)


def test_pages_with_kept_related_parts_are_the_pages_made_whole(store: Store) -> None:
    """A full build puts event pages' related lists together from parts it keeps: the
    same bytes, when the parts are made and when they are reused, whatever the text."""
    views = [view for _event, view in archive_pages(store) if view["related"]]
    odd = {
        "id": 99,
        "date": "2012-02-01",
        "headline": " \n ",
        "path": "/news/2012/02/1/odd",
        "shared": ["<related> & </event>", " "],
    }
    views += [
        dict(views[0], related=[odd, *views[0]["related"]]),
        dict(views[0], related=[dict(odd, shared=[]), dict(odd, headline="Renamed <b>")]),
        dict(views[0], related=[dict(odd, note="a key a related entry has not")]),
        {"type": "event", "related": [odd]},  # nothing before the list
    ]
    whole = [render_xml(view) for view in views]
    kept: dict[object, bytes] = {}
    for _round in range(2):  # parts made, then reused
        with related_parts_kept(kept):
            assert [render_xml(view) for view in views] == whole
    assert len(kept) > len(views)


# Values as views hold them; text with what XML must escape, blank text and no text.
_TEXT = st.sampled_from(["", " ", "\n  ", "a < b & c", "]]>", "Homs", "é 中"]) | st.text(
    st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=8
)
_LEAF = st.none() | _TEXT | st.integers(-3, 10**12) | st.booleans()
_KEYS = st.sampled_from(["id", "headline", "label", "path", "count"])


def _views(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    """Views of the shapes pages have: keys with text, numbers, booleans, None, nested
    views, and lists (named in ITEM_NAMES) of views or of text."""
    inner = _views(depth - 1) if depth else st.fixed_dictionaries({"path": _TEXT})
    lists = st.dictionaries(
        st.sampled_from(["contexts", "shared", "events", "names", "months"]),
        st.lists(inner, max_size=3) | st.lists(_TEXT, max_size=3),
        max_size=2,
    )
    return st.builds(
        lambda a, b, c: {**a, **b, **c},
        st.dictionaries(_KEYS, _LEAF, max_size=4),
        st.dictionaries(st.sampled_from(["day", "version"]), inner, max_size=1),
        lists,
    )


@settings(max_examples=150, deadline=None)
@given(views=st.lists(_views(2), min_size=1, max_size=4))
def test_trees_copied_from_kept_shapes_are_the_trees_made_element_by_element(
    views: list[dict[str, Any]],
) -> None:
    """Pages of a shape met before are copies of a kept tree with their texts set again
    (``xml_format._tree``): the same bytes as every element made one by one, whatever
    the text, for pages met once, again, and after others of the same shape."""
    xml_format._SHAPES.clear()
    # The same shapes with other texts: emptied, and made longer.
    others = [_retexted(v, lambda text: "") for v in views]
    others += [_retexted(v, lambda text: text + " <&> " + text) for v in views]
    for view in [*views, *others, *views, *reversed(others)]:
        made = etree.Element("event")
        xml_format._fill(made, view)
        copied = xml_format._tree(("event",), view)
        assert etree.tostring(copied) == etree.tostring(made)
        nested = xml_format._tree(("x", "events", "event"), view)
        assert etree.tostring(nested[0][0]) == etree.tostring(made)
    assert xml_format._SHAPES


def _retexted(value: Any, change: Callable[[str], str]) -> Any:
    """``value`` with ``change`` applied to every text in it."""
    if isinstance(value, dict):
        return {k: _retexted(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_retexted(v, change) for v in value]
    return change(value) if isinstance(value, str) else value


def test_json_keys_keep_their_order(store: Store) -> None:
    _event, view = archive_pages(store)[0]
    text = render_json(view)
    assert (
        list(json.loads(text))
        == list(view)
        == [
            "type",
            "id",
            "path",
            "current_path",
            "date",
            "day",
            "headline",
            "summary",
            "partial",
            "retired",
            "story",
            "category",
            "contexts",
            "sources",
            "cover_image",
            "articles",
            "version",
            "versions",
            "related",
        ]
    )


def test_a_schema_violation_is_caught(json_schema: jsonschema.protocols.Validator) -> None:
    """The schemas are strict enough to fail: a page with a bad path does not pass."""
    bad = {"type": "event", "id": 1, "path": "/news/2012/02/9/../../etc"}
    with pytest.raises(jsonschema.ValidationError):
        json_schema.validate(bad)


def _as_text(value: Any) -> Any:
    """The view as XML writes it: None left out, everything else as text."""
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items() if v is not None and k != "type"}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _from_xml(data: bytes) -> Any:
    root = etree.fromstring(data)
    assert root.tag == "event"
    return _element(root)


def _element(element: etree._Element) -> Any:
    if element.tag in ITEM_NAMES:
        return [_element(child) for child in element]
    if len(element) == 0:
        return element.text or ""
    return {child.tag: _element(child) for child in element}
