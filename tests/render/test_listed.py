"""List entries made once per event (a full build's shortcut) give the same pages.

Made-up entries (no news text), with text that every format must escape, a retired
event, a story, an event without tags and one whose headline is whitespace.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from dateline.model import Context, EventEntry
from dateline.render.html_format import render_html
from dateline.render.json_format import render_json
from dateline.render.listed import ListedEntry, listed_entries, listing_from
from dateline.render.listed_parts import entry_parts
from dateline.render.markdown_lists import render_list_markdown
from dateline.render.views import context_view, day_view, home_view, month_view, story_view
from dateline.render.xml_format import render_xml

ODD = Context('Odd <b>"tag"</b> & co', "odd-b-tag-b-co")
RAIL = Context("Rail [north]", "rail-north")
ENTRIES = [
    EventEntry(1, date(2019, 5, 6), "a", "Harbour <script>alert(1)</script>", contexts=(ODD,)),
    EventEntry(
        2,
        date(2019, 5, 6),
        "b",
        'Ferry "returns" & more',
        story="Harbour <i>",
        contexts=(ODD, RAIL),
    ),
    EventEntry(3, date(2019, 5, 9), "c", 'Line closes href="x"', contexts=(RAIL,), retired=True),
    EventEntry(4, date(2020, 1, 2), "d", "Untagged ]( event", story="Harbour <i>"),
    # Whitespace alone: XML reads made entries back without the blanks between elements.
    EventEntry(5, date(2019, 5, 6), "e", " \n  ", contexts=(RAIL,)),
]
BY_DAY = {d: [e for e in ENTRIES if e.date == d] for d in {e.date for e in ENTRIES}}
COUNTS = {d: len(v) for d, v in BY_DAY.items()}

PAGES: dict[str, Callable[[], dict[str, Any]]] = {
    "context": lambda: context_view(ODD, ENTRIES),
    "context year": lambda: context_view(RAIL, ENTRIES, year=2019),
    "month": lambda: month_view(2019, 5, [*ENTRIES[:3], ENTRIES[4]]),
    "story": lambda: story_view("harbour-i", [ENTRIES[1], ENTRIES[3]]),
    "home (at the root)": lambda: home_view(BY_DAY, COUNTS, [ODD, RAIL]),
    "day": lambda: day_view(date(2019, 5, 6), ENTRIES[:2]),
}


def formats(view: dict[str, Any]) -> list[bytes]:
    markdown = render_list_markdown(view) if view["type"] != "day" else ""
    html = render_html(view)
    return [markdown.encode(), html.encode(), render_json(view), render_xml(view)]


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("made", [{1, 2, 3, 4, 5}, {2, 4, 5}, set()])
def test_made_entries_give_the_same_page_in_every_format(page: str, made: set[int]) -> None:
    """All, some or none of a page's entries made: the same bytes as none made."""
    expected = formats(PAGES[page]())
    book = {e.id: ListedEntry(e.id, entry_parts(e)) for e in ENTRIES if e.id in made}
    with listing_from(book):
        view = PAGES[page]()
        got = formats(view)
    assert listed_entries() is None
    listed = _entries(view)
    on_page = [e.id if isinstance(e, ListedEntry) else e["id"] for e in listed]
    assert [isinstance(e, ListedEntry) for e in listed] == [i in made for i in on_page]
    assert [g == x for g, x in zip(got, expected, strict=True)] == [True] * 4


def _entries(view: dict[str, Any]) -> list[Any]:
    return [*view.get("events", ()), *(e for d in view.get("days", ()) for e in d["events"])]


def test_a_page_view_with_anything_else_is_not_json() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        render_json({"type": "context", "events": [object()]})
