"""The Store: every read and write of the archive goes through this class.

History is append-only and the store enforces it: :meth:`Store.write_history` may add
versions and may fill in or renumber *partial* versions (placeholders known only from
a link), but a complete version, once stored, never changes and never disappears.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from dateline.errors import ConflictError, InputError, NotFoundError, StaleVersionError
from dateline.model import (
    Context,
    Event,
    EventContent,
    EventEntry,
    RelatedEvent,
    Source,
    Version,
    context_slug,
    slug_for_headline,
    story_slug,
    validate_editor,
    validate_note,
)
from dateline.model.article import (
    Article,
    ArticleContent,
    ArticleLink,
    ArticleVersion,
    ArticleWrite,
    Ingestion,
    LinkedArticle,
    article_key,
    article_url_key,
    validate_link,
)
from dateline.store import ranking
from dateline.store import schema as t
from dateline.store.article_pages import ArticlePageStore, log_article_changes
from dateline.store.copies import CopyStore
from dateline.store.engine import create_engine, migrate, resolve_database_url
from dateline.store.part import take_turn_on_change_log, utc_now
from dateline.store.quick import QuickReads, Reader
from dateline.store.tokens import ApiToken, new_token, token_digest, validate_token_name

if TYPE_CHECKING:
    from dateline.store.related import RelatedIndex


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a write did: the event as stored now, and whether anything changed."""

    event: Event
    changed: bool
    created: bool = False


