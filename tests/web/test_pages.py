"""The live site: every page ``dateline build`` writes is served at its address, byte for
byte, with the static host's content type; links work; edits show at once; every
other address is the 404 page, whatever it tries (path traversal included)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient
from lxml import html

from dateline.render.markdown import version_path
from dateline.site.build import build_site
from dateline.site.state import STATE_DIR
from dateline.store import Store
from tests.support.site_server import CONTENT_TYPES
from tests.web.conftest import BASE_URL, BUSY_TAG

PAGE_KINDS: dict[str, Callable[[str], bool]] = {
    "event": lambda p: p.startswith("/news/") and p.count("/") == 5 and "/index." not in p,
    "earlier version at .vN": lambda p: ".v1." in p,
    "day": lambda p: p.startswith("/news/") and p.count("/") == 5 and "/index." in p,
    "month": lambda p: p.startswith("/news/") and p.count("/") == 4,
    "year": lambda p: p.startswith("/news/") and p.count("/") == 3,
    "context": lambda p: p.startswith("/context/") and p.count("/") == 2,
    "context year": lambda p: p.startswith("/context/") and p.count("/") == 3,
    "story": lambda p: p.startswith("/story/"),
    "home": lambda p: p.startswith("/index."),
    "feed": lambda p: p.endswith(".atom"),
    "sitemap": lambda p: p == "/sitemap.xml" or p.startswith("/sitemaps/"),
    "404": lambda p: p == "/404.html",
    "stylesheet": lambda p: p == "/style.css",
}


def snapshot(out: Path) -> dict[str, bytes]:
    return {
        "/" + p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and STATE_DIR not in p.parts
    }


@pytest.fixture
def built(store: Store, client: TestClient, tmp_path: Path) -> dict[str, bytes]:
    """Every file ``dateline build`` writes for the archive ``client`` serves."""
    build_site(store, tmp_path / "site", base_url=BASE_URL, jobs=1)
    return snapshot(tmp_path / "site")


def test_every_built_file_is_served_identically(
    client: TestClient, built: dict[str, bytes]
) -> None:
    for kind, is_kind in PAGE_KINDS.items():
        assert any(is_kind(p) for p in built), f"the archive has no {kind} page to compare"
    for ext in ("md", "html", "json", "xml"):
        assert sum(p.endswith("." + ext) for p in built) > 50
    different = []
    for path, data in sorted(built.items()):
        response = client.get(path)
        assert response.status_code == 200, path
        suffix = "." + path.rsplit(".", 1)[1]
        assert response.headers["content-type"] == CONTENT_TYPES[suffix], path
        if response.content != data:
            different.append(path)
    assert different == []


def test_the_sitemaps_list_exactly_the_html_pages(
    client: TestClient, built: dict[str, bytes]
) -> None:
    listed: set[str] = set()
    index = html.fromstring(client.get("/sitemap.xml").content)
    for sitemap in index.iter("{*}loc"):
        page = html.fromstring(client.get(urlsplit(sitemap.text or "").path).content)
        listed |= {urlsplit(loc.text or "").path for loc in page.iter("{*}loc")}
    assert listed == {p for p in built if p.endswith(".html")} - {"/404.html"}


def test_every_link_of_every_served_page_works(client: TestClient) -> None:
    """Relative links resolve against the page's URL on the server as on disk."""
    seen: set[str] = set()
    queue = [f"{BASE_URL}/"]
    while queue:
        url = queue.pop()
        response = client.get(url)
        assert response.status_code == 200, url
        if not response.headers["content-type"].startswith("text/html"):
            continue
        page = html.document_fromstring(response.content)
        for element, _attribute, link, _ in html.iterlinks(page):
            target = urldefrag(urljoin(url, link)).url
            if not target.startswith(BASE_URL) or target in seen:
                continue
            seen.add(target)
            if element.tag == "a" or target.endswith((".html", ".css")):
                queue.append(target)
            else:
                assert client.get(target).status_code == 200, (url, link)
    assert len([u for u in seen if u.endswith(".html")]) > 100


