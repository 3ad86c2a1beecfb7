"""An event's list entry made in every format at once (see :mod:`dateline.render.listed`)."""

from __future__ import annotations

from dateline.model import EventEntry
from dateline.render.html_format import entry_items
from dateline.render.json_format import entry_json
from dateline.render.listed import Parts
from dateline.render.markdown_lists import entry_line
from dateline.render.views import entry_view
from dateline.render.xml_format import entry_element


def entry_parts(entry: EventEntry) -> Parts:
    """The parts of ``entry``'s :class:`~dateline.render.listed.ListedEntry`: what each
    format makes of its entry view on a list page."""
    view = entry_view(entry)
    html_dated, html_undated = entry_items(view)
    markdown = entry_line(view, with_date=True)
    return (
        html_dated,
        html_undated,
        entry_element(view),
        markdown,
        markdown[len(view["date"]) + 2 :],  # "YYYY-MM-DD: " off (see entry_line)
        entry_json(view),
    )
