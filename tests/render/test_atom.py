"""Atom feeds: valid to a real feed reader (feedparser), absolute links, ids that survive
edits, archive text kept as text, and the same bytes for the same view."""

from __future__ import annotations

import copy
import json
import time
from datetime import date, datetime
from typing import Any

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from dateline.errors import InputError
from dateline.render import atom as atom_module
from dateline.render.atom import entry_id, feed_entries_kept, render_atom

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://example.org/archive"
HOSTILE = "<script>alert(1)</script> & \"quotes\" 'apostrophes' — Ḥimṣ </title>]]>"


def entry(event_id: int, headline: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "headline": headline,
        "summary": "",
        "date": "2012-02-09",
        "updated": "2012-02-10 08:00:00",
        "path": f"/news/2012/02/9/event-{event_id}",
        "contexts": [],
        "sources": [],
    } | fields


def homs_feed() -> dict[str, Any]:
    return {
        "type": "feed",
        "title": "Dateline: Homs",
        "path": "/context/homs.atom",
        "alternate": "/context/homs",
        "updated": "2012-02-10 08:00:00.250000",
        "entries": [
            entry(
                12,
                HOSTILE,
                summary="Shelling <b>resumed</b> & 7 killed",
                updated="2012-02-10 08:00:00.250000",
                contexts=[
                    {"name": "Homs", "slug": "homs"},
                    {"name": "Syrian civil war", "slug": "syrian-civil-war"},
                ],
                sources=[
                    {"publisher": "BBC", "url": "https://www.bbc.co.uk/news/1?a=1&b=2"},
                    {"publisher": "Local radio", "url": None},
                ],
            ),
            entry(3, "Older event", date="2011-03-15", updated="2011-03-16 10:30:00"),
            entry(40, "Never edited", date="2011-01-02", updated=None),
        ],
    }


