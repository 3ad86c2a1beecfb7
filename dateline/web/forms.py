"""HTML forms for writing, live only: sign in and out, add, edit and retire an event.

The forms do what the write API does (:mod:`dateline.web.write_api`), for a person in
a browser: the same store methods, the same checks, a new version per write with the
signed-in token's name as its editor and the form's note. Who is signed in, and the
CSRF token every form carries, are in :mod:`dateline.web.session`.

No edit is lost: an edit or retire form carries the version it was made from, and the
store refuses a write based on a version that is no longer current. The answer is a
409 page saying someone else changed the event, showing the version that came first
and the user's own text in the form again, based now on that version: saving it is a
deliberate choice made having seen the other edit.

Answers: a write that worked is a 303 to the event's page (so reloading it does not
send the form again); a form with an error comes back with the field named and the
input kept (422); a form without its session's token, or sent from another site, is a
403 and writes nothing. Pages carrying a form are never cached and never framed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple, cast
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from dateline.errors import ConflictError, InputError, NotFoundError, StaleVersionError
from dateline.model import Event, validate_note
from dateline.render.app_pages import render_app_page
from dateline.render.markdown import version_path
from dateline.store import Store
from dateline.store.tokens import ApiToken
from dateline.web.cursor import MAX_ID
from dateline.web.event_form import (
    EVENT_FIELDS,
    LABELS,
    field_views,
    form_error,
    form_values,
    read_event_form,
)
from dateline.web.pages import edit_path, not_found_page
from dateline.web.session import (
    CSRF_FIELD,
    Session,
    Sessions,
    active_token,
    csrf_matches,
    same_origin,
)
from dateline.web.write_api import MAX_BODY_BYTES, MAX_NOTE_LENGTH

LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
NEW_PATH = "/new"
DEFAULT_NEXT = NEW_PATH
"""Where signing in leads when no page asked for it."""
PAGE_HEADERS = {
    "Cache-Control": "no-store",  # the page holds the session's form token
    "Content-Security-Policy": "frame-ancestors 'none'",  # no clicking through a frame
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
MAX_FORM_FIELDS = len(EVENT_FIELDS) + 8

router = APIRouter(include_in_schema=False, max_body_size=MAX_BODY_BYTES)


def retire_path(event_id: int) -> str:
    return f"/retire/{event_id}"


# -- answering ------------------------------------------------------------------------


def _store(request: Request) -> Store:
    return cast(Store, request.app.state.store)


def _sessions(request: Request) -> Sessions:
    return cast(Sessions, request.app.state.sessions)


def _page(
    request: Request,
    template: str,
    view: dict[str, Any],
    status: int = 200,
    session: Session | None = None,
) -> HTMLResponse:
    """``view`` as a page; ``session`` is (re)set in the cookie when given."""
    response = HTMLResponse(render_app_page(template, view), status, headers=PAGE_HEADERS)
    if session is not None:
        _sessions(request).write(response, request, session)
    return response


def _message(
    request: Request,
    title: str,
    message: str,
    status: int,
    *,
    links: tuple[tuple[str, str, str | None], ...] = (),
    alert: bool = True,
) -> HTMLResponse:
    view = {
        "path": request.url.path,
        "title": title,
        "message": message,
        "alert": alert,
        "form": None,
        "csrf": "",
        "links": [{"label": label, "path": path, "ext": ext} for label, path, ext in links],
    }
    return _page(request, "message.html", view, status)


def _not_found() -> Response:
    missing = not_found_page()
    return Response(missing.body, status_code=404, media_type=missing.media_type)


def _see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _to_login(request: Request) -> RedirectResponse:
    return _see_other(f"{LOGIN_PATH}?next={quote(request.url.path, safe='/')}")


def _event_html(event: Event) -> str:
    return version_path(event, event.current, "html")


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path of this site only (never ``//host``)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return DEFAULT_NEXT
    return value


# -- checking a request -------------------------------------------------------------


def _signed_in(request: Request) -> tuple[Session, ApiToken] | None:
    session = _sessions(request).read(request)
    token = active_token(_store(request), session)
    return None if session is None or token is None else (session, token)


async def _form(request: Request) -> dict[str, str]:
    """The posted fields (the first value of each; a file counts as empty)."""
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    values: dict[str, str] = {}
    for name, value in form.multi_items():
        if name not in values:
            values[name] = value if isinstance(value, str) else ""
    return values


def _refused(request: Request) -> HTMLResponse:
    return _message(
        request,
        "Form refused",
        "This form was refused and nothing was saved: it did not come from this site's own "
        "page, or it was opened before you last signed in or out, or your session ended. "
        "Go back, reload the page, and send it again.",
        403,
        links=(("Sign in", LOGIN_PATH, None),),
    )


async def _posted(request: Request) -> tuple[Session, dict[str, str]] | HTMLResponse:
    """The session and fields of a form post; a 403 page if it fails the CSRF checks."""
    if not same_origin(request):
        return _refused(request)
    values = await _form(request)
    session = _sessions(request).read(request)
    if session is None or not csrf_matches(session, values.get(CSRF_FIELD)):
        return _refused(request)
    return session, values


def _session_ended(request: Request, session: Session) -> HTMLResponse:
    view = _login_view(session, request.url.path, None)
    view["error"] = (
        "You are not signed in (your session ended, or its token was revoked), so nothing "
        "was saved. Sign in, then go back and send the form again."
    )
    return _page(request, "login.html", view, 401)


def _number(text: str) -> int | None:
    """``text`` as an id or a version number, if it is one.

    Read here, not by the router's ``int`` convertor: "²" is a digit to ``isdigit()``,
    and ``int()`` refuses 5,000 digits with a ValueError that would be a 500.
    """
    is_number = text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))
    return int(text) if is_number and 1 <= int(text) <= MAX_ID else None


def _version(values: Mapping[str, str]) -> int | None:
    return _number(values.get("version", ""))


def _find_event(store: Store, event_id: str) -> Event | None:
    """The event whose id is the path's ``event_id``; None if there is none."""
    number = _number(event_id)
    if number is None:
        return None
    try:
        return store.event(number)
    except NotFoundError:
        return None


