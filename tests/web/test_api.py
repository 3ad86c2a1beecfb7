"""The read API: lists walked page by page against the archive itself, filters, versions,
history, related events, contexts, ETags, and one error shape for every bad request."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from dateline.model import EventEntry
from dateline.render.markdown import version_path
from dateline.search import SearchIndex
from dateline.store import Store
from dateline.web.api import router
from dateline.web.models import SearchResultsOut
from dateline.web.write_api import router as write_router
from tests.site.test_build import store_article
from tests.site.test_site_schemas import add_articles, made_up_text
from tests.web.conftest import BUSY_TAG


def walk(client: TestClient, limit: int, **params: str) -> list[dict[str, Any]]:
    """Every event the list gives, following ``next`` to the end."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        query: dict[str, Any] = {**params, "limit": limit}
        if cursor is not None:
            query["cursor"] = cursor
        response = client.get("/api/events", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["events"]) <= limit
        found += body["events"]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            return found
        assert body["events"], "a page with a next page is not empty"
        assert pages < 1000


def expected(store: Store, keep: Callable[[EventEntry], bool]) -> list[int]:
    return [e.id for e in store.iter_entries() if keep(e)]


def assert_error(response: Any, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "message", "field"}
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    assert body["error"]["field"] == field


@pytest.mark.parametrize("limit", [1, 7, 200])
def test_walking_every_page_gives_every_event_once(
    store: Store, client: TestClient, limit: int
) -> None:
    everything = expected(store, lambda e: True)
    assert len(everything) > 50
    oldest_first = [e["id"] for e in walk(client, limit)]
    assert oldest_first == everything
    newest_first = [e["id"] for e in walk(client, limit, sort="-date")]
    by_date = {e.id: (e.date, e.id) for e in store.iter_entries()}
    assert newest_first == sorted(everything, key=by_date.__getitem__, reverse=True)


def test_filters_narrow_the_list(store: Store, client: TestClient) -> None:
    entries = list(store.iter_entries())
    busy = next(c.slug for e in entries for c in e.contexts if c.name == BUSY_TAG)
    story = next(e.story for e in entries if e.story == "Webtest Story")
    cases: list[tuple[dict[str, str], Callable[[EventEntry], bool]]] = [
        ({"from": "2012-02-09", "to": "2014-01-02"},
         lambda e: date(2012, 2, 9) <= e.date <= date(2014, 1, 2)),
        ({"from": "2014-01-01"}, lambda e: e.date >= date(2014, 1, 1)),
        ({"to": "2012-02-15"}, lambda e: e.date <= date(2012, 2, 15)),
        ({"context": "homs"}, lambda e: "homs" in [c.slug for c in e.contexts]),
        ({"context": busy}, lambda e: BUSY_TAG in [c.name for c in e.contexts]),
        ({"story": "webtest-story"}, lambda e: e.story == story),
        ({"category": "Webtest category"}, lambda e: e.category == "Webtest category"),
        ({"context": busy, "from": "2014-01-01", "category": "Webtest category"},
         lambda e: BUSY_TAG in [c.name for c in e.contexts]
         and e.date >= date(2014, 1, 1) and e.category == "Webtest category"),
        ({"context": "no-such-tag"}, lambda e: False),
        ({"story": "webtest-story-left-behind"}, lambda e: False),  # earlier versions only
    ]  # fmt: skip
    for params, keep in cases:
        want = expected(store, keep)
        assert [e["id"] for e in walk(client, 5, **params)] == want, params
        newest = [e["id"] for e in walk(client, 3, sort="-date", **params)]
        assert sorted(newest) == sorted(want) and len(newest) == len(want), params
    assert len(expected(store, cases[4][1])) == 58


