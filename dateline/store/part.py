"""What the parts of :class:`~dateline.store.Store` kept in their own modules share.

The Store is one class (one connection, one transaction at a time), written in a few
modules so that none grows too long: :mod:`dateline.store.copies` (copies of
articles) and :mod:`dateline.store.article_pages` (what article and event pages show
of articles) are mixins of it. :class:`StorePart` declares what they use of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime

import sqlalchemy as sa

from dateline.model import Article, EventEntry

CHANGE_LOG_LOCK = 0x44_61_74_65_6C_69_6E  # "Datelin"


def utc_now() -> datetime:
    """Now, in UTC without tzinfo and to the second: how the store keeps times."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def take_turn_on_change_log(conn: sa.Connection) -> None:
    """On PostgreSQL, make writers of the change logs take turns until they commit.

    Readers catch up by "every change after the last sequence number I saw" (the
    related index, incremental builds, the search index). PostgreSQL hands out sequence
    numbers at insert, not at commit: without turns, change 3 could commit after change
    4 was seen, and be missed for good. Holding a transaction-level advisory lock from
    the first change logged to the commit keeps numbers in commit order. SQLite needs
    nothing: it has one writer at a time anyway.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})


class StorePart:
    """A mixin of :class:`~dateline.store.Store`: the Store provides these."""

    def _connect(self) -> AbstractContextManager[sa.Connection]:
        """The caller's transaction, or a new write transaction."""
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[sa.Connection]:
        """The caller's transaction, or a new read-only one."""
        raise NotImplementedError

    def articles(self, ids: Sequence[int]) -> list[Article]:
        """Articles with their history, in the order given (missing: left out)."""
        raise NotImplementedError

    def entries(self, ids: Sequence[int]) -> list[EventEntry]:
        """The list entries of events ``ids`` (those that exist), by date then id."""
        raise NotImplementedError