def _no_version(request: Request) -> HTMLResponse:
    return _message(
        request,
        "Form incomplete",
        "The form did not say which version of the event it was made from, so nothing was "
        "saved. Reload the form and send it again.",
        400,
    )


# -- signing in and out ---------------------------------------------------------------


def _login_view(session: Session, next_path: str | None, token: ApiToken | None) -> dict[str, Any]:
    return {
        "path": LOGIN_PATH,
        "title": "Sign in",
        "csrf": session.csrf,
        "next": safe_next(next_path),
        "signed_in": token.name if token else None,
        "error": None,
        "notice": None,
    }


@router.get(LOGIN_PATH)
async def login_form(request: Request) -> Response:
    sessions = _sessions(request)
    existing = sessions.read(request)
    session = existing or sessions.new()
    token = active_token(_store(request), session)
    view = _login_view(session, request.query_params.get("next"), token)
    if request.query_params.get("out"):
        view["notice"] = "You are signed out."
    return _page(request, "login.html", view, session=None if existing else session)


@router.post(LOGIN_PATH)
async def login(request: Request) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session, values = posted
    view = _login_view(session, values.get("next"), None)
    secret = values.get("token", "").strip()
    if not secret:
        view["error"] = "Paste your API token into the field."
        return _page(request, "login.html", view, 422)
    token = await run_in_threadpool(_store(request).use_token, secret)  # writes: see write_api
    if token is None:
        view["error"] = (
            "This API token is not known to this archive: check that you pasted all of it "
            "(43 characters), or make one with dateline token create --name YOUR-NAME."
        )
        return _page(request, "login.html", view, 401)
    if token.revoked:
        view["error"] = f"The API token {token.name!r} was revoked: ask for a new one."
        return _page(request, "login.html", view, 403)
    response = _see_other(view["next"])
    # A new session (and form token) for the signed-in user: none made before carries over.
    _sessions(request).write(response, request, Sessions.new(token.id))
    return response


