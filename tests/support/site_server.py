"""Serve a built static site over HTTP for the browser tests.

The site that ``dateline build`` writes is meant to be copied to any static host. The
browser tests need it behind a real HTTP server (a ``file://`` page cannot tell a
missing file from a blocked one, and sends no content types), so this module serves a
folder the way a plain static host would:

- on ``127.0.0.1``, on a free port, from a background thread;
- with the content types the site's formats need (Markdown, JSON, XML, Atom, SVG, CSS),
  so a wrong one cannot hide behind Python's guesses;
- with ``/404.html`` as the body of every "not found" answer when the site has one, and
  no directory listings (a static host has none, so a link to a folder is a broken link);
- silently: a request log would bury pytest's output.

:func:`build_site` makes the site to serve the way a user would: ``dateline import``
into a fresh SQLite archive, then ``dateline build`` (the command line is the contract).

Typical use::

    site = build_site(SEEDS, tmp_path)
    with serve_folder(site) as base_url:  # "http://127.0.0.1:PORT/"
        page.goto(base_url + "index.html")
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from dateline.cli.main import cli

__all__ = ["CONTENT_TYPES", "build_site", "serve_folder"]

HOST = "127.0.0.1"

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".svg": "image/svg+xml",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
"""Content type by file suffix; anything else is served as ``application/octet-stream``."""

NOT_FOUND_PAGE = "404.html"


class _StaticSiteHandler(SimpleHTTPRequestHandler):
    """``SimpleHTTPRequestHandler`` made to behave like a static host, and quiet."""

    extensions_map = {"": "application/octet-stream", **CONTENT_TYPES}  # noqa: RUF012

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: the tests report failed requests themselves."""

    def list_directory(self, path: str | Any) -> None:
        """Answer 404 instead of a listing: a static host does not list folders."""
        self.send_error(HTTPStatus.NOT_FOUND, "No listing of folders")
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Send the site's own ``404.html`` for a missing file, like a static host does."""
        page = Path(self.directory) / NOT_FOUND_PAGE
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code, message)
        self.send_header("Content-Type", CONTENT_TYPES[".html"])
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextlib.contextmanager
def serve_folder(root: Path) -> Iterator[str]:
    """Serve ``root`` until the ``with`` block ends; yields the base URL (ending in ``/``).

    Raises :class:`NotADirectoryError` when ``root`` is not a folder, so a test whose
    site was not built fails on the cause instead of on a page of 404s.
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"cannot serve {root}: it is not a folder")
    handler = functools.partial(_StaticSiteHandler, directory=str(root))
    server = ThreadingHTTPServer((HOST, 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"site-server-{root.name}"
    )
    thread.daemon = True
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _dateline(*args: str) -> None:
    """Run the ``dateline`` command in-process; raise with its output when it fails."""
    result = CliRunner().invoke(cli, list(args))
    if result.exit_code != 0:
        raise RuntimeError(
            f"dateline {' '.join(args)} exited with {result.exit_code}:\n{result.output}"
        ) from result.exception


def build_site(pages: Path, folder: Path) -> Path:
    """Import ``pages`` into a new archive in ``folder`` and build its site; return the site.

    Raises :class:`RuntimeError` with the command's output when either command fails
    (for example while ``dateline build`` does not exist yet).
    """
    database = folder / "archive.db"
    site = folder / "site"
    _dateline("--db", str(database), "import", str(pages))
    _dateline("--db", str(database), "build", str(site))
    return site
