"""The timeline chart (events per month) as inline SVG, drawn on the server.

Pages load nothing from elsewhere and run no script, so the chart is plain SVG markup
inlined into the HTML: one ``<rect>`` per month with events, at its place on a time axis
that spans every month from the first to the last, each with its own ``<title>`` (a
tooltip, and the number for anyone who cannot judge bar heights), and a ``<desc>`` that
says the whole chart in words for screen readers. Colours come from ``currentColor`` and the
classes ``chart-bar``, ``chart-axis`` and ``chart-label``, so the page's stylesheet
styles the chart in light and dark mode alike.

The tree is built with lxml, never by pasting strings: titles are archive text and may
contain ``<script>`` or ``&``. The output depends only on the input (no clock, no
randomness, months sorted), so a rebuilt site is byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from numbers import Integral

from lxml import etree

from dateline.errors import InputError

SVG_NS = "http://www.w3.org/2000/svg"

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Geometry, in viewBox units (the SVG scales to the page's width).
WIDTH = 640
HEIGHT = 180
MARGIN_LEFT = 48  # room for the maximum's label, up to "1,000,000"
MARGIN_RIGHT = 16  # room for half a year label centred on the last month
MARGIN_TOP = 12
MARGIN_BOTTOM = 24  # room for the year labels
MAX_SLOT = 48  # a month never gets wider than this, so three months are not three walls
BAR_FILL = 0.8  # share of a month's slot its bar covers; the rest is the gap
FONT_SIZE = 11
# A year label ("2012") is about 27 units wide at FONT_SIZE; labels closer than this
# would touch, so years are thinned to every 2nd, 5th... year until they are this far apart.
MIN_LABEL_SPACING = 36
YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)
EMPTY_HEIGHT = 40

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_ID_PREFIX_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

PLOT_WIDTH = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
PLOT_HEIGHT = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
BASELINE = MARGIN_TOP + PLOT_HEIGHT


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive, as ``'YYYY-MM'``.

    The chart spans these, so a month without events still gets its (empty) bar and the
    gaps in a story are visible. Raises ``InputError`` for a malformed month or when
    ``last`` comes before ``first``.
    """
    start, end = _month_index(first), _month_index(last)
    if end < start:
        raise InputError(f"{last!r} comes before {first!r}", field="month")
    return [_month_key(index) for index in range(start, end + 1)]


def timeline_svg(counts: Mapping[str, int], *, title: str, id_prefix: str | None = None) -> str:
    """``counts`` ('YYYY-MM' -> events) as an SVG bar chart, one bar per month.

    The chart spans the first to the last month in ``counts``; months missing in between
    count 0. An empty mapping gives a small chart saying "No events". ``title`` names the
    chart for assistive technology. The ids the ``aria-labelledby`` attribute points at
    are derived from a hash of the title and data, so that several charts can share a
    page; two charts of the same title and data on one page need their own ``id_prefix``.

    Returns the markup without an XML declaration, ready to inline in HTML5. Raises
    ``InputError`` for a malformed month, a negative count or a bad ``id_prefix``.
    """
    months = _spanned_counts(counts)
    prefix = _id_prefix(id_prefix, title, months)
    if not months:
        root = _empty_chart(title, prefix)
    else:
        root = _svg_root(HEIGHT, prefix)
        _add_text_alternatives(root, prefix, title, _describe(months))
        _add_bars(root, months)
        _add_axes(root, months)
    return etree.tostring(root, encoding="unicode")


# -- data ------------------------------------------------------------------------------


def _month_index(month: str) -> int:
    match = _MONTH_RE.match(month) if isinstance(month, str) else None
    if match is None:
        raise InputError(f"expected a month as 'YYYY-MM', got {month!r}", field="month")
    return int(match[1]) * 12 + int(match[2]) - 1


