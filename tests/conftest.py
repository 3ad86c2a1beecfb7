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
from hypothesis import settings
from playwright.sync_api import Browser

from dateline.store import Store, open_store
from tests.support.browser import ChromiumMissingError, launch_chromium, require_chromium
from tests.support.postgres import PostgresServer, start_postgres_server

# CI runs a fixed set of examples (derandomized), so a red run always means a change
# broke something; local runs explore new examples each time. HYPOTHESIS_PROFILE=thorough
# explores much further.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("dev", deadline=None)
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

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


class Databases:
    """Makes empty, migrated databases on one backend, and removes them afterwards."""

    def __init__(self, backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.backend = backend
        self._tmp_path = tmp_path
        self._request = request
        self._dropped: list[str] = []
        self._stores: list[Store] = []

    def new_url(self) -> str:
        number = next(_counter)
        if self.backend == "sqlite":
            return f"sqlite:///{self._tmp_path / f'test{number}.db'}"
        server: PostgresServer = self._request.getfixturevalue("postgres_server")
        name = f"test_{os.getpid()}_{number}"
        self._dropped.append(name)
        return server.create_database(name, template=_TEMPLATE)

    def open(self, url: str | None = None) -> Store:
        """A store on ``url``, or on a new empty database; closed after the test."""
        self._stores.append(open_store(url or self.new_url()))
        return self._stores[-1]

    def cleanup(self) -> None:
        for item in self._stores:
            item.close()
        if self._dropped:
            server: PostgresServer = self._request.getfixturevalue("postgres_server")
            for name in self._dropped:
                server.drop_database(name)


@pytest.fixture(params=BACKENDS)
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    made = Databases(request.param, tmp_path, request)
    try:
        yield made
    finally:
        made.cleanup()


@pytest.fixture
def database_url(databases: Databases) -> str:
    """The URL of an empty, migrated archive (the test runs once per backend)."""
    return databases.new_url()


@pytest.fixture
def store(databases: Databases, database_url: str) -> Store:
    return databases.open(database_url)


@pytest.fixture(autouse=True)
def _search_index_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Search indexes made by commands under test go to the test's folder, not the
    user's cache (tests/search/test_index.py checks the default places)."""
    monkeypatch.setenv("DATELINE_SEARCH_DIR", str(tmp_path / "search-index"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium (tests/support/browser.py); fails, never skips, without it."""
    try:
        require_chromium()
    except ChromiumMissingError as error:
        pytest.fail(str(error), pytrace=False)
    with launch_chromium() as launched:
        yield launched
