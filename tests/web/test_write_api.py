"""The write API on both backends: create, edit and retire with a token, If-Match and
412s, hostile input answered in the one error shape, every write seen at once by the
pages and the search, and two writers on one event losing no version."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dateline.model import EventContent
from dateline.store import Store
from dateline.web import create_app
from dateline.web.write_api import MAX_BODY_BYTES
from tests.web.conftest import BASE_URL
from tests.web.test_api import assert_error

BODY: dict[str, Any] = {
    "date": "2021-03-04",
    "headline": "A made-up event written through the API",
    "summary": "Generated text, first version.",
    "story": "Made-up story",
    "category": "Made-up category",
    "contexts": ["Made-up Tag", "Other Made-up Tag"],
    "sources": [{"publisher": "Example Wire", "url": "https://example.org/1"}],
    "cover_image": "https://example.org/cover.jpg",
    "note": "first draft",
}


@pytest.fixture
def client(store: Store, database_url: str) -> Iterator[TestClient]:
    store.create_event(EventContent(date(2021, 3, 1), "A made-up event already there"))
    with TestClient(create_app(database_url), base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def auth(store: Store) -> dict[str, str]:
    _, secret = store.create_token("ann")
    return {"Authorization": f"Bearer {secret}"}


def create(client: TestClient, auth: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.post("/api/events", json={**BODY, **changes}, headers=auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


def put(
    client: TestClient, event_id: int, auth: dict[str, str], version: int | None, **changes: Any
) -> Any:
    headers = {**auth} if version is None else {**auth, "If-Match": f'"{version}"'}
    return client.put(f"/api/events/{event_id}", json={**BODY, **changes}, headers=headers)


# -- writing ---------------------------------------------------------------------------


def test_creating_an_event(store: Store, client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/api/events", json=BODY, headers=auth)
    assert response.status_code == 201, response.text
    made = response.json()
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/api/events/{made['id']}"
    assert made["headline"] == BODY["headline"] and made["summary"] == BODY["summary"]
    assert [c["name"] for c in made["contexts"]] == BODY["contexts"]
    assert made["sources"] == BODY["sources"] and made["retired"] is False
    assert client.get(response.headers["location"]).json() == made
    stored = store.event(made["id"]).current
    assert (stored.number, stored.editor, stored.note) == (1, "ann", "first draft")
    assert stored.content.story == "Made-up story"
    assert client.get(made["path"] + ".json").status_code == 200


def test_editing_needs_the_current_version(
    store: Store, client: TestClient, auth: dict[str, str]
) -> None:
    made = create(client, auth)
    event_id = made["id"]
    assert_error(put(client, event_id, auth, None, summary="No If-Match."), 428, "If-Match")
    bad = client.put(f"/api/events/{event_id}", json=BODY, headers={**auth, "If-Match": 'W/"1"'})
    assert_error(bad, 422, "If-Match")
    edited = put(client, event_id, auth, 1, summary="Second version.", note="fixed it")
    assert edited.status_code == 200, edited.text
    assert edited.headers["etag"] == '"2"'
    assert edited.json()["summary"] == "Second version."
    assert edited.json()["version"]["number"] == 2
    stale = put(client, event_id, auth, 1, summary="Based on the first version.")
    assert stale.status_code == 412, stale.text
    assert stale.headers["etag"] == '"2"'
    body = stale.json()
    assert body["error"]["status"] == 412 and body["error"]["field"] == "If-Match"
    assert "is at version 2, not 1" in body["error"]["message"]
    assert body["current_version"] == 2
    assert body["event"] == client.get(f"/api/events/{event_id}").json()
    history = client.get(f"/api/events/{event_id}/history").json()["versions"]
    assert [(v["editor"], v["note"], v["summary"]) for v in history] == [
        ("ann", "first draft", BODY["summary"]),
        ("ann", "fixed it", "Second version."),
    ]
    same = put(client, event_id, auth, 2, summary="Second version.", note="no change")
    assert same.status_code == 200 and same.headers["etag"] == '"2"'
    assert len(store.event(event_id).versions) == 2
    assert_error(put(client, 999_999, auth, 1), 404)


def test_retiring_keeps_the_event_readable(
    store: Store, client: TestClient, auth: dict[str, str]
) -> None:
    made = create(client, auth)
    event_id, path = made["id"], made["path"]
    url = f"/api/events/{event_id}/retire"
    assert_error(client.post(url, json={"note": "x"}, headers=auth), 428, "If-Match")
    retired = client.post(url, json={"note": "a duplicate"}, headers={**auth, "If-Match": '"1"'})
    assert retired.status_code == 200, retired.text
    assert retired.headers["etag"] == '"2"'
    body = retired.json()
    assert body["retired"] is True and body["version"]["number"] == 2
    assert body["headline"] == made["headline"] and body["summary"] == made["summary"]
    assert client.get(f"/api/events/{event_id}").json()["retired"] is True
    for ext in ("html", "json", "md", "xml"):
        assert client.get(f"{path}.{ext}").status_code == 200
    history = client.get(f"/api/events/{event_id}/history").json()["versions"]
    assert [(v["retired"], v["note"]) for v in history] == [
        (False, "first draft"),
        (True, "a duplicate"),
    ]
    again = client.post(url, headers={**auth, "If-Match": '"2"'})  # no body: no note
    assert_error(again, 409)
    stale = client.post(url, headers={**auth, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    back = put(client, event_id, auth, 2, note="not a duplicate after all")
    assert back.status_code == 200 and back.json()["retired"] is False
    assert store.retired_versions(event_id) == {2}
    assert len(store.event(event_id).versions) == 3


def test_writes_need_an_active_token_and_reads_none(
    store: Store, client: TestClient, auth: dict[str, str]
) -> None:
    made = create(client, auth)
    event_id = made["id"]
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
        response = client.post("/api/events", json=BODY, headers=headers)
        assert_error(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
        edit = client.put(
            f"/api/events/{event_id}", json=BODY, headers={**headers, "If-Match": '"1"'}
        )
        assert_error(edit, 401)
        assert_error(client.post(f"/api/events/{event_id}/retire", headers=headers), 401)
    store.revoke_token("ann")
    revoked = client.post("/api/events", json=BODY, headers=auth)
    assert_error(revoked, 403)
    assert "'ann' was revoked" in revoked.json()["error"]["message"]
    assert_error(put(client, event_id, auth, 1, summary="After revocation."), 403)
    assert len(store.event(event_id).versions) == 1
    assert client.get(f"/api/events/{event_id}").status_code == 200
    assert client.get("/api/events").status_code == 200
    assert [tok.last_used_at is not None for tok in store.tokens()] == [True]


# -- hostile input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"headline": ""}, "headline"),
        ({"headline": "Two\nlines"}, "headline"),
        ({"date": "2021-02-30"}, "date"),
        ({"contexts": "Not a list"}, "contexts"),
        ({"sources": [{"publisher": "X", "website": "https://example.org"}]}, "sources.0.website"),
        ({"sources": [{"publisher": "X", "url": "ftp://example.org"}]}, "sources[1].url"),
        ({"cover_image": "javascript:alert(1)"}, "cover_image"),
        ({"summary": "x" * 20_001}, "summary"),
        ({"note": "a\x00b"}, "note"),
    ],
)
def test_invalid_bodies_name_the_field(
    store: Store, client: TestClient, auth: dict[str, str], changes: dict[str, Any], field: str
) -> None:
    before = store.count_events()
    response = client.post("/api/events", json={**BODY, **changes}, headers=auth)
    assert_error(response, 422, field)
    assert store.count_events() == before


def test_missing_field(client: TestClient, auth: dict[str, str]) -> None:
    body = {k: v for k, v in BODY.items() if k != "headline"}
    assert_error(client.post("/api/events", json=body, headers=auth), 422, "headline")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"date": "2021-03-04", "headline": ', "body"),
        (b"not json at all", "body"),
        (b'{"date": "2021-03-04", "headline": "half a pair \\ud800"}', "headline"),
    ],
)
def test_malformed_json_is_a_422(
    client: TestClient, auth: dict[str, str], raw: bytes, field: str
) -> None:
    headers = {**auth, "Content-Type": "application/json"}
    assert_error(client.post("/api/events", content=raw, headers=headers), 422, field)


def test_an_oversized_body_is_a_413_in_the_one_shape(
    store: Store, client: TestClient, auth: dict[str, str]
) -> None:
    huge = {**BODY, "summary": "x" * MAX_BODY_BYTES}
    before = store.count_events()
    assert_error(client.post("/api/events", json=huge, headers=auth), 413)
    streamed = client.post(  # no Content-Length: counted as it arrives
        "/api/events",
        content=iter([json.dumps(huge).encode()]),
        headers={**auth, "Content-Type": "application/json"},
    )
    assert_error(streamed, 413)
    assert store.count_events() == before


def test_script_tags_are_stored_as_text_and_escaped_in_html(
    client: TestClient, auth: dict[str, str]
) -> None:
    script = "<script>alert('made-up')</script>"
    made = create(client, auth, headline=f"Tagged {script}", summary=f"Body {script}")
    assert made["headline"] == f"Tagged {script}" and made["summary"] == f"Body {script}"
    page = client.get(made["path"] + ".html")
    assert page.status_code == 200
    assert "&lt;script&gt;" in page.text
    assert "<script>alert" not in page.text


# -- what else sees a write --------------------------------------------------------------


def test_pages_and_search_see_every_write_at_once(client: TestClient, auth: dict[str, str]) -> None:
    made = create(client, auth, summary="The word zyxwvuts marks the first version.")
    page = made["path"] + ".html"
    assert "zyxwvuts" in client.get(page).text  # read once: now cached
    assert [h["event"]["id"] for h in client.get("/api/search?q=zyxwvuts").json()["hits"]] == [
        made["id"]
    ]
    edited = put(client, made["id"], auth, 1, summary="The word qponmlkj marks the second.")
    assert edited.status_code == 200
    text = client.get(page).text
    assert "qponmlkj" in text and "zyxwvuts" not in text
    assert client.get("/api/search?q=zyxwvuts").json()["total"] == 0
    assert client.get("/api/search?q=qponmlkj").json()["total"] == 1
    listed = client.get("/api/events", params={"from": "2021-03-04", "to": "2021-03-04"}).json()
    assert [e["summary"] for e in listed["events"]] == ["The word qponmlkj marks the second."]


# -- concurrency -------------------------------------------------------------------------

ROUNDS = 6


def race(
    clients: list[TestClient], event_id: int, version: int, auth: dict[str, str], label: str
) -> list[int]:
    """Every client sends a PUT based on ``version`` at the same moment; their statuses."""
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def write(number: int, client: TestClient) -> None:
        body = {**BODY, "date": "2021-03-05", "summary": f"Writer {number}, {label}."}
        headers = {**auth, "If-Match": f'"{version}"'}
        start.wait(timeout=30)
        statuses.append(
            client.put(f"/api/events/{event_id}", json=body, headers=headers).status_code
        )

    threads = [threading.Thread(target=write, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def test_two_writers_on_one_event_lose_no_version(
    store: Store, database_url: str, auth: dict[str, str]
) -> None:
    """Two servers (each with its own store, as two uvicorn workers) get PUTs with the
    same If-Match at the same moment, round after round: one 200 and one 412 each time,
    and the event has exactly one version per accepted write."""
    event = store.create_event(EventContent(date(2021, 3, 5), "A made-up contested event"))
    with (
        TestClient(create_app(database_url), base_url=BASE_URL) as one,
        TestClient(create_app(database_url), base_url=BASE_URL) as two,
    ):
        # Both apps share the module's routers, whose parts FastAPI builds at their first
        # request: two threads doing that at once trip over each other in pydantic. Real
        # workers are processes and never share them; so the routes are built first, one
        # app after the other (a PUT without If-Match changes nothing: 428).
        for client in (one, two):
            assert client.put(f"/api/events/{event.id}", json=BODY, headers=auth).status_code == 428
        rounds = [race([one, two], event.id, 1 + n, auth, f"round {n}") for n in range(ROUNDS)]
    assert rounds == [[200, 412]] * ROUNDS
    assert len(store.event(event.id).versions) == 1 + ROUNDS
    assert store.count_versions() == 1 + ROUNDS


# -- the description -----------------------------------------------------------------------


def test_the_openapi_description_documents_the_writes(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["components"]["securitySchemes"]["token"] | {"description": ""} == {
        "type": "http",
        "scheme": "bearer",
        "description": "",
    }
    error = {"$ref": "#/components/schemas/ErrorBody"}
    writes = {
        ("post", "/api/events"): "201",
        ("put", "/api/events/{event_id}"): "200",
        ("post", "/api/events/{event_id}/retire"): "200",
    }
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if (method, path) not in writes:
                assert "security" not in operation, (method, path)  # reading is open
                continue
            assert operation["security"] == [{"token": []}]
            responses = operation["responses"]
            success = responses[writes[method, path]]
            assert success["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/EventOut"
            }
            assert "ETag" in success["headers"]
            for status in ("401", "403", "413", "422"):
                assert responses[status]["content"]["application/json"]["schema"] == error
            if path != "/api/events":
                names = {(p["name"], p["in"]) for p in operation["parameters"]}
                assert ("If-Match", "header") in names
                assert responses["428"]["content"]["application/json"]["schema"] == error
                assert responses["412"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/StaleVersionBody"
                }
    body = spec["paths"]["/api/events"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/EventIn"}
    event_in = spec["components"]["schemas"]["EventIn"]
    assert event_in["additionalProperties"] is False
    assert set(event_in["required"]) == {"date", "headline"}
    assert set(event_in["properties"]) == set(BODY)
    assert "retired" in spec["components"]["schemas"]["EventOut"]["required"]
