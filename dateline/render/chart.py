"""The timeline chart (events per month) as inline SVG, drawn on the server.

Pages load nothing from elsewhere and run no script, so the chart is plain SVG markup
inlined into the HTML: one ``<rect>`` per month with events, at its place on a time axis
that spans every month from the first to the last, each with its own ``<title>`` (a
tooltip, and the number for anyone who cannot judge bar heights), and a ``<desc>`` that
says the whole chart in words for screen readers. Colours come from ``currentColor`` and the
classes ``chart-bar``, ``chart-axis`` and ``chart-label``, so the page's stylesheet
styles the chart in light and dark mode alike.

The markup is written as text, not built as an lxml tree: a site build draws a chart on
each of its 50,000 tag and story pages, and lxml's calls per element made a chart cost
0.2-1.4 ms (a fifth of a tag page's time), the text a tenth of that. Every text from the
archive (the title) goes through :func:`escape` (it may contain ``<script>`` or
``&``); everything else is written by this module (numbers, month names,
ids made of a hash or checked against a pattern). The tests parse charts with hostile
and arbitrary titles as XML. The output depends only on the input (no clock, no
randomness, months sorted), so a rebuilt site is byte-identical.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping
from functools import cache, lru_cache
from numbers import Integral

from dateline.errors import InputError


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities (all that text content needs): what
    ``xml.sax.saxutils.escape`` does, without its import of ``urllib.request``, a
    fortieth of every ``dateline build``'s start-up."""
    return html.escape(text, quote=False)


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

    The chart's time axis spans these: a month without events keeps its place (no
    bar), so the gaps in a story are visible. Raises ``InputError`` for a malformed month or when
    ``last`` comes before ``first``.
    """
    start, end = _month_index(first), _month_index(last)
    if end < start:
        raise InputError(f"{last!r} comes before {first!r}", field="month")
    return [_month_key(index) for index in range(start, end + 1)]


def timeline_svg(counts: Mapping[str, int], *, title: str, id_prefix: str | None = None) -> str:
    """``counts`` ('YYYY-MM' -> events) as an SVG bar chart, a bar per month with events.

    The chart spans the first to the last month in ``counts``; months missing in between
    count 0 and get no bar, only their place. An empty mapping gives a small chart saying
    "No events". ``title`` names the chart for assistive technology. The ids the
    ``aria-labelledby`` attribute points at are derived from a hash of the title and
    data, so that several charts can share a page; two charts of the same title and data
    on one page need their own ``id_prefix``.

    Returns the markup without an XML declaration, ready to inline in HTML5. Raises
    ``InputError`` for a malformed month, a negative count or a bad ``id_prefix``.
    """
    months = _checked_counts(counts)
    prefix = _id_prefix(id_prefix, title, months)
    out: list[str] = []
    if not months:
        _empty_chart(out, title, prefix)
    else:
        _open_svg(out, HEIGHT, prefix)
        _add_text_alternatives(out, prefix, title, _describe(months))
        _add_bars(out, months)
        _add_axes(out, months)
    out.append("</svg>")
    return "".join(out)


# -- data ------------------------------------------------------------------------------


@cache  # a build's 49,000 charts name the same few hundred months
def _month_index(month: str) -> int:
    match = _MONTH_RE.match(month) if isinstance(month, str) else None
    if match is None:
        raise InputError(f"expected a month as 'YYYY-MM', got {month!r}", field="month")
    return int(match[1]) * 12 + int(match[2]) - 1


@cache
def _month_key(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@cache
def _label_of(index: int) -> str:
    return f"{MONTH_NAMES[index % 12]} {index // 12}"


def _checked_counts(counts: Mapping[str, int]) -> list[tuple[int, int]]:
    """(month index, count) of each month given, oldest first.

    Only the months given: a chart spans the first to the last, but works from these
    alone (a sparse tag's twenty years are 240 months, a handful of them with events).
    """
    checked: dict[int, int] = {}
    for month, count in counts.items():
        index = _month_index(month)
        # Integral, not int: counts straight from numpy or a database driver are welcome
        # (an int is let through before the slower check of the abstract class).
        odd = type(count) is not int and (
            isinstance(count, bool) or not isinstance(count, Integral)
        )
        if odd or count < 0:
            raise InputError(f"{month}: expected a count >= 0, got {count!r}", field="count")
        checked[index] = int(count)
    return sorted(checked.items())


def _events(n: int) -> str:
    return f"{n:,} event" if n == 1 else f"{n:,} events"


def _describe(months: list[tuple[int, int]]) -> str:
    """The chart in words, e.g. "42 events from January 2011 to March 2012; the most..."."""
    total = sum(count for _, count in months)
    first, last = months[0][0], months[-1][0]
    if first == last:
        return f"{_events(total)} in {_label_of(first)}"
    text = f"{_events(total)} from {_label_of(first)} to {_label_of(last)}"
    most = max(count for _, count in months)
    if most == 0:
        return text
    busiest = [index for index, count in months if count == most]
    text += f"; the most, {most:,}, in {_label_of(busiest[0])}"
    if len(busiest) > 1:
        others = len(busiest) - 1
        text += f" and {others} other month" + ("s" if others > 1 else "")
    return text


def _id_prefix(given: str | None, title: str, months: list[tuple[int, int]]) -> str:
    if given is not None:
        if not _ID_PREFIX_RE.match(given):
            raise InputError(f"expected letters, digits, '-' or '_', got {given!r}", field="id")
        return given
    # What the chart shows: its span and the months with events (not how zeros were given).
    shown = [months[0][0], months[-1][0], [m for m in months if m[1]]] if months else []
    data = json.dumps([title, shown], ensure_ascii=True)
    return "chart-" + hashlib.sha256(data.encode("ascii")).hexdigest()[:12]


# -- drawing ---------------------------------------------------------------------------
# Each part appends its markup to ``out``; see the module docstring for why strings.


def _num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros (short, deterministic)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _open_svg(out: list[str], height: int, prefix: str) -> None:
    out.append(
        f'<svg xmlns="{SVG_NS}" class="chart" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" viewBox="0 0 {WIDTH} {height}" '
        'width="100%" preserveAspectRatio="xMidYMid meet">'
    )


def _add_text_alternatives(out: list[str], prefix: str, title: str, desc: str) -> None:
    """The chart's name and its data in words: archive text, escaped here."""
    out.append(f'<title id="{prefix}-title">{escape(title)}</title>')
    out.append(f'<desc id="{prefix}-desc">{escape(desc)}</desc>')


def _empty_chart(out: list[str], title: str, prefix: str) -> None:
    _open_svg(out, EMPTY_HEIGHT, prefix)
    _add_text_alternatives(out, prefix, title, "No events")
    out.append(f'<g fill="currentColor" font-size="{FONT_SIZE}">')
    _label(out, "No events", x=WIDTH / 2, y=EMPTY_HEIGHT / 2, anchor="middle", middle=True)
    out.append("</g>")


def _slot_geometry(n: int) -> tuple[float, float]:
    """(x of the first month's slot, width of a slot); few months are centred, not stretched."""
    slot = min(PLOT_WIDTH / n, MAX_SLOT)
    return MARGIN_LEFT + (PLOT_WIDTH - slot * n) / 2, slot


def _add_bars(out: list[str], months: list[tuple[int, int]]) -> None:
    """One ``<rect>`` per month with events, at its month's place, each with its ``<title>``.

    A month without events gets no bar: a bar of height 0 shows nothing and cannot be
    pointed at for its title, and the chart is an image to assistive technology (its
    ``<desc>`` says it in words). That matters because a sparse tag's chart spans
    twenty years: drawing every month made 3.6 million bars for the 35,000 tags of a
    100,000-event archive, 95% of them empty, a third of a site build's time. What
    depends only on the number of months (each slot's x, the width) is computed once.
    """
    first = months[0][0]
    xs, width = _bar_columns(months[-1][0] - first + 1)
    most = max(count for _, count in months)
    bars = []
    for index, count in months:
        if count:
            y, height = _bar_height(count, most)
            bars.append(
                f'<rect class="chart-bar" x="{xs[index - first]}" y="{y}" width="{width}" '
                f'height="{height}" data-count="{count}">'
                f"<title>{_label_of(index)}: {_events(count)}</title></rect>"
            )
    if bars:
        out += ['<g class="chart-bars" fill="currentColor">', *bars, "</g>"]
    else:
        out.append('<g class="chart-bars" fill="currentColor"/>')


_BASELINE_TEXT = _num(BASELINE)


@lru_cache(maxsize=4096)
def _bar_height(count: int, most: int) -> tuple[str, str]:
    """The top (y) and height of a bar of ``count`` in a chart whose tallest bar is
    ``most``, as written: the same few pairs recur (a handful of events a month)."""
    height = PLOT_HEIGHT * count / most
    return _num(BASELINE - height), _num(height)


@cache
def _bar_columns(n: int) -> tuple[tuple[str, ...], str]:
    """The x of each of ``n`` bars, and their width, as written (the same in every such chart)."""
    left, slot = _slot_geometry(n)
    offset = slot * (1 - BAR_FILL) / 2
    return tuple(_num(left + i * slot + offset) for i in range(n)), _num(slot * BAR_FILL)


def _add_axes(out: list[str], months: list[tuple[int, int]]) -> None:
    first, last = months[0][0], months[-1][0]
    n = last - first + 1
    out.append(_axis_lines(first % 12, n))
    most = max(count for _, count in months)
    _label(out, f"{most:,}", x=MARGIN_LEFT - 6, y=MARGIN_TOP, anchor="end", middle=True)
    first_year = first // 12
    labels = _year_labels(first % 12, n, first_year % _year_step(n))
    out += [f"{start}{first_year + offset}</text>" for offset, start in labels]
    out.append("</g>")


@lru_cache(maxsize=4096)
def _axis_lines(first_month: int, n: int) -> str:
    """The axes of a chart of ``n`` months from a ``first_month`` (0: January): the
    lines and the ticks, then the opening of the labels' group.

    The same for every chart of as many months from the same month of the year, so made
    once for each: a site build draws 49,000 charts, of a few thousand such shapes (but
    of tens of thousands of first and last months), and writing these coordinates as
    text was a third of a chart's time.
    """
    out: list[str] = []
    left, slot = _slot_geometry(n)
    out.append('<g class="chart-axis" stroke="currentColor" fill="none">')
    right = WIDTH - MARGIN_RIGHT
    _line(out, MARGIN_LEFT, BASELINE, right, BASELINE)
    _line(out, MARGIN_LEFT, MARGIN_TOP, MARGIN_LEFT, BASELINE)
    _line(out, MARGIN_LEFT - 4, MARGIN_TOP, MARGIN_LEFT, MARGIN_TOP)  # the maximum's tick
    # A tick at each January but the first month's, as one path (twenty-five a chart
    # of twenty years).
    ticks = "".join(
        f"M{_num(left + i * slot)} {_BASELINE_TEXT}v4"
        for i in range(-first_month % 12 or 12, n, 12)
    )
    if ticks:
        out.append(f'<path d="{ticks}"/>')
    out.append("</g>")
    out.append(f'<g fill="currentColor" font-size="{FONT_SIZE}">')
    return "".join(out)


@lru_cache(maxsize=4096)
def _year_labels(first_month: int, n: int, first_year_mod: int) -> tuple[tuple[int, str], ...]:
    """The year labels of a chart of ``n`` months from ``first_month`` of a year whose
    number is ``first_year_mod`` modulo the chart's year step: (the year's offset from
    the first year, its label's markup up to the year's number). That is all that
    decides which years are labelled and where (:func:`_thinned_years`)."""
    step = _year_step(n)
    left, slot = _slot_geometry(n)
    # The years centred under their months, thinned if crowded: each year's first and
    # last slot on the chart, numbered as the first year's residue (same choice of years).
    last = first_month + n - 1
    years = {
        first_year_mod + offset: (
            max(0, offset * 12 - first_month),
            min(n - 1, offset * 12 + 11 - first_month),
        )
        for offset in range(last // 12 + 1)
    }
    labels = []
    for year, x in _thinned_years(years, left, slot, step):
        start: list[str] = []
        _label(start, "", x=x, y=HEIGHT - 6, anchor="middle")
        labels.append((year - first_year_mod, start[0].removesuffix("</text>")))
    return tuple(labels)


def _year_step(n: int) -> int:
    """Label every ``step``-th year of a chart of ``n`` months, so that labels never touch."""
    slot = _slot_geometry(n)[1]
    return next((s for s in YEAR_STEPS if s * 12 * slot >= MIN_LABEL_SPACING), YEAR_STEPS[-1])


def _thinned_years(
    years: dict[int, tuple[int, int]], left: float, slot: float, step: int
) -> list[tuple[int, float]]:
    """(year, x of its label) for the years to label: every ``step``-th, never touching.

    ``years`` maps each year to its first and last slot in the chart. A partial year at
    either end can sit too close to its neighbour; of two such labels the year with more
    months on the chart wins.
    """
    chosen = [y for y in years if y % step == 0] or [min(years)]
    kept: list[tuple[int, float]] = []
    for year in chosen:
        start, end = years[year]
        x = left + (start + end + 1) * slot / 2
        if not kept or x - kept[-1][1] >= MIN_LABEL_SPACING:
            kept.append((year, x))
        else:
            kept_start, kept_end = years[kept[-1][0]]
            if end - start > kept_end - kept_start:
                kept[-1] = (year, x)
    return kept


def _line(out: list[str], x1: float, y1: float, x2: float, y2: float) -> None:
    out.append(f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}"/>')


def _label(
    out: list[str], text: str, *, x: float, y: float, anchor: str, middle: bool = False
) -> None:
    """A text label at (x, y); ``middle`` centres it vertically on y instead of sitting on it."""
    baseline = ' dominant-baseline="middle"' if middle else ""
    out.append(
        f'<text class="chart-label" x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"'
        f"{baseline}>{escape(text)}</text>"
    )
