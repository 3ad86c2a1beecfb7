"""Schemathesis against the API's own OpenAPI description, in process (no network).

For every operation it generates requests from the description, valid and invalid
(strings with NUL or odd Unicode, huge numbers, malformed dates and cursors), and
checks that none gets a server error and every response matches the schema the
description promises, errors included. On both backends: PostgreSQL refuses some
values SQLite takes (NUL in a string, integers past 64 bits).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from dateline.web import create_app

EXAMPLES_PER_OPERATION = 40
"""Per operation and mode (valid, invalid): enough to reach each parameter's edge cases."""
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def api_schema(archive_url: str) -> Iterator[schemathesis.BaseSchema]:
    app = create_app(archive_url)
    yield schemathesis.openapi.from_asgi("/api/openapi.json", app)
    # Schemathesis keeps the app's lifespan running until the process ends; the
    # database is dropped after this test, so its connections are closed now.
    app.state.store.close()


def test_the_api_keeps_its_openapi_promises(api_schema: schemathesis.BaseSchema) -> None:
    # Driven by hand rather than by schemathesis' pytest plugin (from_fixture), whose
    # lazy loading breaks on pytest 9 (it reads a private attribute pytest removed).
    operations = [
        result.ok() for result in api_schema.get_all_operations() if isinstance(result, Ok)
    ]
    assert len(operations) == 6
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            )
            def check(case: schemathesis.Case[Any]) -> None:
                case.call_and_validate(checks=CHECKS)

            check()