class Store(CopyStore, ArticlePageStore):
    """An archive in one database (SQLite file or PostgreSQL).

    Methods run in their own transaction, or in the caller's when called inside
    ``with store.transaction():``. A Store may be shared between threads: the
    transaction is each thread's own (a server writes in worker threads while its event
    loop reads).
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._local = threading.local()
        self.quick = QuickReads(engine)
        """Reads for a server's hot path, on the driver (see :mod:`dateline.store.quick`)."""
        # The related-events index, made when first needed: it imports numpy, which a
        # command ranking a list or two does not need (see dateline.store.ranking).
        self._index: RelatedIndex | None = None
        self._index_lock = threading.Lock()
        self._cold_queries = 0

    # -- connections ----------------------------------------------------------------

    @property
    def _conn(self) -> sa.Connection | None:
        """This thread's open transaction, if it is in one."""
        return getattr(self._local, "conn", None)

    @_conn.setter
    def _conn(self, connection: sa.Connection | None) -> None:
        self._local.conn = connection

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def close(self) -> None:
        self.quick.release()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Store]:
        """Run the enclosed reads and writes as one transaction (nested calls join it).

        On SQLite a write transaction takes the database's write lock at its start
        (``BEGIN IMMEDIATE``), so a concurrent writer waits its turn instead of failing
        halfway with "database is locked".
        """
        if self._conn is not None:
            yield self
            return
        with self.engine.connect() as connection:
            connection = connection.execution_options(dateline_write=write)
            with connection.begin():
                self._conn = connection
                try:
                    yield self
                finally:
                    self._conn = None

    @contextmanager
    def _connect(self) -> Iterator[sa.Connection]:
        """The caller's transaction, or a new write transaction that nested calls join."""
        if self._conn is not None:
            yield self._conn
            return
        with self.transaction():
            assert self._conn is not None
            yield self._conn

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        """The caller's transaction, or a new read-only one."""
        if self._conn is not None:
            yield self._conn
            return
        with self.transaction(write=False):
            assert self._conn is not None
            yield self._conn

    # -- reading --------------------------------------------------------------------

    def event(self, event_id: int) -> Event:
        """The event with this id; NotFoundError if there is none."""
        with self._read() as conn:
            rows = _version_rows(conn, event_id)
        if not rows:
            raise NotFoundError(f"no event with id {event_id}")
        return _event_from_rows(event_id, rows)

    def find(self, day: date, slug: str, version: int | None = None) -> tuple[Event, Version]:
        """The event and version at ``/news/<day>/<slug>[.v<version>]``.

        Without ``version`` it is the newest version that had this date and slug, so old
        URLs keep resolving after an edit. NotFoundError when nothing was ever there.
        """
        with self._read() as conn:
            query = sa.select(t.versions.c.event_id, t.versions.c.number).where(
                t.versions.c.date == day, t.versions.c.slug == slug
            )
            if version is not None:
                query = query.where(t.versions.c.number == version)
            row = conn.execute(query.order_by(t.versions.c.id.desc()).limit(1)).first()
        if row is None:
            where = f"{day.isoformat()}/{slug}" + (f" version {version}" if version else "")
            raise NotFoundError(f"no event at {where}")
        event = self.event(row.event_id)
        return event, event.version(row.number)

    def find_event(self, day: date, slug: str) -> Event | None:
        """The event that has (or had) this date and slug, or None."""
        try:
            return self.find(day, slug)[0]
        except NotFoundError:
            return None

    def count_events(self) -> int:
        with self._read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar_one())

    def count_versions(self) -> int:
        with self._read() as conn:
            query = sa.select(sa.func.count()).select_from(t.versions)
            return int(conn.execute(query).scalar_one())

    def days(self) -> list[date]:
        """Every day that has at least one event, oldest first."""
        with self._read() as conn:
            query = sa.select(t.events.c.date).distinct().order_by(t.events.c.date)
            return list(conn.execute(query).scalars())

    def events_on(self, day: date) -> list[Event]:
        """The events dated ``day`` (by their current version), in the order they were added."""
        with self._read() as conn:
            ids = (
                conn.execute(
                    sa.select(t.events.c.id).where(t.events.c.date == day).order_by(t.events.c.id)
                )
                .scalars()
                .all()
            )
        return [self.event(i) for i in ids]

    def iter_events(self, batch_size: int = 2000) -> Iterator[Event]:
        """Every event with its whole history, by date then id, read in batches."""
        last: tuple[date, int] | None = None
        while True:
            with self._read() as conn:
                query = sa.select(t.events.c.id, t.events.c.date).order_by(
                    t.events.c.date, t.events.c.id
                )
                if last is not None:
                    query = query.where(sa.tuple_(t.events.c.date, t.events.c.id) > last)
                keys = conn.execute(query.limit(batch_size)).all()
                if not keys:
                    return
                rows = (
                    conn.execute(
                        sa.select(t.versions)
                        .where(t.versions.c.event_id.in_([k.id for k in keys]))
                        .order_by(t.versions.c.event_id, t.versions.c.number)
                    )
                    .mappings()
                    .all()
                )
            by_event: dict[int, list[sa.RowMapping]] = {}
            for row in rows:
                by_event.setdefault(row["event_id"], []).append(row)
            for key in keys:
                yield _event_from_rows(key.id, by_event[key.id])
            last = (keys[-1].date, keys[-1].id)

    # -- lists of events (entries: the current state, without history) ---------------

    def iter_entries(self, batch_size: int = 5000) -> Iterator[EventEntry]:
        """Every event's entry, by date then id, read in batches (a site build's pass)."""
        last: tuple[date, int] | None = None
        while True:
            where = [] if last is None else [sa.tuple_(t.events.c.date, t.events.c.id) > last]
            batch = self._entries(where, limit=batch_size)
            if not batch:
                return
            yield from batch
            last = (batch[-1].date, batch[-1].id)

    def all_entries(self) -> list[EventEntry]:
        """Every event's entry, by date then id, read at once: what a full site build
        keeps, read before its workers start (the whole build waits for it). Three
        whole-table reads on the driver's cursor, tags by id. For 100,000 entries:
        :meth:`iter_entries`, which looks each batch's tags up, 2.6-2.7 s; these reads
        through SQLAlchemy's rows (tags joined to their names) 1.89 s; so, 1.31 s
        (medians of 6, alternating); events read in the table's order, 0.91-0.96 -> 0.83-0.92 s
        (best of 3, three rounds alternating)."""
        on_sqlite = self.engine.dialect.name == "sqlite"  # dates as ISO text there
        day_of = date.fromisoformat if on_sqlite else _same
        time_of = datetime.fromisoformat if on_sqlite else _same
        with self._read() as conn:
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute("SELECT id, name, slug FROM contexts")
                named = {cid: Context(name, slug) for cid, name, slug in cursor.fetchall()}
                cursor.execute(
                    "SELECT event_id, context_id FROM event_contexts ORDER BY event_id, position"
                )
                tags: dict[int, list[Context]] = {}
                for eid, cid in cursor.fetchall():
                    listed = tags.get(eid)
                    if listed is None:
                        tags[eid] = [named[cid]]
                    else:
                        listed.append(named[cid])
                # The columns of every entry query, compiled (no parameters); in the
                # table's order, sorted here: read in date order through its index, each
                # row is a lookup in the table (the query 0.62 s for 100,000 rows against
                # 0.43 s, and 0.1 s to sort them; ISO dates on SQLite sort as days do).
                cursor.execute(str(_entries_select().compile(dialect=conn.dialect)))
                rows = sorted(cursor.fetchall(), key=itemgetter(1, 0))
            finally:
                cursor.close()
        return [
            EventEntry(
                eid,
                day_of(day),
                slug,
                headline,
                summary,
                category,
                story,
                tuple(tags.get(eid, ())),
                None if updated is None else time_of(updated),
                bool(stub),
                bool(retired),
            )
            for eid, day, slug, headline, summary, category, story, updated, stub, retired in rows
        ]

    def entries(self, ids: Sequence[int]) -> list[EventEntry]:
        """The entries of events ``ids`` (those that exist), by date then id."""
        found: list[EventEntry] = []
        for start in range(0, len(ids), 900):
            found += self._entries([t.events.c.id.in_(list(ids[start : start + 900]))])
        return sorted(found, key=lambda e: (e.date, e.id))

    def entries_between(self, first: date, last: date) -> list[EventEntry]:
        """Entries dated ``first`` to ``last`` (inclusive), by date then id."""
        return self._entries([t.events.c.date >= first, t.events.c.date <= last])

    def entries_with_context(
        self, slug: str, *, year: int | None = None, latest: int | None = None
    ) -> list[EventEntry]:
        """Entries of the events tagged with the context whose slug is ``slug``.

        All of them by date, or only those of ``year``, or the ``latest`` (by date,
        newest first): a big tag's page needs only some, not its tens of thousands.
        """
        ec = t.event_contexts.c
        if latest is None:
            tagged = _tagged(slug)
            if year is not None:  # a range of the tag's (context, date) index
                tagged = tagged.where(ec.date >= date(year, 1, 1), ec.date <= date(year, 12, 31))
            return self._entries([t.events.c.id.in_(tagged)])
        newest = _tagged(slug).order_by(ec.date.desc(), ec.event_id.desc()).limit(latest)
        order = [t.events.c.date.desc(), t.events.c.id.desc()]
        return self._entries([t.events.c.id.in_(newest)], order=order, limit=latest)

    def context_day_counts(self, slug: str) -> dict[date, int]:
        """How many events tagged ``slug`` each day has (for charts and year lists):
        counted off the tag's (context, date) index, no event read."""
        ec = t.event_contexts.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(ec.date, sa.func.count())
                .join(t.contexts, t.contexts.c.id == ec.context_id)
                .where(t.contexts.c.slug == slug)
                .group_by(ec.date)
            ).all()
        return {day: int(n) for day, n in rows}

    def entries_in_story(self, slug: str) -> list[EventEntry]:
        """Entries of the events whose story heading has the slug ``slug``."""
        return self._entries([t.events.c.story_slug == slug])

    def latest_entries(self, limit: int, context: str | None = None) -> list[EventEntry]:
        """The ``limit`` most recently changed events (newest change first): for feeds."""
        where = [] if context is None else [self._latest_of_tag(context, limit)]
        order = [t.events.c.updated_at.desc(), t.events.c.id.desc()]
        return self._entries(where, order=order, limit=limit)

    def _latest_of_tag(self, slug: str, limit: int) -> sa.ColumnElement[bool]:
        """The condition "tagged ``slug``" for a query of the ``limit`` most recently
        changed such events (a tag's feed; by date, the tag's links are indexed).

        Written for the tag's size. A common tag's newest events are found by walking
        the events newest first and looking each up in the tag's links, which stops
        after about ``limit * events / tagged`` events: 0.03 ms against 25 ms to sort
        all 25,000 events of a tag on a quarter of a 100,000-event archive. A rare
        tag's are found by sorting its few events: walking would pass nearly every
        event (40 ms for a tag on 15 events). The cut is where both read as many rows.
        """
        with self._read() as conn:
            row = conn.execute(
                sa.select(
                    t.contexts.c.id,
                    sa.select(sa.func.count())
                    .where(t.event_contexts.c.context_id == t.contexts.c.id)
                    .scalar_subquery(),
                    sa.select(sa.func.max(t.events.c.id)).scalar_subquery(),
                ).where(t.contexts.c.slug == slug)
            ).first()
        if row is None:
            return sa.false()
        context_id, tagged, events = row
        if tagged * tagged <= (events or 0) * limit:
            return t.events.c.id.in_(_tagged(slug))
        return sa.exists().where(
            t.event_contexts.c.event_id == t.events.c.id,
            t.event_contexts.c.context_id == context_id,
        )

    def taken_slugs(self, day: date) -> set[str]:
        """Every slug any version dated ``day`` has (a new event's slug must avoid them)."""
        with self._read() as conn:
            query = sa.select(t.versions.c.slug).where(t.versions.c.date == day).distinct()
            return set(conn.execute(query).scalars())

    def version_marks(self) -> set[tuple[date, str | None]]:
        """Every (date, story) any version has: earlier versions' pages link to those pages."""
        with self._read() as conn:
            rows = conn.execute(sa.select(t.versions.c.date, t.versions.c.story).distinct())
            return {(day, story) for day, story in rows}

    def events(self, ids: Sequence[int]) -> list[Event]:
        """The events ``ids`` with their whole history, in the order given (missing: left out).

        Read on the driver's cursor, as :meth:`all_entries` reads: a full site build
        reads every event this way, a thousand at a time. Through SQLAlchemy's rows,
        each value converted by its column's type, that took 29-32 us an event, this way
        14-21 us (the 100,000-event benchmark archive, the same events); the rows are
        made versions by the one mapping every read shares (:func:`_version_from_row`).
        """
        found: dict[int, list[tuple[Any, ...]]] = {}
        with self._read() as conn:
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                for start in range(0, len(ids), 900):
                    # Integers (int() of each): safe to write into the query.
                    chunk = ",".join(str(int(i)) for i in ids[start : start + 900])
                    cursor.execute(
                        f"SELECT {_VERSION_COLUMNS} FROM versions WHERE event_id IN ({chunk}) "
                        "ORDER BY event_id, number"
                    )
                    for row in cursor.fetchall():
                        found.setdefault(row[0], []).append(row)
            finally:
                cursor.close()
        return [
            _event_from_rows(i, [dict(zip(_VERSION_FIELDS, row, strict=True)) for row in found[i]])
            for i in ids
            if i in found
        ]

    def day_counts(self) -> dict[date, int]:
        """How many events each day has (days without events are left out)."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(t.events.c.date, sa.func.count()).group_by(t.events.c.date)
            ).all()
        return {day: int(n) for day, n in rows}

    def latest_days(self, limit: int) -> list[date]:
        """The ``limit`` latest days that have events, newest first: read off the date
        index, where :meth:`day_counts` counts every day (what an incremental build
        needs to know whether an edit reaches the home page)."""
        with self._read() as conn:
            return list(
                conn.execute(
                    sa.select(t.events.c.date)
                    .distinct()
                    .order_by(t.events.c.date.desc())
                    .limit(limit)
                ).scalars()
            )

    def context_slugs(self, names: Sequence[str]) -> dict[str, str]:
        """The slug of each context tag in ``names`` (those that exist)."""
        with self._read() as conn:
            return _select_in(conn, t.contexts.c.name, names, value=t.contexts.c.slug)

    def context(self, slug: str) -> Context:
        """The context tag whose slug is ``slug``, with its event count; NotFoundError."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(t.contexts.c.id, t.contexts.c.name, t.contexts.c.slug).where(
                    t.contexts.c.slug == slug
                )
            ).first()
            if row is None:
                raise NotFoundError(f"no context tag with the slug {slug!r}")
            count = conn.execute(
                sa.select(sa.func.count())
                .select_from(t.event_contexts)
                .where(t.event_contexts.c.context_id == row.id)
            ).scalar_one()
        return Context(row.name, row.slug, int(count))

    def refresh_statistics(self) -> None:
        """Let the database's query planner see the archive as it now is (``ANALYZE``).

        After a large import the planner still plans for the archive it last measured:
        measured on PostgreSQL after importing 1,000,000 events, a related list took
        44 ms at p50 instead of a few (the small reads of the hot path planned as scans).
        """
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("ANALYZE")

    def last_change(self) -> int:
        """The sequence number of the latest change (0 for an empty archive)."""
        with self._read() as conn:
            query = sa.select(sa.func.coalesce(sa.func.max(t.event_changes.c.seq), 0))
            return int(conn.execute(query).scalar_one())

    def changed_since(self, seq: int) -> list[int]:
        """Ids of the events added or changed after change ``seq``, sorted."""
        with self._read() as conn:
            query = (
                sa.select(t.event_changes.c.event_id)
                .where(t.event_changes.c.seq > seq)
                .distinct()
                .order_by(t.event_changes.c.event_id)
            )
            return list(conn.execute(query).scalars())

    def imported_file(self, sha256: str) -> str | None:
        """The path a file with this content was imported from, or None if never."""
        with self._read() as conn:
            query = sa.select(t.imported_files.c.path).where(t.imported_files.c.sha256 == sha256)
            return conn.execute(query).scalar_one_or_none()

    def imported_hashes(self) -> set[str]:
        """The content hashes of every file imported so far (a resumed import skips them)."""
        with self._read() as conn:
            return set(conn.execute(sa.select(t.imported_files.c.sha256)).scalars())

    def record_imported_file(self, sha256: str, path: str, file_format: str, events: int) -> None:
        """Note a file as imported; call it in the transaction that stored its events, so
        the note and the events are kept or lost together."""
        with self._connect() as conn:
            conn.execute(sa.delete(t.imported_files).where(t.imported_files.c.sha256 == sha256))
            conn.execute(
                sa.insert(t.imported_files).values(
                    sha256=sha256,
                    path=path,
                    format=file_format,
                    events=events,
                    imported_at=utc_now(),
                )
            )

    def _entries(
        self,
        where: Sequence[sa.ColumnElement[bool]],
        order: Sequence[sa.ColumnElement[Any]] | None = None,
        limit: int | None = None,
    ) -> list[EventEntry]:
        e = t.events.c
        query = (
            _entries_select()
            .where(*where)
            .order_by(*(order if order is not None else (e.date, e.id)))
        )
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            rows = conn.execute(query).all()
            tags: dict[int, list[Context]] = {}
            ids = [row[0] for row in rows]
            # One Context per tag, shared by its events; the rows fetched all at once
            # (``.all()``), not one by one: a full build's 100,000 entries took 2.5-2.7 s
            # to read so, against 3.1-3.3 s (best of 3, three runs each, alternating).
            made: dict[str, Context] = {}
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                for eid, name, slug in conn.execute(
                    _entry_tags_select().where(t.event_contexts.c.event_id.in_(chunk))
                ).all():
                    context = made.get(slug)
                    if context is None or context.name != name:
                        context = made[slug] = Context(name, slug)
                    tags.setdefault(eid, []).append(context)
        return [_entry_from_row(row, tags.get(row[0], ())) for row in rows]

    def contexts(self, *, include_unused: bool = False, limit: int | None = None) -> list[Context]:
        """Every context tag in use, with the number of events carrying it now, most first
        (then by name).

        ``include_unused`` adds the tags only earlier versions carry (count 0): their
        pages exist too, since those versions' pages link to them. ``limit``: only the
        first so many (the home page's busiest tags); of the tags in use, they are read
        without naming every tag: 0.15 s against 0.5 s for all 35,000 tags of a
        100,000-event archive.
        """
        if limit is not None and not include_unused:
            return self._busiest_contexts(limit)
        count = sa.func.count(t.event_contexts.c.event_id)
        with self._read() as conn:
            rows = conn.execute(
                sa.select(t.contexts.c.name, t.contexts.c.slug, count.label("n"))
                .join(
                    t.event_contexts,
                    t.event_contexts.c.context_id == t.contexts.c.id,
                    isouter=include_unused,
                )
                .group_by(t.contexts.c.id, t.contexts.c.name, t.contexts.c.slug)
                .order_by(count.desc(), t.contexts.c.name)
            ).all()
        return [Context(r.name, r.slug, r.n) for r in rows][:limit]

    def _busiest_contexts(self, limit: int) -> list[Context]:
        """:meth:`contexts` ``[:limit]``: counted by id, then only the leaders named."""
        count = sa.func.count().label("n")
        with self._read() as conn:
            counts = conn.execute(
                sa.select(t.event_contexts.c.context_id, count).group_by(
                    t.event_contexts.c.context_id
                )
            ).all()
            if not counts or limit <= 0:
                return []
            # Every tag counted at least as often as the limit-th: ties there go by name.
            least = sorted((n for _, n in counts), reverse=True)[min(limit, len(counts)) - 1]
            leaders = {cid: n for cid, n in counts if n >= least}
            rows = conn.execute(
                sa.select(t.contexts.c.id, t.contexts.c.name, t.contexts.c.slug).where(
                    t.contexts.c.id.in_(list(leaders))
                )
            ).all()
        found = sorted((Context(r.name, r.slug, leaders[r.id]) for r in rows), key=_busiest)
        return found[:limit]

    def related(
        self, event_id: int, limit: int = 10, reader: Reader | None = None
    ) -> list[RelatedEvent]:
        """Events sharing a context tag with this one, best first: most shared tags, then
        the same day, then within eight years, newest first in each (see
        :mod:`dateline.store.related`); ties are broken by slug and id, so the order never
        depends on insertion order.

        ``reader``: a quick reader (:mod:`dateline.store.quick`) already open, to read on.
        """
        if self._conn is not None:
            raise RuntimeError("related() reads committed data; call it outside a transaction")
        index = self._index
        if index is None or not index.loaded:  # a server's pages skip this, loaded at start
            with self._index_lock:
                # The first few lookups by one SQL query each; then the index is loaded.
                cold = self._cold_queries < ranking.WARM_AFTER
                self._cold_queries += cold
            if cold:
                return ranking.related_by_sql(self.engine, event_id, limit)
        return self._related().related(event_id, limit, reader)

    def _related(self) -> RelatedIndex:
        """The related-events index (made, not loaded, on first use)."""
        with self._index_lock:
            if self._index is None:
                from dateline.store.related import RelatedIndex

                self._index = RelatedIndex(self.engine, self.quick)
            return self._index

    def related_many(
        self,
        event_ids: Sequence[int],
        limit: int = 10,
        names: Mapping[int, Sequence[str]] | None = None,
    ) -> dict[int, list[RelatedEvent]]:
        """:meth:`related` of many events, in a few batched queries (for site builds).

        ``names``: the events' tag names in their order, where the caller holds them
        (see :meth:`RelatedIndex.related_many`)."""
        if self._conn is not None:
            raise RuntimeError("related_many() reads committed data; call it outside a transaction")
        return self._related().related_many(event_ids, limit, names)

    def sharing(self, event_id: int) -> dict[int, int]:
        """For each event sharing a tag with ``event_id``: how many tags they share."""
        return self._related().sharing(event_id)

    def related_of(
        self, members: Mapping[int, Sequence[int]], limit: int = 10
    ) -> dict[int, list[RelatedEvent]]:
        """Each event's related list when its members are known (``members``: event id
        to the ids on its list, any order), ordered and described as :meth:`related`
        does, without ranking anything: for a site build whose edits cannot have
        changed who is on those lists (a new headline), only how they show."""
        if self._conn is not None:
            raise RuntimeError("related_of() reads committed data; call it outside a transaction")
        return ranking.describe_many_by_sql(self.engine, members, limit)

    def related_snapshot(
        self, event_ids: Sequence[int], base: RelatedIndex | None = None
    ) -> RelatedIndex:
        """A read-only related index good for ``event_ids`` alone, as they are now: their
        :meth:`~RelatedIndex.related_many` and :meth:`~RelatedIndex.sharing`, for the
        cost of reading their tags' postings instead of the whole index (an
        incremental site build); the tags an earlier snapshot ``base`` read are taken
        from it."""
        return self._related().snapshot(event_ids, base)

    def load_related_index(self, listing: bool | dict[int, tuple[str, str]] = False) -> None:
        """Load the related-events index now: for exports and servers, which ask for many.

        Without it the first few :meth:`related` calls use one SQL query each, which is
        right for a single lookup but slow for thousands. ``listing``: also keep every
        event's slug and headline in memory, so that :meth:`related` reads no rows (a
        server's event pages; see :mod:`dateline.store.listing`); read here, or given
        (every event's ``(slug, headline)`` by id, from entries just read).
        """
        self._related().load(listing)

    # -- writing --------------------------------------------------------------------

    def create_event(
        self,
        content: EventContent,
        *,
        editor: str | None = None,
        note: str | None = None,
        slug: str | None = None,
        created_at: datetime | None = None,
    ) -> Event:
        """A new event whose first version is ``content``; its slug comes from the headline."""
        content = content.validated()
        with self._connect() as conn:
            event_id = _insert_event_row(conn, content, slug or "-")
            chosen = slug or _free_slug(conn, content, event_id)
            version = Version(
                1,
                chosen,
                content,
                created_at or utc_now(),
                validate_editor(editor),
                validate_note(note),
            )
            self._write(conn, event_id, [], [version])
        return self.event(event_id)

    def append_version(
        self,
        event_id: int,
        content: EventContent,
        *,
        editor: str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Record an edit: a new version with ``content``, made by ``editor`` because ``note``.

        ``expected_version`` is the version the edit was based on; if another edit came
        first, StaleVersionError says so and nothing is written. An edit that changes
        nothing adds no version. A new headline gets a new slug; the old slug keeps
        resolving to the version that had it.
        """
        content = content.validated()
        with self._connect() as conn:
            stored = self._lock_versions(conn, event_id)
            current = stored[-1]
            if expected_version is not None and expected_version != current.number:
                raise StaleVersionError(event_id, expected_version, current.number)
            if content == current.content and not current.partial:
                return WriteResult(self.event(event_id), changed=False)
            if content.headline == current.content.headline and not _slug_taken(
                conn, content.date, current.slug, event_id
            ):
                slug = current.slug
            else:
                slug = _free_slug(conn, content, event_id)
            version = Version(
                current.number + 1,
                slug,
                content,
                utc_now(),
                validate_editor(editor),
                validate_note(note),
            )
            self._write(conn, event_id, stored, [*stored, version])
        return WriteResult(self.event(event_id), changed=True)

    def write_history(self, event_id: int | None, versions: Sequence[Version]) -> WriteResult:
        """Store ``versions`` as the whole history of an event (a new one if id is None).

        This is how imports merge what a page says into what is stored. Every complete
        stored version must reappear unchanged at its number; partial versions may be
        completed, changed or renumbered. ConflictError says which version would be lost.
        """
        checked = [replace(v, content=v.content.validated()) for v in versions]
        for position, version in enumerate(checked, 1):
            if version.number != position:
                raise ValueError(
                    f"version numbers must be 1..n, got {version.number} at {position}"
                )
        with self._connect() as conn:
            if event_id is None:
                event_id = _insert_event_row(conn, checked[-1].content, checked[-1].slug)
                self._write(conn, event_id, [], checked)
                return WriteResult(self.event(event_id), changed=True, created=True)
            stored = self._lock_versions(conn, event_id)
            for old in stored:
                if old.partial:
                    continue
                new = checked[old.number - 1] if old.number <= len(checked) else None
                if new != old:
                    raise ConflictError(
                        f"event {event_id}: version {old.number} ({old.slug}) is already stored "
                        "with other content, and stored versions are never rewritten"
                    )
            if list(stored) == checked:
                return WriteResult(self.event(event_id), changed=False)
            self._write(conn, event_id, stored, checked)
        return WriteResult(self.event(event_id), changed=True)

    def bulk_create(self, histories: Iterable[Sequence[Version]], batch_size: int = 5000) -> int:
        """Insert many new events fast (ids assigned here); returns how many.

        For loading large archives into a store nobody else writes to meanwhile: it
        skips the per-event checks that :meth:`write_history` makes against stored data.
        """
        total = 0
        batch: list[Sequence[Version]] = []
        for history in histories:
            batch.append([replace(v, content=v.content.validated()) for v in history])
            if len(batch) >= batch_size:
                total += self._bulk_insert(batch)
                batch = []
        if batch:
            total += self._bulk_insert(batch)
        if self.backend == "postgresql" and total:
            # Ids were assigned here, so move the sequences past them.
            with self._connect() as conn:
                for table, column in (
                    ("events", "id"),
                    ("versions", "id"),
                    ("event_changes", "seq"),
                ):
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                            f"(SELECT max({column}) FROM {table}))"
                        )
                    )
        return total

    # -- internals ------------------------------------------------------------------

    def _lock_versions(self, conn: sa.Connection, event_id: int) -> list[Version]:
        lock = sa.select(t.events.c.id).where(t.events.c.id == event_id)
        if self.backend == "postgresql":
            lock = lock.with_for_update()
        if conn.execute(lock).first() is None:
            raise NotFoundError(f"no event with id {event_id}")
        return _versions_of(conn, event_id)

    def _write(
        self,
        conn: sa.Connection,
        event_id: int,
        stored: Sequence[Version],
        versions: Sequence[Version],
    ) -> None:
        """Replace the changed versions of ``event_id`` and refresh its current state."""
        now = utc_now()
        keep = {v.number for v in stored if not v.partial}
        stale = [v.number for v in stored if v.number not in keep]
        if stale:
            conn.execute(
                sa.delete(t.versions).where(
                    t.versions.c.event_id == event_id, t.versions.c.number.in_(stale)
                )
            )
        new_rows = [_version_row(event_id, v, now) for v in versions if v.number not in keep]
        if new_rows:
            conn.execute(sa.insert(t.versions), new_rows)
        current = versions[-1]
        content = current.content
        conn.execute(
            sa.update(t.events)
            .where(t.events.c.id == event_id)
            .values(
                date=content.date,
                slug=current.slug,
                headline=content.headline,
                current_version=current.number,
                stub=current.partial,
                updated_at=now,
                story_slug=story_slug(content.story),
                retired=_retired_flag(event_id, current.number),  # whoever writes
            )
        )
        conn.execute(sa.delete(t.event_contexts).where(t.event_contexts.c.event_id == event_id))
        # Earlier versions' tags get a row (and a slug) too: their pages link to them.
        _context_ids(conn, [c for v in versions[:-1] for c in v.content.contexts])
        ids = _context_ids(conn, content.contexts)
        if ids:
            conn.execute(
                sa.insert(t.event_contexts),
                [
                    {"event_id": event_id, "context_id": cid, "position": i, "date": content.date}
                    for i, cid in enumerate(ids)
                ],
            )
        conn.execute(sa.delete(t.event_sources).where(t.event_sources.c.event_id == event_id))
        if content.sources:
            conn.execute(
                sa.insert(t.event_sources),
                [
                    {"event_id": event_id, "position": i, "publisher": s.publisher, "url": s.url}
                    for i, s in enumerate(content.sources)
                ],
            )
        take_turn_on_change_log(conn)
        conn.execute(sa.insert(t.event_changes).values(event_id=event_id, changed_at=now))

    def _bulk_insert(self, histories: Sequence[Sequence[Version]]) -> int:
        now = utc_now()
        with self._connect() as conn:
            next_id = (
                int(
                    conn.execute(
                        sa.select(sa.func.coalesce(sa.func.max(t.events.c.id), 0))
                    ).scalar_one()
                )
                + 1
            )
            names = sorted({c for h in histories for v in h for c in v.content.contexts})
            context_ids = dict(zip(names, _context_ids(conn, names), strict=True))
            event_rows: list[dict[str, Any]] = []
            version_rows: list[dict[str, Any]] = []
            tag_rows: list[dict[str, Any]] = []
            source_rows: list[dict[str, Any]] = []
            change_rows: list[dict[str, Any]] = []
            for offset, history in enumerate(histories):
                event_id = next_id + offset
                current = history[-1]
                content = current.content
                event_rows.append(
                    {
                        "id": event_id,
                        "date": content.date,
                        "slug": current.slug,
                        "headline": content.headline,
                        "current_version": current.number,
                        "stub": current.partial,
                        "created_at": now,
                        "updated_at": now,
                        "story_slug": story_slug(content.story),
                    }
                )
                version_rows.extend(_version_row(event_id, v, now) for v in history)
                tag_rows.extend(
                    {
                        "event_id": event_id,
                        "context_id": context_ids[name],
                        "position": i,
                        "date": content.date,
                    }
                    for i, name in enumerate(content.contexts)
                )
                source_rows.extend(
                    {"event_id": event_id, "position": i, "publisher": s.publisher, "url": s.url}
                    for i, s in enumerate(content.sources)
                )
                change_rows.append({"event_id": event_id, "changed_at": now})
            take_turn_on_change_log(conn)
            conn.execute(sa.insert(t.events), event_rows)
            conn.execute(sa.insert(t.versions), version_rows)
            for table, rows in (
                (t.event_contexts, tag_rows),
                (t.event_sources, source_rows),
                (t.event_changes, change_rows),
            ):
                if rows:
                    conn.execute(sa.insert(table), rows)
        return len(histories)

    # -- context aliases and retagging (the vocabulary of dateline/nlp) ---------------

    def record_aliases(self, origin: str, sightings: Iterable[tuple[str, str]]) -> int:
        """Record the links one source shows: ``(text, context name)``, once per link.

        Replaces what ``origin`` (a file's path, a data set's name) recorded before, so a
        source imported twice counts its links once. Returns how many distinct pairs it
        holds. InputError names a text, name or origin that is empty, runs over two
        lines or is longer than 200 characters.
        """
        where = self._alias_field(origin, "origin")
        counts: dict[tuple[str, str], int] = {}
        for text, context in sightings:
            pair = (self._alias_field(text, "alias"), self._alias_field(context, "context"))
            counts[pair] = counts.get(pair, 0) + 1
        with self._connect() as conn:
            conn.execute(sa.delete(t.context_aliases).where(t.context_aliases.c.origin == where))
            if counts:
                conn.execute(
                    sa.insert(t.context_aliases),
                    [
                        {"alias": alias, "context": context, "origin": where, "seen": seen}
                        for (alias, context), seen in counts.items()
                    ],
                )
        return len(counts)

    def aliases(self) -> dict[tuple[str, str], int]:
        """Every ``(text, context name)`` recorded, with how often all sources saw it."""
        a = t.context_aliases.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(a.alias, a.context, sa.func.sum(a.seen)).group_by(a.alias, a.context)
            ).all()
        return {(alias, context): int(seen) for alias, context, seen in rows}

    def alias_origins(self) -> dict[str, int]:
        """Each source that recorded links, with how many distinct pairs it holds."""
        a = t.context_aliases.c
        with self._read() as conn:
            rows = conn.execute(sa.select(a.origin, sa.func.count()).group_by(a.origin)).all()
        return {origin: int(pairs) for origin, pairs in rows}

    def iter_current_versions(self, batch_size: int = 2000) -> Iterator[tuple[int, Version]]:
        """Every event's id and current version, by id, read in batches (a retag's pass)."""
        e, v = t.events.c, t.versions.c
        last = 0
        while True:
            with self._read() as conn:
                rows = (
                    conn.execute(
                        sa.select(t.versions)
                        .join(t.events, sa.and_(e.id == v.event_id, e.current_version == v.number))
                        .where(e.id > last)
                        .order_by(e.id)
                        .limit(batch_size)
                    )
                    .mappings()
                    .all()
                )
            if not rows:
                return
            for row in rows:
                yield row["event_id"], _version_from_row(row)
            last = rows[-1]["event_id"]

    def add_contexts(
        self,
        event_id: int,
        contexts: Sequence[str],
        *,
        note: str,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Add context tags to an event, after the ones it has, which all stay.

        A new version, noted ``note``, when a tag is new; nothing written otherwise.
        StaleVersionError if ``expected_version`` is no longer current, NotFoundError if
        there is no such event, ConflictError for a stub (known only from a link: its
        own page completes it). The tags are checked as any edit's are (InputError).
        """
        with self._connect() as conn:
            current = self._lock_versions(conn, event_id)[-1]
            if expected_version is not None and expected_version != current.number:
                raise StaleVersionError(event_id, expected_version, current.number)
            if current.partial:
                raise ConflictError(
                    f"event {event_id} is known only from a link: import its page before tagging it"
                )
            merged = tuple(dict.fromkeys((*current.content.contexts, *contexts)))
            if merged == current.content.contexts:
                return WriteResult(self.event(event_id), changed=False)
            return self.append_version(
                event_id,
                replace(current.content, contexts=merged),
                note=note,
                expected_version=current.number,
            )

    @staticmethod
    def _alias_field(value: str, name: str) -> str:
        from dateline.errors import InputError  # imported here: this section stands alone

        text = " ".join(value.split())
        if not text or len(text) > 200 or "\n" in value.strip() or "\r" in value.strip():
            raise InputError(
                f"{value[:80]!r} is not usable (expected one line of 1 to 200 characters)",
                field=name,
            )
        return text

    # -- source articles (dateline/model/article.py) -----------------------------------

    def add_article_version(
        self, content: ArticleContent, raw: bytes, ingestion: Ingestion
    ) -> ArticleWrite:
        """Store what one ingestion of an article found, keeping history as for events.

        The article is found by its key (:func:`~dateline.model.article_key`: the
        normalised URL). A new key makes a new article; content equal to the current
        version's changes nothing (whatever the raw bytes or the way they came); other
        content appends a version, and the events linked to the article are logged as
        changed (their pages list it). ``raw`` is the input as read (a gzipped page
        stays gzipped: extraction reads it so); it is kept gzip-compressed. InputError
        names an invalid field.
        """
        content = content.validated()
        ingestion = ingestion.validated()
        key = article_key(content, ingestion)
        now = utc_now()
        a = t.articles.c
        with self._connect() as conn:
            article_id = self._lock_article(conn, key)
            created = article_id is None
            if article_id is None:
                conn.execute(
                    self._insert_ignoring_conflict(t.articles, "key").values(
                        key=key,
                        content_hash=content.content_hash,
                        current_version=0,
                        created_at=now,
                        updated_at=now,
                    )
                )
                article_id = self._lock_article(conn, key)
                assert article_id is not None
            current = (
                conn.execute(
                    sa.select(*_ARTICLE_VERSION_COLUMNS)
                    .join(t.articles, a.id == t.article_versions.c.article_id)
                    .where(a.id == article_id, t.article_versions.c.number == a.current_version)
                )
                .mappings()
                .first()
            )
            if current is not None and _article_content_from_row(current) == content:
                return ArticleWrite(self.article(article_id), "unchanged")
            number = 1 if current is None else current["number"] + 1
            conn.execute(
                sa.insert(t.article_versions).values(
                    article_id=article_id,
                    number=number,
                    **_article_content_row(content),
                    source_format=ingestion.source_format,
                    encoding=ingestion.encoding,
                    raw_gzip=gzip.compress(raw, compresslevel=6, mtime=0),
                    raw_size=len(raw),
                    raw_sha256=hashlib.sha256(raw).hexdigest(),
                    ingest_method=ingestion.method,
                    ingest_source=ingestion.source,
                    ingested_at=now,
                )
            )
            conn.execute(
                sa.update(t.articles)
                .where(a.id == article_id)
                .values(
                    url=content.url,
                    title=content.title,
                    publisher=content.publisher,
                    domain=content.domain,
                    published=content.published,
                    language=content.language,
                    content_hash=content.content_hash,
                    current_version=number,
                    updated_at=now,
                )
            )
            # Its page, and its copies' pages (they show its title and date), changed.
            lead = conn.execute(
                sa.select(t.article_signatures.c.representative_id).where(
                    t.article_signatures.c.article_id == article_id
                )
            ).scalar_one_or_none()
            group = [] if lead is None else self.copy_group_members([lead])
            log_article_changes(conn, [article_id, *group], now)
            linked = list(
                conn.execute(
                    sa.select(t.article_events.c.event_id).where(
                        t.article_events.c.article_id == article_id
                    )
                ).scalars()
            )
            if linked:
                take_turn_on_change_log(conn)
                conn.execute(
                    sa.insert(t.event_changes),
                    [{"event_id": event_id, "changed_at": now} for event_id in linked],
                )
            return ArticleWrite(self.article(article_id), "new" if created else "version")

    def article(self, article_id: int) -> Article:
        """The article with this id and its whole history; NotFoundError if there is none."""
        found = self.articles([article_id])
        if not found:
            raise NotFoundError(f"no article with id {article_id}")
        return found[0]

    def articles(self, ids: Sequence[int]) -> list[Article]:
        """The articles ``ids`` with their history, in the order given (missing: left out)."""
        a, v = t.articles.c, t.article_versions.c
        keys: dict[int, str] = {}
        history: dict[int, list[ArticleVersion]] = {}
        with self._read() as conn:
            for start in range(0, len(ids), 900):
                chunk = list(ids[start : start + 900])
                keys.update(conn.execute(sa.select(a.id, a.key).where(a.id.in_(chunk))).all())
                rows = conn.execute(
                    sa.select(*_ARTICLE_VERSION_COLUMNS)
                    .where(v.article_id.in_(chunk))
                    .order_by(v.article_id, v.number)
                ).mappings()
                for row in rows:
                    history.setdefault(row["article_id"], []).append(_article_version(row))
        return [Article(i, keys[i], tuple(history[i])) for i in ids if history.get(i)]

    def find_article_by_url(self, url: str) -> Article | None:
        """The article stored under ``url``'s key (any spelling of it), or None."""
        with self._read() as conn:
            query = sa.select(t.articles.c.id).where(t.articles.c.key == article_url_key(url))
            article_id = conn.execute(query).scalar_one_or_none()
        return None if article_id is None else self.article(article_id)

    def article_raw(self, article_id: int, number: int | None = None) -> bytes:
        """The input that version ``number`` (default: current) was extracted from, byte
        for byte as read; NotFoundError if there is no such article or version."""
        a, v = t.articles.c, t.article_versions.c
        query = sa.select(v.raw_gzip).join(t.articles, a.id == v.article_id)
        query = query.where(
            a.id == article_id, v.number == (a.current_version if number is None else number)
        )
        with self._read() as conn:
            packed = conn.execute(query).scalar_one_or_none()
        if packed is None:
            which = "" if number is None else f" version {number}"
            raise NotFoundError(f"no article{which} with id {article_id}")
        return gzip.decompress(packed)

    def count_articles(self) -> int:
        with self._read() as conn:
            query = sa.select(sa.func.count()).select_from(t.articles)
            return int(conn.execute(query).scalar_one())

    def iter_articles(self, batch_size: int = 200) -> Iterator[Article]:
        """Every article with its history, by id, read in batches."""
        last = 0
        while True:
            with self._read() as conn:
                ids = list(
                    conn.execute(
                        sa.select(t.articles.c.id)
                        .where(t.articles.c.id > last, t.articles.c.current_version > 0)
                        .order_by(t.articles.c.id)
                        .limit(batch_size)
                    ).scalars()
                )
            if not ids:
                return
            yield from self.articles(ids)
            last = ids[-1]

    def articles_waiting(self, limit: int | None = None) -> list[Article]:
        """Articles linked to no event (to be reviewed or linked), oldest first."""
        a = t.articles.c
        linked = sa.select(t.article_events.c.article_id).where(
            t.article_events.c.article_id == a.id
        )
        query = sa.select(a.id).where(~linked.exists(), a.current_version > 0).order_by(a.id)
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            ids = list(conn.execute(query).scalars())
        return self.articles(ids)

    def attach_article(
        self, article_id: int, event_id: int, *, score: float, reason: str, method: str
    ) -> ArticleLink:
        """Link an article to an event it reports (or update the link's score, reason and
        method). NotFoundError if either does not exist; InputError for a score outside
        0 to 1 or a reason or method that is not one line. The event is logged as changed.
        """
        score, reason, method = validate_link(score, reason, method)
        now = utc_now()
        e = t.article_events.c
        with self._connect() as conn:
            self._require(conn, t.articles, article_id, "article")
            self._require(conn, t.events, event_id, "event")
            where = sa.and_(e.article_id == article_id, e.event_id == event_id)
            created_at = conn.execute(sa.select(e.created_at).where(where)).scalar_one_or_none()
            values = {"score": score, "reason": reason, "method": method}
            if created_at is None:
                created_at = now
                conn.execute(
                    sa.insert(t.article_events).values(
                        article_id=article_id, event_id=event_id, created_at=now, **values
                    )
                )
            else:
                conn.execute(sa.update(t.article_events).where(where).values(**values))
            take_turn_on_change_log(conn)
            conn.execute(sa.insert(t.event_changes).values(event_id=event_id, changed_at=now))
            log_article_changes(conn, [article_id], now)
        return ArticleLink(article_id, event_id, score, reason, method, created_at)

    def detach_article(self, article_id: int, event_id: int) -> bool:
        """Remove the link between an article and an event; False if there was none."""
        e = t.article_events.c
        with self._connect() as conn:
            removed = conn.execute(
                sa.delete(t.article_events).where(
                    e.article_id == article_id, e.event_id == event_id
                )
            ).rowcount
            if removed:
                now = utc_now()
                take_turn_on_change_log(conn)
                conn.execute(sa.insert(t.event_changes).values(event_id=event_id, changed_at=now))
                log_article_changes(conn, [article_id], now)
        return bool(removed)

    def article_links(self, article_id: int) -> list[ArticleLink]:
        """The events an article is linked to, best score first."""
        e = t.article_events.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(t.article_events)
                .where(e.article_id == article_id)
                .order_by(e.score.desc(), e.event_id)
            ).mappings()
        return [_article_link(row) for row in rows]

    def articles_for_event(self, event_id: int) -> list[LinkedArticle]:
        """The articles linked to an event: best score first, then oldest publication."""
        e, a = t.article_events.c, t.articles.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(t.article_events)
                .join(t.articles, a.id == e.article_id)
                .where(e.event_id == event_id)
                .order_by(e.score.desc(), a.published.is_(None), a.published, a.id)
            ).mappings()
        links = [_article_link(row) for row in rows]
        found = {article.id: article for article in self.articles([k.article_id for k in links])}
        return [LinkedArticle(found[k.article_id], k) for k in links]

    def events_citing(self, urls: Sequence[str]) -> dict[str, set[int]]:
        """For each of ``urls`` that some event's current sources cite verbatim: the events."""
        s = t.event_sources.c
        found: dict[str, set[int]] = {}
        with self._read() as conn:
            for start in range(0, len(urls), 900):
                chunk = list(urls[start : start + 900])
                for url, event_id in conn.execute(
                    sa.select(s.url, s.event_id).where(s.url.in_(chunk)).distinct()
                ):
                    found.setdefault(url, set()).add(event_id)
        return found

    def _lock_article(self, conn: sa.Connection, key: str) -> int | None:
        """The id of the article with ``key``, locked until the transaction ends (PostgreSQL;
        SQLite's write transaction holds the whole database already)."""
        query = sa.select(t.articles.c.id).where(t.articles.c.key == key)
        if self.backend == "postgresql":
            query = query.with_for_update()
        found = conn.execute(query).scalar_one_or_none()
        return None if found is None else int(found)

    def _insert_ignoring_conflict(self, table: sa.Table, column: str) -> Any:
        """An INSERT that does nothing when a row with the same ``column`` exists: two
        ingests storing one new article at once then both find the one row."""
        from sqlalchemy.dialects import postgresql, sqlite

        dialect = postgresql if self.backend == "postgresql" else sqlite
        return dialect.insert(table).on_conflict_do_nothing(index_elements=[column])

    @staticmethod
    def _require(conn: sa.Connection, table: sa.Table, row_id: int, what: str) -> None:
        if conn.execute(sa.select(table.c.id).where(table.c.id == row_id)).first() is None:
            raise NotFoundError(f"no {what} with id {row_id}")

    # -- API tokens and retired events (the HTTP API's writes, dateline/web) -----------

    def create_token(self, name: str) -> tuple[ApiToken, str]:
        """A new API token for ``name``: the record, and the token itself.

        The token is returned this once and never stored (only its SHA-256 is:
        :mod:`dateline.store.tokens` says why a fast hash is right). InputError on the
        ``name`` field if the name is invalid or an active token already has it.
        """
        checked = validate_token_name(name)
        secret = new_token()
        now = utc_now()
        taken = InputError(
            f"a token named {checked!r} exists (revoke it first, or choose another name)",
            field="name",
        )
        try:
            with self._connect() as conn:
                active = sa.select(t.api_tokens.c.id).where(
                    t.api_tokens.c.name == checked, t.api_tokens.c.revoked_at.is_(None)
                )
                if conn.execute(active).first() is not None:
                    raise taken
                result = conn.execute(
                    sa.insert(t.api_tokens).values(
                        name=checked, token_sha256=token_digest(secret), created_at=now
                    )
                )
        except sa.exc.IntegrityError:  # another process made one with this name meanwhile
            raise taken from None
        key = result.inserted_primary_key
        assert key is not None
        return ApiToken(int(key[0]), checked, now), secret

    def tokens(self) -> list[ApiToken]:
        """Every API token ever made, revoked ones too, oldest first."""
        with self._read() as conn:
            rows = conn.execute(sa.select(t.api_tokens).order_by(t.api_tokens.c.id)).mappings()
            return [_api_token(row) for row in rows]

    def revoke_token(self, ref: str) -> ApiToken:
        """Revoke the token with id ``ref`` (digits) or the active token named ``ref``.

        NotFoundError if there is none, ConflictError if it is revoked already.
        """
        text = ref.strip()
        table = t.api_tokens
        with self._connect() as conn:
            if text.isdigit():
                query = sa.select(table).where(table.c.id == int(text))
            else:  # the active token of that name, else its newest revoked one (to say so)
                query = (
                    sa.select(table)
                    .where(table.c.name == text)
                    .order_by(table.c.revoked_at.is_not(None), table.c.id.desc())
                    .limit(1)
                )
            row = conn.execute(query).mappings().first()
            if row is None:
                raise NotFoundError(
                    f"no API token with the {'id' if text.isdigit() else 'name'} {text!r}"
                )
            token = _api_token(row)
            if token.revoked_at is not None:
                raise ConflictError(
                    f"token {token.id} ({token.name}) was revoked already, at {token.revoked_at}"
                )
            now = utc_now()
            conn.execute(sa.update(table).where(table.c.id == token.id).values(revoked_at=now))
        return replace(token, revoked_at=now)

    def use_token(self, secret: str) -> ApiToken | None:
        """The token whose digest matches ``secret`` (None if none), revoked ones too: the
        caller tells "unknown" from "revoked". An active token's last use becomes now,
        to within :data:`LAST_USED_PRECISION`: a script writing many times a second
        would otherwise add a write (and a wait for the database) to each of its own."""
        digest = token_digest(secret)
        if digest is None:
            return None
        table = t.api_tokens
        with self._read() as conn:
            row = conn.execute(sa.select(table).where(table.c.token_sha256 == digest)).mappings()
            found = row.first()
        if found is None:
            return None
        token = _api_token(found)
        if token.revoked:
            return token
        now = utc_now()
        last = token.last_used_at
        if last is not None and abs(now - last) < LAST_USED_PRECISION:
            return token
        with self._connect() as conn:
            conn.execute(sa.update(table).where(table.c.id == token.id).values(last_used_at=now))
        return replace(token, last_used_at=now)

    def retired_versions(self, event_id: int) -> frozenset[int]:
        """The numbers of the versions that retired the event (an event is retired while
        its current version is one of them)."""
        v = t.versions
        query = sa.select(v.c.number).where(v.c.event_id == event_id, v.c.retired)
        with self._read() as conn:
            return frozenset(int(n) for n in conn.execute(query).scalars())

    def edit_event(
        self,
        event_id: int,
        content: EventContent,
        *,
        editor: str | None,
        note: str | None,
        expected_version: int,
    ) -> WriteResult:
        """:meth:`append_version` as the API's ``PUT`` does it, checked and written in one
        transaction. An edit of a retired event brings it back, also when the content is
        unchanged (then the new version differs from the last only in not retiring it).
        """
        with self._connect() as conn:
            stored = self._lock_versions(conn, event_id)
            current = stored[-1]
            if expected_version != current.number:
                raise StaleVersionError(event_id, expected_version, current.number)
            if not self._is_retired(conn, event_id, current.number):
                return self.append_version(
                    event_id, content, editor=editor, note=note, expected_version=expected_version
                )
            checked = content.validated()
            if checked != current.content:
                return self.append_version(
                    event_id, content, editor=editor, note=note, expected_version=expected_version
                )
            self._add_flagged_version(conn, event_id, stored, editor, note, retired=False)
        return WriteResult(self.event(event_id), changed=True)

    def retire_event(
        self, event_id: int, *, editor: str | None, note: str | None, expected_version: int
    ) -> Event:
        """Retire an event: a new version with the same content, flagged as retiring it.

        History stays as it was, and the event stays readable at all its addresses.
        StaleVersionError if ``expected_version`` is not current, ConflictError if the
        event is retired already, NotFoundError if there is no such event.
        """
        with self._connect() as conn:
            stored = self._lock_versions(conn, event_id)
            current = stored[-1]
            if expected_version != current.number:
                raise StaleVersionError(event_id, expected_version, current.number)
            if self._is_retired(conn, event_id, current.number):
                raise ConflictError(
                    f"event {event_id} is retired already (by version {current.number})"
                )
            self._add_flagged_version(conn, event_id, stored, editor, note, retired=True)
        return self.event(event_id)

    def _is_retired(self, conn: sa.Connection, event_id: int, number: int) -> bool:
        v = t.versions
        query = sa.select(v.c.retired).where(v.c.event_id == event_id, v.c.number == number)
        return bool(conn.execute(query).scalar_one())

    def _add_flagged_version(
        self,
        conn: sa.Connection,
        event_id: int,
        stored: Sequence[Version],
        editor: str | None,
        note: str | None,
        *,
        retired: bool,
    ) -> None:
        """A version repeating the current one's content, retiring the event or not."""
        current = stored[-1]
        version = Version(
            current.number + 1,
            current.slug,  # the event's own slug on its own day: no other event takes it
            current.content,
            utc_now(),
            validate_editor(editor),
            validate_note(note),
        )
        self._write(conn, event_id, stored, [*stored, version])
        v = t.versions
        conn.execute(
            sa.update(v)
            .where(v.c.event_id == event_id, v.c.number == version.number)
            .values(retired=retired)
        )
        conn.execute(sa.update(t.events).where(t.events.c.id == event_id).values(retired=retired))


