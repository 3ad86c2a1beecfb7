"""One JSON error shape for every error the app answers with (as datasette's ``error_body``).

    {"error": {"status": 422, "message": "limit: Input should be ...", "field": "limit"}}

``field`` names the query or path parameter to blame (null when none is). Dateline's
own errors map to statuses here, once: InputError 422, NotFoundError 404,
StaleVersionError 412, ConflictError 409, StoreUnavailableError 503. Anything else
is a bug: it is logged with its traceback and answered with a 500 that shows no
internals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from dateline.errors import (
    ConflictError,
    DatelineError,
    InputError,
    NotFoundError,
    StaleVersionError,
    StoreUnavailableError,
)

logger = logging.getLogger("dateline.web")

STATUS_BY_ERROR: tuple[tuple[type[DatelineError], int], ...] = (
    (InputError, 422),
    (NotFoundError, 404),
    (StaleVersionError, 412),
    (ConflictError, 409),
    (StoreUnavailableError, 503),
)
"""The first class an error is an instance of gives its status (else 400)."""
_LOCATIONS = {"query", "path", "header", "cookie", "body"}


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: int
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The body of every 4xx and 5xx answer."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorDetail


def error_response(
    status: int,
    message: str,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(error=ErrorDetail(status=status, message=message, field=field))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: its error statuses, all with the one error shape."""
    descriptions = {
        400: "The request cannot be read (the error says why)",
        401: "No API token, or one this archive never issued",
        403: "The API token was revoked",
        404: "Nothing at this address",
        409: "The write contradicts the event's state",
        413: "The request body is too large",
        422: "A parameter is invalid (the error names it)",
        428: "The write sent no If-Match: send the ETag of the version you edited",
        500: "A bug (nothing of it is shown)",
    }
    return {
        status: {"model": ErrorBody, "description": descriptions.get(status, "Error")}
        for status in statuses
    }


def status_of(error: DatelineError) -> int:
    return next((status for kind, status in STATUS_BY_ERROR if isinstance(error, kind)), 400)


def _validation_field(error: dict[str, Any]) -> str | None:
    parts = [str(p) for p in error.get("loc", ()) if str(p) not in _LOCATIONS]
    return ".".join(parts) or None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


async def _on_validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = dict(error.errors()[0]) if error.errors() else {}
    if first.get("type") == "json_invalid":  # loc is ("body", <character offset>)
        reason = first.get("ctx", {}).get("error", "invalid")
        where = first.get("loc", ("body", "?"))[-1]
        return error_response(422, f"body: not JSON ({reason} at character {where})", "body")
    field = _validation_field(first)
    message = str(first.get("msg", "invalid request"))
    if "input" in first and first["input"] is not None:
        message += f" (got {_shown(first['input'])})"
    return error_response(422, f"{field}: {message}" if field else message, field)


async def _on_http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    # Starlette's body limit (a body sent without a length) says only "Content Too Large".
    message = "the request body is too large" if error.status_code == 413 else str(error.detail)
    return error_response(error.status_code, message, headers=error.headers)


async def _on_dateline_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DatelineError)
    field = error.field if isinstance(error, InputError) else None
    return error_response(status_of(error), str(error), field)


async def _on_bug(request: Request, error: Exception) -> JSONResponse:
    logger.error("%s %s failed", request.method, request.url.path, exc_info=error)
    return error_response(500, "internal error: the server could not answer this request")


async def error_answer(request: Request, error: Exception) -> JSONResponse:
    """What the handlers below answer for ``error``, for code outside the app's routes
    (:class:`dateline.web.app.PagesFirst`)."""
    if isinstance(error, DatelineError):
        return await _on_dateline_error(request, error)
    return await _on_bug(request, error)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` with :class:`ErrorBody`."""
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(DatelineError, _on_dateline_error)
    app.add_exception_handler(Exception, _on_bug)
