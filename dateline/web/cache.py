"""Rendered pages kept until the archive next changes.

An event page costs half a dozen queries (the event, its tags' slugs, its related
list) and a render; a cached one costs one query, for the archive's change mark
(:func:`dateline.store.api_queries.change_mark`). Any committed write changes the
mark, and the whole cache is dropped: an edit still shows at once, and no page is
ever served older than the archive it was read from. Pages depend on each other
(an edit changes lists, related lists, feeds), so dropping everything is the one
invalidation that is always right; between writes, a reader's pages are hits.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from dateline.web.pages import Page

MAX_BYTES = 64 * 1024 * 1024
"""Bodies kept at most, in total (least recently used go first)."""


@dataclass(frozen=True, slots=True)
class CachedPage:
    page: Page
    etag: str


def cached(page: Page) -> CachedPage:
    """``page`` with its entity tag (a digest of the body)."""
    return CachedPage(page, '"' + hashlib.blake2b(page.body, digest_size=16).hexdigest() + '"')


class PageCache:
    """Pages by URL path, all read at one change mark of the archive."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._mark: str | None = None
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._bytes = 0

    def get(self, mark: str, key: str) -> CachedPage | None:
        """The page at ``key`` if it was read at ``mark`` (a new mark empties the cache)."""
        if mark != self._mark:
            self._pages.clear()
            self._bytes = 0
            self._mark = mark
            return None
        found = self._pages.get(key)
        if found is not None:
            self._pages.move_to_end(key)
        return found

    def put(self, mark: str, key: str, entry: CachedPage) -> None:
        """Keep ``entry``, read at ``mark`` (which must be the mark read *before* it)."""
        size = len(entry.page.body)
        if mark != self._mark or size > self.max_bytes:
            return
        old = self._pages.pop(key, None)
        if old is not None:
            self._bytes -= len(old.page.body)
        self._pages[key] = entry
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, dropped = self._pages.popitem(last=False)
            self._bytes -= len(dropped.page.body)
