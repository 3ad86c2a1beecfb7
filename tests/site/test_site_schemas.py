"""Every JSON and XML page of a built site matches its documented schema.

Event pages follow docs/schemas/event.schema.json and event.xsd; the list pages (home,
day, month, year, context, story) follow docs/schemas/pages.schema.json and pages.xsd;
article pages follow docs/schemas/article.schema.json and article.xsd. The XML of a
list or article page says exactly what its JSON says, in the same order. The schemas
are strict enough to fail: broken pages are rejected by both.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
import string
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from lxml import etree

from dateline.ingest.article.copies import record_copies
from dateline.ingest.importer import import_paths
from dateline.model import ArticleContent, Context, EventEntry, Ingestion
from dateline.render import views
from dateline.render.views import (
    context_view,
    day_view,
    home_view,
    month_view,
    story_view,
    year_view,
)
from dateline.render.xml_format import ITEM_NAMES, render_xml
from dateline.site.build import build_site
from dateline.store import Store
from tests.conftest import SEEDS

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"

# The kind of each page, from its path (no extension); "context-year" pages are context
# pages whose "year" is set.
PAGE_KINDS = (
    (re.compile(r"/index"), "home"),
    (re.compile(r"/news/\d{4}/\d{2}/\d{1,2}/index"), "day"),
    (re.compile(r"/news/\d{4}/\d{2}/index"), "month"),
    (re.compile(r"/news/\d{4}/index"), "year"),
    (re.compile(r"/news/\d{4}/\d{2}/\d{1,2}/(?!index$)[^/]+"), "event"),
    (re.compile(r"/context/[^/]+"), "context"),
    (re.compile(r"/context/[^/]+/\d{4}"), "context-year"),
    (re.compile(r"/story/[^/]+"), "story"),
    (re.compile(r"/articles/[1-9][0-9]*"), "article"),
)
SITEMAPS = re.compile(r"/sitemap\.xml|/sitemaps/[^/]+\.xml")

# What the seed site with the edits below holds, page kind by page kind.
EXPECTED_PAGES = {
    "event": 25,  # one page per version: 19 events, 25 versions (one retired)
    "home": 1,
    "day": 20,  # 19 days with events, and the day the moved event left
    "month": 15,  # 14 with events, and the month the moved event left
    "year": 5,
    "context": 4,  # homs, syrian-army, bombardment, and bab-amr that no event has now
    "context-year": 9,  # homs 5, syrian-army 3, bombardment 1
    "story": 2,  # siege-of-homs, and homs that no event has now
    "article": 3,  # two copies of one made-up story, attached to an event, and one alone
}


def _json_validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def event_json() -> jsonschema.protocols.Validator:
    return _json_validator("event.schema.json")


@pytest.fixture(scope="module")
def pages_json() -> jsonschema.protocols.Validator:
    return _json_validator("pages.schema.json")


@pytest.fixture(scope="module")
def event_xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "event.xsd"))


@pytest.fixture(scope="module")
def pages_xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "pages.xsd"))


@pytest.fixture(scope="module")
def article_json() -> jsonschema.protocols.Validator:
    return _json_validator("article.schema.json")


@pytest.fixture(scope="module")
def article_xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "article.xsd"))


def made_up_text(seed: int, words: int = 200) -> str:
    """Generated words, two paragraphs: article text that is no one's news."""
    chance = random.Random(seed)
    vocabulary = ["".join(chance.choices(string.ascii_lowercase, k=7)) for _ in range(500)]
    picked = [chance.choice(vocabulary) for _ in range(words)]
    half = words // 2
    return " ".join(picked[:half]) + ".\n\n" + " ".join(picked[half:]) + "."


def add_articles(store: Store, event_id: int) -> list[int]:
    """Three made-up articles: two copies of one text, both attached to ``event_id``
    (the later one a copy of the earlier), and one alone, undated and unattached."""
    ids = []
    for name, text, day in (
        ("wire", made_up_text(1), date(2012, 2, 4)),
        ("paper", made_up_text(1) + "\n\nA last line added.", date(2012, 2, 5)),
        ("alone", made_up_text(2), None),
    ):
        content = ArticleContent(
            url=f"https://{name}.example.org/story",
            publisher=name.title(),
            domain=f"{name}.example.org",
            title=f"The {name} story",
            authors=("Ann Writer",) if name == "wire" else (),
            published=day,
            date_method="htmldate:markup" if day else None,
            language="en",
            lede=text.split("\n\n")[0],
            text=text,
            image_url=None,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
        )
        source = Ingestion("http", f"https://{name}.example.org/story", "html", "utf-8 (http)")
        with store.transaction():
            article = store.add_article_version(content, b"<html>made up</html>", source).article
            record_copies(store, article)
        ids.append(article.id)
    for article_id in ids[:2]:
        store.attach_article(article_id, event_id, score=0.9, reason="made up", method="test")
    return ids


