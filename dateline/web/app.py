"""The live web app: the site's pages at the static site's URLs, and the API under ``/api/``.

``create_app(database_url)`` opens the archive (an error to report comes at once, not
at the first request) and returns a FastAPI app; its startup loads the related-events
index, which every event page asks. ``dateline serve`` runs it with uvicorn.

The Store is not thread-safe (its transactions live on the instance), and its
related index is too big to copy per thread, so routes are ``async`` and call the
store on the event loop's thread, one request at a time: no lock, and no hop to a
worker thread per request. A server scales with uvicorn workers (processes; each
has its own store), and every request reads the database afresh, so an edit made by
any process shows at once.

Besides the site and the API, two things only a server can do, in HTML: the search
page (:mod:`dateline.web.search_page`, ``/search.html``) and the forms for writing,
behind a sign-in with an API token (:mod:`dateline.web.forms`, ``/login``, ``/new``,
``/edit/<id>``, ``/retire/<id>``). A served event page links to its edit form: the one
difference from the built file (:func:`dateline.web.pages.edit_link`).

Rendered pages are kept until the archive next changes (:mod:`dateline.web.cache`).
They answer with an ``ETag`` (a digest of the body) and ``Cache-Control: no-cache``:
a browser may keep a page but must ask again, and gets a 304 while it is unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dateline import __version__
from dateline.errors import NotFoundError
from dateline.search import SearchIndex
from dateline.store import open_store
from dateline.web.api import router as api_router
from dateline.web.cache import PageCache, cached
from dateline.web.errors import error_answer, error_response, install_error_handlers
from dateline.web.forms import router as forms_router
from dateline.web.pages import SitePages, not_found_page
from dateline.web.search_page import router as search_page_router
from dateline.web.session import Sessions
from dateline.web.session import secret_key as session_secret
from dateline.web.write_api import MAX_BODY_BYTES
from dateline.web.write_api import router as write_router

API_PREFIX = "/api"
DESCRIPTION = """Read a Dateline archive: its events with their full history, related
events and context tags. Every page of the site is also served at its own address
(`/news/YYYY/MM/D/<slug>.json`, `.md`, `.html`, `.xml`; see docs/site.md).

