"""``dateline serve``: the options reach uvicorn, a bad archive is one line, and the app
answers under a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from click.testing import CliRunner
from fastapi import FastAPI

from dateline.cli.main import EXIT_USER_ERROR, DatelineGroup
from dateline.cli.serve_command import serve
from dateline.store import DATABASE_URL_VARIABLE, Store
from dateline.web import create_app


@click.group(cls=DatelineGroup)
@click.option("--db", "database")
@click.pass_context
def dateline(ctx: click.Context, database: str | None) -> None:
    """The ``dateline`` group as main.py defines it, with ``serve`` registered."""
    ctx.obj = database


dateline.add_command(serve)


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append((a, k)))
    # Recorded first, so that what the command sets is undone after the test.
    monkeypatch.setenv(DATABASE_URL_VARIABLE, "unused")
    monkeypatch.delenv(DATABASE_URL_VARIABLE)
    return calls


def test_serve_runs_the_app_of_the_archive(
    archive_url: str, uvicorn_calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
) -> None:
    result = CliRunner().invoke(dateline, ["--db", archive_url, "serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    ((app,), options) = uvicorn_calls[0]
    assert isinstance(app, FastAPI)
    assert (options["host"], options["port"]) == ("127.0.0.1", 8123)
    assert "http://127.0.0.1:8123/" in result.output
    app.state.store.close()


def test_serve_with_workers_hands_the_archive_to_each_process(
    archive_url: str, uvicorn_calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
) -> None:
    args = ["--db", archive_url, "serve", "--workers", "2", "--host", "0.0.0.0"]
    result = CliRunner().invoke(dateline, args)
    assert result.exit_code == 0, result.output
    ((target,), options) = uvicorn_calls[0]
    assert target == "dateline.web.app:app_from_environment" and options["factory"]
    assert (options["workers"], options["host"]) == (2, "0.0.0.0")
    assert os.environ[DATABASE_URL_VARIABLE].endswith(archive_url.rsplit("/", 1)[1])


def test_an_archive_that_cannot_be_opened_is_one_line(
    tmp_path: Any, uvicorn_calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
) -> None:
    missing = tmp_path / "no-such-folder" / "archive.db"
    result = CliRunner().invoke(dateline, ["--db", str(missing), "serve"])
    assert result.exit_code == EXIT_USER_ERROR
    assert "no-such-folder" in result.output and "Traceback" not in result.output
    assert uvicorn_calls == []


def test_serve_help_has_an_example() -> None:
    result = CliRunner().invoke(dateline, ["serve", "--help"])
    assert result.exit_code == 0 and "dateline serve --db dateline.db" in result.output


@pytest.fixture
def live_server(archive_url: str) -> Iterator[str]:
    """The app under a real uvicorn server, on a free port of 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(archive_url), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_a_real_server_answers_pages_and_the_api(live_server: str) -> None:
    with urllib.request.urlopen(f"{live_server}/api/events?limit=1") as response:
        first = json.load(response)["events"][0]
    with urllib.request.urlopen(f"{live_server}{first['path']}.json") as response:
        assert response.headers["Content-Type"] == "application/json"
        assert json.load(response)["id"] == first["id"]
    with urllib.request.urlopen(f"{live_server}/") as response:
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"


@contextmanager
def database_write_held(url: str, event_id: int) -> Iterator[None]:
    """Another connection holding what a write of ``event_id`` must wait for: SQLite's
    one write lock, PostgreSQL's row lock on the event."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(
                    sa.text("SELECT id FROM events WHERE id = :i FOR UPDATE"), {"i": event_id}
                )
            yield
            conn.rollback()
    finally:
        engine.dispose()


def test_a_write_waiting_for_the_database_does_not_hold_up_reads(
    live_server: str, archive_url: str, store: Store
) -> None:
    # At 1,000,000 events with 50 writers, writes waiting for the database on the event
    # loop stalled every read of the worker and timed out its idle connections.
    _, secret = store.create_token("waiter")
    with httpx.Client(base_url=live_server, timeout=30) as client:
        event = client.get("/api/events?limit=1").json()["events"][0]
        current = client.get(f"/api/events/{event['id']}")
        body = {
            "date": current.json()["date"],
            "headline": current.json()["headline"],
            "summary": "Edited while another writer held the database.",
            "note": "test",
        }
        headers = {"Authorization": f"Bearer {secret}", "If-Match": current.headers["etag"]}
        answers: list[int] = []

        def write() -> None:
            with httpx.Client(base_url=live_server, timeout=60) as writer:
                answers.append(
                    writer.put(f"/api/events/{event['id']}", json=body, headers=headers).status_code
                )

        with database_write_held(archive_url, event["id"]):
            thread = threading.Thread(target=write)
            thread.start()
            time.sleep(0.5)  # the write reaches the server and waits for the database
            for _ in range(5):
                assert client.get(f"/api/events/{event['id']}", timeout=5).status_code == 200
                assert client.get(f"{event['path']}.json", timeout=5).status_code == 200
            assert thread.is_alive() and answers == []  # still waiting: the lock is held
        thread.join(timeout=30)
    assert answers == [200]
