"""The live site: every page ``dateline build`` writes is served at its address, byte for
byte, with the static host's content type; links work; edits show at once; every
other address is the 404 page, whatever it tries (path traversal included).

The archive is the web tests' one (tests/web/conftest.py) with made-up source articles
(two copies of one text attached to an event, one alone) and a retired event, so that
article pages and the event pages' additions are compared too."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient
from lxml import html

from dateline.errors import StoreUnavailableError
from dateline.render.markdown import version_path
from dateline.site.build import build_site
from dateline.site.state import STATE_DIR
from dateline.store import Store
from dateline.web import create_app
from dateline.web.errors import status_of
from dateline.web.pages import Page, SitePages, with_edit_link
from tests.site.test_build import store_article
from tests.site.test_site_schemas import add_articles, made_up_text
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
    "article": lambda p: p.startswith("/articles/"),
}


@pytest.fixture
def archive_url(archive_url: str, store: Store) -> str:
    """The web tests' archive, with source articles and a retired event."""
    events = [e for e in store.iter_events() if not e.is_stub and e.content.sources]
    add_articles(store, events[0].id)
    retired = events[1]
    store.retire_event(
        retired.id, editor="webtest", note="made up", expected_version=len(retired.versions)
    )
    return archive_url


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
        if response.content != live_page(path, data, built):
            different.append(path)
    assert different == []


def live_page(path: str, built_file: bytes, built: dict[str, bytes]) -> bytes:
    """What the server sends at ``path``: the built file, and on an event's HTML page the
    one deliberate difference, the link to its edit form (dateline/web/pages.py)."""
    if PAGE_KINDS["event"](path) and path.endswith(".html"):
        event_id = json.loads(built[path.removesuffix(".html") + ".json"])["id"]
        return with_edit_link(built_file, event_id)
    return built_file


def test_the_sitemaps_list_exactly_the_html_pages(
    client: TestClient, built: dict[str, bytes]
) -> None:
    listed: set[str] = set()
    index = html.fromstring(client.get("/sitemap.xml").content)
    for sitemap in index.iter("{*}loc"):
        page = html.fromstring(client.get(urlsplit(sitemap.text or "").path).content)
        listed |= {urlsplit(loc.text or "").path for loc in page.iter("{*}loc")}
    # Neither the 404 page nor the search page is content to index; nor are the article
    # pages, whose text is the publishers' (they say noindex too).
    articles = {p for p in built if p.startswith("/articles/")}
    assert articles
    assert listed == {p for p in built if p.endswith(".html")} - {
        "/404.html",
        "/search.html",
        *articles,
    }


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


def test_feeds_name_the_address_each_request_was_made_to(client: TestClient) -> None:
    """Without a configured base URL, a feed's absolute links use the host and scheme the
    request named, each its own (the app remembers each address it has made)."""
    seen = {}
    for host in ("one.example", "two.example:8080", "one.example"):
        feed = client.get("/feed.atom", headers={"Host": host}).text
        seen[host] = feed
        assert f"http://{host}/" in feed
        assert all(
            f"http://{other}/" not in feed for other in {"one.example", "two.example:8080"} - {host}
        )
    secure = client.get("https://testserver/feed.atom").text
    assert "https://testserver/" in secure and "http://testserver/" not in secure


def test_a_folder_address_serves_its_index(client: TestClient) -> None:
    assert client.get("/").content == client.get("/index.html").content
    assert client.get("/news/2012/02/").content == client.get("/news/2012/02/index.html").content


@pytest.mark.parametrize(
    "path",
    [
        "/index.json",
        "/api/events?limit=2",
        "/api/events/1",
        "/api/contexts",
        "/api/search?q=homs",
        "/api/openapi.json",
        "/search.html?q=homs",
        "/login",
        "/logout",
        "/edit/1",  # a redirect to the sign-in, as for GET
        "/api/events/999999",  # a 404, as for GET
        "/nothing.html",
    ],
)
def test_head_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    """On every address, pages, API and forms alike (FastAPI's API routes had no HEAD)."""
    got = client.get(path, follow_redirects=False)
    response = client.head(path, follow_redirects=False)
    assert response.content == b""
    assert response.status_code == got.status_code
    for header in ("content-type", "content-length", "etag", "location"):
        assert response.headers.get(header) == got.headers.get(header), header


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
    "/articles/999999.html",
    "/articles/0.html",
    "/articles/01.md",
    "/articles/99999999999.xml",  # past any database's integer: no query is made
    "/articles/1.txt",
    "/articles/1",
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


def test_a_page_that_fails_gets_the_apps_own_error_answers(
    archive_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages are answered before FastAPI's routing (dateline.web.app.PagesFirst), so its
    error handlers do not see them: the same answers must come from there."""

    def broken(_self: SitePages, path: str, _base: str, _reader: object = None) -> Page:
        if "unavailable" in path:
            raise StoreUnavailableError("the database went away")
        raise RuntimeError("a bug")

    monkeypatch.setattr(SitePages, "page", broken)
    with TestClient(create_app(archive_url), base_url=BASE_URL) as failing:
        bug = failing.get("/context/anything.json")
        gone = failing.get("/context/unavailable.html")
        api = failing.get("/api/contexts?limit=1")  # not a page: routed as before
        form = failing.get("/login")
    assert bug.status_code == 500
    assert bug.json()["error"]["message"].startswith("internal error")
    assert gone.status_code == status_of(StoreUnavailableError("x")) != 500
    assert "went away" in gone.json()["error"]["message"]
    assert api.status_code == 200 and api.json()["contexts"]
    assert form.status_code == 200 and "<form" in form.text


def test_only_page_addresses_are_taken_before_routing() -> None:
    pages = [
        "/",
        "/index.html",
        "/news/2012/02/9/",
        "/news/2012/02/9/some-event.v2.json",
        "/context/homs.atom",
        "/style.css",
    ]
    others = ["/api/events", "/api/", "/search.html", "/login", "/edit/3", "/new", "/x.html"]
    assert [p for p in pages if not SitePages.serves(p)] == []
    assert [p for p in others if SitePages.serves(p)] == []


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


def test_an_article_page_and_its_event_page_change_at_once(
    store: Store, client: TestClient
) -> None:
    """A new copy changes no event, and still shows at once (the article change log)."""
    first = store.article_ids()[0]
    path = f"/articles/{first}.json"
    before = client.get(path)
    assert [c["id"] for c in before.json()["copies"]] == [store.article_ids()[1]]
    etag = before.headers["etag"]
    newest = store_article(store, "third", made_up_text(1), None)
    after = client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert newest in [c["id"] for c in after.json()["copies"]]
    (event_id,) = [e["id"] for e in after.json()["events"]]
    event_page = client.get(f"/api/events/{event_id}").json()
    assert [a["id"] for a in event_page["articles"]] == store.article_ids()[:2]
    html_page = html.fromstring(client.get(f"/articles/{newest}.html").content)
    assert "A copy of" in html_page.find(".//p[@class='notice']").text_content()


def test_a_retired_event_is_marked_on_its_pages_and_lists(store: Store, client: TestClient) -> None:
    (retired,) = [e for e in store.iter_events() if e.retired]
    path = version_path(retired, retired.current, "html")
    page = html.fromstring(client.get(path).content)
    assert "Retired" in page.find(".//article")[0].text_content()
    markdown = client.get(path.removesuffix(".html") + ".md").text
    assert "_Retired by version" in markdown
    day = retired.content.date
    listed = client.get(f"/news/{day:%Y/%m}/{day.day}/index.json").json()["events"]
    assert [e["retired"] for e in listed if e["id"] == retired.id] == [True]