LAST_USED_PRECISION = timedelta(minutes=1)
"""How closely a token's last use is kept (see :meth:`Store.use_token`)."""
_ARTICLE_VERSION_COLUMNS = [c for c in t.article_versions.c if c.name != "raw_gzip"]
"""Every column of ``article_versions`` but the raw input, which only re-extraction reads."""


def _article_link(row: sa.RowMapping) -> ArticleLink:
    return ArticleLink(
        article_id=row["article_id"],
        event_id=row["event_id"],
        score=row["score"],
        reason=row["reason"],
        method=row["method"],
        created_at=row["created_at"],
    )


def _article_content_row(content: ArticleContent) -> dict[str, Any]:
    return {
        "url": content.url,
        "publisher": content.publisher,
        "domain": content.domain,
        "title": content.title,
        "authors": list(content.authors),
        "published": content.published,
        "date_method": content.date_method,
        "language": content.language,
        "lede": content.lede,
        "text": content.text,
        "image_url": content.image_url,
        "content_hash": content.content_hash,
    }


def _article_content_from_row(row: sa.RowMapping) -> ArticleContent:
    return ArticleContent(
        url=row["url"],
        publisher=row["publisher"],
        domain=row["domain"],
        title=row["title"],
        authors=tuple(row["authors"]),
        published=row["published"],
        date_method=row["date_method"],
        language=row["language"],
        lede=row["lede"],
        text=row["text"],
        image_url=row["image_url"],
        content_hash=row["content_hash"],
    )


