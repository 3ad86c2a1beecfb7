"""Who may write: the API token a request sends as ``Authorization: Bearer <token>``.

Reading needs no token; every write route depends on :func:`writer`. No token (or
one the archive never issued) is a 401 with ``WWW-Authenticate: Bearer``, so a client
knows to authenticate; a revoked token is a 403: the client is known and refused,
and trying again with it will not help. Tokens are made with ``dateline token create``
and kept as SHA-256 digests (:mod:`dateline.store.tokens`).
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dateline.store import Store
from dateline.store.tokens import ApiToken

bearer = HTTPBearer(
    auto_error=False,  # a missing token is our 401, in the one error shape
    scheme_name="token",
    description="An API token made with `dateline token create --name NAME`; its name "
    "becomes the editor of the versions it writes.",
)


def writer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ApiToken:
    """The active token the request was sent with.

    Not ``async``, like the write routes: recording the token's use writes to the
    database, which may wait for another process's write (SQLite has one writer at a
    time); FastAPI runs it in its thread pool, so the event loop keeps answering reads
    meanwhile."""
    if credentials is None:
        raise HTTPException(
            401,
            "writing needs an API token: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    store = cast(Store, request.app.state.store)
    token = store.use_token(credentials.credentials)
    if token is None:
        raise HTTPException(
            401,
            "this API token is not known to this archive",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    if token.revoked:
        raise HTTPException(403, f"the API token {token.name!r} was revoked")
    return token


Writer = Annotated[ApiToken, Depends(writer)]
