"""``dateline serve``: the site and the HTTP API, live from the database (uvicorn).

Registered by ``dateline/cli/main.py`` (``cli.add_command(serve)``); the archive is
the group's ``--db``, read from the root context like every other command's.
"""

from __future__ import annotations

import os
import secrets

import click

from dateline.store import DATABASE_URL_VARIABLE, open_store, resolve_database_url


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="The port."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (each opens the archive; more use more cores).",
)
@click.option(
    "--keep-alive",
    default=75,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds an idle connection stays open for the client's next request.",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, keep_alive: int) -> None:
    """Serve every page of the site and the HTTP API, live from the archive.

    Pages are at the same addresses as a built site (/index.html, /news/YYYY/MM/D/...);
    the API is under /api/, described at /api/openapi.json and /api/docs. An edit
    shows at once. Ctrl-C stops.

    An idle connection is kept for --keep-alive seconds (uvicorn's own default is 5):
    API clients reuse their connections, and one reused just as the server closed it
    fails (with 50 writers on a slow machine, httpx's ReadError within 30 s).

    \b
    Example:
      dateline serve --db dateline.db --port 8000
    """
    import uvicorn  # imported here: the other commands need none of the server

    from dateline.web.app import create_app
    from dateline.web.session import SECRET_VARIABLE

    database = ctx.find_root().obj
    if workers == 1:
        app = create_app(database)  # a database error is reported here, in one line
        click.echo(f"Serving {app.state.store.url} on http://{host}:{port}/ (Ctrl-C stops)")
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,  # at "warning" no request is logged: not even formatted now
            timeout_keep_alive=keep_alive,
        )
        return
    # Several processes must import the app by name; they find the archive in the
    # environment. Opening it here first migrates it once and reports errors in one line.
    url = resolve_database_url(database)
    store = open_store(url)
    click.echo(f"Serving {store.url} on http://{host}:{port}/ with {workers} workers")
    store.close()
    os.environ[DATABASE_URL_VARIABLE] = url
    # Sign-in cookies are signed with this key: every worker must hold the same one,
    # or a session made by one is refused by the next.
    os.environ.setdefault(SECRET_VARIABLE, secrets.token_urlsafe(32))
    uvicorn.run(
        "dateline.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,  # at "warning" no request is logged: not even formatted now
        timeout_keep_alive=keep_alive,
    )