@cache
def _month_key(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_label(month: str) -> str:
    return _label_of(_month_index(month))


@cache
def _label_of(index: int) -> str:
    return f"{MONTH_NAMES[index % 12]} {index // 12}"


def _spanned_counts(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """(month, count) for every month from the first to the last given, oldest first."""
    checked: dict[int, int] = {}
    for month, count in counts.items():
        index = _month_index(month)
        # Integral, not int: counts straight from numpy or a database driver are welcome.
        if isinstance(count, bool) or not isinstance(count, Integral) or count < 0:
            raise InputError(f"{month}: expected a count >= 0, got {count!r}", field="count")
        checked[index] = int(count)
    if not checked:
        return []
    span = range(min(checked), max(checked) + 1)
    return [(_month_key(index), checked.get(index, 0)) for index in span]


def _events(n: int) -> str:
    return f"{n:,} event" if n == 1 else f"{n:,} events"


def _describe(months: list[tuple[str, int]]) -> str:
    """The chart in words, e.g. "42 events from January 2011 to March 2012; the most..."."""
    total = sum(count for _, count in months)
    first, last = _month_label(months[0][0]), _month_label(months[-1][0])
    if len(months) == 1:
        return f"{_events(total)} in {first}"
    text = f"{_events(total)} from {first} to {last}"
    most = max(count for _, count in months)
    if most == 0:
        return text
    busiest = [month for month, count in months if count == most]
    text += f"; the most, {most:,}, in {_month_label(busiest[0])}"
    if len(busiest) > 1:
        others = len(busiest) - 1
        text += f" and {others} other month" + ("s" if others > 1 else "")
    return text


def _id_prefix(given: str | None, title: str, months: list[tuple[str, int]]) -> str:
    if given is not None:
        if not _ID_PREFIX_RE.match(given):
            raise InputError(f"expected letters, digits, '-' or '_', got {given!r}", field="id")
        return given
    data = json.dumps([title, months], ensure_ascii=True)
    return "chart-" + hashlib.sha256(data.encode("ascii")).hexdigest()[:12]


# -- drawing ---------------------------------------------------------------------------


def _num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros (short, deterministic)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _el(parent: etree._Element, tag: str, cls: str | None = None, **attrs: str) -> etree._Element:
    """A child SVG element; ``cls`` is its ``class`` (a Python keyword), set first.

    Children are made by local name: they are written inside the root's default
    namespace (``xmlns`` is declared once, on ``<svg>``), so the markup is the same as
    with SVG-qualified names, and a chart makes one namespace lookup, not hundreds.
    """
    attributes = {} if cls is None else {"class": cls}
    for name, value in attrs.items():
        attributes[name.replace("_", "-")] = value
    return etree.SubElement(parent, tag, attributes)


def _svg_root(height: int, prefix: str) -> etree._Element:
    root = etree.Element(f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS})  # type: ignore[dict-item]  # lxml-stubs: None is the default namespace
    root.set("class", "chart")
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}-title {prefix}-desc")
    root.set("viewBox", f"0 0 {WIDTH} {height}")
    root.set("width", "100%")
    root.set("preserveAspectRatio", "xMidYMid meet")
    return root


def _add_text_alternatives(root: etree._Element, prefix: str, title: str, desc: str) -> None:
    _el(root, "title", id=f"{prefix}-title").text = title
    _el(root, "desc", id=f"{prefix}-desc").text = desc


def _empty_chart(title: str, prefix: str) -> etree._Element:
    root = _svg_root(EMPTY_HEIGHT, prefix)
    _add_text_alternatives(root, prefix, title, "No events")
    group = _el(root, "g", fill="currentColor", font_size=str(FONT_SIZE))
    _label(group, "No events", x=WIDTH / 2, y=EMPTY_HEIGHT / 2, anchor="middle", middle=True)
    return root


def _slot_geometry(n: int) -> tuple[float, float]:
    """(x of the first month's slot, width of a slot); few months are centred, not stretched."""
    slot = min(PLOT_WIDTH / n, MAX_SLOT)
    return MARGIN_LEFT + (PLOT_WIDTH - slot * n) / 2, slot


def _add_bars(root: etree._Element, months: list[tuple[str, int]]) -> None:
    """One ``<rect>`` per month with events, at its month's place, each with its ``<title>``.

    A month without events gets no bar: a bar of height 0 shows nothing and cannot be
    pointed at for its title, and the chart is an image to assistive technology (its
    ``<desc>`` says it in words). That matters because a sparse tag's chart spans
    twenty years: drawing every month made 3.6 million bars for the 35,000 tags of a
    100,000-event archive, 95% of them empty, a third of a site build's time. Each bar
    is a copy of one made for the chart (a C-level copy, cheaper than setting its
    attributes one by one), with its place, height and title set; what depends only
    on the number of months is computed once. The attributes stay in the order
    ``_el`` would set them.
    """
    xs, width = _bar_columns(len(months))
    most = max(count for _, count in months)
    bars = _el(root, "g", "chart-bars", fill="currentColor")
    attributes = {"class": "chart-bar", "x": "0", "y": _BASELINE_TEXT, "width": width}
    attributes.update({"height": "0", "data-count": "0"})
    made = etree.Element("rect", attributes)
    etree.SubElement(made, "title")
    # lxml's __copy__ copies the subtree (copy.copy would only add a Python call).
    copy: Callable[[], etree._Element] = made.__copy__  # type: ignore[attr-defined]  # lxml-stubs lack it
    append = bars.append
    first = _month_index(months[0][0])
    for i, (_, count) in enumerate(months):
        if not count:
            continue
        bar = copy()
        height = PLOT_HEIGHT * count / most
        bar.set("x", xs[i])
        bar.set("y", _num(BASELINE - height))
        bar.set("height", _num(height))
        bar.set("data-count", str(count))
        bar[0].text = f"{_label_of(first + i)}: {_events(count)}"
        append(bar)


