"""The static site in a real browser: a reader's journey, every page, a phone, from disk.

The seeds are imported into a fresh SQLite archive and ``dateline build`` writes the site
once for this module; it is then served on ``127.0.0.1`` (tests/support/site_server.py)
and read by Debian's headless Chromium (tests/support/browser.py). Nothing is skipped:
without ``/usr/bin/chromium`` these tests fail and say to run ``make system-deps``.

Every step of every test fails on a console error, an uncaught script error or a failed
request (HTTP errors included), because each is something a reader would see broken.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page

from tests.conftest import SEEDS
from tests.support.browser import (
    PageProblems,
    new_context,
    open_page,
)
from tests.support.links import (
    broken_links,
    current_event_page,
    format_broken,
    html_pages,
    internal_links,
)
from tests.support.site_server import build_site, serve_folder

SEED_001_SLUG = "the-syrian-government-continues-its-crackdown"
"""Part of the URL of seed 001's event, the one with several versions (a Changes list)."""

DAY_PAGE = re.compile(r"news/\d{4}/\d{2}/\d{1,2}/index\.html$")
EVENT_PAGE = re.compile(r"news/\d{4}/\d{2}/\d{1,2}/(?!index\.html$)[^/]+\.html$")

PHONE = {"width": 390, "height": 844}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