@router.get(LOGOUT_PATH)
async def logout_form(request: Request) -> Response:
    signed = _signed_in(request)
    if signed is None:
        return _message(
            request,
            "Not signed in",
            "You are not signed in.",
            200,
            links=(("Sign in", LOGIN_PATH, None),),
            alert=False,
        )
    session, token = signed
    view = {
        "path": LOGOUT_PATH,
        "title": "Sign out",
        "message": f"You are signed in as {token.name}.",
        "alert": False,
        "form": {"action": LOGOUT_PATH, "button": "Sign out"},
        "csrf": session.csrf,
        "links": [],
    }
    return _page(request, "message.html", view)


@router.post(LOGOUT_PATH)
async def logout(request: Request) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    response = _see_other(f"{LOGIN_PATH}?out=1")
    Sessions.clear(response, request)
    return response


# -- adding and editing ---------------------------------------------------------------


def _form_view(
    request: Request,
    session: Session,
    token: ApiToken,
    values: Mapping[str, str],
    *,
    event: Event | None = None,
    version: int | None = None,
    error: InputError | None = None,
) -> dict[str, Any]:
    store = _store(request)
    retired = event is not None and event.current.number in store.retired_versions(event.id)
    return {
        "path": request.url.path,
        "title": f"Edit: {event.content.headline}" if event else "Add an event",
        "heading": "Edit this event" if event else "Add an event",
        "subject": event.content.headline if event else None,
        "action": edit_path(event.id) if event else NEW_PATH,
        "submit": "Save a new version" if event else "Add the event",
        "csrf": session.csrf,
        "signed_in": token.name,
        "version": version,
        "fields": field_views(values, error),
        "error": error.detail if error else None,
        "error_field": error.field if error else None,
        "error_label": LABELS.get(error.field or "", "") if error else "",
        "notice": None,
        "stale": None,
        "retired": retired,
        "event_path": _event_html(event).removesuffix(".html") if event else None,
        "retire_path": retire_path(event.id) if event and not retired else None,
    }


def _stale_info(event: Event, based_on: int) -> dict[str, Any]:
    """The version that came first, for the 409 page: who, when, why, and its fields."""
    current = event.current
    shown = form_values(current.content)
    return {
        "based_on": based_on,
        "current": current.number,
        "editor": current.editor,
        "note": current.note,
        "created_at": current.created_at.isoformat(sep=" ") if current.created_at else None,
        "fields": [
            {"label": f.label, "value": shown[f.name]} for f in EVENT_FIELDS if shown.get(f.name)
        ],
    }


@router.get(NEW_PATH)
async def new_event_form(request: Request) -> Response:
    signed = _signed_in(request)
    if signed is None:
        return _to_login(request)
    session, token = signed
    values = {"date": date.today().isoformat()}
    return _page(request, "event_form.html", _form_view(request, session, token, values))


@router.post(NEW_PATH)
async def new_event(request: Request) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session, values = posted
    token = active_token(_store(request), session)
    if token is None:
        return _session_ended(request, session)
    try:
        content, note = read_event_form(values)
        event = await run_in_threadpool(
            _store(request).create_event, content, editor=token.name, note=note
        )
    except InputError as error:
        view = _form_view(request, session, token, values, error=form_error(error))
        return _page(request, "event_form.html", view, 422)
    return _see_other(_event_html(event))


class _ChangeAsked(NamedTuple):
    """A posted edit or retirement that passed the checks both share."""

    session: Session
    values: dict[str, str]
    store: Store
    token: ApiToken
    event: Event
    based_on: int


