"""List entries made once per event: a full site build's shortcut for list pages.

A full build lists each event on five or six pages (its day, its month, each of its
tags' pages and year pages), and each of them made the event's entry again in every
format: at 100,000 events, about 550,000 entries, 30 us each. Instead, the build makes
each event's entry once, in every format (:func:`dateline.render.listed_parts.entry_parts`,
where the event's own pages are made), and while :func:`listing_from` is active the
page views hold those made entries (:class:`ListedEntry`) instead of entry views
(:func:`dateline.render.views.entry_view`); each format puts its part of the entry
into the page as it is.

The made entries must be what the entry views would give: only a build whose entries
do not change while it runs uses them (a full build reads every entry once, at its
start). The server and incremental builds never do.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

Parts = tuple[str, str, bytes, str, str, bytes]
"""An entry in every format, as :func:`~dateline.render.listed_parts.entry_parts`
makes it (plain values, so that a build can keep them in a file):

- the HTML ``<li>`` with its date, and without it (day and month pages), its links
  from the site's root (``news/...``: a page puts its way up to the root before them);
- the XML ``<event>`` element, as lxml writes it;
- the Markdown list item's text with its date, and without it;
- the JSON object.
"""


class ListedEntry:
    """One event's entry, made in every format (:data:`Parts`)."""

    __slots__ = (
        "html_dated",
        "html_undated",
        "id",
        "json",
        "markdown_dated",
        "markdown_undated",
        "xml",
    )

    def __init__(self, event_id: int, parts: Parts) -> None:
        self.id = event_id
        (
            self.html_dated,
            self.html_undated,
            self.xml,
            self.markdown_dated,
            self.markdown_undated,
            self.json,
        ) = parts


_BOOK: ContextVar[Mapping[int, ListedEntry] | None] = ContextVar("dateline_listed", default=None)
"""A context variable, not a global: a server's threads never see a build's entries."""


def listed_entries() -> Mapping[int, ListedEntry] | None:
    """The made entries by event id, while :func:`listing_from` is active."""
    return _BOOK.get()


@contextmanager
def listing_from(book: Mapping[int, ListedEntry]) -> Iterator[None]:
    """List pages made in the block use the entries of ``book`` (by event id); an event
    it does not have gets its entry made as usual."""
    token = _BOOK.set(book)
    try:
        yield
    finally:
        _BOOK.reset(token)