def _article_version(row: sa.RowMapping) -> ArticleVersion:
    return ArticleVersion(
        number=row["number"],
        content=_article_content_from_row(row),
        ingestion=Ingestion(
            method=row["ingest_method"],
            source=row["ingest_source"],
            source_format=row["source_format"],
            encoding=row["encoding"],
        ),
        ingested_at=row["ingested_at"],
        raw_size=row["raw_size"],
        raw_sha256=row["raw_sha256"],
    )


def open_store(url: str | None = None, *, migrate_schema: bool = True) -> Store:
    """Open (creating and migrating if needed) the archive at ``url``.

    ``url`` is a SQLite path, a ``sqlite:///`` or ``postgresql://`` URL, or None for
    ``$DATELINE_DATABASE_URL`` or ``dateline.db``. StoreUnavailableError if it cannot
    be reached.
    """
    engine = create_engine(resolve_database_url(url))
    if migrate_schema:
        try:
            migrate(engine)
        except BaseException:
            engine.dispose()
            raise
    return Store(engine)


# -- rows <-> model --------------------------------------------------------------------


def _version_rows(conn: sa.Connection, event_id: int) -> list[sa.RowMapping]:
    """The rows of every stored version of an event, oldest first (empty: no such event)."""
    query = (
        sa.select(t.versions).where(t.versions.c.event_id == event_id).order_by(t.versions.c.number)
    )
    return list(conn.execute(query).mappings())