async def _change_asked(request: Request, event_id: str) -> _ChangeAsked | Response:
    """The checks of a post that changes an event, in order: a form with a valid CSRF
    token, a live session, an event at ``event_id``, the version the form was based
    on. The page that says what failed, or what was asked."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session, values = posted
    store = _store(request)
    token = active_token(store, session)
    if token is None:
        return _session_ended(request, session)
    event = _find_event(store, event_id)
    if event is None:
        return _not_found()
    based_on = _version(values)
    if based_on is None:
        return _no_version(request)
    return _ChangeAsked(session, values, store, token, event, based_on)


@router.get("/edit/{event_id}")
async def edit_event_form(request: Request, event_id: str) -> Response:
    signed = _signed_in(request)
    if signed is None:
        return _to_login(request)
    session, token = signed
    event = _find_event(_store(request), event_id)
    if event is None:
        return _not_found()
    view = _form_view(
        request,
        session,
        token,
        form_values(event.content),
        event=event,
        version=event.current.number,
    )
    return _page(request, "event_form.html", view)


@router.post("/edit/{event_id}")
async def edit_event(request: Request, event_id: str) -> Response:
    asked = await _change_asked(request, event_id)
    if isinstance(asked, Response):
        return asked
    session, values, store, token, event, based_on = asked
    try:
        content, note = read_event_form(values)
        result = await run_in_threadpool(
            store.edit_event,
            event.id,
            content,
            editor=token.name,
            note=note,
            expected_version=based_on,
        )
    except InputError as error:
        view = _form_view(
            request, session, token, values, event=event, version=based_on, error=form_error(error)
        )
        return _page(request, "event_form.html", view, 422)
    except StaleVersionError:
        event = store.event(event.id)
        view = _form_view(
            request, session, token, values, event=event, version=event.current.number
        )
        view["stale"] = _stale_info(event, based_on)
        return _page(request, "event_form.html", view, 409)
    if not result.changed:
        view = _form_view(request, session, token, values, event=result.event, version=based_on)
        view["notice"] = "Nothing was changed, so no version was written."
        return _page(request, "event_form.html", view)
    return _see_other(_event_html(result.event))


# -- retiring -------------------------------------------------------------------------


def _retire_view(
    request: Request,
    session: Session,
    token: ApiToken,
    event: Event,
    *,
    version: int,
    note: str = "",
    error: str | None = None,
) -> dict[str, Any]:
    return {
        "path": request.url.path,
        "title": f"Retire: {event.content.headline}",
        "heading": "Retire this event",
        "subject": event.content.headline,
        "action": retire_path(event.id),
        "csrf": session.csrf,
        "signed_in": token.name,
        "version": version,
        "note": note,
        "max_length": MAX_NOTE_LENGTH,
        "error": error,
        "stale": None,
        "event_path": _event_html(event).removesuffix(".html"),
    }


def _already_retired(request: Request, event: Event) -> HTMLResponse:
    return _message(
        request,
        "Retired already",
        f"This event was retired already (by version {event.current.number}). Editing it "
        "brings it back.",
        409,
        links=(
            ("Read the event", _event_html(event), None),
            ("Edit the event", edit_path(event.id), None),
        ),
    )


@router.get("/retire/{event_id}")
async def retire_event_form(request: Request, event_id: str) -> Response:
    signed = _signed_in(request)
    if signed is None:
        return _to_login(request)
    session, token = signed
    store = _store(request)
    event = _find_event(store, event_id)
    if event is None:
        return _not_found()
    if event.current.number in store.retired_versions(event.id):
        return _already_retired(request, event)
    view = _retire_view(request, session, token, event, version=event.current.number)
    return _page(request, "retire.html", view)


@router.post("/retire/{event_id}")
async def retire_event(request: Request, event_id: str) -> Response:
    asked = await _change_asked(request, event_id)
    if isinstance(asked, Response):
        return asked
    session, values, store, token, event, based_on = asked
    note_text = values.get("note", "")
    try:
        note = validate_note(note_text)
        if note is None:
            raise InputError("say why the event is retired", field="note")
        retired = await run_in_threadpool(
            store.retire_event, event.id, editor=token.name, note=note, expected_version=based_on
        )
    except InputError as error:
        view = _retire_view(
            request, session, token, event, version=based_on, note=note_text, error=error.detail
        )
        return _page(request, "retire.html", view, 422)
    except StaleVersionError:
        event = store.event(event.id)
        view = _retire_view(
            request, session, token, event, version=event.current.number, note=note_text
        )
        view["stale"] = _stale_info(event, based_on)
        return _page(request, "retire.html", view, 409)
    except ConflictError:
        return _already_retired(request, store.event(event.id))
    return _see_other(_event_html(retired))