def test_a_listed_event_is_its_current_state(store: Store, client: TestClient) -> None:
    entry = next(e for e in store.iter_entries() if e.story and e.contexts)
    (listed,) = [e for e in walk(client, 200) if e["id"] == entry.id]
    assert listed["headline"] == entry.headline and listed["summary"] == entry.summary
    assert listed["date"] == entry.date.isoformat()
    assert listed["story"]["name"] == entry.story
    assert [c["slug"] for c in listed["contexts"]] == [c.slug for c in entry.contexts]
    assert client.get(listed["path"] + ".json").status_code == 200


def test_an_event_is_its_pages_json_with_its_version_as_etag(
    store: Store, client: TestClient
) -> None:
    event = next(e for e in store.iter_events() if e.content.contexts and not e.is_stub)
    response = client.get(f"/api/events/{event.id}")
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{len(event.versions)}"'
    page = client.get(version_path(event, event.current, "json"))
    assert response.json() == json.loads(page.content)
    assert response.json()["retired"] is False
    body = response.json()
    assert body["headline"] == event.content.headline
    assert body["related"], "the current version lists related events"


def test_an_earlier_version_and_the_etag_after_an_edit(store: Store, client: TestClient) -> None:
    event = next(e for e in store.iter_events() if not e.is_stub)
    old_headline = event.content.headline
    store.append_version(event.id, replace(event.content, headline="A made-up new headline"))
    current = client.get(f"/api/events/{event.id}")
    assert current.json()["headline"] == "A made-up new headline"
    number = len(event.versions) + 1
    assert current.headers["etag"] == f'"{number}"'
    first = client.get(f"/api/events/{event.id}", params={"version": number - 1})
    assert first.status_code == 200
    assert first.json()["headline"] == old_headline
    assert first.json()["version"] == {**first.json()["version"], "current": False}
    assert first.json()["related"] == []
    assert first.headers["etag"] == f'"{number}"'  # the event's, whatever version is shown
    assert_error(client.get(f"/api/events/{event.id}", params={"version": number + 1}), 404)


def test_history_lists_every_version_with_its_content(store: Store, client: TestClient) -> None:
    moved = next(e for e in store.iter_events() if len(e.versions) == 2 and e.current.editor)
    response = client.get(f"/api/events/{moved.id}/history")
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert body["id"] == moved.id and body["current"] == 2
    for got, version in zip(body["versions"], moved.versions, strict=True):
        content = version.content
        assert got["number"] == version.number
        assert (got["date"], got["headline"], got["summary"], got["story"]) == (
            content.date.isoformat(),
            content.headline,
            content.summary,
            content.story,
        )
        assert got["contexts"] == list(content.contexts)
        assert (got["editor"], got["note"]) == (version.editor, version.note)
        assert client.get(got["path"] + ".html").status_code == 200
    assert [v["label"] for v in body["versions"]] == ["First version", "Current version"]


def test_related_events_are_the_stores_ranking(store: Store, client: TestClient) -> None:
    event = next(e for e in store.iter_events() if BUSY_TAG in e.content.contexts)
    for limit in (1, 10, 50):
        response = client.get(f"/api/events/{event.id}/related", params={"limit": limit})
        assert response.status_code == 200
        assert response.headers["etag"] == f'"{len(event.versions)}"'
        got = [r["id"] for r in response.json()["related"]]
        assert got == [r.event_id for r in store.related(event.id, limit)]
        assert len(got) == limit
    ten = client.get(f"/api/events/{event.id}/related").json()["related"]
    assert ten == client.get(f"/api/events/{event.id}").json()["related"]


def test_contexts_with_their_counts(store: Store, client: TestClient) -> None:
    counts: Counter[str] = Counter(c.slug for e in store.iter_entries() for c in e.contexts)
    listed: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/contexts", params=params).json()
        listed += body["contexts"]
        cursor = body["next"]
        if cursor is None:
            break
    assert {c["slug"]: c["count"] for c in listed} == dict(counts)
    assert [c["count"] for c in listed] == sorted(counts.values(), reverse=True)
    everything = client.get("/api/contexts", params={"include_unused": "true"}).json()
    unused = [c for c in everything["contexts"] if c["count"] == 0]
    assert [c["name"] for c in unused] == ["Webtest Tag Left Behind"]
    for context in listed:
        assert client.get(context["path"] + ".html").status_code == 200