Create, edit and retire events: each write adds a version, and needs an API token
(`Authorization: Bearer <token>`, from `dateline token create --name NAME`). An edit or a
retirement sends the `ETag` of the version it is based on as `If-Match`; a write based
on an older version gets a 412 with the current event, so no edit is silently lost."""


def create_app(
    database_url: str | None = None,
    *,
    base_url: str | None = None,
    secret_key: str | None = None,
) -> FastAPI:
    """The app serving the archive at ``database_url`` (a SQLite path or a database URL;
    None: ``$DATELINE_DATABASE_URL`` or ``dateline.db``).

    ``base_url`` is where the site is published, for the absolute addresses of feeds
    and sitemaps; by default, the address each request was made to. ``secret_key``
    signs the forms' session cookies (default: ``$DATELINE_SECRET_KEY``, else random
    for this process; see :mod:`dateline.web.session`).
    StoreUnavailableError if the database cannot be opened.
    """
    store = open_store(database_url)
    pages = SitePages(store)
    cache = PageCache()
    bases = BaseUrls()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        store.load_related_index(listing=True)  # every event page shows a related list
        store.quick.learn_tags()
        store.quick.keep_connection()  # for this thread's readers: every route runs on it
        # Before the first request, not in it: a new archive's index is built here (a
        # minute at 1,000,000 events), and one that fell behind catches up.
        app.state.search.catch_up()
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="Dateline",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.store = store
    app.state.search = SearchIndex(store)
    app.state.sessions = Sessions(session_secret(secret_key))
    install_error_handlers(app)
    app.include_router(api_router)
    app.include_router(write_router)  # bodies limited there (413), tokens checked
    app.include_router(search_page_router)  # /search.html, before the pages' route
    app.include_router(forms_router)  # /login, /new, /edit/N...: HTML, live only
    app.add_middleware(DeclaredBodyLimit, max_bytes=MAX_BODY_BYTES)

    async def page(request: Request, path: str) -> Response:
        """Any page of the site (the last route: everything the API does not answer)."""
        url_path = "/" + path
        if url_path == API_PREFIX or url_path.startswith(API_PREFIX + "/"):
            return error_response(404, f"no API route at {url_path}")
        base = base_url.rstrip("/") if base_url else bases.of(request)
        key = base + url_path
        with store.quick.connection() as reader:  # one connection for the mark and the page
            mark = reader.change_mark()  # read first: a page is never newer than its mark
            found = cache.get(mark, key)
            if found is None:
                try:
                    found = cached(pages.page(url_path, base, reader))
                except NotFoundError as error:
                    return _not_found(url_path, str(error))
                cache.put(mark, key, found)
        headers = {"ETag": found.etag, "Cache-Control": "no-cache"}
        if found.etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        return Response(found.page.body, media_type=found.page.media_type, headers=headers)

    async def unrouted(request: Request, error: Exception) -> Response:
        # What no route matches (a path with a line break): a 404 like any other.
        return _not_found(request.url.path, getattr(error, "detail", "not found"))

    app.add_api_route("/{path:path}", page, methods=["GET"], include_in_schema=False)
    app.add_exception_handler(404, unrouted)
    app.add_middleware(PagesFirst, serve=page, serves=pages.serves)
    app.add_middleware(HeadAsGet)  # added last: the outermost, so every route has HEAD
    return app


class BaseUrls:
    """The site's address as each request names it (without the trailing ``/``),
    remembered by what it is made of: Starlette makes it afresh for every request
    (parsing a URL), which took 15 us of a cached page's 200 in a profile of the server.
    """

    def __init__(self, limit: int = 64) -> None:
        self.limit = limit  # Host headers are the client's to choose: so many kept at most
        self._known: dict[tuple[Any, ...], str] = {}

    def of(self, request: Request) -> str:
        scope = request.scope
        host = next((value for name, value in scope["headers"] if name == b"host"), None)
        key = (
            scope.get("scheme"),
            host,
            tuple(scope.get("server") or ()),
            scope.get("root_path", ""),
            scope.get("app_root_path"),
        )
        found = self._known.get(key)
        if found is None:
            found = str(request.base_url).rstrip("/")
            if len(self._known) < self.limit:
                self._known[key] = found
        return found


class HeadAsGet:
    """HEAD answered as GET without the body, for every address that answers GET.

    FastAPI gives HEAD only to routes that name it, so ``HEAD /api/events`` fell
    through to the pages' route and got a 404 while GET gave 200; a link checker or
    an uptime monitor asking HEAD was told the API and the forms did not exist. HTTP
    asks every server that has GET to have HEAD (RFC 9110, 9.3.2): the same status and
    headers, ``Content-Length`` included, and no body. Done in one place instead of a
    second method on each route (which would also list HEAD operations in the OpenAPI
    description): no route or middleware inside sees a HEAD.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class PagesFirst:
    """Pages answered before FastAPI's routing, which would try each API and form route
    first: a cached page took 0.46 ms in process through the routing, 0.19 ms here
    (docs/benchmarks.md, serving at 1,000,000 events).

    Only the addresses of the static site's pages (:meth:`SitePages.serves`), which
    no other route has, are taken; anything else goes on to the app. Errors get the
    app's own answers (:func:`dateline.web.errors.error_answer`).
    """

    def __init__(
        self,
        app: ASGIApp,
        serve: Callable[[Request, str], Awaitable[Response]],
        serves: Callable[[str], bool],
    ) -> None:
        self.app = app
        self.serve = serve
        self.serves = serves

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"  # HEAD comes as GET: see HeadAsGet
            or path.startswith(API_PREFIX + "/")
            or not self.serves(path)
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.serve(request, path[1:])
        except Exception as error:  # answered as the app's handlers would
            response = await error_answer(request, error)
        await response(scope, receive, send)


class DeclaredBodyLimit:
    """A 413 in the one error shape for a request whose ``Content-Length`` is over the
    limit, before anything reads it.

    A body sent without a length is counted as it arrives by Starlette's limit, which
    the write router sets (``max_body_size``). That limit answers an over-long declared
    length in plain text, replacing any response, so the length is checked here first.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = Headers(scope=scope).get("content-length", "")
            if length.isdigit() and int(length) > self.max_bytes:
                message = f"the request body is larger than {self.max_bytes:,} bytes"
                await error_response(413, message)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _not_found(url_path: str, message: str) -> Response:
    """The 404 page, as a static host shows it; the JSON error for the API and JSON pages."""
    if url_path.startswith(API_PREFIX + "/") or url_path.endswith(".json"):
        return error_response(404, message)
    missing = not_found_page()
    return Response(missing.body, status_code=404, media_type=missing.media_type)


def app_from_environment() -> FastAPI:
    """The app on ``$DATELINE_DATABASE_URL``: the factory each uvicorn worker process calls."""
    return create_app()


def _etags(header: str) -> set[str]:
    """The entity tags an ``If-None-Match`` header lists (``W/`` dropped: weak comparison)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