ROOT_ABSOLUTE_ALLOWED = frozenset({"404.html"})
"""Pages that may use root-absolute links: ``404.html`` is served at any missing path,
so only links from the site's root can work there."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds' static site, built once for this module."""
    return build_site(SEEDS, tmp_path_factory.mktemp("browser-site"))


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    with serve_folder(site) as base_url:
        yield base_url


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh 1280x900 desktop window, closed after the test even when it fails."""
    with new_context(browser, width=1280, height=900) as fresh:
        yield fresh


def _url(site: Path, site_url: str, page: Path) -> str:
    return site_url + page.relative_to(site).as_posix()


def _link(page: Page, scope: str, pattern: re.Pattern[str] | None = None) -> Locator:
    """The first link inside ``scope`` whose resolved URL matches ``pattern`` (any if None).

    Fails naming the scope and the links it holds, so a changed page says what changed.
    """
    links = page.locator(f"{scope} a[href]")
    hrefs: list[str] = links.evaluate_all("links => links.map(a => a.href)")
    for index, href in enumerate(hrefs):
        if pattern is None or pattern.search(href):
            return links.nth(index)
    wanted = f"matching {pattern.pattern!r} " if pattern else ""
    raise AssertionError(f"{page.url}: no link {wanted}in {scope!r}; its links: {hrefs[:10]}")


def _follow(page: Page, link: Locator, problems: PageProblems, step: str) -> None:
    """Click ``link``, wait for the page it names to load, and check nothing went wrong."""
    target = str(link.evaluate("a => a.href")).split("#")[0]
    link.click()
    page.wait_for_url(lambda url: url.split("#")[0] == target, wait_until="load")
    assert page.locator("h1").first.is_visible(), f"{step}: no visible <h1> on {page.url}"
    problems.assert_clean(step)


def _assert_chart(page: Page, step: str) -> None:
    chart = page.locator("svg.chart[role='img']").first
    assert chart.is_visible(), f"{step}: no visible svg.chart on {page.url}"
    title = chart.locator(":scope > title").first.text_content() or ""
    assert title.strip(), f"{step}: the chart on {page.url} has an empty <title>"


def test_a_readers_journey(context: BrowserContext, site_url: str) -> None:
    page, problems = open_page(context, site_url + "index.html")
    problems.assert_clean("the home page")

    _follow(page, _link(page, "main", DAY_PAGE), problems, "home -> a day")
    assert page.locator("main ol a[href]").count() > 0, f"no event list on {page.url}"
    _follow(page, _link(page, "main ol", EVENT_PAGE), problems, "day -> an event")
    _follow(
        page,
        _link(page, 'section[aria-labelledby="related"] ol'),
        problems,
        "event -> its first related event",
    )
    _follow(
        page,
        _link(page, 'section[aria-labelledby="contexts"] ul.tags'),
        problems,
        "related event -> a context page",
    )
    _assert_chart(page, "the context page")

    seed_001 = re.compile(re.escape(SEED_001_SLUG) + r"[^/]*\.html$")
    _follow(page, _link(page, "main", seed_001), problems, "context -> seed 001's event")
    changes = 'section[aria-labelledby="changes"] ol'
    assert page.locator(f"{changes} > li").count() > 1, f"{page.url}: fewer than two versions"
    _follow(page, _link(page, changes), problems, "event -> the first entry of its Changes")
    first = page.locator(f"{changes} > li").first.locator("a")
    assert first.get_attribute("aria-current") == "page", f"{page.url} is not the first version"

    _follow(page, _link(page, "p.notice"), problems, "first version -> the current version")
    _follow(
        page,
        _link(page, 'section[aria-labelledby="contexts"] ul.tags'),
        problems,
        "seed 001's event -> its context",
    )
    _assert_chart(page, "seed 001's context page")


def test_every_page_opens_in_the_browser_without_errors(
    context: BrowserContext, site: Path, site_url: str
) -> None:
    pages = html_pages(site)
    assert len(pages) > 20, f"only {len(pages)} pages built in {site}"
    tab, problems = open_page(context, site_url + "index.html")
    not_ok: list[str] = []
    for path in pages:
        response = tab.goto(_url(site, site_url, path), wait_until="load")
        if response is None or not response.ok:
            not_ok.append(f"{path.relative_to(site)}: HTTP {response.status if response else '?'}")
    assert not not_ok, "pages that did not open:\n  " + "\n  ".join(not_ok)
    problems.assert_clean(f"the {len(pages)} pages of the site")


def test_every_internal_link_resolves(site: Path) -> None:
    broken = broken_links(site)
    assert not broken, format_broken(broken)


def test_links_are_relative_so_the_site_works_from_disk(site: Path) -> None:
    absolute = [
        f"{link.page}: <{link.tag} {link.attribute}={link.value!r}>"
        for path in html_pages(site)
        if path.relative_to(site).as_posix() not in ROOT_ABSOLUTE_ALLOWED
        for link in internal_links(site, path)
        if link.root_absolute
    ]
    assert not absolute, "root-absolute links break from disk:\n  " + "\n  ".join(absolute[:40])


def test_following_links_works_from_disk(context: BrowserContext, site: Path) -> None:
    page, problems = open_page(context, (site / "index.html").as_uri())
    problems.assert_clean("the home page from disk")
    _follow(page, _link(page, "main", DAY_PAGE), problems, "from disk: home -> a day")
    _follow(page, _link(page, "main ol", EVENT_PAGE), problems, "from disk: day -> an event")
    assert page.url.startswith("file://")
    # document.styleSheets lists only the style sheets that loaded.
    stylesheets = page.evaluate("() => document.styleSheets.length")
    assert stylesheets > 0, f"from disk, {page.url} has no style sheet: style.css not found"


def test_pages_do_not_scroll_sideways_on_a_phone(
    browser: Browser, site: Path, site_url: str
) -> None:
    too_wide: list[str] = []
    with new_context(browser, phone=True, **PHONE) as context:
        tab, problems = open_page(context, site_url + "index.html")
        # Seed 001's event first: its long Changes and Related lists are likeliest to overflow.
        for path in dict.fromkeys([current_event_page(site, SEED_001_SLUG), *html_pages(site)]):
            tab.goto(_url(site, site_url, path), wait_until="load")
            width = tab.evaluate("() => document.scrollingElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{path.relative_to(site)}: {width}px wide")
    problems.assert_clean("the pages on a phone")
    assert not too_wide, f"wider than a {PHONE['width']}px phone:\n  " + "\n  ".join(too_wide)


def test_a_screenshot_of_an_event_page(
    context: BrowserContext, site: Path, site_url: str, tmp_path: Path
) -> None:
    event = current_event_page(site, SEED_001_SLUG)
    page, problems = open_page(context, _url(site, site_url, event))
    shot = tmp_path / "event.png"
    page.screenshot(path=shot, full_page=True)
    problems.assert_clean("the event page")
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE), f"{shot} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width == 1280
    assert height >= 900
    assert len(data) > 10_000, f"{shot} is only {len(data)} bytes: a blank page?"
