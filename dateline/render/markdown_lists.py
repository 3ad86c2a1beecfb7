"""The list pages (month, year, context, story, home) in the archive's Markdown style.

They follow the day index of the seed pages: a ``Formats:`` line, a heading, and
numbered lists of ``[headline ](path) _Context: ..._`` entries (and ``_(retired)_`` after a
retired event's). They are written from
the same page views as the other formats, so all four say the same thing. (Event pages
and day indexes have their own module, :mod:`dateline.render.markdown`, since they
must read back exactly as imported pages.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dateline.render.listed import ListedEntry
from dateline.render.markdown import escape_link_text, formats_line


def render_list_markdown(view: dict[str, Any]) -> str:
    """A month, year, context, story or home page view as Markdown."""
    lines = [formats_line(view["path"]), ""]
    lines += _RENDERERS[view["type"]](view)
    return "\n".join(lines).rstrip("\n") + "\n"


def _link(text: str, path: str, ext: str = "md") -> str:
    return f"[{escape_link_text(text)}]({path}.{ext})"


def entry_line(entry: dict[str, Any] | ListedEntry, with_date: bool = True) -> str:
    """A list entry's item (after its number): ``date: [headline ](path.md) _Context: ..._``."""
    if isinstance(entry, ListedEntry):  # made by a full build (see dateline.render.listed)
        return entry.markdown_dated if with_date else entry.markdown_undated
    text = f"[{escape_link_text(entry['headline'])} ]({entry['path']}.md)"
    if with_date:
        text = f"{entry['date']}: {text}"
    if entry["contexts"]:
        text += f" _Context: {', '.join(c['name'] for c in entry['contexts'])}_"
    if entry["retired"]:
        text += " _(retired)_"
    return text


def _events(count: int) -> str:
    """``1 event``, ``2 events``: as the HTML pages say it."""
    return f"{count} event" if count == 1 else f"{count} events"


def _numbered(items: Iterable[str]) -> list[str]:
    return [f"{n}. {item}" for n, item in enumerate(items, 1)]


def _counts(view: dict[str, Any]) -> list[str]:
    return [f"- {m['month']}: {m['count']}" for m in view.get("months", ())]


def _month(view: dict[str, Any]) -> list[str]:
    lines = [f"### {_link(str(view['year']['year']), view['year']['path'])}", ""]
    lines += [f"# {view['title']}", ""]
    for day in view["days"]:
        lines += [f"## {_link(day['label'], day['path'])}", ""]
        lines += [*_numbered(entry_line(e, with_date=False) for e in day["events"]), ""]
    return lines


def _year(view: dict[str, Any]) -> list[str]:
    lines = [f"# {view['title']}", "", f"{_events(view['count'])}.", ""]
    return lines + _numbered(
        f"{_link(m['title'], m['path'])}: {m['count']}" for m in view["months"]
    )


def _years(view: dict[str, Any]) -> list[str]:
    return [
        "### Years:",
        "",
        *(
            f"- {_link(str(y['year']), y['path'])}" + (f": {y['count']}" if "count" in y else "")
            for y in view["years"]
        ),
        "",
    ]


def _context(view: dict[str, Any]) -> list[str]:
    lines = []
    if view["year"] is not None:
        lines += [f"### Context: {_link(view['name'], view['head'])}", ""]
    scope = "in all" if view["year"] is None else f"in {view['year']}"
    said = f"{_events(view['count'])} {scope}. Feed: {view['feed']}"
    lines += [f"# {view['title']}", "", said, ""]
    lines += ["### Events per month:", "", *_counts(view), "", *_years(view)]
    heading = "Latest events" if view["year"] is None else f"Events of {view['year']}"
    return [*lines, f"### {heading}:", "", *_numbered(entry_line(e) for e in view["events"])]


def _story(view: dict[str, Any]) -> list[str]:
    lines = [f"# {view['title']}", "", f"{_events(view['count'])}.", ""]
    lines += ["### Events per month:", "", *_counts(view), ""]
    return [*lines, "### Events:", "", *_numbered(entry_line(e) for e in view["events"])]


def _home(view: dict[str, Any]) -> list[str]:
    lines = ["# Dateline", "", f"{_events(view['count'])}.", ""]
    for day in view["days"]:
        lines += [f"## {_link(day['label'], day['path'])}", ""]
        lines += [*_numbered(entry_line(e, with_date=False) for e in day["events"]), ""]
    lines += _years(view)
    contexts = (
        f"- {_link(c['name'], '/context/' + c['slug'])}: {c['count']}" for c in view["contexts"]
    )
    return [*lines, "### Contexts:", "", *contexts]


_RENDERERS = {
    "month": _month,
    "year": _year,
    "context": _context,
    "story": _story,
    "home": _home,
}