_BASELINE_TEXT = _num(BASELINE)


@cache
def _bar_columns(n: int) -> tuple[tuple[str, ...], str]:
    """The x of each of ``n`` bars, and their width, as written (the same in every such chart)."""
    left, slot = _slot_geometry(n)
    offset = slot * (1 - BAR_FILL) / 2
    return tuple(_num(left + i * slot + offset) for i in range(n)), _num(slot * BAR_FILL)


def _add_axes(root: etree._Element, months: list[tuple[str, int]]) -> None:
    axes = _el(root, "g", "chart-axis", stroke="currentColor", fill="none")
    right = WIDTH - MARGIN_RIGHT
    _line(axes, MARGIN_LEFT, BASELINE, right, BASELINE)
    _line(axes, MARGIN_LEFT, MARGIN_TOP, MARGIN_LEFT, BASELINE)
    _line(axes, MARGIN_LEFT - 4, MARGIN_TOP, MARGIN_LEFT, MARGIN_TOP)  # the maximum's tick
    labels = _el(root, "g", fill="currentColor", font_size=str(FONT_SIZE))
    most = max(count for _, count in months)
    _label(labels, f"{most:,}", x=MARGIN_LEFT - 6, y=MARGIN_TOP, anchor="end", middle=True)
    _add_year_labels(axes, labels, months)


def _add_year_labels(
    axes: etree._Element, labels: etree._Element, months: list[tuple[str, int]]
) -> None:
    """A tick at each January (but the first month's), and the year centred under its
    months, thinned if crowded."""
    left, slot = _slot_geometry(len(months))
    first = _month_index(months[0][0])
    years: dict[int, list[int]] = {}
    for i in range(len(months)):
        years.setdefault((first + i) // 12, []).append(i)
    # The ticks as one path, not a <line> each: a twenty-year chart has twenty-five.
    ticks = "".join(
        f"M{_num(left + i * slot)} {_BASELINE_TEXT}v4"
        for i in range(-first % 12 or 12, len(months), 12)
    )
    if ticks:
        _el(axes, "path", d=ticks)
    for year, x in _thinned_years(years, left, slot):
        _label(labels, str(year), x=x, y=HEIGHT - 6, anchor="middle")


def _thinned_years(
    years: dict[int, list[int]], left: float, slot: float
) -> list[tuple[int, float]]:
    """(year, x of its label) for the years to label: every ``step``-th, never touching.

    ``years`` maps each year to the indexes of its months in the chart. A partial year at
    either end can sit too close to its neighbour; of two such labels the year with more
    months on the chart wins.
    """
    step = next((s for s in YEAR_STEPS if s * 12 * slot >= MIN_LABEL_SPACING), YEAR_STEPS[-1])
    chosen = [y for y in years if y % step == 0] or [min(years)]
    kept: list[tuple[int, float]] = []
    for year in chosen:
        slots = years[year]
        x = left + (slots[0] + slots[-1] + 1) * slot / 2
        if not kept or x - kept[-1][1] >= MIN_LABEL_SPACING:
            kept.append((year, x))
        elif len(slots) > len(years[kept[-1][0]]):
            kept[-1] = (year, x)
    return kept


def _line(parent: etree._Element, x1: float, y1: float, x2: float, y2: float) -> None:
    _el(parent, "line", x1=_num(x1), y1=_num(y1), x2=_num(x2), y2=_num(y2))


def _label(
    parent: etree._Element, text: str, *, x: float, y: float, anchor: str, middle: bool = False
) -> None:
    """A text label at (x, y); ``middle`` centres it vertically on y instead of sitting on it."""
    label = _el(parent, "text", "chart-label", x=_num(x), y=_num(y), text_anchor=anchor)
    if middle:
        label.set("dominant-baseline", "middle")
    label.text = text