def _same(value: Any) -> Any:
    """A value the driver already gave as Python's type (PostgreSQL's dates)."""
    return value


_VERSION_COLUMNS = (
    "event_id, number, date, slug, headline, summary, story, category, cover_image, "
    "contexts, sources, partial, created_at, editor, note, retired"
)
"""What :meth:`Store.events` reads of each version, in this order."""
_VERSION_FIELDS = tuple(name.strip() for name in _VERSION_COLUMNS.split(","))


def _entries_select() -> sa.Select[Any]:
    """The columns of :class:`EventEntry` (less its tags), for a ``where`` to be added."""
    e, v = t.events.c, t.versions.c
    return sa.select(
        e.id,
        e.date,
        e.slug,
        e.headline,
        v.summary,
        v.category,
        v.story,
        e.updated_at,
        e.stub,
        e.retired,
    ).join(t.versions, sa.and_(v.event_id == e.id, v.number == e.current_version))


def _entry_tags_select() -> sa.Select[Any]:
    """``(event id, tag name, tag slug)`` in each event's order, for a ``where`` on the id."""
    ec, c = t.event_contexts.c, t.contexts.c
    return (
        sa.select(ec.event_id, c.name, c.slug)
        .join(t.contexts, c.id == ec.context_id)
        .order_by(ec.event_id, ec.position)
    )


