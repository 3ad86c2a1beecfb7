"""Shared fixtures: the seed and data folders, and a store on each backend.

Every test that takes ``store`` (or ``database_url``) runs twice: on a SQLite file and
on a real PostgreSQL server that the session starts itself (tests/support/postgres.py).
Tests read the seeds and data from ``../shared`` at test time; none is copied here.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dateline.store import Store, open_store
from tests.support.postgres import PostgresServer, start_postgres_server

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DATELINE_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
EVENT_SEEDS = ("000", "001", "003")
BACKENDS = ("sqlite", "postgresql")
_TEMPLATE = "dateline_template"
_counter = itertools.count()


def seed_file(number: str) -> Path:
    """The seed page whose file name starts with ``number`` (e.g. ``"001"``)."""
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    assert SEEDS.is_dir(), f"the seed documents are expected in {SEEDS}"
    return SEEDS


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres_server()
    try:
        # One migrated template; each test gets a fresh copy of it (fast).
        server.create_database(_TEMPLATE)
        open_store(server.url(_TEMPLATE)).close()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty, migrated archive on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"test_{os.getpid()}_{next(_counter)}"
    url = server.create_database(name, template=_TEMPLATE)
    try:
        yield url
    finally:
        server.drop_database(name)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def make_store(database_url: str) -> Iterator[object]:
    """Opens more stores on the same database (another process, as far as the code knows)."""
    opened: list[Store] = []

    def make() -> Store:
        opened.append(open_store(database_url))
        return opened[-1]

    yield make
    for item in opened:
        item.close()