BAD_REQUESTS = [
    ("/api/events?limit=0", 422, "limit"),
    ("/api/events?limit=201", 422, "limit"),
    ("/api/events?limit=ten", 422, "limit"),
    ("/api/events?from=2012-02-30", 422, "from"),
    ("/api/events?from=yesterday", 422, "from"),
    ("/api/events?from=2012-02-10&to=2012-02-09", 422, "to"),
    ("/api/events?sort=headline", 422, "sort"),
    ("/api/events?context=../../etc/passwd", 422, "context"),
    ("/api/events?context=%00", 422, "context"),
    ("/api/events?story=%27%20OR%201=1--", 422, "story"),
    ("/api/events?category=a%00b", 422, "category"),
    ("/api/events?cursor=not-a-cursor", 422, "cursor"),
    ("/api/events?cursor=%00%01", 422, "cursor"),
    ("/api/events?cursor=" + "A" * 401, 422, "cursor"),
    ("/api/contexts?cursor=bm9wZQ", 422, "cursor"),
    ("/api/contexts?limit=1001", 422, "limit"),
    ("/api/events/abc", 422, "event_id"),
    ("/api/events/0", 422, "event_id"),
    ("/api/events/-1", 422, "event_id"),
    ("/api/events/99999999999999999999999", 422, "event_id"),
    ("/api/events/1?version=0", 422, "version"),
    ("/api/events/1/related?limit=51", 422, "limit"),
    ("/api/events/2147483647", 404, None),
    ("/api/events/2147483647/history", 404, None),
    ("/api/events/2147483647/related", 404, None),
    ("/api/nothing", 404, None),
    ("/api/events/..%2F..%2Fetc%2Fpasswd", 404, None),
    ("/api", 404, None),
]


def test_every_bad_request_gets_the_one_error_shape(client: TestClient) -> None:
    for url, status, field in BAD_REQUESTS:
        try:
            assert_error(client.get(url), status, field)
        except AssertionError as error:
            raise AssertionError(f"{url}: {error}") from None
    assert_error(client.patch("/api/events"), 405)  # POST creates (test_write_api.py)
    assert_error(client.delete("/api/events/1"), 405)


def test_a_cursor_belongs_to_its_sort_order(client: TestClient) -> None:
    following = client.get("/api/events", params={"limit": 2}).json()["next"]
    assert following
    response = client.get("/api/events", params={"cursor": following, "sort": "-date"})
    assert_error(response, 422, "cursor")
    assert "sorted by 'date'" in response.json()["error"]["message"]


def test_a_validation_error_names_the_value(client: TestClient) -> None:
    message = client.get("/api/events?limit=500").json()["error"]["message"]
    assert message.startswith("limit: ") and "500" in message


