"""``GET /api/contexts`` counts every tag once per change of the archive, not per request."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dateline.model import EventContent
from dateline.store import Store


def test_the_counts_are_kept_until_the_archive_changes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    counted = 0
    real = store.contexts

    def counting(**options: Any) -> Any:
        nonlocal counted
        counted += 1
        return real(**options)

    monkeypatch.setattr(store, "contexts", counting)
    first = client.get("/api/contexts", params={"limit": 2}).json()
    following = client.get("/api/contexts", params={"cursor": first["next"]}).json()
    assert counted == 1
    assert {c["slug"] for c in first["contexts"]}.isdisjoint(
        c["slug"] for c in following["contexts"]
    )

    top = first["contexts"][0]
    store.create_event(
        EventContent(
            date=date(2012, 2, 9), headline="One more for the top tag", contexts=(top["name"],)
        )
    )
    after = client.get("/api/contexts", params={"limit": 2}).json()
    assert counted == 2
    assert after["contexts"][0] == {**top, "count": top["count"] + 1}
    client.get("/api/contexts", params={"limit": 2, "include_unused": True})
    assert counted == 3  # the other list is counted on its own
