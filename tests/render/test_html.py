"""HTML event pages: escaped, linked to their other formats, described for machines."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from lxml import html
from markupsafe import Markup, escape

from dateline.ingest.importer import import_paths
from dateline.model import Event, EventContent, RelatedEvent, Source, Version
from dateline.render.html_format import _environment, _escape, render_html
from dateline.render.views import event_view
from dateline.store import Store
from tests.conftest import EVENT_SEEDS, seed_file


def resolve(page_path: str, href: str) -> str:
    """The site path a relative link on the page at ``page_path`` leads to."""
    assert not href.startswith("/"), f"{href} is not relative: the site must work from disk"
    return posixpath.normpath(posixpath.join(posixpath.dirname(page_path), href))


HOSTILE = '<script>alert("x")</script> & </script><b>bold</b>'


def _page(content: EventContent, related: Sequence[RelatedEvent] = ()) -> html.HtmlElement:
    event = Event(1, (Version(1, "a-slug", content),))
    return html.fromstring(render_html(event_view(event, event.current, related)))


def test_archive_text_is_never_markup() -> None:
    content = EventContent(
        date(2012, 2, 9),
        HOSTILE,
        HOSTILE,
        story=HOSTILE,
        contexts=(HOSTILE,),
        sources=(Source(HOSTILE, "https://example.org/a?b=1&c=<2>"),),
    )
    related = RelatedEvent(2, date(2012, 2, 8), "other", HOSTILE, (HOSTILE, "Homs"))
    page = _page(content, [related])
    scripts = page.findall(".//script")
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    assert not page.findall(".//b")
    assert page.find(".//h1").text_content() == HOSTILE
    item = page.find(".//section[@aria-labelledby='related']/ol/li")
    assert item.find("a").text_content() == HOSTILE
    assert item.find("a").get("href") == "../../../../news/2012/02/8/other.html"
    assert item.find("span").text_content() == f"2012-02-08 · shares {HOSTILE}, Homs"
    data = json.loads(scripts[0].text)
    assert data["name"] == HOSTILE  # intact once parsed, yet never closes the script


class _Safe:
    def __html__(self) -> str:
        return "<i>safe</i>"


def test_outputs_are_escaped_as_markupsafe_escapes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The templates escape what they output with a quicker function than markupsafe's
    (no Markup made per piece): the same text for text, Markup, numbers, None and
    objects with ``__html__``; every template uses it; and a page with hostile text
    everywhere comes out byte for byte as with Jinja's own escaping."""
    for value in (HOSTILE, "", "\u00e9t\u00e9 & 'q'", Markup("<b>ok</b>"), 3, None, _Safe()):
        assert _escape(value) == escape(value)
        assert type(_escape(value)) is (str if type(value) is str else Markup)
    environment = _environment()
    names = [n for n in environment.list_templates() if n.endswith(".html")]
    namespaces = [environment.get_template(n).root_render_func.__globals__ for n in names]
    assert all(namespace["escape"] is _escape for namespace in namespaces)
    content = EventContent(
        date(2012, 2, 9),
        HOSTILE,
        HOSTILE,
        story=HOSTILE,
        contexts=(HOSTILE, "Homs"),
        sources=(Source(HOSTILE, "https://example.org/a?b=1&c=<2>"),),
    )
    view = event_view(Event(1, (Version(1, "a-slug", content),)))
    quick = render_html(view)
    for namespace in namespaces:
        monkeypatch.setitem(namespace, "escape", escape)
    assert render_html(view) == quick


def test_every_seed_page_is_complete(store: Store) -> None:
    import_paths(store, [seed_file(n) for n in EVENT_SEEDS])
    store.load_related_index()
    for event in store.iter_events():
        for version in event.versions:
            view = event_view(event, version, store.related(event.id))
            page = html.fromstring(render_html(view))
            assert page.get("lang") == "en"
            assert page.find(".//main") is not None and page.find(".//header") is not None
            assert [h.text_content() for h in page.findall(".//h1")] == [view["headline"]]
            alternates = {
                link.get("type"): resolve(view["path"], link.get("href"))
                for link in page.findall(".//link[@rel='alternate']")
            }
            assert alternates == {
                "text/markdown": view["path"] + ".md",
                "application/json": view["path"] + ".json",
                "application/xml": view["path"] + ".xml",
                "application/atom+xml": "/feed.atom",
            }
            for image in page.findall(".//img"):
                assert image.get("alt")
            ld = json.loads(page.find(".//script").text)
            assert (ld["@type"], ld["startDate"]) == ("Event", view["date"])
            if view["related"]:
                links = [
                    resolve(view["path"], a.get("href")) for a in page.findall(".//section/ol/li/a")
                ]
                assert view["related"][0]["path"] + ".html" in links


def test_earlier_versions_say_so_and_link_to_the_current_one() -> None:
    first = EventContent(date(2012, 2, 9), "Troops in Homs", "Old.")
    event = Event(
        1,
        (
            Version(1, "troops-in-homs", first),
            Version(2, "troops-in-homs", replace(first, summary="New."), editor="ann"),
        ),
    )
    page = html.fromstring(render_html(event_view(event, event.versions[0])))
    notice = page.find(".//p[@class='notice']")
    assert notice is not None and "version 1 of 2" in notice.text_content()
    here = "/news/2012/02/9/troops-in-homs"
    assert resolve(here, notice.find("a").get("href")) == here + ".html"
    assert resolve(here, page.find(".//link[@rel='canonical']").get("href")) == here + ".html"


def test_compiled_templates_are_cached_and_an_unwritable_cache_is_no_error(
    tmp_path: Path,
) -> None:
    """The bytecode cache keeps each compiled template once, and a cache folder that
    cannot be written to only means compiling again."""
    from jinja2 import Environment, PackageLoader

    from dateline.render.html_format import _QuietBytecodeCache

    def render_with(folder: Path) -> str:
        environment = Environment(
            loader=PackageLoader("dateline.render", "templates"),
            bytecode_cache=_QuietBytecodeCache(str(folder)),
            autoescape=True,
        )
        return environment.get_template("style.css").render()

    written = tmp_path / "cache"
    written.mkdir()
    assert render_with(written)
    assert len(list(written.iterdir())) == 1
    gone = tmp_path / "missing"  # writing into it fails with FileNotFoundError
    assert render_with(gone) == render_with(written)
    assert not gone.exists()


def test_template_globals_are_one_dict_with_a_templates_own_first() -> None:
    """The environment's globals and a template's own, merged into a plain dict (see
    ``_Environment.make_globals``): the template's win, and templates loaded by name
    are the same objects each time."""
    environment = _environment()
    merged = environment.make_globals({"chart": "own", "extra": 1})
    assert type(merged) is dict
    assert merged["chart"] == "own" and merged["extra"] == 1
    assert merged["entry_items"] is environment.globals["entry_items"]
    assert environment.make_globals(None) == dict(environment.globals)
    event = environment.get_template("event.html")
    assert environment.get_template("event.html") is event
    assert environment.get_template(event) is event
    assert environment.get_template("base.html", "event.html") is event.environment.get_template(
        "base.html"
    )