def _busiest(context: Context) -> tuple[int, str]:
    return (-(context.event_count or 0), context.name)


def _entry_from_row(row: Sequence[Any], contexts: Sequence[Context]) -> EventEntry:
    """An :class:`EventEntry` from a row of :func:`_entries_select` and its tags."""
    eid, day, slug, headline, summary, category, story, updated_at, stub, retired = row
    return EventEntry(
        eid,
        day,
        slug,
        headline,
        summary,
        category,
        story,
        tuple(contexts),
        updated_at,
        stub,
        bool(retired),
    )


def _versions_of(conn: sa.Connection, event_id: int) -> list[Version]:
    """Every stored version of an event, oldest first (empty if there is no such event)."""
    return [_version_from_row(row) for row in _version_rows(conn, event_id)]


def _event_from_rows(event_id: int, rows: Sequence[Mapping[Any, Any]]) -> Event:
    """The event whose version rows (oldest first) are ``rows``, with the versions that
    retired it."""
    retiring = frozenset(int(row["number"]) for row in rows if row["retired"])
    return Event(event_id, tuple(_version_from_row(row) for row in rows), retiring)


def _version_row(event_id: int, version: Version, recorded_at: datetime) -> dict[str, Any]:
    content = version.content
    return {
        "event_id": event_id,
        "number": version.number,
        "date": content.date,
        "slug": version.slug,
        "headline": content.headline,
        "summary": content.summary,
        "story": content.story,
        "category": content.category,
        "cover_image": content.cover_image,
        "contexts": list(content.contexts),
        "sources": [{"publisher": s.publisher, "url": s.url} for s in content.sources],
        "partial": version.partial,
        "created_at": version.created_at,
        "editor": version.editor,
        "note": version.note,
        "recorded_at": recorded_at,
    }