def build_seed_site(store: Store, out: Path) -> Path:
    """The seed archive, edited so that the pages use every field, built into ``out``.

    The event with a story gets a new story, a category and, for one version, a new
    context tag; so the old story's page and the tag's page are left without events.
    Another event moves to a day of its own, leaving its old day and month empty.
    """
    assert not import_paths(store, [SEEDS]).errors
    events = list(store.iter_events())
    (storied,) = [e for e in events if e.content.story]
    edited = store.append_version(
        storied.id,
        replace(
            storied.content,
            story="Siege of Homs",
            category="Armed conflicts",
            contexts=(*storied.content.contexts, "Bab Amr"),
        ),
        expected_version=len(storied.versions),
        editor="ann",
        note="story and category",
    ).event
    store.append_version(
        storied.id,
        replace(edited.content, contexts=storied.content.contexts),
        expected_version=len(edited.versions),
        editor="bo",
        note="Bab Amr is not a context",
    )
    latest = max(events, key=lambda e: e.content.date)
    store.append_version(
        latest.id,
        replace(latest.content, date=date(2017, 11, 2)),
        expected_version=len(latest.versions),
        editor="cy",
        note="the right day",
    )
    plain = [e for e in events if not e.is_stub and e.id not in (storied.id, latest.id)]
    add_articles(store, plain[0].id)
    store.retire_event(
        plain[1].id, editor="dee", note="a duplicate", expected_version=len(plain[1].versions)
    )
    build_site(store, out)
    return out


def page_kind(path: str) -> str:
    kinds = [kind for pattern, kind in PAGE_KINDS if pattern.fullmatch(path)]
    assert len(kinds) == 1, f"{path}: not one page kind but {kinds}"
    return kinds[0]


def site_pages(out: Path, suffix: str) -> set[str]:
    """The paths (without extension) of the site's ``suffix`` pages, sitemaps left out."""
    paths = {"/" + p.relative_to(out).as_posix() for p in out.rglob(f"*{suffix}")}
    return {p.removesuffix(suffix) for p in paths if not SITEMAPS.fullmatch(p)}


def test_every_page_of_the_site_matches_its_schemas(
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    event_json: jsonschema.protocols.Validator,
    pages_json: jsonschema.protocols.Validator,
    event_xsd: xmlschema.XMLSchema,
    pages_xsd: xmlschema.XMLSchema,
    article_json: jsonschema.protocols.Validator,
    article_xsd: xmlschema.XMLSchema,
) -> None:
    # The seed tags are small: with 5 events on a tag's page, its year pages exist too.
    monkeypatch.setattr(views, "LATEST_ON_CONTEXT_PAGE", 5)
    out = build_seed_site(store, tmp_path / "site")
    pages = site_pages(out, ".json")
    assert pages == site_pages(out, ".xml"), "every page is there in JSON and in XML"
    assert (out / "sitemap.xml").is_file() and list((out / "sitemaps").glob("*.xml"))

    kinds: Counter[str] = Counter()
    lists: dict[str, dict[str, Any]] = {}
    others: dict[str, dict[str, Any]] = {}
    for page in sorted(pages):
        kind = page_kind(page)
        kinds[kind] += 1
        document = json.loads((out / f"{page[1:]}.json").read_text(encoding="utf-8"))
        xml = (out / f"{page[1:]}.xml").read_bytes()
        assert document["path"] == page
        if kind == "event":
            assert document["type"] == "event"
            event_json.validate(document)
            event_xsd.validate(xml)
            assert not pages_json.is_valid(document), "an event page is no list page"
            others[page] = document
            continue
        if kind == "article":
            assert document["type"] == "article"
            article_json.validate(document)
            article_xsd.validate(xml)
            assert xml_data(xml) == ("article", as_xml_data(document)), page
            assert not event_json.is_valid(document) and not pages_json.is_valid(document)
            others[page] = document
            continue
        assert document["type"] == kind.removesuffix("-year")
        pages_json.validate(document)
        pages_xsd.validate(xml)
        assert not event_json.is_valid(document)
        assert xml_data(xml) == (document["type"], as_xml_data(document)), page
        lists[page] = document

    assert dict(kinds) == EXPECTED_PAGES
    check_list_pages(lists, pages)
    check_article_links(others, pages)


