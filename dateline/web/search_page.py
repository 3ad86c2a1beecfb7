"""The search page, live: ``/search.html?q=...`` with ranked results and highlighted passages.

It searches with the index and the code of ``GET /api/search``
(:func:`dateline.web.api.searched`), twenty results a page, with the filters a
reader needs most: a date range and a context tag (its name, as pages show it, or its
slug). Without ``q`` it is exactly the static site's ``/search.html``
(:func:`dateline.render.app_pages.static_search_page`).

Nothing a reader types is a server error: an empty query asks for words (200), a
query that cannot be read, a filter that is not a date or a tag, or a page past the
results is a 400 page that says what to change, with the query kept in the box.
"""

from __future__ import annotations

import re
from datetime import date
from typing import cast

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from dateline.errors import InputError, NotFoundError
from dateline.render.app_pages import (
    MAX_TAG_LENGTH,
    RESULTS_PER_PAGE,
    SEARCH_FILTERS,
    SEARCH_PAGE_FILE,
    render_search_page,
    search_view,
)
from dateline.render.views import entry_view
from dateline.search import SearchFilters, SearchIndex
from dateline.search.index import MAX_QUERY_LENGTH
from dateline.store import Store
from dateline.web.api import MAX_SEARCH_DEPTH, searched

MAX_PAGES = MAX_SEARCH_DEPTH // RESULTS_PER_PAGE
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

router = APIRouter(include_in_schema=False)


def _filters(store: Store, given: dict[str, str]) -> SearchFilters:
    """The filters the form's fields say; InputError naming the field otherwise."""
    first = _day(given["from"], "from")
    last = _day(given["to"], "to")
    if first and last and last < first:
        message = f"To ({last.isoformat()}) is before From ({first.isoformat()})"
        raise InputError(message, field="to")
    return SearchFilters(first=first, last=last, context=_context(store, given["context"]))


def _day(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = f"{field.capitalize()}: {text[:40]!r} is not a date (YYYY-MM-DD)"
        raise InputError(message, field=field) from None


def _context(store: Store, text: str) -> str | None:
    """The slug of the tag named ``text`` (or whose slug it is)."""
    if not text:
        return None
    if _CONTROL.search(text) or len(text) > MAX_TAG_LENGTH:  # PostgreSQL refuses NUL
        raise InputError("Context tag: that is not a tag's name", field="context")
    slug = store.context_slugs([text]).get(text)
    if slug is None and _SLUG.match(text):
        try:
            slug = store.context(text).slug
        except NotFoundError:
            slug = None
    if slug is None:
        raise InputError(f"Context tag: no tag is named {text[:80]!r}", field="context")
    return slug


def _page_number(text: str | None) -> int:
    if text is None or text == "":
        return 1
    is_number = text.isascii() and text.isdigit() and len(text) <= 9  # "²"; 5,000 digits
    if not is_number or not 1 <= int(text) <= MAX_PAGES:
        raise InputError(
            f"Page {text[:20]!r} is not between 1 and {MAX_PAGES}: refine the query instead",
            field="page",
        )
    return int(text)


def _answer(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status, headers={"Cache-Control": "no-cache"})


@router.get(SEARCH_PAGE_FILE)
async def search_page(request: Request) -> Response:
    params = request.query_params
    if "q" not in params:
        return _answer(render_search_page(search_view()))
    query = params["q"]
    given = {name: params.get(name, "").strip() for name in SEARCH_FILTERS}
    shown = query[: MAX_QUERY_LENGTH * 2]  # kept in the box, not endlessly
    if not query.strip():
        message = "Type a word or more to search for."
        return _answer(render_search_page(search_view(shown, given, message=message, field="q")))
    store = cast(Store, request.app.state.store)
    index = cast(SearchIndex, request.app.state.search)
    try:
        if _CONTROL.search(query):
            raise InputError("The query contains a control character.", field="q")
        page = _page_number(params.get("page"))
        filters = _filters(store, given)
        offset = (page - 1) * RESULTS_PER_PAGE
        found = await searched(index, query, filters, RESULTS_PER_PAGE, offset)
    except InputError as error:
        message = error.detail
        if error.field == "query":
            message = f"The query {error.detail}."
        view = search_view(shown, given, message=message, field=_form_field(error.field))
        return _answer(render_search_page(view), 400)
    hits = [{"event": entry_view(hit.entry), **hit.snippets} for hit in found.hits]
    pages = max(1, -(-min(found.total, MAX_SEARCH_DEPTH) // RESULTS_PER_PAGE))
    if page > pages:
        message = f"The results fill {pages} page(s): there is no page {page}."
        view = search_view(query, given, message=message, field="page")
        return _answer(render_search_page(view), 400)
    view = search_view(query, given, hits=hits, total=found.total, page=page, pages=pages)
    return _answer(render_search_page(view))


def _form_field(field: str | None) -> str | None:
    """The form field an error is about (the index calls the query ``query``)."""
    return "q" if field in ("query", "q") else field