def parse(document: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(document)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def links(item: feedparser.FeedParserDict, rel: str) -> list[str]:
    return [link["href"] for link in item.links if link["rel"] == rel]


def test_feed_is_valid_atom_with_absolute_links() -> None:
    parsed = parse(render_atom(homs_feed(), base_url=BASE))
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Dateline: Homs"
    assert parsed.feed.id == f"{BASE}/context/homs.atom"
    assert links(parsed.feed, "self") == [f"{BASE}/context/homs.atom"]
    assert links(parsed.feed, "alternate") == [f"{BASE}/context/homs.html"]
    assert parsed.feed.updated == "2012-02-10T08:00:00.250000+00:00"
    assert parsed.feed.generator == "Dateline"
    assert "version" not in parsed.feed.generator_detail  # a release must not change feeds


def test_entries_keep_their_order_and_text() -> None:
    parsed = parse(render_atom(homs_feed(), base_url=BASE))
    assert [e.title for e in parsed.entries] == [HOSTILE, "Older event", "Never edited"]
    assert parsed.entries[0].title_detail.type == "text/plain"
    assert parsed.entries[0].summary == "Shelling <b>resumed</b> & 7 killed"
    assert parsed.entries[0].summary_detail.type == "text/plain"
    assert "summary" not in parsed.entries[1]


def test_hostile_headline_is_text_not_markup() -> None:
    root = etree.fromstring(render_atom(homs_feed(), base_url=BASE))
    title = root.find(f"{ATOM}entry/{ATOM}title")
    assert title.text == HOSTILE
    assert len(title) == 0  # no child elements: nothing was parsed as markup
    assert not list(root.iter("{*}script", "script"))


def test_entry_links_are_absolute_and_sources_are_related() -> None:
    first, second, _ = parse(render_atom(homs_feed(), base_url=BASE)).entries
    assert links(first, "alternate") == [f"{BASE}/news/2012/02/9/event-12.html"]
    assert first.link == f"{BASE}/news/2012/02/9/event-12.html"
    assert links(first, "related") == ["https://www.bbc.co.uk/news/1?a=1&b=2"]
    assert [link.get("title") for link in first.links if link["rel"] == "related"] == ["BBC"]
    assert links(second, "related") == []


def test_categories_are_context_slugs_with_names() -> None:
    first, second, _ = parse(render_atom(homs_feed(), base_url=BASE)).entries
    assert [(t.term, t.label) for t in first.tags] == [
        ("homs", "Homs"),
        ("syrian-civil-war", "Syrian civil war"),
    ]
    assert "tags" not in second


def test_published_is_the_event_date_and_updated_the_change_time() -> None:
    first, second, never_edited = parse(render_atom(homs_feed(), base_url=BASE)).entries
    assert first.published_parsed[:6] == (2012, 2, 9, 0, 0, 0)
    assert first.updated_parsed[:6] == (2012, 2, 10, 8, 0, 0)
    assert second.published_parsed[:6] == (2011, 3, 15, 0, 0, 0)
    assert second.updated_parsed[:6] == (2011, 3, 16, 10, 30, 0)
    # No change time: the event's date stands in, never the time the feed was rendered.
    assert never_edited.updated_parsed[:6] == (2011, 1, 2, 0, 0, 0)


def test_every_date_comes_from_the_view_never_the_clock() -> None:
    root = etree.fromstring(render_atom(homs_feed(), base_url=BASE))
    stamps = [e.text for e in root.iter(f"{ATOM}updated", f"{ATOM}published")]
    assert stamps == [
        "2012-02-10T08:00:00.250000+00:00",
        "2012-02-10T08:00:00.250000+00:00",
        "2012-02-09T00:00:00+00:00",
        "2011-03-16T10:30:00+00:00",
        "2011-03-15T00:00:00+00:00",
        "2011-01-02T00:00:00+00:00",
        "2011-01-02T00:00:00+00:00",
    ]


def test_same_view_gives_the_same_bytes() -> None:
    first = render_atom(homs_feed(), base_url=BASE)
    time.sleep(0.01)  # feedgen's defaults would stamp a new "now" on the second run
    assert render_atom(homs_feed(), base_url=BASE) == first
    assert render_atom({**homs_feed(), "entries": []}, base_url=BASE) == render_atom(
        {**homs_feed(), "entries": []}, base_url=BASE
    )


def test_rendering_leaves_the_view_untouched() -> None:
    view = homs_feed()
    before = copy.deepcopy(view)
    render_atom(view, base_url=BASE)
    assert view == before


def test_structure_is_atom_with_one_unique_id_per_entry() -> None:
    root = etree.fromstring(render_atom(homs_feed(), base_url=BASE))
    assert root.tag == f"{ATOM}feed"
    assert all(etree.QName(e).namespace == ATOM.strip("{}") for e in root.iter(etree.Element))
    assert len(root.findall(f"{ATOM}id")) == 1
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    ids = []
    for item in entries:
        (entry_id_element,) = item.findall(f"{ATOM}id")
        ids.append(entry_id_element.text)
        assert len(item.findall(f"{ATOM}title")) == 1
        assert len(item.findall(f"{ATOM}updated")) == 1
        assert len(item.findall(f"{ATOM}link[@rel='alternate']")) == 1
    assert ids == [
        "tag:example.org,2002:archive/event:12",
        "tag:example.org,2002:archive/event:3",
        "tag:example.org,2002:archive/event:40",
    ]


def test_entry_id_survives_a_new_headline_and_slug() -> None:
    view = homs_feed()
    edited = homs_feed()
    edited["entries"][0] |= {"headline": "Renamed", "path": "/news/2012/02/9/renamed"}
    before = parse(render_atom(view, base_url=BASE)).entries[0]
    after = parse(render_atom(edited, base_url=BASE)).entries[0]
    assert after.link != before.link
    assert after.id == before.id == "tag:example.org,2002:archive/event:12"


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("http://127.0.0.1:8000", "tag:127.0.0.1,2002:event:7"),
        ("https://Example.ORG", "tag:example.org,2002:event:7"),
        ("https://example.org/a/b/", "tag:example.org,2002:a/b/event:7"),
    ],
)
def test_entry_id_names_the_host_and_path_not_the_port(base_url: str, expected: str) -> None:
    assert entry_id(7, base_url) == expected


def test_base_url_with_a_port_or_a_trailing_slash_joins_cleanly() -> None:
    local = parse(render_atom(homs_feed(), base_url="http://127.0.0.1:8000"))
    assert local.feed.id == "http://127.0.0.1:8000/context/homs.atom"
    assert local.entries[1].link == "http://127.0.0.1:8000/news/2012/02/9/event-3.html"
    assert render_atom(homs_feed(), base_url=BASE + "/") == render_atom(homs_feed(), base_url=BASE)


def test_empty_feed_is_valid_and_dated_at_the_epoch() -> None:
    view = {**homs_feed(), "entries": [], "updated": None}
    parsed = parse(render_atom(view, base_url=BASE))
    assert parsed.entries == []
    assert parsed.feed.updated_parsed[:6] == (1970, 1, 1, 0, 0, 0)
    assert links(parsed.feed, "alternate") == [f"{BASE}/context/homs.html"]