def check_article_links(documents: dict[str, dict[str, Any]], pages: set[str]) -> None:
    """Event and article pages link each other, copies are marked, retirement shows."""
    for page, document in documents.items():
        for path in paths_in(document):
            assert path in pages, f"{page} links to {path}, which is not a page"
    events = [d for d in documents.values() if d["type"] == "event"]
    articles = [d for d in documents.values() if d["type"] == "article"]
    (listing,) = [d for d in events if d["articles"]]
    assert [a["copy_of"] is None for a in listing["articles"]] == [True, False]
    assert len({d["id"] for d in events if d["retired"]}) == 1
    linked = [d for d in articles if d["events"]]
    assert sorted(e["id"] for d in linked for e in d["events"]) == [listing["id"]] * 2
    assert sorted((d["representative"], len(d["copies"])) for d in articles) == [
        (False, 1),
        (True, 0),
        (True, 1),
    ]


def check_list_pages(lists: dict[str, dict[str, Any]], pages: set[str]) -> None:
    """What the schemas cannot say: links lead to pages, and the edits show."""
    for page, document in lists.items():
        for path in paths_in(document):
            assert path in pages, f"{page} links to {path}, which is not a page"
        if document["type"] == "context":
            year = document["year"]
            assert (year is None) == (page == document["head"])
            if year is not None:
                assert page == f"{document['head']}/{year:04d}"
                assert document["title"] == f"{document['name']}, {year}"
                assert all(e["date"].startswith(f"{year:04d}-") for e in document["events"])
    entries = [e for d in lists.values() for e in entries_of(d)]
    assert any(e["category"] == "Armed conflicts" for e in entries)
    siege = {"name": "Siege of Homs", "path": "/story/siege-of-homs"}
    assert siege in [e["story"] for e in entries]
    assert any(e["story"] is None and e["category"] is None for e in entries)
    left = lists["/story/homs"]
    assert (left["names"], left["title"], left["count"], left["events"]) == ([], "homs", 0, [])
    assert lists["/context/bab-amr"]["count"] == 0
    assert lists["/news/2017/10/18/index"]["events"] == []
    assert lists["/news/2017/10/index"]["count"] == 0
    assert lists["/news/2017/11/2/index"]["events"]


def paths_in(value: Any) -> list[str]:
    """Every page path a view links to (its "path" and "head" values)."""
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k in ("path", "head") and isinstance(v, str)]
        return found + [p for v in value.values() for p in paths_in(v)]
    if isinstance(value, list):
        return [p for v in value for p in paths_in(v)]
    return []


def entries_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    days = document.get("days", [])
    return list(document.get("events", [])) + [e for day in days for e in day["events"]]


