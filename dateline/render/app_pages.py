"""HTML pages that are not archive content: the search page and the live server's forms.

They share the archive's templates (``base.html``, its header and stylesheet) through
:func:`dateline.render.html_format.render_template`, so that both render alike.

The search page is both static and live. ``dateline build`` writes
:func:`static_search_page` as ``/search.html``, the address every page's header
search box submits to; ``dateline serve`` answers that address with results, and
without a query with exactly the same bytes as the built file. A static host ignores
the query string, so the page's text says where searching works. Its links are
relative, like every built page's.

The form pages (sign in, write, retire) exist only live, so their links are
root-absolute, like the 404 page's.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

from dateline.render.html_format import render_template

SEARCH_PATH = "/search"
"""The search page's path without extension (``/search.html``)."""
SEARCH_PAGE_FILE = SEARCH_PATH + ".html"
RESULTS_PER_PAGE = 20
MAX_TAG_LENGTH = 200
"""The longest context tag name (the model's limit) the search page's filter takes."""
SEARCH_FILTERS = ("from", "to", "context")
"""The search page's filter fields (query parameters), in the form's order."""

_HIGHLIGHT = re.compile(r"(<b>.*?</b>)", re.S)


def render_app_page(template: str, view: Mapping[str, Any], *, absolute: bool = True) -> str:
    """``view`` through ``template``; links root-absolute unless ``absolute`` is False."""
    return render_template(template, view, absolute=absolute)


def highlighted(snippet_html: str) -> Markup:
    """A search snippet (text escaped, matches in ``<b>``) as HTML with matches in ``<mark>``.

    The snippet's text is unescaped and escaped again, piece by piece: whatever the
    search engine sends, the only markup that reaches the page is ``<mark>``.
    """
    parts: list[Markup] = []
    for piece in _HIGHLIGHT.split(snippet_html):
        if piece.startswith("<b>") and piece.endswith("</b>"):
            parts.append(Markup("<mark>{}</mark>").format(html.unescape(piece[3:-4])))
        elif piece:
            parts.append(escape(html.unescape(piece)))
    return Markup("").join(parts)


def _whole_headline(headline: str, snippet: str | None) -> Markup | None:
    """The whole headline, its matches marked where the snippet marks them.

    A snippet is a passage: it may stop before the headline's last word or its final
    stop. The text around the passage is added back, escaped; None when the passage is
    not found in the headline (then it is shown unmarked).
    """
    if not snippet:
        return None
    marked = highlighted(snippet)
    text = " ".join(headline.split())
    start = text.find(marked.striptags())
    if start < 0:
        return None
    end = start + len(marked.striptags())
    return escape(text[:start]) + marked + escape(text[end:])


def search_link(query: str, filters: Mapping[str, str], page: int = 1) -> str:
    """The query string of a search (``q=...&page=2``), for links between result pages."""
    pairs = [("q", query), *((name, filters[name]) for name in SEARCH_FILTERS if filters.get(name))]
    if page > 1:
        pairs.append(("page", str(page)))
    return urlencode(pairs)


def search_view(
    query: str | None = None,
    filters: Mapping[str, str] | None = None,
    *,
    hits: Sequence[Mapping[str, Any]] = (),
    total: int = 0,
    page: int = 1,
    pages: int = 1,
    message: str | None = None,
    field: str | None = None,
) -> dict[str, Any]:
    """The search page: ``query=None`` is the page without a query (the built file).

    ``hits`` are ``{"event": entry_view(...), "headline": snippet, "summary": snippet}``
    with the snippets as search-engine HTML (see :func:`highlighted`); ``message`` says
    why there are no results (an empty or unreadable query), ``field`` which form field
    it is about.
    """
    kept = {name: (filters or {}).get(name, "") for name in SEARCH_FILTERS}
    text = query or ""
    results = [
        {
            "event": hit["event"],
            "headline": _whole_headline(hit["event"]["headline"], hit.get("headline")),
            "summary": highlighted(hit["summary"]) if hit.get("summary") else None,
        }
        for hit in hits
    ]
    first = (page - 1) * RESULTS_PER_PAGE + 1
    return {
        "type": "search",
        "path": SEARCH_PATH,
        "title": f"Search: {text}" if text else "Search",
        "query": text,
        "searched": query is not None and message is None,
        "filters": kept,
        "filtered": any(kept.values()),
        "max_tag_length": MAX_TAG_LENGTH,
        "message": message,
        "field": field,
        "total": total,
        "results": results,
        "first": first,
        "page": page,
        "pages": pages,
        "previous": search_link(text, kept, page - 1) if page > 1 else None,
        "next": search_link(text, kept, page + 1) if page < pages else None,
    }


def render_search_page(view: Mapping[str, Any]) -> str:
    """The search page (relative links: it is also a file of the static site)."""
    return render_app_page("search.html", view, absolute=False)


def static_search_page() -> str:
    """``/search.html`` of the static site: the search page without a query.

    For ``dateline build`` to write beside ``/404.html`` (the lead wires it in), so
    that the header's search box never leads to a missing page.
    """
    return render_search_page(search_view())
