"""Schemathesis against the API's own OpenAPI description, in process (no network).

For every operation it generates requests from the description, valid and invalid
(strings with NUL or odd Unicode, huge numbers, malformed dates and cursors), and
checks that none gets a server error and every response matches the schema the
description promises, errors included. On both backends: PostgreSQL refuses some
values SQLite takes (NUL in a string, integers past 64 bits).

The write operations run three times: with the bearer tokens schemathesis makes up
(401s), with a valid token (bodies reach the store: 201s, 404s, 428s, and 412s with the
current event), and with a valid token and the event's current version as If-Match (200s,
409s for retiring a retired event).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import response_schema_conformance

from dateline.errors import NotFoundError
from dateline.store import Store
from dateline.web import create_app
from dateline.web.cursor import MAX_ID

EXAMPLES_PER_OPERATION = 40
"""Per operation and mode (valid, invalid): enough to reach each parameter's edge cases."""
CHECKS = [not_a_server_error, response_schema_conformance]
WRITES = {"POST /api/events", "PUT /api/events/{event_id}", "POST /api/events/{event_id}/retire"}


@pytest.fixture
def api_schema(archive_url: str) -> Iterator[schemathesis.BaseSchema]:
    app = create_app(archive_url)
    yield schemathesis.openapi.from_asgi("/api/openapi.json", app)
    # Schemathesis keeps the app's lifespan running until the process ends; the
    # database is dropped after this test, so its connections are closed now.
    app.state.store.close()


@pytest.fixture
def token(store: Store) -> str:
    return store.create_token("schemathesis")[1]


HeadersFor = Callable[[schemathesis.Case[Any]], dict[str, str] | None]


def explore(
    operation: APIOperation[Any, Any, Any, Any], mode: GenerationMode, headers_for: HeadersFor
) -> Counter[int]:
    """Run one operation's generated cases through the checks; the statuses answered."""
    seen: Counter[int] = Counter()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case: schemathesis.Case[Any]) -> None:
        response = case.call_and_validate(headers=headers_for(case), checks=CHECKS)
        seen[response.status_code] += 1

    check()
    return seen


def test_the_api_keeps_its_openapi_promises(
    api_schema: schemathesis.BaseSchema, store: Store, token: str
) -> None:
    # Driven by hand rather than by schemathesis' pytest plugin (from_fixture), whose
    # lazy loading breaks on pytest 9 (it reads a private attribute pytest removed).
    operations = [
        result.ok() for result in api_schema.get_all_operations() if isinstance(result, Ok)
    ]
    assert len(operations) == 10
    writes = {op.label for op in operations if op.method.upper() != "GET"}
    assert writes == WRITES
    valid = {"Authorization": f"Bearer {token}"}

    def current(case: schemathesis.Case[Any]) -> dict[str, str]:
        """The valid token, and the version of the event the case writes to as If-Match."""
        event_id = (case.path_parameters or {}).get("event_id")
        if not isinstance(event_id, int) or not 1 <= event_id <= MAX_ID:
            return valid
        try:
            return {**valid, "If-Match": f'"{store.event(event_id).current.number}"'}
        except NotFoundError:
            return valid

    variants: dict[str, HeadersFor] = {
        "made-up token": lambda _case: None,
        "token": lambda _case: valid,
        "token and version": current,
    }
    statuses: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
    for operation in operations:
        names = list(variants) if operation.label in writes else ["made-up token"]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for name in names:
                found = explore(operation, mode, variants[name])
                statuses[operation.label, name].update(found)
    # Writes got through with the token (and reached each outcome), never without.
    put, retire = "PUT /api/events/{event_id}", "POST /api/events/{event_id}/retire"
    assert statuses["POST /api/events", "token"][201] > 0
    assert statuses[put, "token and version"][200] > 0
    assert statuses[retire, "token and version"][200] > 0
    for label in writes:
        refused = statuses[label, "made-up token"]
        assert refused[401] > 0 and not any(200 <= s < 300 for s in refused), (label, refused)
