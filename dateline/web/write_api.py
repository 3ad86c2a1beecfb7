"""The API's writes: create, edit and retire events, each as a new version.

Every write needs an API token (:mod:`dateline.web.auth`); its name becomes the
version's editor and the body's ``note`` the version's note. History is never
rewritten: an edit appends a version with the full new content, and retiring appends
one that repeats the content and marks the event retired (it stays readable at its
addresses; ``"retired": true`` in its JSON).

No edit is silently lost: an edit or a retirement must send ``If-Match`` with the ETag
of the version it was based on (428 without). The store checks it and writes in one
transaction, holding the event's row (PostgreSQL ``FOR UPDATE``; SQLite's write
transaction holds the whole database), so of two writers sending the same ETag one
succeeds and the other gets a 412 carrying the current version and event to merge with.

Bodies are limited to :data:`MAX_BODY_BYTES` (413), unknown fields are a 422 naming
the field, and text is stored as given (the HTML pages escape it). The page cache and
the search index see a write by themselves: both follow the archive's change log.

The write routes are plain functions, not ``async``: FastAPI runs them in its thread
pool. A write may wait for the database (SQLite has one writer at a time, and another
worker process may hold it); waiting on the event loop would stall every read of the
process and let idle keep-alive connections time out (measured at 1,000,000 events with
50 writers: connections reset).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Response
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, Field

from dateline.errors import StaleVersionError
from dateline.model import EventContent, Source
from dateline.model.event import MAX_CONTEXTS, MAX_HEADLINE_LENGTH, MAX_SOURCES, MAX_SUMMARY_LENGTH
from dateline.store import Store
from dateline.web.api import ETAG_HEADER, EventId, StoreDep, event_json
from dateline.web.auth import Writer
from dateline.web.errors import ErrorDetail, documented, error_response
from dateline.web.models import EventOut, Strict

MAX_BODY_BYTES = 256 * 1024
"""A request body larger than this is refused (413) before it is read: an event with a
long summary and many sources takes a few kilobytes."""
MAX_NOTE_LENGTH = 1000
MAX_URL_LENGTH = 4000
VERSION_TAG = r'^"[1-9][0-9]{0,8}"$'


def _no_surrogates(text: str) -> str:
    # JSON may escape half of a UTF-16 pair ("\ud800"); no database can store that.
    if any("\ud800" <= c <= "\udfff" for c in text):
        raise ValueError("contains a lone UTF-16 surrogate (not a character)")
    return text


Text = Annotated[str, AfterValidator(_no_surrogates)]
Line = Annotated[Text, Field(max_length=MAX_HEADLINE_LENGTH)]


class SourceIn(Strict):
    publisher: Annotated[Text, Field(min_length=1, max_length=300)]
    url: Annotated[Text, Field(max_length=MAX_URL_LENGTH)] | None = None


class EventIn(Strict):
    """An event's whole content, and a note saying why this version was written."""

    date: date
    headline: Annotated[Text, Field(min_length=1, max_length=MAX_HEADLINE_LENGTH)]
    summary: Annotated[Text, Field(max_length=MAX_SUMMARY_LENGTH)] = ""
    story: Line | None = None
    category: Line | None = None
    contexts: Annotated[
        list[Annotated[Text, Field(min_length=1, max_length=200)]],
        Field(
            default_factory=list,
            max_length=MAX_CONTEXTS,
            description="Context tags by name, in order.",
        ),
    ]
    sources: Annotated[list[SourceIn], Field(default_factory=list, max_length=MAX_SOURCES)]
    cover_image: Annotated[Text, Field(max_length=MAX_URL_LENGTH)] | None = None
    note: Annotated[Text, Field(max_length=MAX_NOTE_LENGTH)] | None = Field(
        None, description="Why this version was written (shown in the history)."
    )

    def content(self) -> EventContent:
        """The content to store (the store checks it further: one-line headline...)."""
        return EventContent(
            date=self.date,
            headline=self.headline,
            summary=self.summary,
            story=self.story,
            category=self.category,
            contexts=tuple(self.contexts),
            sources=tuple(Source(s.publisher, s.url) for s in self.sources),
            cover_image=self.cover_image,
        )


class RetireIn(Strict):
    note: Annotated[Text, Field(max_length=MAX_NOTE_LENGTH)] | None = Field(
        None, description="Why the event is retired (shown in the history)."
    )


