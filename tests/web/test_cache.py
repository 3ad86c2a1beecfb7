"""The page cache: kept while the archive's change mark stays, dropped when any write
commits, including a write whose change number is older than one committed before it."""

from __future__ import annotations

import threading
from datetime import date

from dateline.model import EventContent
from dateline.store import Store
from dateline.store.api_queries import change_mark
from dateline.web.cache import PageCache, cached
from dateline.web.pages import Page
from tests.conftest import Databases


def page(text: str) -> Page:
    return Page(text.encode(), "text/plain")


def test_a_page_is_kept_until_the_mark_changes() -> None:
    cache = PageCache()
    assert cache.get("1", "/a") is None
    cache.put("1", "/a", cached(page("first")))
    hit = cache.get("1", "/a")
    assert hit is not None and hit.page.body == b"first"
    assert cache.get("2", "/a") is None
    cache.put("1", "/a", cached(page("read before the change")))  # too late: dropped
    assert cache.get("2", "/a") is None


def test_the_least_recently_used_pages_go_first() -> None:
    cache = PageCache(max_bytes=10)
    cache.get("m", "/")
    cache.put("m", "/a", cached(page("aaaa")))
    cache.put("m", "/b", cached(page("bbbb")))
    assert cache.get("m", "/a") is not None  # /b is now the least recently used
    cache.put("m", "/c", cached(page("cccc")))
    assert cache.get("m", "/b") is None
    assert cache.get("m", "/a") is not None and cache.get("m", "/c") is not None
    cache.put("m", "/huge", cached(page("x" * 11)))
    assert cache.get("m", "/huge") is None


def test_equal_bodies_have_equal_etags() -> None:
    assert cached(page("x")).etag == cached(page("x")).etag != cached(page("y")).etag


def test_every_commit_changes_the_mark(
    store: Store, databases: Databases, database_url: str
) -> None:
    marks = {change_mark(store)}
    first = store.create_event(EventContent(date(2012, 2, 9), "Made-up first event"))
    marks.add(change_mark(store))
    second = store.create_event(EventContent(date(2012, 2, 9), "Made-up second event"))
    marks.add(change_mark(store))
    assert len(marks) == 3
    if store.backend != "postgresql":
        return  # SQLite writers take turns: changes commit in the order they are numbered
    other, reader = databases.open(database_url), databases.open(database_url)
    done: list[object] = []
    with store.transaction():
        store.append_version(first.id, EventContent(date(2012, 2, 9), "Made-up edit, slow"))
        writer = threading.Thread(
            target=lambda: done.append(
                other.append_version(second.id, EventContent(date(2012, 2, 9), "Made-up, fast"))
            )
        )
        writer.start()
        writer.join(timeout=1)
        # The later writer waits for its turn on the change log (store.py): its change
        # cannot be numbered and committed before the earlier one.
        assert writer.is_alive() and not done
        before = change_mark(reader)
    writer.join(timeout=30)
    assert done and change_mark(reader) != before
