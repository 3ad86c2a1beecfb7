"""The browser-test tools catch what they exist to catch, on a tiny hand-written site.

A checker that reports nothing is only trustworthy if it is seen to report something:
each test here breaks the site on purpose (a missing file, a wrong fragment, a script
error, a missing image) and expects to be told, with the page it happened on.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.support.browser import (
    MISSING_CHROMIUM,
    ChromiumMissingError,
    launch_chromium,
    new_context,
    open_page,
)
from tests.support.links import broken_links, format_broken
from tests.support.site_server import serve_folder

STYLE = "body { margin: 0; }\n"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{up}style.css"></head>
<body>{body}</body></html>
"""


def _write(root: Path, name: str, body: str, title: str = "Page") -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    up = "../" * name.count("/")
    path.write_text(PAGE.format(title=title, up=up, body=body), encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A clean two-level site: every link works, no script fails."""
    root = tmp_path / "site"
    _write(
        root,
        "index.html",
        '<a id="day" href="news/1/index.html">Day</a> <a href="news/1/index.html#items">Items</a>'
        ' <a href="#day">Here</a> <a href="https://example.org/">Out</a>'
        ' <a href="mailto:a@example.org">Mail</a> <a href="#">Top</a>',
    )
    _write(
        root,
        "news/1/index.html",
        '<h1>Day</h1><ol id="items"><li><a href="../../index.html">Home</a></li>'
        '<li><a href="/feed.atom">Feed</a></li></ol>'
        '<svg class="chart" role="img"><title>A chart</title><use xlink:href="#items"/></svg>',
    )
    (root / "style.css").write_text(STYLE, encoding="utf-8")
    (root / "feed.atom").write_text("<feed/>", encoding="utf-8")
    return root


# The link crawler


def test_a_clean_site_has_no_broken_links(site: Path) -> None:
    assert broken_links(site) == []


def test_every_kind_of_broken_link_is_reported_with_its_page(site: Path) -> None:
    _write(
        site,
        "news/1/event.html",
        '<a href="../2/index.html">Gone</a> <a href="../../index.html#nowhere">Bad id</a>'
        ' <a href="#missing">Own id</a> <a href="../../news/">Folder</a>'
        ' <a href="../../../outside.html">Out</a> <img src="/img/x.png" alt="">',
    )
    found = sorted(str(b) for b in broken_links(site))
    page = "news/1/event.html"
    assert found == sorted(
        [
            f"{page}: <a href='../2/index.html'>: no such file: news/2/index.html",
            f"{page}: <a href='../../index.html#nowhere'>: no id 'nowhere' in index.html",
            f"{page}: <a href='#missing'>: no id 'missing' in {page}",
            f"{page}: <a href='../../news/'>: points to the folder news/ "
            "(name the file, e.g. index.html)",
            f"{page}: <a href='../../../outside.html'>: points outside the site",
            f"{page}: <img src='/img/x.png'>: no such file: img/x.png",
        ]
    )
    assert "6 broken internal link(s)" in format_broken(broken_links(site))


# The static server


def _fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read()


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("page.md", "text/markdown; charset=utf-8"),
        ("page.json", "application/json"),
        ("page.xml", "application/xml"),
        ("feed.atom", "application/atom+xml"),
        ("chart.svg", "image/svg+xml"),
        ("style.css", "text/css; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
    ],
)
def test_the_server_sends_each_format_with_its_content_type(
    tmp_path: Path, name: str, content_type: str
) -> None:
    (tmp_path / name).write_text("x", encoding="utf-8")
    with serve_folder(tmp_path) as base_url:
        assert _fetch(base_url + name) == (200, content_type, b"x")


def test_the_server_answers_404_with_the_sites_page_and_lists_no_folder(tmp_path: Path) -> None:
    (tmp_path / "404.html").write_text("not here", encoding="utf-8")
    (tmp_path / "news").mkdir()
    with serve_folder(tmp_path) as base_url:
        assert _fetch(base_url + "missing.html") == (404, "text/html; charset=utf-8", b"not here")
        assert _fetch(base_url + "news/")[0] == 404


def test_the_server_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="not a folder"), serve_folder(tmp_path / "no"):
        pass


# The browser


def test_a_missing_chromium_fails_with_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(ChromiumMissingError, match="run make system-deps") as caught:
        launch_chromium(executable=tmp_path / "chromium").__enter__()
    assert str(caught.value) == MISSING_CHROMIUM


def test_a_clean_page_reports_nothing(browser: Browser, site: Path) -> None:
    with serve_folder(site) as base_url, new_context(browser) as context:
        page, problems = open_page(context, base_url + "index.html")
        page.click("#day")
        page.wait_for_url("**/news/1/index.html")
        page.locator("svg.chart").wait_for()
        problems.assert_clean("the tiny site")


def test_console_errors_page_errors_and_failed_requests_are_caught(
    browser: Browser, site: Path
) -> None:
    _write(
        site,
        "broken.html",
        "<img src='missing.png' alt=''><script>console.error('boom');</script>"
        "<script>undefinedFunction();</script>",
    )
    with serve_folder(site) as base_url, new_context(browser) as context:
        _, problems = open_page(context, base_url + "broken.html")
    assert any("boom" in text for text in problems.console_errors)
    assert any("undefinedFunction" in text for text in problems.page_errors)
    assert problems.failed_requests == [f"GET {base_url}missing.png: HTTP 404"]
    with pytest.raises(AssertionError, match="broken page: problems in the browser"):
        problems.assert_clean("broken page")


def test_a_missing_file_on_disk_is_a_failed_request(browser: Browser, site: Path) -> None:
    _write(site, "broken.html", "<img src='missing.png' alt=''>")
    with new_context(browser) as context:
        _, problems = open_page(context, (site / "broken.html").as_uri())
    assert len(problems.failed_requests) == 1
    assert "missing.png" in problems.failed_requests[0]


def test_requests_to_other_hosts_are_faked_and_listed_not_failed(
    browser: Browser, site: Path
) -> None:
    _write(site, "cover.html", '<img src="http://images.example.org/cover.jpg" alt="">')
    with serve_folder(site) as base_url, new_context(browser) as context:
        page, problems = open_page(context, base_url + "cover.html")
        width = page.eval_on_selector("img", "img => img.naturalWidth")
    problems.assert_clean("a page with an image on another host")
    assert problems.external_requests == ["http://images.example.org/cover.jpg"]
    assert width == 1