class StaleVersionBody(Strict):
    """A 412: the write was based on an old version. Merge with ``event`` and send its
    version as ``If-Match``."""

    error: ErrorDetail
    current_version: Annotated[int, Field(ge=1)]
    event: EventOut


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        pattern=VERSION_TAG,
        description='The ETag of the version the write is based on ("3"). Required: '
        "without it the answer is 428.",
    ),
]
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"headers": ETAG_HEADER},
    412: {"model": StaleVersionBody, "description": "Another write came first"},
    **documented(404, 428),
}

router = APIRouter(
    prefix="/api",
    tags=["write"],
    max_body_size=MAX_BODY_BYTES,
    responses=documented(400, 401, 403, 413, 422, 500),  # 400: a body that is not UTF-8
)


def _etag(number: int) -> str:
    return f'"{number}"'


def _expected(if_match: str | None) -> int | None:
    """The version number ``If-Match`` names (its pattern is checked by then)."""
    return None if if_match is None else int(if_match.strip('"'))


def _precondition_required() -> JSONResponse:
    return error_response(
        428,
        'send If-Match with the ETag of the version you edited ("3"), so that no '
        "other edit is lost",
        "If-Match",
    )


def _stale(store: Store, error: StaleVersionError) -> JSONResponse:
    event = store.event(error.event_id)
    body = StaleVersionBody(
        error=ErrorDetail(status=412, message=str(error), field="If-Match"),
        current_version=event.current.number,
        event=EventOut.model_validate(event_json(store, event)),
    )
    headers = {"ETag": _etag(event.current.number)}
    return JSONResponse(body.model_dump(), status_code=412, headers=headers)


@router.post(
    "/events",
    status_code=201,
    response_model=EventOut,
    summary="Create an event",
    description="A new event whose first version is the body; its editor is the token's "
    "name. `Location` is its API address, `ETag` its version.",
    responses={
        201: {
            "headers": {
                **ETAG_HEADER,
                "Location": {
                    "description": "The new event's API address.",
                    "schema": {"type": "string", "pattern": "^/api/events/[1-9][0-9]*$"},
                },
            }
        }
    },
)
def create_event(
    store: StoreDep, token: Writer, response: Response, body: EventIn
) -> dict[str, Any]:
    event = store.create_event(body.content(), editor=token.name, note=body.note)
    response.headers["ETag"] = _etag(event.current.number)
    response.headers["Location"] = f"/api/events/{event.id}"
    return event_json(store, event)


@router.put(
    "/events/{event_id}",
    response_model=EventOut,
    summary="Edit an event (a new version with the full content)",
    description="Sends the whole new content; `If-Match` must carry the ETag of the "
    "version edited. A body equal to the current content adds no version. Editing a "
    "retired event brings it back.",
    responses=WRITE_RESPONSES,
)
def edit_event(
    store: StoreDep,
    token: Writer,
    response: Response,
    event_id: EventId,
    body: EventIn,
    if_match: IfMatch = None,
) -> Any:
    expected = _expected(if_match)
    if expected is None:
        return _precondition_required()
    try:
        result = store.edit_event(
            event_id, body.content(), editor=token.name, note=body.note, expected_version=expected
        )
    except StaleVersionError as error:
        return _stale(store, error)
    response.headers["ETag"] = _etag(result.event.current.number)
    return event_json(store, result.event)


@router.post(
    "/events/{event_id}/retire",
    response_model=EventOut,
    summary="Retire an event",
    description="Adds a version that repeats the content and marks the event retired: "
    "history is kept and the event stays readable at its addresses. 409 if it is "
    "retired already.",
    responses={**WRITE_RESPONSES, **documented(409)},
)
def retire_event(
    store: StoreDep,
    token: Writer,
    response: Response,
    event_id: EventId,
    if_match: IfMatch = None,
    body: Annotated[RetireIn | None, Body()] = None,
) -> Any:
    expected = _expected(if_match)
    if expected is None:
        return _precondition_required()
    note = body.note if body is not None else None
    try:
        event = store.retire_event(
            event_id, editor=token.name, note=note, expected_version=expected
        )
    except StaleVersionError as error:
        return _stale(store, error)
    response.headers["ETag"] = _etag(event.current.number)
    return event_json(store, event)
