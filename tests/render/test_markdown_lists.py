"""The list pages in Markdown: what each says, counted as the HTML pages count.

Made-up entries (no news text): three events on two days of one month, one retired,
two sharing a tag, one with a story.
"""

from __future__ import annotations

from datetime import date

import pytest

from dateline.model import Context, EventEntry
from dateline.render.markdown_lists import render_list_markdown
from dateline.render.views import context_view, home_view, month_view, story_view, year_view

PORT = Context("Port", "port")
RAIL = Context("Rail [north]", "rail-north")
ENTRIES = [
    EventEntry(1, date(2019, 5, 6), "harbour-reopens", "Harbour reopens", contexts=(PORT,)),
    EventEntry(
        2,
        date(2019, 5, 6),
        "ferry-returns",
        "Ferry returns",
        story="Harbour",
        contexts=(PORT, RAIL),
    ),
    EventEntry(3, date(2019, 5, 9), "line-closes", "Line closes", contexts=(RAIL,), retired=True),
]


def lines(view: dict[str, object]) -> list[str]:
    return render_list_markdown(view).splitlines()


def test_a_month_page_lists_its_days_newest_first_with_each_entry() -> None:
    page = lines(month_view(2019, 5, ENTRIES))
    assert page[0].startswith("Formats: [HTML](/news/2019/05/index.html)")
    assert page[2] == "### [2019](/news/2019/index.md)"
    days = [line for line in page if line.startswith("## ")]
    assert days == [
        "## [2019-05-9](/news/2019/05/9/index.md)",
        "## [2019-05-6](/news/2019/05/6/index.md)",
    ]
    assert (
        "1. [Line closes ](/news/2019/05/9/line-closes.md) _Context: Rail [north]_ _(retired)_"
        in page
    )


@pytest.mark.parametrize(("count", "said"), [(1, "1 event."), (3, "3 events.")])
def test_counts_say_event_or_events(count: int, said: str) -> None:
    days = {date(2019, 5, 6): count}
    assert said in lines(year_view(2019, days))
    assert said in lines(story_view("harbour", ENTRIES[:count]))
    assert said in lines(home_view({}, days, []))


def test_a_context_page_says_whether_it_counts_all_or_one_year() -> None:
    head = lines(context_view(RAIL, [e for e in ENTRIES if RAIL in e.contexts]))
    assert "2 events in all. Feed: /context/rail-north.atom" in head
    one_year = lines(context_view(RAIL, ENTRIES[2:], year=2019))
    assert "1 event in 2019. Feed: /context/rail-north.atom" in one_year
    assert one_year[2] == r"### Context: [Rail \[north\]](/context/rail-north.md)"
    listed = head[head.index("### Latest events:") + 2 :]
    assert listed == [
        "1. 2019-05-09: [Line closes ](/news/2019/05/9/line-closes.md) _Context: Rail [north]_"
        " _(retired)_",
        "2. 2019-05-06: [Ferry returns ](/news/2019/05/6/ferry-returns.md)"
        " _Context: Port, Rail [north]_",
    ]
    assert "- 2019-05: 2" in head


def test_a_year_page_given_its_years_needs_only_its_own_days() -> None:
    """A build counts a tag's days once and hands each year page its year's days and
    the tag's years: the page must be the one made from all the days."""
    tagged = [
        EventEntry(
            n, date(2001 + n % 4, 1 + n % 12, 1 + n % 28), f"e-{n}", f"E {n}", contexts=(PORT,)
        )
        for n in range(60)
    ]
    counts: dict[date, int] = {}
    for entry in tagged:
        counts[entry.date] = counts.get(entry.date, 0) + 1
    years = sorted({d.year for d in counts})
    for year in years:
        of_year = [e for e in tagged if e.date.year == year]
        own_days = {d: n for d, n in counts.items() if d.year == year}
        whole = context_view(PORT, of_year, year=year, day_counts=counts)
        assert context_view(PORT, of_year, year=year, day_counts=own_days, years=years) == whole
        assert [y["year"] for y in whole["years"]] == years and whole["count"] == len(of_year)
