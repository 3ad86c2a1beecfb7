"""Article pages in four formats, and what event pages say of articles and retirement.

Views are made from model objects built here (made-up text, no news), so every field
is set: two versions, an event attached (retired), copies with their representative.
JSON and XML follow docs/schemas/article.schema.json and article.xsd, the XML saying
exactly what the JSON says; HTML escapes the archive's text and links relatively;
Markdown says the same in the event pages' style.
"""

from __future__ import annotations

import copy
import json
import posixpath
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from lxml import etree, html

from dateline.model import (
    Article,
    ArticleContent,
    ArticleCopies,
    ArticleCopy,
    ArticleDetails,
    ArticleLink,
    ArticleRef,
    ArticleVersion,
    AttachedEvent,
    Event,
    EventArticle,
    EventContent,
    EventEntry,
    Ingestion,
    Version,
)
from dateline.render.article_views import article_view, render_article_html, text_paragraphs
from dateline.render.html_format import render_html
from dateline.render.json_format import render_json
from dateline.render.markdown import RETIRED_NOTICE, render_event_page
from dateline.render.markdown_article import render_article_markdown
from dateline.render.views import event_view
from dateline.render.xml_format import ITEM_NAMES, render_xml

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
HOSTILE = '<script>alert("x")</script> & <b>bold</b>'
LEDE = "The harbour of Portville reopened on Monday after two years of repairs."
TEXT = f"{LEDE}\n\nShips queued from dawn.\n\n# Not a heading: a line of the text."
HASH = "ab" * 32


def content(title: str | None, text: str = TEXT, **changes: Any) -> ArticleContent:
    made = ArticleContent(
        url="https://news.example.org/2019/harbour",
        publisher="The Portville Post",
        domain="news.example.org",
        title=title,
        authors=("Ann Writer", "Bo Reporter"),
        published=date(2019, 5, 6),
        date_method="htmldate:markup",
        language="en",
        lede=LEDE,
        text=text,
        image_url="https://news.example.org/quay.jpg",
        content_hash=HASH,
    )
    return replace(made, **changes)


def version(number: int, made: ArticleContent, source: str) -> ArticleVersion:
    return ArticleVersion(
        number,
        made,
        Ingestion("http", source, "html", "utf-8 (http)"),
        datetime(2026, 12, number, 10, 0, 0),
        2048,
        "cd" * 32,
    )


ENTRY = EventEntry(7, date(2019, 5, 6), "harbour-reopens", "Harbour reopens", retired=True)
LINK = ArticleLink(3, 7, 0.8765, "shares 3 names; dates agree", "ranked", datetime(2026, 12, 1))
LEAD = ArticleRef(9, "wire.example/a", "https://wire.example/a", "Wire story", "Wire", None, None)
OTHER = ArticleRef(
    11, "copy.example/b", None, None, None, "copy.example", date(2019, 5, 7), representative_id=9
)


def details(**changes: Any) -> ArticleDetails:
    article = Article(
        3,
        "news.example.org/2019/harbour",
        (
            version(1, content("First title", "Older text."), "https://news.example.org/a"),
            version(2, content(HOSTILE), "https://news.example.org/2019/harbour"),
        ),
    )
    made = ArticleDetails(
        article,
        (AttachedEvent(LINK, ENTRY),),
        ArticleCopies(3, 9, (ArticleCopy(LEAD, 0.9512, 0.7), ArticleCopy(OTHER))),
    )
    return replace(made, **changes)


@pytest.fixture(scope="module")
def article_json() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / "article.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def article_xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "article.xsd"))


@pytest.fixture(scope="module")
def event_json() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / "event.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def event_xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "event.xsd"))