def _version_from_row(row: Mapping[Any, Any]) -> Version:
    """A version of its row, as SQLAlchemy gives it or as the driver does
    (:meth:`Store.events`): SQLite's dates, times and JSON as text and its booleans as
    numbers, PostgreSQL's as Python's own types."""
    day, contexts, sources, created_at = (
        row["date"],
        row["contexts"],
        row["sources"],
        row["created_at"],
    )
    content = EventContent(
        date=date.fromisoformat(day) if type(day) is str else day,
        headline=row["headline"],
        summary=row["summary"],
        story=row["story"],
        category=row["category"],
        contexts=tuple(json.loads(contexts) if type(contexts) is str else contexts),
        sources=tuple(
            Source(s["publisher"], s["url"])
            for s in (json.loads(sources) if type(sources) is str else sources)
        ),
        cover_image=row["cover_image"],
    )
    return Version(
        number=row["number"],
        slug=row["slug"],
        content=content,
        created_at=datetime.fromisoformat(created_at) if type(created_at) is str else created_at,
        editor=row["editor"],
        note=row["note"],
        partial=bool(row["partial"]),
    )


def _insert_event_row(conn: sa.Connection, content: EventContent, slug: str) -> int:
    now = utc_now()
    result = conn.execute(
        sa.insert(t.events).values(
            date=content.date,
            slug=slug,
            headline=content.headline,
            current_version=0,
            stub=False,
            created_at=now,
            updated_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _slug_taken(conn: sa.Connection, day: date, slug: str, event_id: int) -> bool:
    """Whether another event has (or had) ``slug`` on ``day``."""
    query = sa.select(t.versions.c.id).where(
        t.versions.c.date == day, t.versions.c.slug == slug, t.versions.c.event_id != event_id
    )
    return conn.execute(query.limit(1)).first() is not None


def _free_slug(conn: sa.Connection, content: EventContent, event_id: int) -> str:
    """A slug for ``content`` that no *other* event uses on the same day.

    The headline's slug when free, else the slug with ``-2``, ``-3``... (a headline with
    no letters at all gets ``event-<id>``).
    """
    base = slug_for_headline(content.headline) or f"event-{event_id}"
    taken = set(
        conn.execute(
            sa.select(t.versions.c.slug).where(
                t.versions.c.date == content.date,
                t.versions.c.event_id != event_id,
                t.versions.c.slug.like(base[:130] + "%"),
            )
        ).scalars()
    )
    taken.add("index")  # the day's index page lives at index.<ext>
    if base not in taken:
        return base
    for n in range(2, len(taken) + 3):
        suffix = f"-{n}"
        candidate = base[: 140 - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable: more candidates than taken slugs")


def _context_ids(conn: sa.Connection, names: Sequence[str]) -> list[int]:
    """Ids of the context tags ``names`` (in order), creating the missing ones in one go.

    A new tag's slug is its name's slug, with ``-2``, ``-3``... when another tag took
    it (``Homs`` and ``HOMS``); a name with no letters gets ``context``.
    """
    if not names:
        return []
    wanted = list(dict.fromkeys(names))
    found = _select_in(conn, t.contexts.c.name, wanted)
    missing = [name for name in wanted if name not in found]
    if missing:
        bases = {name: context_slug(name) or "context" for name in missing}
        taken = set(
            _select_in(
                conn, t.contexts.c.slug, sorted(set(bases.values())), value=t.contexts.c.slug
            )
        )
        rows = []
        for name in missing:
            base = slug = bases[name]
            if slug in taken:  # numbered variants may exist too: fetch them once
                taken |= set(_slugs_starting(conn, base[:130] + "-"))
            n = 1
            while slug in taken:
                n += 1
                slug = f"{base[:130].rstrip('-')}-{n}"
            taken.add(slug)
            rows.append({"name": name, "slug": slug})
        conn.execute(sa.insert(t.contexts), rows)
        found.update(_select_in(conn, t.contexts.c.name, missing))
    return [found[name] for name in names]


def _tagged(slug: str) -> sa.Select[tuple[int]]:
    """The ids of the events tagged with the context whose slug is ``slug``."""
    return (
        sa.select(t.event_contexts.c.event_id)
        .join(t.contexts, t.contexts.c.id == t.event_contexts.c.context_id)
        .where(t.contexts.c.slug == slug)
    )


def _select_in(
    conn: sa.Connection,
    key: sa.Column[str],
    values: Sequence[str],
    value: sa.Column[Any] | None = None,
) -> dict[str, Any]:
    """``{key: value}`` of the contexts whose ``key`` is in ``values`` (value: the id)."""
    column = t.contexts.c.id if value is None else value
    found: dict[str, Any] = {}
    for start in range(0, len(values), 900):
        chunk = values[start : start + 900]
        found.update(conn.execute(sa.select(key, column).where(key.in_(chunk))).all())
    return found


def _slugs_starting(conn: sa.Connection, prefix: str) -> list[str]:
    # Slugs are [a-z0-9-] only, so the prefix holds no LIKE wildcards.
    query = sa.select(t.contexts.c.slug).where(t.contexts.c.slug.like(prefix + "%"))
    return list(conn.execute(query).scalars())


def _retired_flag(event_id: int, number: int) -> sa.ScalarSelect[Any]:
    """Whether version ``number`` of the event retires it: the event's current state."""
    v = t.versions
    return (
        sa.select(v.c.retired)
        .where(v.c.event_id == event_id, v.c.number == number)
        .scalar_subquery()
    )


def _api_token(row: sa.RowMapping) -> ApiToken:
    return ApiToken(
        id=row["id"],
        name=row["name"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )
