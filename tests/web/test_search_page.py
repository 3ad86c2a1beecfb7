"""The search page on both backends: ranked, highlighted, escaped results; the query
kept; filters and pages; a clear page (never a 500) for empty, unreadable and hostile
queries; the header's search box on every page; and, without a query, the very page
the static site writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from lxml import html

from dateline.model import EventContent
from dateline.render.app_pages import (
    RESULTS_PER_PAGE,
    SEARCH_PAGE_FILE,
    highlighted,
    static_search_page,
)
from dateline.site.build import build_site
from dateline.store import Store
from dateline.web import create_app
from tests.support.links import broken_links, format_broken, html_pages
from tests.web.conftest import BASE_URL

WORD = "quokkaberry"
"""A made-up word: no real event has it."""
HOSTILE = "<script>alert('x')</script> & <b>bold</b>"


@pytest.fixture
def archive(store: Store) -> Store:
    """Made-up events: the word in one headline, in two summaries, and a hostile one."""
    store.create_event(
        EventContent(
            date(2020, 1, 5),
            f"The {WORD} harvest fails in a made-up valley",
            f"Generated text about the {WORD} crop.",
            contexts=("Made-up Valley",),
        )
    )
    store.create_event(
        EventContent(
            date(2020, 6, 1),
            "Farmers meet in a made-up town",
            f"They talk about rain, and once about the {WORD}.",
            story="Made-up Farming",
            contexts=("Made-up Town",),
        )
    )
    store.create_event(
        EventContent(date(2021, 2, 2), f"{HOSTILE} {WORD}", f"{HOSTILE} again {WORD}.")
    )
    store.create_event(EventContent(date(2021, 3, 3), "Nothing to find here", "Plain text."))
    return store


@pytest.fixture
def client(archive: Store, database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(database_url), base_url=BASE_URL) as made:
        yield made


def search(client: TestClient, **params: str) -> Response:
    return client.get("/search.html", params=params)


def page(response: Response) -> Any:
    return html.document_fromstring(response.content)


def result_links(response: Response) -> list[Any]:
    return list(page(response).xpath("//ol[contains(@class, 'results')]/li/a[1]"))


def alert(response: Response) -> str:
    return str(page(response).xpath("string(//*[@role='alert'])"))


def test_results_are_ranked_and_highlighted(client: TestClient) -> None:
    response = search(client, q=WORD)
    assert response.status_code == 200
    links = result_links(response)
    assert len(links) == 3
    # In the headline (boosted) and the summary beats the summary alone.
    headlines = [link.text_content() for link in links]
    assert headlines[-1] == "Farmers meet in a made-up town"
    assert {headlines[0], headlines[1]} == {
        f"The {WORD} harvest fails in a made-up valley",
        f"{HOSTILE} {WORD}",
    }
    for link in links[:2]:
        assert [m.text_content().lower() for m in link.iter("mark")] == [WORD]
    snippets = page(response).xpath("//p[@class='snippet']")
    assert snippets and all(s.find("mark") is not None for s in snippets)
    status = page(response).xpath("string(//*[@role='status'])")
    assert status.startswith("3 events match")
    target = urljoin(str(response.url), links[0].get("href"))
    assert client.get(urlsplit(target).path).status_code == 200


def test_the_query_stays_in_the_box(client: TestClient) -> None:
    query = f'"{WORD} harvest" OR nothing'
    response = search(client, q=query)
    assert page(response).xpath("//input[@id='q']/@value") == [query]
    assert page(response).xpath("string(//h1)") == f"Search: {query}"


def test_archive_text_is_escaped_in_the_results(client: TestClient) -> None:
    response = search(client, q=f"alert {WORD}")
    document = page(response)
    assert not document.xpath("//script | //main//b")
    (link,) = result_links(response)
    assert link.text_content() == f"{HOSTILE} {WORD}"
    assert {child.tag for child in link.iter()} == {"a", "mark"}
    assert HOSTILE in document.xpath("string(//p[@class='snippet'])")


def test_highlighting_lets_only_marks_through() -> None:
    made = highlighted("&lt;script&gt;x <b>word</b> <i>raw</i> <b>&lt;img&gt;</b>")
    assert str(made) == (
        "&lt;script&gt;x <mark>word</mark> &lt;i&gt;raw&lt;/i&gt; <mark>&lt;img&gt;</mark>"
    )


def test_no_results_and_an_empty_query_say_so(client: TestClient) -> None:
    none = search(client, q="zzzunfindable")
    assert none.status_code == 200 and result_links(none) == []
    assert "No events match" in page(none).xpath("string(//main)")
    for empty in ("", "   "):
        response = search(client, q=empty)
        assert response.status_code == 200
        assert "Type a word" in alert(response)


HOSTILE_QUERIES = [
    "homs'; DROP TABLE events; --",
    "' OR 1=1 --",
    '"unbalanced quote',
    "(((",
    "a AND",
    "OR",
    "-",
    "*",
    "id:1",
    'headline:"x',
    "[1 TO 5]",
    "{",
    "\\",
    "%",
    "a^2~3",
    "\x00",
    "tab\there",
    "<script>alert(1)</script>",
    "x" * 5000,
    f"{WORD} " * 200,
    "🙂 ☃",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
def test_hostile_queries_get_a_page_not_a_server_error(client: TestClient, query: str) -> None:
    response = search(client, q=query)
    assert response.status_code in (200, 400), response.text[:200]
    assert response.headers["content-type"].startswith("text/html")
    document = page(response)
    assert not document.xpath("//script")
    if response.status_code == 400:
        assert alert(response).strip()
        assert document.xpath("//input[@id='q'][@aria-invalid='true']")


def test_unreadable_queries_are_a_400_that_says_why(client: TestClient) -> None:
    for query in ('"unbalanced quote', "x" * 501):
        response = search(client, q=query)
        assert response.status_code == 400, query
        assert alert(response).startswith("The query"), alert(response)


def test_filters_narrow_the_results(client: TestClient) -> None:
    dated = search(client, q=WORD, **{"from": "2020-02-01", "to": "2020-12-31"})
    assert [a.text_content() for a in result_links(dated)] == ["Farmers meet in a made-up town"]
    assert page(dated).xpath("//details[@class='filters'][@open]")
    for context in ("Made-up Valley", "made-up-valley"):
        tagged = search(client, q=WORD, context=context)
        assert len(result_links(tagged)) == 1, context
        assert page(tagged).xpath("//input[@name='context']/@value") == [context]
    for params, name in (
        ({"from": "2020-13-01"}, "from"),
        ({"from": "2021-01-01", "to": "2020-01-01"}, "to"),
        ({"context": "No Such Tag"}, "context"),
        ({"context": "\x00"}, "context"),
        ({"context": "Made-up Valley" * 500}, "context"),
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "\u00b2"}, "page"),  # a digit to str.isdigit, not to int()
        ({"page": "9" * 5000}, "page"),  # more digits than int() reads
    ):
        response = search(client, q=WORD, **params)
        assert response.status_code == 400, params
        assert alert(response), params
        if name != "page":
            assert page(response).xpath("//input[@aria-invalid='true']/@name") == [name]


def test_results_come_a_page_at_a_time(store: Store, client: TestClient) -> None:
    start = date(2019, 1, 1)
    for n in range(RESULTS_PER_PAGE + 5):
        store.create_event(EventContent(start + timedelta(days=n), f"Paged wombatfern {n}"))
    first = search(client, q="wombatfern")
    assert len(result_links(first)) == RESULTS_PER_PAGE
    (following,) = page(first).xpath("//nav[@class='pages']/a[@rel='next']/@href")
    second = client.get(urljoin(str(first.url), following))
    assert len(result_links(second)) == 5
    assert page(second).xpath("//ol[contains(@class, 'results')]/@start") == [
        str(RESULTS_PER_PAGE + 1)
    ]
    assert page(second).xpath("//nav[@class='pages']/a[@rel='prev']")
    seen = {a.text_content() for a in result_links(first) + result_links(second)}
    assert len(seen) == RESULTS_PER_PAGE + 5
    assert search(client, q="wombatfern", page="3").status_code == 400


def test_a_write_is_found_at_once(store: Store, client: TestClient) -> None:
    assert result_links(search(client, q="platypuswind")) == []
    store.create_event(EventContent(date(2022, 1, 1), "A platypuswind event"))
    assert len(result_links(search(client, q="platypuswind"))) == 1


def test_without_a_query_it_is_the_static_sites_page(client: TestClient) -> None:
    response = client.get("/search.html")
    assert response.status_code == 200
    assert response.content == static_search_page().encode("utf-8")
    document = page(response)
    links = document.xpath("//@href | //@action | //@src")
    assert links and not [link for link in links if link.startswith("/")]
    assert "dateline serve" in document.xpath("string(//main)")


def test_every_page_has_a_labelled_search_box(client: TestClient, archive: Store) -> None:
    entry = archive.latest_entries(1)[0]
    for path in ("/index.html", f"{entry.date:/news/%Y/%m}/{entry.date.day}/index.html", "/x"):
        response = client.get(path)
        document = page(response)
        (form,) = document.xpath("//header//form[@role='search']")
        assert form.get("method") == "get"
        target = urljoin(f"{BASE_URL}{path}", form.get("action"))
        assert urlsplit(target).path == "/search.html", path
        (box,) = form.xpath(".//input[@name='q']")
        assert document.xpath(f"//label[@for='{box.get('id')}']"), path
    # The search page has its own, bigger box, labelled too, and no second one.
    search_page = page(search(client, q=WORD))
    assert not search_page.xpath("//header//form")
    assert search_page.xpath("//main//label[@for='q']")


def test_the_static_search_page_completes_the_built_site(archive: Store, tmp_path: Path) -> None:
    """Every built page's search box leads to a file: ``/search.html``, the page above."""
    site = tmp_path / "site"
    build_site(archive, site, base_url=BASE_URL, jobs=1)
    search_file = site / SEARCH_PAGE_FILE.lstrip("/")
    if not search_file.exists():  # until dateline build writes it (static_search_page)
        search_file.write_text(static_search_page(), encoding="utf-8")
    assert search_file.read_text(encoding="utf-8") == static_search_page()
    broken = broken_links(site)
    assert not broken, format_broken(broken)
    pages = html_pages(site)
    assert len(pages) > 10
    for path in pages:
        (action,) = html.parse(str(path)).xpath("//form[@role='search']/@action")
        if action.startswith("/"):  # 404.html's links start at the site's root
            assert path.name == "404.html", path
            target = site / action.lstrip("/")
        else:
            target = Path(urlsplit(urljoin(path.as_uri(), action)).path)
        assert target == search_file, (path, action)