def as_text(value: Any) -> Any:
    """The view as XML writes it: None left out, everything else as text."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items() if v is not None and k != "type"}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_xml(data: bytes, root_tag: str) -> Any:
    root = etree.fromstring(data)
    assert root.tag == root_tag
    return _element(root)


def _element(element: etree._Element) -> Any:
    if element.tag in ITEM_NAMES:
        return [_element(child) for child in element]
    if len(element) == 0:
        return element.text or ""
    return {child.tag: _element(child) for child in element}


# -- the article page ---------------------------------------------------------------------


def test_the_article_view_says_everything_known(
    article_json: jsonschema.protocols.Validator, article_xsd: xmlschema.XMLSchema
) -> None:
    view = article_view(details())
    assert list(view)[:3] == ["type", "id", "path"] and view["path"] == "/articles/3"
    assert (view["title"], view["text"], view["lede"]) == (HOSTILE, TEXT, LEDE)
    assert view["version"] == {
        "number": 2,
        "count": 2,
        "ingested_at": "2026-12-02 10:00:00",
        "method": "http",
        "source": "https://news.example.org/2019/harbour",
        "source_format": "html",
        "encoding": "utf-8 (http)",
        "raw_size": 2048,
    }
    assert [(v["number"], v["title"], v["current"]) for v in view["versions"]] == [
        (1, "First title", False),
        (2, HOSTILE, True),
    ]
    assert view["events"] == [
        {
            "id": 7,
            "date": "2019-05-06",
            "headline": "Harbour reopens",
            "path": "/news/2019/05/6/harbour-reopens",
            "retired": True,
            "score": 0.8765,
            "reason": "shares 3 names; dates agree",
            "method": "ranked",
        }
    ]
    assert view["representative"] is False
    assert [(c["id"], c["representative"], c["containment"]) for c in view["copies"]] == [
        (9, True, 0.9512),
        (11, False, None),
    ]
    document = json.loads(render_json(view))
    article_json.validate(document)
    article_xsd.validate(render_xml(view))
    assert from_xml(render_xml(view), "article") == as_text(document)


def test_an_article_without_copies_or_events_is_its_own_representative(
    article_json: jsonschema.protocols.Validator, article_xsd: xmlschema.XMLSchema
) -> None:
    bare = details(events=(), copies=ArticleCopies(3, 3))
    one = replace(bare.article, versions=bare.article.versions[1:])
    view = article_view(replace(bare, article=one))
    assert (view["representative"], view["copies"], view["events"]) == (True, [], [])
    article_json.validate(json.loads(render_json(view)))
    article_xsd.validate(render_xml(view))
    markdown = render_article_markdown(view)
    assert "### Copies:" not in markdown and "### Versions:" not in markdown
    assert "A copy of" not in markdown


def test_the_html_page_escapes_marks_the_lede_and_links_relatively() -> None:
    view = article_view(details())
    page = html.fromstring(render_article_html(view))
    assert page.findall(".//script") == []
    assert page.find(".//h1").text_content() == HOSTILE
    assert page.find(".//meta[@name='robots']").get("content") == "noindex"
    paragraphs = page.findall(".//article/section/p")
    assert paragraphs[0].find("strong").text == LEDE
    assert [p.text_content() for p in paragraphs[1:3]] == [
        "Ships queued from dawn.",
        "# Not a heading: a line of the text.",
    ]
    notice = page.find(".//p[@class='notice']")
    assert notice is not None and "A copy of" in notice.text_content()
    links = {a.text_content(): a.get("href") for a in page.iter("a")}
    assert links["Harbour reopens"] == "../news/2019/05/6/harbour-reopens.html"
    assert links["Article 11"] == "../articles/11.html"
    assert posixpath.normpath(posixpath.join("/articles", links["Wire story"])) == (
        "/articles/9.html"
    )
    copies = page.find(".//section[@aria-labelledby='copies']").text_content()
    assert "(representative)" in copies and "containment 0.95" in copies
    assert "(retired)" in page.find(".//section[@aria-labelledby='events']").text_content()


def test_the_markdown_page_says_what_the_view_says() -> None:
    view = article_view(details())
    lines = render_article_markdown(view).splitlines()
    assert lines[0].startswith("Formats: [HTML](/articles/3.html)")
    assert f"**{LEDE}**" in lines
    assert "\\# Not a heading: a line of the text." in lines  # escaped, stays text
    assert (
        "_A copy of [Wire story](/articles/9.md), which stands for the copies of this story._"
        in lines
    )
    assert "- Published: 2019-05-06 (found by htmldate:markup)" in lines
    events = lines[lines.index("### Events:") + 2]
    assert events.startswith("1. [Harbour reopens ](/news/2019/05/6/harbour-reopens.md)")
    assert "score 0.88 (ranked)" in events and events.endswith("_(retired)_")
    copies = lines[lines.index("### Copies:") + 2 : lines.index("### Copies:") + 4]
    assert copies[0].startswith("1. [Wire story](/articles/9.md)")
    assert "the representative, containment 0.95" in copies[0]
    assert copies[1].startswith("2. [Article 11](/articles/11.md) _copy.example, 2019-05-07")
    assert lines.count("### Versions:") == 1


def test_the_lede_comes_first_when_the_text_lacks_it() -> None:
    view = article_view(details())
    assert text_paragraphs({**view, "lede": "A standfirst."})[0] == ("A standfirst.", True)
    assert text_paragraphs({**view, "lede": ""})[0] == (LEDE, False)


def _extra_key(view: dict[str, Any]) -> None:
    view["extra"] = "not in the contract"


def _event_path(view: dict[str, Any]) -> None:
    view["events"][0]["path"] = "/news/2019/05/06/harbour-reopens"


def _score(view: dict[str, Any]) -> None:
    view["events"][0]["score"] = 1.5


def _copy_path(view: dict[str, Any]) -> None:
    view["copies"][0]["path"] = "/articles/../9"


def _no_text(view: dict[str, Any]) -> None:
    view["text"] = ""


def _method(view: dict[str, Any]) -> None:
    view["version"]["method"] = "ftp"


def _hash(view: dict[str, Any]) -> None:
    view["content_hash"] = "not a digest"


BROKEN: dict[str, Callable[[dict[str, Any]], None]] = {
    "an extra key": _extra_key,
    "a zero-padded event path": _event_path,
    "a score above 1": _score,
    "a copy's path leaving /articles": _copy_path,
    "no text": _no_text,
    "an unknown ingest method": _method,
    "a content hash that is no SHA-256": _hash,
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_a_broken_article_page_is_rejected_by_both_schemas(
    broken: str, article_json: jsonschema.protocols.Validator, article_xsd: xmlschema.XMLSchema
) -> None:
    view = article_view(details())
    assert article_json.is_valid(json.loads(render_json(view)))
    bad = copy.deepcopy(view)
    BROKEN[broken](bad)
    assert not article_json.is_valid(json.loads(render_json(bad))), f"JSON with {broken}"
    assert not article_xsd.is_valid(render_xml(bad)), f"XML with {broken}"


def test_a_copy_without_its_representative_listed_is_rejected(
    article_json: jsonschema.protocols.Validator,
) -> None:
    view = article_view(details())
    view["copies"] = [c for c in view["copies"] if not c["representative"]]
    assert not article_json.is_valid(json.loads(render_json(view)))


# -- event pages: their articles, and retirement --------------------------------------------

EVENT_CONTENT = EventContent(date(2019, 5, 6), "Harbour reopens", "Ships are back.")
RETIRED = Event(
    7,
    (
        Version(1, "harbour-reopens", EVENT_CONTENT),
        Version(2, "harbour-reopens", EVENT_CONTENT, note="a duplicate"),
    ),
    retiring=frozenset({2}),
)
ATTACHED = (
    EventArticle(replace(LEAD, representative_id=9), 1.0, "cited", "url-match"),
    EventArticle(replace(OTHER, title=HOSTILE), 0.7, "ranked", "ranked"),
)


def test_an_event_page_lists_its_articles_in_every_format(
    event_json: jsonschema.protocols.Validator, event_xsd: xmlschema.XMLSchema
) -> None:
    view = event_view(RETIRED, articles=ATTACHED)
    assert view["articles"] == [
        {
            "id": 9,
            "path": "/articles/9",
            "title": "Wire story",
            "publisher": "Wire",
            "domain": None,
            "published": None,
            "url": "https://wire.example/a",
            "copy_of": None,
        },
        {
            "id": 11,
            "path": "/articles/11",
            "title": HOSTILE,
            "publisher": None,
            "domain": "copy.example",
            "published": "2019-05-07",
            "url": None,
            "copy_of": {"id": 9, "path": "/articles/9"},
        },
    ]
    event_json.validate(json.loads(render_json(view)))
    event_xsd.validate(render_xml(view))
    page = html.fromstring(render_html(view))
    assert page.findall(".//script[@src]") == [] and HOSTILE not in render_html(view)
    section = page.find(".//section[@aria-labelledby='articles']")
    hrefs = [a.get("href") for a in section.iter("a")]
    assert hrefs == [
        "../../../../articles/9.html",
        "../../../../articles/11.html",
        "../../../../articles/9.html",
    ]
    assert "a copy of article 9" in section.text_content()
    markdown = render_event_page(RETIRED, articles=ATTACHED, site=True).splitlines()
    at = markdown.index("### Articles:")
    assert markdown[at + 2] == "1. [Wire story](/articles/9.md) _Wire, undated_"
    assert markdown[at + 3] == (
        f"2. [{HOSTILE}](/articles/11.md) _copy.example, 2019-05-07, a copy of article 9_"
    )
    # An earlier version's page describes the event as it was: no articles there.
    earlier = event_view(RETIRED, RETIRED.versions[0], articles=ATTACHED)
    assert earlier["articles"] == [] and earlier["retired"] is True
    assert "### Articles:" not in render_event_page(RETIRED, RETIRED.versions[0], articles=ATTACHED)


def test_a_retired_event_is_marked_in_every_format(
    event_json: jsonschema.protocols.Validator, event_xsd: xmlschema.XMLSchema
) -> None:
    view = event_view(RETIRED)
    assert (
        view["retired"] is True
        and event_view(replace(RETIRED, retiring=frozenset()))["retired"] is False
    )
    event_json.validate(json.loads(render_json(view)))
    event_xsd.validate(render_xml(view))
    assert etree.fromstring(render_xml(view)).findtext("retired") == "true"
    page = html.fromstring(render_html(view))
    first = page.find(".//article")[0]
    assert first.get("class") == "notice" and "Retired" in first.text_content()
    site = render_event_page(RETIRED, site=True).splitlines()
    assert site[4] == RETIRED_NOTICE.format(number=2)
    # The seed format an export writes (and an import reads) has no such line.
    assert RETIRED_NOTICE.format(number=2) not in render_event_page(RETIRED)
    # Once brought back, nothing says retired.
    back = replace(
        RETIRED, versions=(*RETIRED.versions, Version(3, "harbour-reopens", EVENT_CONTENT))
    )
    assert not back.retired
    assert "Retired" not in render_html(event_view(back))
