"""The forms and the search page in a real browser, against a real server.

The seeds are imported into a SQLite archive, ``create_app`` runs under uvicorn on
127.0.0.1, and Debian's headless Chromium (tests/support/browser.py) does what an
editor does: opens an event, follows its Edit link, signs in with an API token, edits
the event through the form, sees the new version on the event's page, and finds it
with the header's search box. Every step fails on a console error, a script error or a
failed request. One backend is enough here: tests/web/test_forms.py runs the same
forms on both.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page

from dateline.ingest.importer import import_paths
from dateline.store import open_store
from dateline.web import create_app
from tests.conftest import SEEDS
from tests.support.browser import PageProblems, new_context, open_page

WORD = "zebrawombat"
"""A made-up word the edit adds, to search for afterwards."""
PHONE = {"width": 390, "height": 844}
EVENT_PAGE = re.compile(r"/news/\d{4}/\d{2}/\d{1,2}/(?!index\.html)[^/]+\.html$")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A SQLite archive of the seeds, and an API token for "browser-editor"."""
    url = f"sqlite:///{tmp_path_factory.mktemp('forms-browser') / 'archive.db'}"
    store = open_store(url)
    try:
        import_paths(store, [SEEDS])
        _, secret = store.create_token("browser-editor")
    finally:
        store.close()
    return url, secret


@pytest.fixture(scope="module")
def server(archive: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app under uvicorn on a free port of 127.0.0.1; its base URL (no final ``/``)."""
    monkeypatch = pytest.MonkeyPatch()
    # The module-scoped server outlives the autouse per-test search folder.
    monkeypatch.setenv("DATELINE_SEARCH_DIR", str(tmp_path_factory.mktemp("forms-search")))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(archive[0], secret_key="browser-test")
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=30)
        monkeypatch.undo()


def _go(page: Page, problems: PageProblems, step: str) -> None:
    """Wait for the page an action led to, and check it loaded cleanly."""
    page.wait_for_load_state("load")
    assert page.locator("h1").first.is_visible(), f"{step}: no visible <h1> on {page.url}"
    problems.assert_clean(step)


def _sign_in(page: Page, problems: PageProblems, secret: str) -> None:
    assert page.url.split("?")[0].endswith("/login"), f"not asked to sign in: {page.url}"
    page.get_by_label("API token").fill(secret)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    _go(page, problems, "signing in")


def test_an_editor_signs_in_edits_and_finds_the_new_version(
    browser: Browser, server: str, archive: tuple[str, str]
) -> None:
    with new_context(browser) as context:
        page, problems = open_page(context, server + "/")
        day = page.locator("main section h2 a").first
        with page.expect_navigation():
            day.click()
        _go(page, problems, "home -> a day")
        event_link = page.locator("main ol.events > li > a").first
        with page.expect_navigation():
            event_link.click()
        _go(page, problems, "day -> an event")
        assert EVENT_PAGE.search(page.url), page.url
        headline = page.locator("h1").inner_text()

        with page.expect_navigation():
            page.get_by_role("link", name="Edit this event").click()
        _go(page, problems, "event -> Edit (asks to sign in)")
        _sign_in(page, problems, archive[1])
        assert re.search(r"/edit/\d+$", page.url), f"signing in did not lead back: {page.url}"
        assert page.get_by_label("Headline").input_value() == headline

        summary = page.get_by_label("Summary")
        summary.fill(summary.input_value() + f"\n\nA made-up {WORD} sentence added.")
        page.get_by_label("Note").fill("added a sentence in the browser")
        with page.expect_navigation():
            page.get_by_role("button", name="Save a new version").click()
        _go(page, problems, "saving the edit")
        assert EVENT_PAGE.search(page.url), f"the edit did not lead to the event: {page.url}"
        assert f"A made-up {WORD} sentence added." in page.locator("article").inner_text()
        changes = page.locator("section[aria-labelledby='changes']").inner_text()
        assert "by browser-editor: added a sentence in the browser" in changes

        page.get_by_label("Search the archive").fill(WORD)
        with page.expect_navigation():
            page.get_by_label("Search the archive").press("Enter")
        _go(page, problems, "searching from the header")
        assert page.locator("#q").input_value() == WORD
        results = page.locator("ol.results > li")
        assert results.count() == 1
        assert results.first.locator("a").first.inner_text() == headline
        assert results.first.locator("mark").first.inner_text().lower() == WORD
        with page.expect_navigation():
            results.first.locator("a").first.click()
        _go(page, problems, "search -> the event")
        assert WORD in page.locator("article").inner_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_new_pages_fit_a_phone_in_light_and_dark(
    browser: Browser, server: str, archive: tuple[str, str], scheme: str, tmp_path: Path
) -> None:
    with new_context(browser, phone=True, **PHONE) as context:
        page, problems = open_page(context, f"{server}/search.html?q=syria")
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        assert page.locator("ol.results > li").count() > 0
        too_wide = []
        for path in ("/search.html?q=syria", "/search.html?q=%22", "/login", "/new", "/edit/1"):
            page.goto(server + path, wait_until="load")
            if "q=%22" in path:
                problems.clear()  # the unreadable query's page is a 400 on purpose
            if page.url.split("?")[0].endswith("/login") and path != "/login":
                _sign_in(page, problems, archive[1])
            width = page.evaluate("() => document.scrollingElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{path}: {width}px")
            colours = page.evaluate(
                """() => { const box = document.querySelector('main input:not([type=hidden])');
                   const style = getComputedStyle(box);
                   return [style.color, style.backgroundColor]; }"""
            )
            assert colours[0] != colours[1], f"{path} in {scheme}: input text is invisible"
        page.screenshot(path=tmp_path / f"search-{scheme}.png")
        problems.assert_clean(f"the new pages on a phone, {scheme}")
        assert not too_wide, "wider than a phone:\n  " + "\n  ".join(too_wide)
