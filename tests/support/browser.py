"""Drive Debian's Chromium with Playwright, and watch pages for anything going wrong.

Why Debian's browser and not Playwright's: ``playwright install`` downloads a browser
from a CDN, and the machines that run the tests reach nothing but package mirrors.
``make system-deps`` installs Debian's ``chromium`` package instead, and
:func:`launch_chromium` points Playwright at ``/usr/bin/chromium``. When it is missing
the tests fail (they do not skip) with :data:`MISSING_CHROMIUM`, which says what to run.

The flags in :data:`CHROMIUM_ARGS` are what Chromium needs here: the tests run as root
(Chromium's sandbox refuses root), with no GPU, and with no network beyond ``127.0.0.1``
(so nothing may phone home: no QUIC, sync, component updates or background fetches).
Each launch gets a fresh, throwaway profile: Playwright's ``launch`` creates its own
temporary ``--user-data-dir`` and removes it on close, so no persistent context is needed.

:func:`watch_page` records what a reader would see as breakage: console errors,
uncaught script errors, requests that failed or were answered with an HTTP error.
Requests to other hosts are answered with a placeholder instead (the network is closed,
and the tests are about this site, not the availability of somebody else's) and are
listed in :attr:`PageProblems.external_requests`.

Typical use::

    with launch_chromium() as browser:
        context = browser.new_context()
        page, problems = open_page(context, base_url + "index.html")
        problems.assert_clean("the home page")
"""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    Route,
    sync_playwright,
)

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "MISSING_CHROMIUM",
    "ChromiumMissingError",
    "PageProblems",
    "launch_chromium",
    "new_context",
    "open_page",
    "require_chromium",
    "watch_page",
]

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium, installed by ``make system-deps``."""

CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",  # the tests run as root, and Chromium's sandbox refuses root
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""Command-line flags for a headless Chromium as root on a closed network."""

MISSING_CHROMIUM = (
    f"Debian's Chromium is not installed at {CHROMIUM}: run make system-deps "
    "(it apt-get installs the chromium package; the browser tests need it)"
)

DEFAULT_TIMEOUT_MS = 15_000
"""How long a click or navigation may take: a local static site answers in milliseconds."""

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

PLACEHOLDER_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
"""A 1x1 PNG, the answer to every request for an image on another host."""


class ChromiumMissingError(RuntimeError):
    """Debian's Chromium is not installed; the message says how to install it."""


def require_chromium(path: Path = CHROMIUM) -> Path:
    """Return ``path`` when it is an executable; raise :class:`ChromiumMissingError` if not."""
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise ChromiumMissingError(MISSING_CHROMIUM)
    return path


@contextlib.contextmanager
def launch_chromium(*, executable: Path = CHROMIUM) -> Iterator[Browser]:
    """Start Playwright and a headless Chromium; both are stopped when the block ends.

    Raises :class:`ChromiumMissingError` when ``executable`` is not installed, before
    Playwright starts (its own error would suggest ``playwright install``, which cannot
    work here).
    """
    require_chromium(executable)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


def new_context(
    browser: Browser, *, width: int = 1280, height: int = 900, phone: bool = False
) -> BrowserContext:
    """A fresh browsing context (own cookies and cache) with short timeouts.

    ``phone`` makes it behave like a phone's browser, which lays a page out 980 pixels
    wide unless the page's ``<meta name=viewport>`` says otherwise: a page without one
    fails a phone test, as it would fail a reader on a phone.
    """
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    return context


@dataclass
class PageProblems:
    """What went wrong on a page since it was watched (or since :meth:`clear`)."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    """Requests to other hosts, answered with a placeholder: listed, not failures."""

    def messages(self) -> list[str]:
        """Every problem as one line, console errors first."""
        return [
            *(f"console error: {text}" for text in self.console_errors),
            *(f"page error: {text}" for text in self.page_errors),
            *(f"failed request: {text}" for text in self.failed_requests),
        ]

    def clear(self) -> None:
        """Forget what was recorded, so the next step is judged on its own."""
        self.console_errors.clear()
        self.page_errors.clear()
        self.failed_requests.clear()
        self.external_requests.clear()

    def assert_clean(self, where: str) -> None:
        """Raise :class:`AssertionError` listing every problem seen ``where``, if any."""
        found = self.messages()
        assert not found, f"{where}: " + "\n  ".join(["problems in the browser:", *found])


def _is_external(url: str) -> bool:
    """Whether ``url`` goes over the network to a host other than this machine."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS


def watch_page(page: Page) -> PageProblems:
    """Record ``page``'s console errors, script errors and failed requests from now on.

    A response with an HTTP status of 400 or more counts as a failed request (Playwright's
    ``requestfailed`` event only covers network errors). Requests to other hosts are
    answered with a placeholder and listed in ``external_requests``.
    """
    problems = PageProblems()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url") or page.url
            problems.console_errors.append(f"{message.text} (at {where})")

    def on_request_failed(request: Request) -> None:
        problems.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.failed_requests.append(
                f"{response.request.method} {response.url}: HTTP {response.status}"
            )

    def fake_external(route: Route) -> None:
        request = route.request
        if not _is_external(request.url):
            route.fallback()
            return
        problems.external_requests.append(request.url)
        if request.resource_type == "image":
            route.fulfill(status=200, content_type="image/png", body=PLACEHOLDER_PNG)
        else:
            route.fulfill(status=204, body=b"")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.page_errors.append(f"{error} (at {page.url})"))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    page.route("**/*", fake_external)
    return problems


def open_page(context: BrowserContext, url: str) -> tuple[Page, PageProblems]:
    """Open ``url`` in a new, watched tab and wait for it to load.

    Raises :class:`AssertionError` when the page itself is not found (HTTP 400 or more),
    so a wrong URL fails on its cause rather than on a missing selector later.
    """
    page = context.new_page()
    problems = watch_page(page)
    response = page.goto(url, wait_until="load")
    assert response is None or response.ok, f"{url}: HTTP {response.status if response else '?'}"
    return page, problems
