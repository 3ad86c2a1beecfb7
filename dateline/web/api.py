"""The read-only HTTP API under ``/api/``: events, their versions, history and related
events, context tags with their counts, and source articles.

Thin: each route checks its parameters (FastAPI, from the annotations, which also
write the OpenAPI description), calls the store and answers with a view dict of
:mod:`dateline.render.views` (an event is exactly its page's JSON). Errors take the
one shape of :mod:`dateline.web.errors`.

Event responses carry the event's current version as their ``ETag`` (``"3"``): the
value a write will send back as ``If-Match``. It is not used to answer 304: an event's
response also lists related events, which change without the event changing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, cast

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from dateline.errors import InputError, NotFoundError
from dateline.model import Context, Event, EventEntry, Version, context_path
from dateline.render.article_views import article_view
from dateline.render.markdown import version_label, version_path
from dateline.render.views import entry_view, event_view
from dateline.search import SearchFilters, SearchIndex, SearchResults
from dateline.search.index import MAX_QUERY_LENGTH
from dateline.store import Store
from dateline.store.api_queries import EventFilter, event_ids_page
from dateline.store.quick import Reader
from dateline.web.cursor import MAX_ID, encode_cursor, event_key, offset_key
from dateline.web.errors import documented, error_response
from dateline.web.models import (
    ArticleOut,
    ContextList,
    EventList,
    EventOut,
    History,
    RelatedList,
    SearchResultsOut,
)
from dateline.web.pages import event_page_view

MAX_EVENTS_PER_PAGE = 200
MAX_CONTEXTS_PER_PAGE = 1000
MAX_RELATED = 50
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# Free text in a query may be anything printable (PostgreSQL refuses NUL outright).
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]+$"

router = APIRouter(prefix="/api", tags=["read"], responses=documented(422, 500))


async def _store(request: Request) -> Store:
    # async: a plain function dependency would be run in a worker thread, and the
    # Store is used from the event loop's thread only (see dateline/web/app.py).
    return cast(Store, request.app.state.store)


StoreDep = Annotated[Store, Depends(_store)]
EventId = Annotated[int, Path(ge=1, le=MAX_ID, description="The event's id.", examples=[1])]
ArticleId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="The article's id (its page: /articles/<id>).")
]


ETAG_HEADER = {
    "ETag": {
        "description": 'The event\'s current version number, quoted ("3").',
        "schema": {"type": "string", "pattern": '^"[1-9][0-9]*"$'},
    }
}
EVENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"headers": ETAG_HEADER},
    **documented(404),
}


def _time(value: datetime | None) -> str | None:
    return value.isoformat(sep=" ") if value else None


def _etag(event: Event) -> str:
    return f'"{event.current.number}"'


def _listed(entry: EventEntry) -> dict[str, Any]:
    return {
        **entry_view(entry),
        "summary": entry.summary,
        "updated_at": _time(entry.updated_at),
        "stub": entry.stub,
    }


@router.get(
    "/events",
    response_model=EventList,
    summary="List events",
    description="Events by date (then id), filtered, one page at a time: pass the "
    "answer's `next` as `cursor` for the next page.",
)
async def list_events(
    store: StoreDep,
    first: Annotated[
        date | None, Query(alias="from", description="The first day (YYYY-MM-DD).")
    ] = None,
    last: Annotated[
        date | None, Query(alias="to", description="The last day, included (YYYY-MM-DD).")
    ] = None,
    context: Annotated[
        str | None,
        Query(pattern=SLUG_PATTERN, max_length=140, description="Only events with this tag."),
    ] = None,
    story: Annotated[
        str | None,
        Query(pattern=SLUG_PATTERN, max_length=140, description="Only events of this story."),
    ] = None,
    category: Annotated[
        str | None,
        Query(pattern=TEXT_PATTERN, max_length=1000, description="Only events of this category."),
    ] = None,
    sort: Annotated[
        Literal["date", "-date"], Query(description="`date` oldest first, `-date` newest first.")
    ] = "date",
    cursor: Annotated[
        str | None, Query(max_length=400, description="The `next` of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_EVENTS_PER_PAGE)] = 50,
) -> dict[str, Any]:
    if first is not None and last is not None and last < first:
        raise InputError(f"{last.isoformat()} is before from ({first.isoformat()})", field="to")
    after = event_key(cursor, sort) if cursor is not None else None
    where = EventFilter(first, last, context, story, category)
    ids = event_ids_page(store, where, after=after, descending=sort == "-date", limit=limit + 1)
    more = len(ids) > limit
    ids = ids[:limit]
    by_id = {entry.id: entry for entry in store.entries(ids)}
    entries = [by_id[i] for i in ids if i in by_id]
    following = None
    if more and entries:
        last_entry = entries[-1]
        following = encode_cursor("events", sort, last_entry.date.isoformat(), str(last_entry.id))
    return {"events": [_listed(e) for e in entries], "next": following}


@router.get(
    "/events/{event_id}",
    response_model=EventOut,
    summary="One event (current or a given version)",
    description="The same data as the event's page in JSON. `ETag` is the current version.",
    responses=EVENT_RESPONSES,
)
async def get_event(
    store: StoreDep,
    response: Response,
    event_id: EventId,
    version: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="A version number; default: current.")
    ] = None,
) -> dict[str, Any]:
    with store.quick.connection() as reader:  # the hot path's reads: dateline.store.quick
        event = reader.event(event_id)
        if event is None:
            raise NotFoundError(f"no event with id {event_id}")
        try:
            chosen = event.current if version is None else event.version(version)
        except LookupError:
            raise NotFoundError(
                f"event {event_id} has no version {version} (it has {len(event.versions)})"
            ) from None
        response.headers["ETag"] = _etag(event)
        return event_json(store, event, chosen, reader)


def event_json(
    store: Store, event: Event, version: Version | None = None, reader: Reader | None = None
) -> dict[str, Any]:
    """An event's API JSON: exactly its page's JSON (``version``'s; default current),
    which says whether it is retired and, on the current version, lists its articles.
    ``reader``: a quick reader (:mod:`dateline.store.quick`) to read with."""
    view, _, _ = event_page_view(store, event, version or event.current, reader)
    return view


@router.get(
    "/events/{event_id}/history",
    response_model=History,
    summary="Every version of an event, oldest first",
    responses=EVENT_RESPONSES,
)
async def get_history(store: StoreDep, response: Response, event_id: EventId) -> dict[str, Any]:
    event = store.event(event_id)
    response.headers["ETag"] = _etag(event)
    retiring = store.retired_versions(event_id)
    versions = []
    for version in event.versions:
        content = version.content
        versions.append(
            {
                "number": version.number,
                "label": version_label(event, version),
                "path": version_path(event, version).removesuffix(".md"),
                "slug": version.slug,
                "date": content.date.isoformat(),
                "headline": content.headline,
                "summary": content.summary,
                "story": content.story,
                "category": content.category,
                "contexts": list(content.contexts),
                "sources": [{"publisher": s.publisher, "url": s.url} for s in content.sources],
                "cover_image": content.cover_image,
                "created_at": _time(version.created_at),
                "editor": version.editor,
                "note": version.note,
                "partial": version.partial,
                "retired": version.number in retiring,
            }
        )
    return {"id": event.id, "current": event.current.number, "versions": versions}


@router.get(
    "/events/{event_id}/related",
    response_model=RelatedList,
    summary="Events sharing the most context tags with this one, then the newest",
    responses=EVENT_RESPONSES,
)
async def get_related(
    store: StoreDep,
    response: Response,
    event_id: EventId,
    limit: Annotated[int, Query(ge=1, le=MAX_RELATED)] = 10,
) -> dict[str, Any]:
    event = store.event(event_id)
    response.headers["ETag"] = _etag(event)
    # The entries exactly as the event's page lists them, with a longer list allowed.
    view = event_view(event, event.current, store.related(event_id, limit))
    return {"id": event.id, "related": view["related"]}


@router.get(
    "/articles/{article_id}",
    response_model=ArticleOut,
    summary="One source article",
    description="The same data as the article's page in JSON (`/articles/<id>.json`): its "
    "clean text and metadata, how and when it was read, its versions, the events it is "
    "attached to (with the linker's score and reason) and the copies of its story found "
    "in the archive, the one standing for them all marked `representative`.",
    responses=documented(404),
)
async def get_article(store: StoreDep, article_id: ArticleId) -> dict[str, Any]:
    return article_view(store.article_detail(article_id))


@router.get(
    "/contexts",
    response_model=ContextList,
    summary="Context tags with their event counts, most events first",
)
async def list_contexts(
    request: Request,
    store: StoreDep,
    include_unused: Annotated[
        bool, Query(description="Also the tags only earlier versions carry (count 0).")
    ] = False,
    cursor: Annotated[
        str | None, Query(max_length=400, description="The `next` of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_CONTEXTS_PER_PAGE)] = 100,
) -> dict[str, Any]:
    start = offset_key(cursor, "contexts") if cursor is not None else 0
    contexts = _all_contexts(request, store, include_unused)
    chosen = contexts[start : start + limit]
    end = start + len(chosen)
    return {
        "contexts": [
            {
                "name": c.name,
                "slug": c.slug,
                "path": context_path(c.slug).removesuffix(".md"),
                "count": c.event_count,
            }
            for c in chosen
        ],
        "next": encode_cursor("contexts", str(end)) if end < len(contexts) else None,
    }


def _all_contexts(request: Request, store: Store, include_unused: bool) -> list[Context]:
    """Every tag with its count, kept until the archive next changes.

    Counting takes a pass over every (event, tag) pair: about a second at 1,000,000
    events. Kept per change mark, each page of the list costs one quick read instead.
    """
    with store.quick.connection() as reader:
        mark = reader.change_mark()
    kept: dict[tuple[str, bool], list[Context]] = getattr(request.app.state, "contexts", {})
    found = kept.get((mark, include_unused))
    if found is None:
        found = store.contexts(include_unused=include_unused)
        kept = {key: value for key, value in kept.items() if key[0] == mark}
        kept[(mark, include_unused)] = found
        request.app.state.contexts = kept
    return found


MAX_SEARCH_RESULTS = 50
MAX_SEARCH_DEPTH = 1000
"""Results past this rank are not paged to: refine the query instead."""


@router.get(
    "/search",
    response_model=SearchResultsOut,
    summary="Full-text search",
    description="Events whose headline, summary, story or context tags match every word "
    'of `q` (also: `"a phrase"`, `OR`, `-word`, `word*`), best first by BM25, with the '
    "matching passages highlighted, and the filters of the event list. A query that "
    "cannot be read is a 400 naming `q`.",
    responses=documented(400),
)
async def search_events(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_LENGTH, pattern=TEXT_PATTERN)],
    first: Annotated[
        date | None, Query(alias="from", description="The first day (YYYY-MM-DD).")
    ] = None,
    last: Annotated[
        date | None, Query(alias="to", description="The last day, included (YYYY-MM-DD).")
    ] = None,
    context: Annotated[str | None, Query(pattern=SLUG_PATTERN, max_length=140)] = None,
    story: Annotated[str | None, Query(pattern=SLUG_PATTERN, max_length=140)] = None,
    category: Annotated[str | None, Query(pattern=TEXT_PATTERN, max_length=1000)] = None,
    cursor: Annotated[
        str | None, Query(max_length=400, description="The `next` of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_SEARCH_RESULTS)] = 20,
) -> Any:
    index = cast(SearchIndex, request.app.state.search)
    offset = offset_key(cursor, "search") if cursor is not None else 0
    if offset + limit > MAX_SEARCH_DEPTH:
        raise InputError(f"goes past the first {MAX_SEARCH_DEPTH} results", field="cursor")
    filters = SearchFilters(first, last, context, story, category)
    try:
        found = await searched(index, q, filters, limit, offset)
    except InputError as error:
        if error.field == "query":
            return error_response(400, f"q: {error.detail}", "q")
        raise
    hits = [
        {"score": hit.score, "event": _listed(hit.entry), "snippets": hit.snippets}
        for hit in found.hits
    ]
    following = None
    if offset + limit < min(found.total, MAX_SEARCH_DEPTH):
        following = encode_cursor("search", str(offset + limit))
    # Encoded here rather than by FastAPI, which would validate and encode the answer
    # against SearchResultsOut: 0.43 ms of a 7.5 ms search request at 1,000,000 events
    # under cProfile (in process, 1,500 searches). The model still documents the
    # answer, and the tests hold answers to it (tests/web/test_api.py, schemathesis).
    body = {"total": found.total, "hits": hits, "next": following}
    return Response(orjson.dumps(body), media_type="application/json")


async def searched(
    index: SearchIndex, query: str, filters: SearchFilters, limit: int, offset: int
) -> SearchResults:
    """One page of a search, each hit with its event as lists show it (read from the
    index, which has caught up with every write first): what both the API and the
    search page show. InputError (field ``query``) when the query cannot be read.

    The search runs on the event loop's thread: handing it to a worker thread and back
    cost 1-2 ms of a 2-4 ms search (in process, 1,000,000 events, measured with the
    search in a thread and here). Only a catch-up with new writes goes to a worker
    thread, since it can take seconds (segment merges) that the loop must not wait.
    """
    if index.behind():
        await run_in_threadpool(index.catch_up)
    return index.search(query, filters, limit=limit, offset=offset, catch_up=False)