def test_an_edit_shows_at_once(store: Store, client: TestClient) -> None:
    event = next(e for e in store.iter_events() if not e.is_stub and e.content.contexts)
    path = version_path(event, event.current, "json")
    before = client.get(path)
    etag = before.headers["etag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    store.append_version(event.id, replace(event.content, summary="Made-up revised text."))
    after = client.get(path)
    assert json.loads(after.content)["summary"] == "Made-up revised text."
    assert after.headers["etag"] != etag
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 200
    day_page = client.get(f"/news/{event.content.date:%Y/%m}/{event.content.date.day}/index.json")
    assert event.id in [e["id"] for e in json.loads(day_page.content)["events"]]


def test_a_folder_address_serves_its_index(client: TestClient) -> None:
    assert client.get("/").content == client.get("/index.html").content
    assert client.get("/news/2012/02/").content == client.get("/news/2012/02/index.html").content


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    response = client.head("/index.json")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["etag"] == client.get("/index.json").headers["etag"]


MISSING = [
    "/nothing.html",
    "/index.txt",
    "/news/2012/02/09/index.html",  # the day is not zero-padded in the archive's paths
    "/news/2012/02/31/index.html",
    "/news/2012/13/index.html",
    "/news/0000/index.html",
    "/news/1999/index.html",
    "/news/1999/01/index.md",
    "/news/1999/01/1/index.md",
    "/news/2012/02/9/no-such-event.md",
    "/context/no-such-tag.html",
    "/context/homs/2012.html",  # a tag whose page lists all its events has no year pages
    "/context/no-such-tag.atom",
    "/story/no-such-story.md",
    "/sitemaps/1999.xml",
    "/news/2012/02/9/index.atom",
]
HOSTILE = [
    "/news/2012/02/9/..%2F..%2Fetc%2Fpasswd.md",
    "/news/2012/02/9/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/..%2F..%2Fetc%2Fpasswd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/context/..%2F..%2Fetc%2Fpasswd.html",
    "/story/%2e%2e%2fstyle.css",
    "/news/2012/02/9/%00.md",
    "/news/2012/02/9/a%0d%0aSet-Cookie:x=1.html",
    "/news/2012/02/9/" + "a" * 5000 + ".md",
    "/context/%3Cscript%3Ealert(1)%3C%2Fscript%3E.html",
    "/news/2012/02/9/'%20OR%201=1--.md",
]


def test_other_addresses_are_the_404_page(client: TestClient, built: dict[str, bytes]) -> None:
    wrong = {}
    for path in MISSING + HOSTILE:
        response = client.get(path)
        if response.status_code != 404 or response.content != built["/404.html"]:
            wrong[path] = (response.status_code, response.text[:100])
        assert "set-cookie" not in response.headers
    assert wrong == {}


def test_a_missing_json_page_is_a_json_error(client: TestClient) -> None:
    response = client.get("/news/2012/02/9/no-such-event.json")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_a_version_is_served_only_at_its_own_address(store: Store, client: TestClient) -> None:
    shadowed = next(e for e in store.iter_events() if e.content.headline == "An event edited twice")
    first, current = shadowed.versions
    assert client.get(version_path(shadowed, first, "md")).text.count("Second text.") == 0
    assert version_path(shadowed, first, "md").endswith(".v1.md")
    # The current version has no .v2 address: one page, one address.
    own = version_path(shadowed, current, "md")
    assert client.get(own).status_code == 200
    assert client.get(own.replace(".md", ".v2.md")).status_code == 404


def test_a_busy_tag_has_its_year_pages(client: TestClient) -> None:
    tag = client.get("/api/contexts").json()["contexts"]
    slug = next(c["slug"] for c in tag if c["name"] == BUSY_TAG)
    page = json.loads(client.get(f"/context/{slug}.json").content)
    assert [y["year"] for y in page["years"]] == [2013, 2014]
    for year in (2013, 2014):
        assert client.get(f"/context/{slug}/{year}.html").status_code == 200
    assert client.get(f"/context/{slug}/2015.html").status_code == 404
