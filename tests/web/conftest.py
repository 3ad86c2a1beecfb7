"""An archive with every kind of page, and the live app serving it (on both backends).

The seed pages give real events; a few made-up ones (generated text, no news) add
the page kinds the seeds lack: a tag with year pages (more events than its page
lists), an earlier version whose slug a later one reuses (``<slug>.v1``), and a day,
a story and a tag that only an earlier version has.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from dateline.ingest.importer import import_paths
from dateline.model import EventContent
from dateline.store import Store
from dateline.web import create_app
from tests.conftest import SEEDS

BASE_URL = "http://testserver"
"""Where TestClient's requests go: feeds and sitemaps are built with it too."""
BUSY_TAG = "Webtest Busy Tag"


def add_every_page_kind(store: Store) -> None:
    """Made-up events that give the pages the seed archive has none of."""
    start = date(2013, 11, 20)
    for n in range(56):  # over two years: the tag gets a page per year
        day = start + timedelta(days=n * 2)
        store.create_event(
            EventContent(
                day,
                f"Made-up event number {n}",
                f"Generated summary {n}.",
                story="Webtest Story" if n % 3 == 0 else None,
                category="Webtest category" if n % 2 else None,
                contexts=(BUSY_TAG, f"Webtest Tag {n % 4}"),
            )
        )
    shadowed = store.create_event(
        EventContent(date(2014, 3, 3), "An event edited twice", "First text.", contexts=(BUSY_TAG,))
    )
    store.append_version(shadowed.id, replace(shadowed.content, summary="Second text."))
    moved = store.create_event(
        EventContent(
            date(2015, 6, 1),
            "An event that moves to another day",
            "Its first day was wrong.",
            story="Webtest Story Left Behind",
            contexts=("Webtest Tag Left Behind",),
        )
    )
    store.append_version(
        moved.id,
        replace(moved.content, date=date(2014, 1, 2), story=None, contexts=(BUSY_TAG,)),
        editor="webtest",
        note="Moved to its real day.",
    )


@pytest.fixture
def archive_url(store: Store, database_url: str) -> str:
    """The URL of an archive of the seeds and :func:`add_every_page_kind`'s events."""
    import_paths(store, [SEEDS])
    add_every_page_kind(store)
    return database_url


@pytest.fixture
def client(archive_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(archive_url), base_url=BASE_URL) as test_client:
        yield test_client