@pytest.mark.parametrize("base_url", ["example.org", "/archive", "ftp://example.org", ""])
def test_a_base_url_that_is_not_absolute_http_is_refused(base_url: str) -> None:
    with pytest.raises(InputError, match="base_url"):
        render_atom(homs_feed(), base_url=base_url)


def test_an_unreadable_date_is_refused() -> None:
    view = homs_feed()
    view["entries"][1]["date"] = "15 March 2011"
    with pytest.raises(InputError, match="15 March 2011"):
        render_atom(view, base_url=BASE)


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from(["<", "&", "]", ">", '"', "\n", "\t", " "]),
    max_size=40,
)
_ENTRY = st.fixed_dictionaries(
    {
        "id": st.integers(1, 10**9),
        "headline": _TEXT.filter(bool),
        "summary": _TEXT,
        "date": st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat),
        "updated": st.none()
        | st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)).map(lambda t: str(t)),
        "path": _TEXT.map(lambda t: "/news/" + t),
        "contexts": st.lists(st.fixed_dictionaries({"name": _TEXT, "slug": _TEXT})),
        "sources": st.lists(
            st.fixed_dictionaries(
                {"publisher": st.none() | _TEXT, "url": st.none() | _TEXT.map(lambda t: "h" + t)}
            )
        ),
    }
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_ENTRY, max_size=4), st.lists(_ENTRY, max_size=3))
def test_kept_entries_make_the_bytes_feedgen_makes(first: list[Any], second: list[Any]) -> None:
    """A full build's feeds put in entries made by lxml and kept (feed_entries_kept):
    byte for byte the feeds feedgen makes whole, for any text, with entries made anew,
    kept from a feed before, and kept after the store of kept entries was started
    afresh (it holds at most KEPT_ENTRIES)."""
    feeds = [{**homs_feed(), "entries": first}, {**homs_feed(), "entries": second + first}]
    whole = [render_atom(feed, base_url=BASE) for feed in feeds]
    kept: dict[tuple[Any, ...], bytes] = {}
    with feed_entries_kept(kept):
        assert [render_atom(feed, base_url=BASE) for feed in feeds] == whole
        assert [render_atom(feed, base_url=BASE) for feed in reversed(feeds)] == whole[::-1]
    assert len(kept) == len({json.dumps(e, sort_keys=True) for e in first + second})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(atom_module, "KEPT_ENTRIES", 2)
        with feed_entries_kept({}):
            assert [render_atom(feed, base_url=BASE) for feed in feeds] == whole


@settings(max_examples=100, deadline=None)
@given(
    heads=st.lists(
        st.fixed_dictionaries(
            {
                "title": _TEXT,
                "path": _TEXT.map(lambda t: "/context/" + t + ".atom"),
                "alternate": _TEXT.map(lambda t: "/context/" + t),
                "updated": st.none()
                | st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)).map(str),
            }
        ),
        min_size=1,
        max_size=3,
    ),
    entries=st.lists(_ENTRY, max_size=2),
    base_url=st.sampled_from([BASE, "https://example.org:8443/archive/", "http://a.b"]),
)
def test_kept_feeds_heads_are_the_heads_feedgen_makes(
    heads: list[dict[str, Any]], entries: list[Any], base_url: str
) -> None:
    """With entries kept, a feed's own elements are a copy of a feed feedgen made once,
    its values set again: byte for byte what feedgen makes of each feed, for any text,
    and refused as feedgen refuses a feed without a title."""
    for head in heads:
        feed = {"type": "feed", **head, "entries": entries}
        try:
            whole = render_atom(feed, base_url=base_url)
        except ValueError as refused:
            with feed_entries_kept({}), pytest.raises(type(refused)):
                render_atom(feed, base_url=base_url)
            continue
        with feed_entries_kept({}):
            assert render_atom(feed, base_url=base_url) == whole


def test_kept_entries_keep_the_view_feedgen_refuses_refused() -> None:
    """An entry without a headline is refused as feedgen refuses it, kept or not."""
    view = {**homs_feed(), "entries": [entry(5, "")]}
    with pytest.raises(ValueError, match="Required fields"):
        render_atom(view, base_url=BASE)
    with feed_entries_kept({}), pytest.raises(ValueError, match="Required fields"):
        render_atom(view, base_url=BASE)
