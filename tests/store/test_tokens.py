"""The store's side of the write API, on both backends: API tokens (kept as digests,
revocable, names unique among active tokens), and edits and retirements checked
against the version they were based on in the same transaction as the write."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from dateline.errors import ConflictError, InputError, NotFoundError, StaleVersionError
from dateline.model import EventContent, Version
from dateline.store import Store
from dateline.store import schema as t
from dateline.store import store as store_module
from dateline.store.tokens import token_digest
from tests.conftest import Databases

CONTENT = EventContent(
    date(2020, 5, 17), "A made-up event for token tests", "Generated text.", contexts=("Tag A",)
)


def stored_rows(store: Store) -> list[dict[str, object]]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t.api_tokens)).mappings()]


# -- tokens ------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_only_its_digest_is_kept(store: Store) -> None:
    made, secret = store.create_token("ann")
    other, other_secret = store.create_token("bo")
    assert secret != other_secret
    assert len(secret) == 43  # 32 random bytes, base64url without padding
    assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    (row, _) = stored_rows(store)
    assert row["token_sha256"] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in row.values())
    assert (made.name, made.revoked, made.last_used_at) == ("ann", False, None)
    assert [tok.name for tok in store.tokens()] == ["ann", "bo"]
    assert other.id != made.id


def test_using_a_token_finds_it_and_records_the_use(store: Store) -> None:
    made, secret = store.create_token("ann")
    used = store.use_token(secret)
    assert used is not None and used.id == made.id and used.last_used_at is not None
    assert store.tokens()[0].last_used_at == used.last_used_at
    assert store.use_token(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    for garbage in ("", "not a token!", "x" * 10_000, "é", "\x00"):
        assert store.use_token(garbage) is None
    assert token_digest("x" * 10_000) is None


def test_a_token_used_again_within_a_minute_is_not_written_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A script writing many times a second must not add a write of its own to each.
    _, secret = store.create_token("ann")
    start = datetime(2026, 12, 2, 9, 0, 0)
    for seconds, recorded in ((0, 0), (59, 0), (61, 61), (90, 61)):
        monkeypatch.setattr(store_module, "utc_now", lambda s=seconds: start + timedelta(seconds=s))
        used = store.use_token(secret)
        assert used is not None and used.last_used_at == start + timedelta(seconds=recorded)
        assert store.tokens()[0].last_used_at == start + timedelta(seconds=recorded)


@pytest.mark.parametrize("by", ["name", "id"])
def test_a_revoked_token_is_found_but_marked_and_its_name_is_free(store: Store, by: str) -> None:
    made, secret = store.create_token("ann")
    revoked = store.revoke_token("ann" if by == "name" else str(made.id))
    assert revoked.revoked and revoked.id == made.id
    found = store.use_token(secret)
    assert found is not None and found.revoked and found.last_used_at is None
    with pytest.raises(ConflictError, match="revoked already"):
        store.revoke_token(str(made.id))
    with pytest.raises(ConflictError, match="revoked already"):
        store.revoke_token("ann")
    again, new_secret = store.create_token("ann")  # a replacement may take the name
    assert again.id != made.id
    used = store.use_token(new_secret)
    assert used is not None and not used.revoked
    assert [(tok.name, tok.revoked) for tok in store.tokens()] == [("ann", True), ("ann", False)]
    assert store.revoke_token("ann").id == again.id


def test_revoking_what_does_not_exist(store: Store) -> None:
    with pytest.raises(NotFoundError, match="name 'nobody'"):
        store.revoke_token("nobody")
    with pytest.raises(NotFoundError, match="id '99'"):
        store.revoke_token("99")


def test_an_active_name_is_taken(store: Store) -> None:
    store.create_token("ann")
    with pytest.raises(InputError, match="a token named 'ann' exists") as caught:
        store.create_token(" ann ")
    assert caught.value.field == "name"
    assert len(store.tokens()) == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [("", "needs a name"), ("  ", "needs a name"), ("a:b", "contains ':'"),
     ("two\nlines", "single line"), ("12", "all digits"), ("x" * 101, "longer than 100")],
)  # fmt: skip
def test_bad_token_names_are_refused(store: Store, name: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason) as caught:
        store.create_token(name)
    assert caught.value.field == "name"
    assert store.tokens() == []


# -- edits and retirements ---------------------------------------------------------------


def event_flag(store: Store, event_id: int) -> bool:
    with store.engine.connect() as conn:
        query = sa.select(t.events.c.retired).where(t.events.c.id == event_id)
        return bool(conn.execute(query).scalar_one())


def test_retiring_adds_a_version_and_keeps_history(store: Store) -> None:
    event = store.create_event(CONTENT, editor="ann")
    retired = store.retire_event(event.id, editor="bo", note="a duplicate", expected_version=1)
    assert [v.number for v in retired.versions] == [1, 2]
    assert retired.versions[0] == event.versions[0]
    assert retired.current.content == event.current.content
    assert retired.current.slug == event.current.slug
    assert (retired.current.editor, retired.current.note) == ("bo", "a duplicate")
    assert store.retired_versions(event.id) == {2}
    assert event_flag(store, event.id)
    assert store.find(CONTENT.date, event.slug)[1].number == 2  # still at its address
    with pytest.raises(ConflictError, match="retired already"):
        store.retire_event(event.id, editor="bo", note=None, expected_version=2)
    with pytest.raises(StaleVersionError, match="is at version 2, not 1"):
        store.retire_event(event.id, editor="bo", note=None, expected_version=1)
    with pytest.raises(NotFoundError):
        store.retire_event(event.id + 100, editor="bo", note=None, expected_version=1)
    assert store.count_versions() == 2


def test_an_edit_brings_a_retired_event_back(store: Store) -> None:
    event = store.create_event(CONTENT)
    store.retire_event(event.id, editor="bo", note=None, expected_version=1)
    same = store.edit_event(
        event.id, CONTENT, editor="cy", note="not a duplicate", expected_version=2
    )
    assert same.changed and same.event.current.number == 3
    assert same.event.current.content == CONTENT
    assert store.retired_versions(event.id) == {2}
    assert not event_flag(store, event.id)
    unchanged = store.edit_event(event.id, CONTENT, editor="cy", note=None, expected_version=3)
    assert not unchanged.changed and unchanged.event.current.number == 3
    store.retire_event(event.id, editor="bo", note=None, expected_version=3)
    edited = store.edit_event(
        event.id, replace(CONTENT, summary="Changed."), editor="cy", note=None, expected_version=4
    )
    assert edited.event.current.number == 5 and not event_flag(store, event.id)
    with pytest.raises(StaleVersionError):
        store.edit_event(event.id, CONTENT, editor="cy", note=None, expected_version=4)


def test_the_events_flag_follows_any_writer(store: Store) -> None:
    """An import that adds a version to a retired event brings it back too."""
    event = store.create_event(CONTENT)
    retired = store.retire_event(event.id, editor="bo", note=None, expected_version=1)
    later = Version(3, event.slug, replace(CONTENT, summary="Imported."))
    store.write_history(event.id, [*retired.versions, later])
    assert not event_flag(store, event.id)
    assert store.retired_versions(event.id) == {2}


def test_a_writer_waiting_for_the_event_sees_the_version_that_came_first(
    store: Store, databases: Databases, database_url: str
) -> None:
    """The If-Match check and the write are one transaction: a second writer based on
    the same version waits for the first and is refused (412), not written over it."""
    event = store.create_event(CONTENT)
    other = databases.open(database_url)
    outcome: list[BaseException | None] = []

    def second_writer() -> None:
        try:
            other.edit_event(
                event.id, replace(CONTENT, summary="B."), editor="b", note=None, expected_version=1
            )
            outcome.append(None)
        except BaseException as error:  # handed to the test's thread
            outcome.append(error)

    thread = threading.Thread(target=second_writer)
    with store.transaction():
        store.edit_event(
            event.id, replace(CONTENT, summary="A."), editor="a", note=None, expected_version=1
        )
        thread.start()
        wait_until_blocked(store, thread)
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], StaleVersionError), outcome
    final = store.event(event.id)
    assert [v.content.summary for v in final.versions] == ["Generated text.", "A."]


def wait_until_blocked(store: Store, thread: threading.Thread) -> None:
    """Return once the other writer waits for our lock (PostgreSQL shows it in pg_locks;
    SQLite's waiting writer is invisible, so it gets a moment to reach its BEGIN)."""
    if store.backend != "postgresql":
        thread.join(timeout=0.5)
        return
    with store.engine.connect() as conn:
        for _ in range(600):
            waiting = conn.execute(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            if waiting.scalar_one() > 0:
                return
            thread.join(timeout=0.05)
    raise AssertionError("the second writer never waited for the first")
