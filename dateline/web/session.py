"""Who is signed in to the HTML forms: a signed session cookie carrying a CSRF token.

One signs in with an API token (``dateline token create --name NAME``); the session
then remembers the token's *id*, never the token itself. Every request checks that
the token is still active, so revoking it (``dateline token revoke``) ends its
sessions at once, and its name is the editor of every version written.

Why a signed cookie (itsdangerous) and not a random id kept in the database: the
cookie needs no table, so no migration on either backend, and no write per sign-in;
it works across uvicorn worker processes as long as they share the secret key
(``$DATELINE_SECRET_KEY``); and the one thing a server-side session adds, ending a
session everywhere, is already had by revoking the token. What it costs: signing out
deletes the cookie in that browser, but a copy of the cookie taken earlier stays
valid until it expires (:data:`SESSION_SECONDS`, checked on the server from the
signed timestamp), unless the token is revoked.

The cookie is ``HttpOnly`` (no script reads it), ``SameSite=Lax`` (not sent with
another site's form posts, yet sent when one follows a link here, so a link to an edit
form opens signed in; ``Strict`` would not), ``Path=/``, and ``Secure`` when the
request came over https (uvicorn's ``--proxy-headers`` tells that behind a proxy).

CSRF: each session, signed in or not, holds a random token that every form carries in
a hidden field (:data:`CSRF_FIELD`) and every POST must send back. Another site can
neither read it nor forge the signed cookie. A POST whose ``Origin`` (or, without
one, ``Referer``) names another host is refused too, before the token is looked at.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from dateline.store import Store
from dateline.store.tokens import ApiToken

SESSION_COOKIE = "dateline_session"
SESSION_SECONDS = 8 * 60 * 60
"""A working day: then one signs in again."""
CSRF_FIELD = "csrf_token"
SECRET_VARIABLE = "DATELINE_SECRET_KEY"
_SALT = "dateline.web.session"


def secret_key(configured: str | None = None) -> str:
    """The key sessions are signed with: ``configured``, else ``$DATELINE_SECRET_KEY``,
    else a random one for this process (sessions then end when the server stops, and
    several worker processes need the variable set to share one key)."""
    return configured or os.environ.get(SECRET_VARIABLE) or secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Session:
    """What the cookie holds: the form token, and the signed-in API token's id (or None)."""

    csrf: str
    token_id: int | None = None


class Sessions:
    """Reads and writes the session cookie, signed with one secret key."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)

    @staticmethod
    def new(token_id: int | None = None) -> Session:
        """A fresh session (a new form token: one per sign-in, so none outlives it)."""
        return Session(secrets.token_urlsafe(32), token_id)

    def read(self, request: Request) -> Session | None:
        """The request's session; None when it has none, or a forged or expired one."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=SESSION_SECONDS)
        except BadSignature:  # also SignatureExpired, its subclass
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        token_id = data.get("t")
        return Session(data["c"], token_id if isinstance(token_id, int) else None)

    def write(self, response: Response, request: Request, session: Session) -> None:
        """Set the cookie holding ``session`` on ``response``."""
        value = self._serializer.dumps({"c": session.csrf, "t": session.token_id})
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=SESSION_SECONDS,
            path="/",
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="lax",
        )

    @staticmethod
    def clear(response: Response, request: Request) -> None:
        response.delete_cookie(
            SESSION_COOKIE,
            path="/",
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="lax",
        )


def active_token(store: Store, session: Session | None) -> ApiToken | None:
    """The signed-in token, if the session has one and it is not revoked.

    The store has no lookup by id; the list of tokens is short (one per person or
    script), so reading it is one small query.
    """
    if session is None or session.token_id is None:
        return None
    found = next((t for t in store.tokens() if t.id == session.token_id), None)
    return found if found is not None and not found.revoked else None


def csrf_matches(session: Session | None, submitted: str | None) -> bool:
    """Whether a form sent back its session's token (compared in constant time)."""
    if session is None or not submitted:
        return False
    return hmac.compare_digest(session.csrf.encode(), submitted.encode("utf-8", "replace"))


def same_origin(request: Request) -> bool:
    """Whether a POST comes from a page of this site, as far as the browser says.

    ``Origin`` first, then ``Referer``; a request with neither is let through (some
    privacy settings strip both) and left to the CSRF token. ``Origin: null`` (a
    sandboxed frame, a local file) is refused. Hosts are compared, not schemes: behind
    a proxy that ends TLS the app may see http where the browser said https.
    """
    source = request.headers.get("origin")
    if source is None:
        source = request.headers.get("referer")
    if source is None:
        return True
    return urlsplit(source).netloc.lower() == request.url.netloc.lower()
