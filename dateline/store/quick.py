"""Reads on a live server's hot path, run on the database driver's cursor directly.

Serving one event's page takes a handful of small reads (the event's versions, its
tags' slugs, the rows of its related events, the change log). Through SQLAlchemy each
costs its execution machinery (a connection checked out, a transaction begun and
ended, a cache key made, a result object built): measured on SQLite, ``Store.event``
took 466 us for a query SQLite answers in about 15. A server doing thousands of
those per second pays that many times over, so these few reads skip it.

What is not skipped: the SQL is still SQLAlchemy Core (the same tables, both
backends), compiled once per statement and dialect; values go in and come out
through the dialect's own bind and result processors (ISO dates and JSON text on
SQLite, nothing on PostgreSQL, whose driver converts), so a row read here equals one
read through SQLAlchemy. The connection comes from the engine's pool (a server's event
loop keeps one checked out: :meth:`QuickReads.keep_connection`), and on PostgreSQL the
reads of one :meth:`QuickReads.connection` share one transaction (one snapshot); SQLite
runs each statement in its own, as the store's reads do.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

import sqlalchemy as sa

from dateline.model import Event, EventArticle
from dateline.store import schema as t

Processor = Callable[[Any], Any] | None
MAX_IN = 64
"""Longest list given to one ``IN (...)``: statements are made per length, up to this."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One Core statement compiled for one dialect, with its value converters."""

    sql: str
    names: tuple[str, ...] | None  # bind names in order (positional paramstyles)
    binds: Mapping[str, Processor]
    fixed: dict[str, Any]  # values the statement carries itself (a LIMIT)
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, converter), if any

    @classmethod
    def of(cls, statement: sa.Select[Any], dialect: sa.Dialect) -> _Compiled:
        compiled = statement.compile(dialect=dialect)
        binds = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        results = tuple(
            (at, process)
            for at, c in enumerate(statement.selected_columns)
            if (process := _result_processor(c.type, dialect)) is not None
        )
        fixed = {n: b.effective_value for n, b in compiled.binds.items() if not b.required}
        names = tuple(compiled.positiontup or ()) if compiled.positional else None
        return cls(str(compiled), names, binds, fixed, results)

    def parameters(self, values: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        converted = {
            name: (value if (process := self.binds.get(name)) is None else process(value))
            for name, value in (self.fixed | values).items()
        }
        if self.names is None:
            return converted
        return tuple(converted[name] for name in self.names)

    def rows(self, raw: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        # Column by column, only those with a converter (a generator per row cost more
        # than the query on a page's small reads).
        if not self.results:
            return [tuple(row) for row in raw]
        converted = []
        for row in raw:
            values = list(row)
            for at, process in self.results:
                values[at] = process(values[at])
            converted.append(tuple(values))
        return converted


class QuickReads:
    """The hot path's reads, on ``engine``'s pool (see the module's docstring)."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._dialect = engine.dialect
        self.backend = engine.dialect.name
        self._compiled: dict[object, _Compiled] = {}
        self._lock = threading.Lock()
        # Context tags by name: (id, slug). A tag's id, name and slug never change once
        # made, so what was read once holds for the process (at most one entry a tag).
        self.contexts: dict[str, tuple[int, str]] = {}
        self._kept: tuple[tuple[int, int], Any] | None = None  # (pid, thread), connection
        self._kept_readers = 0  # readers open on it now (one thread: no lock)

    @contextmanager
    def connection(self) -> Iterator[Reader]:
        """A reader on one pooled connection, given back (and its transaction ended) after;
        on the thread that called :meth:`keep_connection`, on the connection it keeps."""
        kept = self._kept
        if kept is not None and kept[0] == (os.getpid(), threading.get_ident()):
            raw = kept[1]
            self._kept_readers += 1
            try:
                yield Reader(self, raw.cursor())
            finally:
                self._kept_readers -= 1
                if not self._kept_readers:  # a reader within a reader ends nothing
                    try:
                        raw.rollback()  # its transaction (PostgreSQL: snapshot) ends
                    except Exception:  # the connection broke: the next reader gets another
                        self.release()
            return
        raw = self._engine.raw_connection()
        try:
            yield Reader(self, raw.cursor())
        finally:
            raw.close()  # back to the pool, which rolls back what is open

    def keep_connection(self) -> None:
        """Keep one connection checked out for this thread's readers from now on.

        For a server, whose pages are all read on its event loop's thread: a checkout
        and checkin of the pool took 25 us of a cached page's 200 (a profile of the
        server under wrk), for a connection it gets back every time anyway. Other
        threads and forked processes keep using the pool. :meth:`release` gives it back.
        """
        self.release()
        self._kept = ((os.getpid(), threading.get_ident()), self._engine.raw_connection())

    def release(self) -> None:
        """Give the kept connection (if any, and this process's) back to the pool."""
        kept, self._kept = self._kept, None
        if kept is not None and kept[0][0] == os.getpid():
            kept[1].close()

    def learn_tags(self) -> None:
        """Read every tag's id and slug now, for a server: then an event page reads none.

        Learning them one page at a time, a process kept meeting tags of the long tail
        (at 1,000,000 events with 50,000 tags, seven pages in ten still read one after
        thousands of pages). A tag made later is read when first met, as before.
        """
        c = t.contexts.c
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(c.id, c.name, c.slug)).all()
        self.contexts.update({name: (int(cid), slug) for cid, name, slug in rows})

    def compiled(self, key: object, make: Callable[[], sa.Select[Any]]) -> _Compiled:
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                found = self._compiled.setdefault(key, _Compiled.of(make(), self._dialect))
        return found


class Reader:
    """The reads of one connection (made by :meth:`QuickReads.connection`).

    What one page asks twice, or may learn along the way, is kept for the reader's
    life (one request): an event's tags, which the page's view and its related list
    both need, and the change log's newest number, read with the event
    (:attr:`latest_change`), which tells the related index it is up to date without
    a query of its own.
    """

    def __init__(self, reads: QuickReads, cursor: Any) -> None:
        self._reads = reads
        self._cursor = cursor
        self._tags: dict[int, list[tuple[int, str, str]]] = {}
        self.latest_change: int | None = None
        """The newest change log number seen by :meth:`find_event` (None: not read)."""
        self._no_articles: set[int] = set()  # events find_event found no article attached to

    def _run(
        self, key: object, make: Callable[[], sa.Select[Any]], **values: Any
    ) -> list[tuple[Any, ...]]:
        statement = self._reads.compiled(key, make)
        self._cursor.execute(statement.sql, statement.parameters(values))
        return statement.rows(self._cursor.fetchall())

    # -- the reads -----------------------------------------------------------------

    def find(self, day: date, slug: str, number: int | None) -> tuple[int, int] | None:
        """``(event id, version number)`` of the page at ``day``/``slug`` (as Store.find)."""
        if number is None:
            rows = self._run("find", _find_newest, day=day, slug=slug)
        else:
            rows = self._run("find-number", _find_numbered, day=day, slug=slug, number=number)
        return (int(rows[0][0]), int(rows[0][1])) if rows else None

    def event(self, event_id: int) -> Event | None:
        """The event with all its versions (as Store.event), or None."""
        from dateline.store.store import _event_from_rows  # the one rows -> model mapping

        rows = self._run("versions", _versions, event_id=event_id)
        if not rows:
            return None
        names = [c.name for c in t.versions.columns]
        return _event_from_rows(event_id, [dict(zip(names, r, strict=True)) for r in rows])

    def find_event(self, day: date, slug: str, number: int | None) -> tuple[Event, int] | None:
        """:meth:`find` and :meth:`event` in one query: the event with the page at
        ``day``/``slug`` (version ``number``, or the newest there) and that version's
        number. Sets :attr:`latest_change`."""
        from dateline.store.store import _event_from_rows

        if number is None:
            rows = self._run("find-event", partial(_found_versions, False), day=day, slug=slug)
        else:
            rows = self._run(
                "find-event-number", partial(_found_versions, True), day=day, slug=slug,
                number=number,
            )  # fmt: skip
        if not rows:
            return None
        names = [c.name for c in t.versions.columns]
        width = len(names)
        event_id = int(rows[0][names.index("event_id")])
        self.latest_change = int(rows[0][width + 1] or 0)
        if not rows[0][width + 2]:
            self._no_articles.add(event_id)
        event = _event_from_rows(event_id, [dict(zip(names, r[:width], strict=True)) for r in rows])
        return event, int(rows[0][width])

    def retired(self, event_id: int) -> frozenset[int]:
        """:meth:`Store.retired_versions <dateline.store.Store.retired_versions>`, read here."""
        return frozenset(int(n) for (n,) in self._run("retired", _retired, event_id=event_id))

    def event_tags(self, event_id: int) -> list[tuple[int, str, str]]:
        """``(context id, name, slug)`` of the event's tags, in the event's order."""
        found = self._tags.get(event_id)
        if found is None:
            rows = self._run("tags", _tags, event_id=event_id)
            found = self._tags[event_id] = [(int(i), name, slug) for i, name, slug in rows]
        return found

    def tags_named(self, names: Sequence[str]) -> list[tuple[int, str, str]]:
        """``(context id, name, slug)`` of the tags ``names`` that exist, in order and once
        each; read from the database only the first time a process meets a name."""
        known = self._reads.contexts
        missing = [name for name in names if name not in known]
        if missing:
            for cid, name, slug in self._run_in("named", _named, missing):
                known[name] = (int(cid), slug)
        wanted = dict.fromkeys(names)
        return [(known[n][0], n, known[n][1]) for n in wanted if n in known]

    def remember_tags(self, event_id: int, tags: list[tuple[int, str, str]]) -> None:
        """Answer :meth:`event_tags` for ``event_id`` with ``tags`` (its current version's,
        from :meth:`tags_named`: the same rows, in the same order) without a query."""
        self._tags[event_id] = tags

    def event_articles(self, event_id: int) -> list[EventArticle]:
        """The event's source articles, in page order (as Store.event_articles); no read
        for an event :meth:`find_event` found none attached to (most, in an archive
        imported from the Current Events Portal: 15 us of a page's 450 saved)."""
        if event_id in self._no_articles:
            return []
        from dateline.store.article_pages import event_article_from_row, event_articles_select

        rows = self._run("articles", event_articles_select, event_id=event_id)
        return [event_article_from_row(row) for row in rows]

    def _run_in(
        self, kind: str, make: Callable[[int], sa.Select[Any]], values: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        """``make(n)``'s rows for ``values`` (its ``k0``...``k<n-1>``), :data:`MAX_IN` at a time."""
        rows: list[tuple[Any, ...]] = []
        for part in _parts(sorted(set(values))):
            n = len(part)
            rows += self._run((kind, n), partial(make, n), **_keys(part))
        return rows

    def event_rows(self, ids: Sequence[int]) -> list[tuple[int, date, str, str]]:
        """``(id, date, slug, headline)`` of the events in ``ids`` that exist."""
        return [(int(i), d, s, h) for i, d, s, h in self._run_in("events", _events, ids)]

    def change_mark(self) -> str:
        """:func:`dateline.store.api_queries.change_mark`, read here."""
        postgres = self._reads.backend == "postgresql"
        (row,) = self._run("mark", lambda: _mark(postgres))
        return "/".join(str(value) for value in row)

    def last_change(self) -> int:
        """:meth:`Store.last_change <dateline.store.Store.last_change>`, read here."""
        (row,) = self._run("last", _last)
        return int(row[0])

    def changes_since(self, seq: int) -> list[tuple[int, int]]:
        """``(seq, event id)`` of the change log after ``seq``, in order."""
        return [(int(s), int(e)) for s, e in self._run("changes", _changes, seq=seq)]


def _result_processor(type_: sa.types.TypeEngine[Any], dialect: sa.Dialect) -> Processor:
    if isinstance(type_, sa.Float) and dialect.name == "postgresql":
        # psycopg's float processor is chosen by the result column's type code, which
        # only a result knows; for float columns the driver returns floats itself.
        return None
    return type_.dialect_impl(dialect).result_processor(dialect, None)


def _parts(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    return (values[i : i + MAX_IN] for i in range(0, len(values), MAX_IN))


def _keys(values: Sequence[Any]) -> dict[str, Any]:
    return {f"k{i}": value for i, value in enumerate(values)}


def _in(column: sa.Column[Any], n: int) -> sa.ColumnElement[bool]:
    return column.in_([sa.bindparam(f"k{i}") for i in range(n)])


def _find_newest() -> sa.Select[Any]:
    v = t.versions.c
    return (
        sa.select(v.event_id, v.number)
        .where(v.date == sa.bindparam("day"), v.slug == sa.bindparam("slug"))
        .order_by(v.id.desc())
        .limit(1)
    )


def _find_numbered() -> sa.Select[Any]:
    v = t.versions.c
    return _find_newest().where(v.number == sa.bindparam("number"))


def _versions() -> sa.Select[Any]:
    v = t.versions.c
    return sa.select(t.versions).where(v.event_id == sa.bindparam("event_id")).order_by(v.number)


def _found_versions(numbered: bool) -> sa.Select[Any]:
    """Every version of the event with the page at ``day``/``slug``, then the number
    of the version found there, the change log's newest number and whether any article
    is attached to the event."""
    found = (_find_numbered() if numbered else _find_newest()).subquery("found")
    latest = sa.select(sa.func.max(t.event_changes.c.seq)).scalar_subquery()
    linked = sa.exists().where(t.article_events.c.event_id == found.c.event_id)
    v = t.versions.c
    return (
        sa.select(
            t.versions,
            found.c.number.label("found_number"),
            latest.label("latest"),
            linked.label("has_articles"),
        )
        .join(found, found.c.event_id == v.event_id)
        .order_by(v.number)
    )


def _retired() -> sa.Select[Any]:
    v = t.versions.c
    return sa.select(v.number).where(v.event_id == sa.bindparam("event_id"), v.retired)


def _named(n: int) -> sa.Select[Any]:
    c = t.contexts.c
    return sa.select(c.id, c.name, c.slug).where(_in(c.name, n))


def _tags() -> sa.Select[Any]:
    c, ec = t.contexts.c, t.event_contexts.c
    return (
        sa.select(c.id, c.name, c.slug)
        .join(t.event_contexts, ec.context_id == c.id)
        .where(ec.event_id == sa.bindparam("event_id"))
        .order_by(ec.position)
    )


def _events(n: int) -> sa.Select[Any]:
    e = t.events.c
    return sa.select(e.id, e.date, e.slug, e.headline).where(_in(e.id, n))


def _mark(postgres: bool) -> sa.Select[Any]:
    # Both change logs, and on PostgreSQL the snapshot: see api_queries.change_mark.
    latest = sa.select(sa.func.max(t.event_changes.c.seq)).scalar_subquery()
    articles = sa.select(sa.func.max(t.article_changes.c.seq)).scalar_subquery()
    if postgres:
        return sa.select(latest, articles, sa.cast(sa.func.pg_current_snapshot(), sa.Text))
    return sa.select(latest, articles)


def _last() -> sa.Select[Any]:
    return sa.select(sa.func.coalesce(sa.func.max(t.event_changes.c.seq), 0))


def _changes() -> sa.Select[Any]:
    c = t.event_changes.c
    return sa.select(c.seq, c.event_id).where(c.seq > sa.bindparam("seq")).order_by(c.seq)