def as_xml_data(value: Any) -> Any:
    """A JSON page as its XML should say it: null left out, values as text, in order."""
    if isinstance(value, dict):
        items = value.items()
        return [(k, as_xml_data(v)) for k, v in items if v is not None and k != "type"]
    if isinstance(value, list):
        return [as_xml_data(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def xml_data(data: bytes) -> tuple[str, Any]:
    """An XML page read back with the mechanical mapping: (root element, its content)."""
    root = etree.fromstring(data)
    return root.tag, _element(root)


def _element(element: etree._Element) -> Any:
    if element.tag in ITEM_NAMES:  # a list: one child per item, each named for the list
        assert all(child.tag == ITEM_NAMES[element.tag] for child in element), element.tag
        return [_element(child) for child in element]
    if len(element) == 0:
        return element.text or ""
    return [(child.tag, _element(child)) for child in element]


# -- the schemas reject broken pages ------------------------------------------------------

HOMS = Context("Homs", "homs", 2)
ENTRY = EventEntry(
    7,
    date(2012, 2, 9),
    "troops-pour-into-homs",
    "Troops pour into Homs.",
    category="Armed conflicts",
    story="Siege of Homs",
    contexts=(HOMS, Context("Syrian Army", "syrian-army")),
)
PLAIN = EventEntry(3, date(2011, 11, 8), "a-crackdown", "A crackdown.", contexts=(HOMS,))


def sample_view(kind: str) -> dict[str, Any]:
    """A small page of ``kind``, made by the views themselves (no archive needed)."""
    day = ENTRY.date
    views: dict[str, Callable[[], dict[str, Any]]] = {
        "day": lambda: day_view(day, [ENTRY]),
        "month": lambda: month_view(2012, 2, [ENTRY]),
        "year": lambda: year_view(2012, {day: 1, PLAIN.date: 1}),
        "context": lambda: context_view(HOMS, [ENTRY, PLAIN]),
        "context-year": lambda: context_view(HOMS, [ENTRY, PLAIN], year=2012),
        "story": lambda: story_view("siege-of-homs", [ENTRY]),
        "home": lambda: home_view({day: [ENTRY]}, {day: 1, PLAIN.date: 1}, [HOMS]),
    }
    return views[kind]()


def _first_entry(view: dict[str, Any]) -> dict[str, Any]:
    entries: list[dict[str, Any]] = entries_of(view)
    return entries[0]


def _extra_key(view: dict[str, Any]) -> None:
    view["extra"] = "not in the contract"


def _entry_without_path(view: dict[str, Any]) -> None:
    del _first_entry(view)["path"]


def _entry_with_summary(view: dict[str, Any]) -> None:
    _first_entry(view)["summary"] = "Lists give no summaries."


def _story_without_path(view: dict[str, Any]) -> None:
    del _first_entry(view)["story"]["path"]


def _empty_headline(view: dict[str, Any]) -> None:
    _first_entry(view)["headline"] = ""


def _versioned_entry_path(view: dict[str, Any]) -> None:
    _first_entry(view)["path"] += ".v2"


def _negative_count(view: dict[str, Any]) -> None:
    view["count"] = -1


def _month_thirteen(view: dict[str, Any]) -> None:
    view["months"][0]["month"] = "2012-13"


def _padded_day_path(view: dict[str, Any]) -> None:
    view["days"][0]["path"] = "/news/2012/02/09/index"


def _year_as_text(view: dict[str, Any]) -> None:
    view["years"][0]["year"] = "MMXII"


def _other_type(view: dict[str, Any]) -> None:
    view["type"] = "month"


BROKEN = {
    "an extra key": ("day", _extra_key),
    "an entry without a path": ("month", _entry_without_path),
    "an entry with a key of event pages": ("context", _entry_with_summary),
    "a story without a path": ("story", _story_without_path),
    "an empty headline": ("home", _empty_headline),
    "an entry linking to an earlier version": ("context-year", _versioned_entry_path),
    "a negative count": ("year", _negative_count),
    "a month that does not exist": ("context", _month_thirteen),
    "a zero-padded day": ("home", _padded_day_path),
    "a year that is no number": ("home", _year_as_text),
    "a day page calling itself a month": ("day", _other_type),
}


KINDS = ["day", "month", "year", "context", "context-year", "story", "home"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_views_match_the_schemas(
    kind: str, pages_json: jsonschema.protocols.Validator, pages_xsd: xmlschema.XMLSchema
) -> None:
    view = sample_view(kind)
    pages_json.validate(json.loads(json.dumps(view)))
    pages_xsd.validate(render_xml(view))


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_a_broken_page_is_rejected_by_both_schemas(
    broken: str, pages_json: jsonschema.protocols.Validator, pages_xsd: xmlschema.XMLSchema
) -> None:
    kind, damage = BROKEN[broken]
    view = sample_view(kind)
    assert pages_json.is_valid(view) and pages_xsd.is_valid(render_xml(view))
    bad = copy.deepcopy(view)
    damage(bad)
    assert not pages_json.is_valid(json.loads(json.dumps(bad))), f"JSON with {broken}"
    assert not pages_xsd.is_valid(render_xml(bad)), f"XML with {broken}"


def test_the_xml_schema_keeps_the_key_order(pages_xsd: xmlschema.XMLSchema) -> None:
    """Element order is part of the XML contract (JSON objects have none)."""
    view = sample_view("day")
    swapped = {"type": "day", "title": view["title"], "path": view["path"]}
    swapped.update(view)
    assert list(swapped)[1:3] == ["title", "path"]
    assert not pages_xsd.is_valid(render_xml(swapped))
