"""The timeline chart: a bar per month with events, at its month's place, heights true to
the counts, text that says the same in words, archive text kept as text, and the same
bytes for the same data."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from dateline.errors import InputError
from dateline.render.chart import MIN_LABEL_SPACING, months_between, timeline_svg

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script> & "quotes" </title><g>'
COUNTS = {"2011-01": 3, "2012-02": 17, "2012-03": 1}  # 15 months, 12 of them empty


def parse(markup: str) -> etree._Element:
    return etree.fromstring(markup)


def bars(root: etree._Element) -> list[etree._Element]:
    return root.findall(f".//{SVG}rect")


def labels(root: etree._Element) -> list[str]:
    return [text.text for text in root.iter(f"{SVG}text")]


def year_labels(root: etree._Element) -> list[etree._Element]:
    return [t for t in root.iter(f"{SVG}text") if t.text.isdigit() and len(t.text) == 4]


def heights(root: etree._Element) -> list[float]:
    return [float(bar.get("height")) for bar in bars(root)]


def monthly(first_year: int, last_year: int, count: int = 1) -> dict[str, int]:
    return {
        f"{y:04d}-{m:02d}": count for y in range(first_year, last_year + 1) for m in range(1, 13)
    }


def test_months_between_spans_year_ends_inclusively() -> None:
    assert months_between("2011-11", "2012-02") == ["2011-11", "2011-12", "2012-01", "2012-02"]
    assert months_between("2012-02", "2012-02") == ["2012-02"]
    assert len(months_between("2002-01", "2026-12")) == 300


@pytest.mark.parametrize(("first", "last"), [("2012-03", "2012-02"), ("2012-13", "2013-01")])
def test_months_between_rejects_a_backward_or_malformed_span(first: str, last: str) -> None:
    with pytest.raises(InputError, match="month"):
        months_between(first, last)


def test_root_is_an_accessible_self_contained_svg() -> None:
    markup = timeline_svg(COUNTS, title="Homs")
    assert markup.startswith("<svg ")  # no XML declaration: it is inlined in HTML5
    root = parse(markup)
    assert root.tag == f"{SVG}svg"
    assert root.get("class") == "chart"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 ")
    assert root.get("preserveAspectRatio")
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}desc").get("id") == desc_id
    # Nothing to run and nothing to fetch: no script, style, link or image of any kind.
    tags = {etree.QName(e).localname for e in root.iter()}
    assert tags <= {"svg", "title", "desc", "g", "rect", "line", "path", "text"}
    assert not [a for e in root.iter() for a in e.attrib if "href" in a or a.startswith("on")]


def test_one_bar_per_month_with_events_with_its_own_title() -> None:
    root = parse(timeline_svg(COUNTS, title="Homs"))
    titles = [bar.find(f"{SVG}title").text for bar in bars(root)]
    assert titles == [
        "January 2011: 3 events",
        "February 2012: 17 events",
        "March 2012: 1 event",
    ]
    assert all(bar.get("class") == "chart-bar" for bar in bars(root))


def test_bars_stand_at_their_months_place_on_the_axis() -> None:
    """The axis spans every month: empty months leave their gap, so 13 months between
    the first two bars are 13 slots, and consecutive months are 1."""
    xs = [float(b.get("x")) for b in bars(parse(timeline_svg(COUNTS, title="t")))]
    slot = xs[2] - xs[1]
    assert slot > 0
    assert xs[1] - xs[0] == pytest.approx(13 * slot, abs=0.02)


def test_a_tick_marks_each_january_after_the_first_month() -> None:
    def ticks(counts: Mapping[str, int]) -> int:
        paths = parse(timeline_svg(counts, title="t")).findall(f".//{SVG}path")
        return sum(p.get("d").count("v4") for p in paths)

    assert ticks(COUNTS) == 1  # January 2012; January 2011 is the first month
    assert ticks({"2010-12": 1, "2013-02": 1}) == 3
    assert ticks({"2012-02": 1, "2012-11": 4}) == 0


def test_bar_heights_are_proportional_to_counts() -> None:
    counts = {"2012-01": 4, "2012-02": 10, "2012-03": 0, "2012-04": 7}
    measured = heights(parse(timeline_svg(counts, title="t")))
    tallest = max(measured)
    assert tallest > 0
    for height, count in zip(measured, [4, 10, 7], strict=True):
        assert height / tallest == pytest.approx(count / 10, abs=0.01)


def test_bars_stand_on_one_baseline_left_to_right() -> None:
    root = parse(timeline_svg(COUNTS, title="t"))
    bottoms = {round(float(b.get("y")) + float(b.get("height")), 2) for b in bars(root)}
    assert len(bottoms) == 1
    xs = [float(b.get("x")) for b in bars(root)]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)


def test_desc_says_the_data_in_words() -> None:
    root = parse(timeline_svg(COUNTS, title="Homs"))
    assert root.find(f"{SVG}desc").text == (
        "21 events from January 2011 to March 2012; the most, 17, in February 2012"
    )
    assert root.find(f"{SVG}title").text == "Homs"


def test_desc_mentions_months_tied_for_the_most() -> None:
    root = parse(timeline_svg({"2012-01": 5, "2012-02": 5, "2012-04": 5}, title="t"))
    assert root.find(f"{SVG}desc").text == (
        "15 events from January 2012 to April 2012; the most, 5, in January 2012 and 2 other months"
    )


def test_axis_labels_the_maximum_with_thousands_separators() -> None:
    root = parse(timeline_svg({"2012-02": 10_000, "2012-03": 2_500}, title="t"))
    assert "10,000" in labels(root)
    assert root.find(f"{SVG}desc").text.startswith("12,500 events")
    assert heights(root)[1] / heights(root)[0] == pytest.approx(0.25, abs=0.001)


def test_a_single_month_fills_the_height_and_is_labelled() -> None:
    root = parse(timeline_svg({"2012-03": 5}, title="t"))
    assert len(bars(root)) == 1
    assert heights(root)[0] > 0
    assert root.find(f"{SVG}desc").text == "5 events in March 2012"
    assert [t.text for t in year_labels(root)] == ["2012"]
    viewbox_width = float(root.get("viewBox").split()[2])
    assert float(bars(root)[0].get("width")) < viewbox_width / 4  # a bar, not a wall


def test_zero_everywhere_but_one_month() -> None:
    counts = dict.fromkeys(months_between("2011-01", "2012-12"), 0) | {"2011-07": 9}
    root = parse(timeline_svg(counts, title="t"))
    assert heights(root) == [pytest.approx(max(heights(root)))]
    assert [b.get("data-count") for b in bars(root)] == ["9"]
    assert "9" in labels(root)


def test_all_zero_counts_draw_no_bars_without_dividing_by_zero() -> None:
    root = parse(timeline_svg({"2012-01": 0, "2012-03": 0}, title="t"))
    assert heights(root) == []
    assert root.find(f"{SVG}desc").text == "0 events from January 2012 to March 2012"


def test_three_hundred_months_keep_year_labels_legible() -> None:
    root = parse(timeline_svg(monthly(2002, 2026), title="t"))
    assert len(bars(root)) == 300
    viewbox_width = float(root.get("viewBox").split()[2])
    assert all(0 < float(b.get("x")) < viewbox_width for b in bars(root))
    assert all(float(b.get("width")) > 0 for b in bars(root))
    years = year_labels(root)
    assert 5 <= len(years) < 25  # thinned out, yet still there
    xs = [float(t.get("x")) for t in years]
    assert all(b - a >= MIN_LABEL_SPACING for a, b in itertools.pairwise(xs))
    assert [int(t.text) for t in years] == sorted(int(t.text) for t in years)


def test_few_years_get_every_year_labelled() -> None:
    root = parse(timeline_svg(monthly(2010, 2013), title="t"))
    assert [t.text for t in year_labels(root)] == ["2010", "2011", "2012", "2013"]


def test_hostile_title_stays_text() -> None:
    markup = timeline_svg(COUNTS, title=HOSTILE)
    root = parse(markup)
    assert root.find(f"{SVG}title").text == HOSTILE
    assert not [e for e in root.iter() if etree.QName(e).localname == "script"]
    assert "<script" not in markup
    assert len(root.findall(f"{SVG}title")) == 1  # the hostile "</title>" closed nothing


def test_ids_differ_between_charts_on_one_page() -> None:
    charts = [
        timeline_svg(COUNTS, title="Homs"),
        timeline_svg(COUNTS, title="Aleppo"),
        timeline_svg({"2011-01": 3}, title="Homs"),
        timeline_svg({}, title="Idlib"),
    ]
    ids = [e.get("id") for markup in charts for e in parse(markup).iter() if e.get("id")]
    assert len(ids) == 8
    assert len(set(ids)) == len(ids)


def test_id_prefix_is_used_and_checked() -> None:
    root = parse(timeline_svg(COUNTS, title="Homs", id_prefix="homs-chart"))
    assert root.get("aria-labelledby") == "homs-chart-title homs-chart-desc"
    with pytest.raises(InputError, match="id"):
        timeline_svg(COUNTS, title="Homs", id_prefix='x" onload="alert(1)')


def test_same_data_gives_the_same_markup_whatever_the_order() -> None:
    reordered = dict(reversed(list(COUNTS.items())))
    assert timeline_svg(COUNTS, title="Homs") == timeline_svg(reordered, title="Homs")
    assert timeline_svg(COUNTS, title="Homs") != timeline_svg(COUNTS | {"2012-03": 2}, title="Homs")


def test_empty_chart_says_no_events() -> None:
    root = parse(timeline_svg({}, title="Homs"))
    assert bars(root) == []
    assert root.find(f"{SVG}desc").text == "No events"
    assert labels(root) == ["No events"]
    assert root.get("role") == "img"


def test_counts_from_numpy_are_plain_integers() -> None:
    assert timeline_svg({"2012-01": np.int64(3)}, title="t") == timeline_svg(
        {"2012-01": 3}, title="t"
    )


@pytest.mark.parametrize(
    "counts",
    [
        {"2012-1": 3},
        {"2012-00": 3},
        {"2012-02": -1},
        {"2012-02": 1.5},
        {"2012-02": True},
        {"2012-02": "3"},
        {"2012-02": np.int64(-2)},
    ],
)
def test_bad_data_is_refused(counts: Mapping[str, object]) -> None:
    with pytest.raises(InputError):
        timeline_svg(counts, title="t")  # type: ignore[arg-type]


months = st.builds(
    lambda year, month: f"{year:04d}-{month:02d}",
    st.integers(1990, 2030),
    st.integers(1, 12),
)


@given(
    counts=st.dictionaries(months, st.integers(0, 20_000), max_size=40),
    title=st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn")), max_size=40),
)
def test_any_counts_give_a_bar_per_month_with_events_and_the_tallest_at_the_maximum(
    counts: dict[str, int], title: str
) -> None:
    root = parse(timeline_svg(counts, title=title))
    assert (root.find(f"{SVG}title").text or "") == title
    if not counts:
        assert bars(root) == []
        return
    spanned = months_between(min(counts), max(counts))
    shown = [m for m in spanned if counts.get(m, 0)]
    measured = heights(root)
    assert [b.get("data-count") for b in bars(root)] == [str(counts[m]) for m in shown]
    most = max(counts.values())
    assert f"{most:,}" in labels(root)
    if most == 0:
        assert measured == []
        return
    tallest = max(measured)
    for month, height in zip(shown, measured, strict=True):
        assert (height == tallest) == (counts[month] == most)
    # Each bar at its month's slot along the whole span.
    xs = [float(b.get("x")) for b in bars(root)]
    if len(shown) > 1:
        at = [spanned.index(m) for m in shown]
        slot = (xs[-1] - xs[0]) / (at[-1] - at[0])
        for x, i in zip(xs, at, strict=True):
            assert x == pytest.approx(xs[0] + (i - at[0]) * slot, abs=0.02)