def test_the_openapi_description_covers_every_route(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    documented = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    routes = {
        (method, route.path)
        for route in [*router.routes, *write_router.routes]
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    assert documented == routes
    assert {p for _, p in routes} == {
        "/api/events",
        "/api/events/{event_id}",
        "/api/events/{event_id}/history",
        "/api/events/{event_id}/related",
        "/api/events/{event_id}/retire",
        "/api/articles/{article_id}",
        "/api/contexts",
        "/api/search",
    }
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert responses["422"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"
            }, (method, path)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_search_finds_highlights_pages_and_refuses_bad_queries(client: TestClient) -> None:
    found = client.get("/api/search", params={"q": "homs", "limit": 2})
    assert found.status_code == 200
    body = found.json()
    assert body["total"] >= 3 and len(body["hits"]) == 2
    for hit in body["hits"]:
        text = " ".join(
            [hit["event"]["headline"], hit["event"]["summary"]]
            + [c["name"] for c in hit["event"]["contexts"]]
        )
        assert "homs" in text.lower()
    assert any("<b>" in s for h in body["hits"] for s in h["snippets"].values() if s)
    SearchResultsOut.model_validate(body)  # encoded by the route itself, not FastAPI
    seen = [h["event"]["id"] for h in body["hits"]]
    cursor = body["next"]
    while cursor:
        page = client.get("/api/search", params={"q": "homs", "limit": 2, "cursor": cursor}).json()
        SearchResultsOut.model_validate(page)
        seen += [h["event"]["id"] for h in page["hits"]]
        cursor = page["next"]
    assert len(seen) == len(set(seen)) == body["total"]
    bad = client.get("/api/search", params={"q": "homs AND ("})
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "q"
    sql = client.get("/api/search", params={"q": "homs'; DROP TABLE events; --"})
    assert sql.status_code == 200


def test_an_article_is_its_pages_json(store: Store, client: TestClient) -> None:
    event = next(e for e in store.iter_events() if not e.is_stub and e.content.contexts)
    wire, paper, alone = add_articles(store, event.id)
    for article_id in (wire, paper, alone):
        response = client.get(f"/api/articles/{article_id}")
        assert response.status_code == 200, response.text
        assert response.json() == client.get(f"/articles/{article_id}.json").json()
    body = client.get(f"/api/articles/{paper}").json()
    assert (body["representative"], [c["id"] for c in body["copies"]]) == (False, [wire])
    assert [(e["id"], e["score"]) for e in body["events"]] == [(event.id, 0.9)]
    listed = client.get(f"/api/events/{event.id}").json()["articles"]
    assert [(a["id"], a["copy_of"]) for a in listed] == [
        (wire, None),
        (paper, {"id": wire, "path": f"/articles/{wire}"}),
    ]
    # Earlier versions describe the event as it was: no articles.
    store.append_version(event.id, replace(event.content, summary="Made-up new summary."))
    older = client.get(f"/api/events/{event.id}", params={"version": 1}).json()
    assert older["articles"] == [] and client.get(f"/api/events/{event.id}").json()["articles"]
    assert_error(client.get("/api/articles/999999"), 404)
    assert_error(client.get("/api/articles/0"), 422, "article_id")
    assert_error(client.get("/api/articles/abc"), 422, "article_id")
    assert_error(client.get(f"/api/articles/{2**31}"), 422, "article_id")


def test_a_retired_event_says_so_in_the_api_and_in_search(store: Store, client: TestClient) -> None:
    event = next(e for e in store.iter_events() if e.content.headline.startswith("Made-up event"))
    store.retire_event(event.id, editor="webtest", note="made up", expected_version=1)
    body = client.get(f"/api/events/{event.id}").json()
    assert body["retired"] is True and body["version"]["number"] == 2
    earlier = client.get(f"/api/events/{event.id}", params={"version": 1}).json()
    assert earlier["retired"] is True, "the event is retired, whichever version is shown"
    hits = client.get("/api/search", params={"q": f'"{event.content.headline}"'}).json()["hits"]
    assert [(h["event"]["id"], h["event"]["retired"]) for h in hits][:1] == [(event.id, True)]
    others = [h["event"]["retired"] for h in hits[1:]]
    assert not any(others)
    found = SearchIndex(store).search(f'"{event.content.headline}"').hits
    assert [(h.entry.id, h.entry.retired) for h in found][:1] == [(event.id, True)]
    listed = [e for e in walk(client, 200) if e["id"] == event.id]
    assert listed[0]["retired"] is True


def test_a_new_copy_shows_in_the_api_at_once(store: Store, client: TestClient) -> None:
    first = store_article(store, "first", made_up_text(5), None)
    assert client.get(f"/api/articles/{first}").json()["copies"] == []
    second = store_article(store, "second", made_up_text(5) + " And more.", None)
    copies = client.get(f"/api/articles/{first}").json()["copies"]
    assert [(c["id"], c["representative"]) for c in copies] == [(second, False)]
