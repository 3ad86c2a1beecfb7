"""Full-text search over the archive's events: a tantivy index kept beside the database.

Why tantivy and not the database's own full-text search: measured at 1,000,000 events
(issue 4), SQLite FTS5 answered 1-3 word queries with a p99 of 113 ms (AND) and
PostgreSQL's GIN tsvector 275 ms, where tantivy took 4-5 ms; the target is 20 ms. An
index beside the database also searches both backends alike (same analyser, same BM25).

Keeping it right without trusting it: the index is a cache of the database. It records
the sequence number of the last change it holds (``event_changes.seq``), written only
after tantivy has committed the documents. :meth:`SearchIndex.catch_up` re-indexes the
events changed since then; re-indexing an event deletes its document first, so doing it
twice is harmless. A crash between tantivy's commit and the sequence file therefore
loses nothing (the changes are applied again), and :meth:`SearchIndex.rebuild` makes
the index again from the database (``dateline search --rebuild``). Every search catches
up first (one indexed ``max(seq)`` query when nothing changed), so a search always sees
every write, whichever process made it.

A hit carries its event as lists show it (:class:`~dateline.model.EventEntry`), read
from the index's stored fields, so that a search answers without reading the database:
the 20 rows of a page of hits cost 1 ms of a 4.5 ms search request at 1,000,000
events (in process, bench/out/serve), where the index hands them over with the
documents it fetches anyway for the snippets. They are as current as the catch-up
before the search, as the rows the database would have given then.

One process writes at a time: a catch-up holds a file lock beside the folder
(``<folder>.lock``, filelock) and tantivy's own. A search that finds them taken
(another process is catching up) searches what is committed. Opening the folder (which
replaces an index of another format) takes the same lock, so the workers of one server
starting together never remove an index another is opening, and so does swapping in a
rebuilt index (:meth:`SearchIndex.rebuild` builds it beside the folder, while servers
go on searching the old one). An index holding changes the database does
not have (the database was replaced by a copy or a backup) is made again from the
database at its next catch-up.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
import tantivy
from filelock import FileLock, Timeout

from dateline.errors import InputError
from dateline.model import Context, EventEntry, story_slug
from dateline.store import Store

INDEX_FORMAT = 3
"""Bumped when the schema below changes: an index of another format is rebuilt."""
STATE_FILE = "dateline-search.json"
SEARCHED_FIELDS = ("headline", "summary", "story", "contexts")
FIELD_BOOSTS = {"headline": 2.0, "contexts": 1.5, "story": 1.2, "summary": 1.0}
"""A word in the headline or the tags says more about an event than one in its summary."""
MAX_LIMIT = 200
MAX_QUERY_LENGTH = 500
WRITER_HEAP = 64_000_000
BATCH = 20_000
LOCK_POLL_SECONDS = 0.2
_NOT_SYNTAX = re.compile(r"[^\w\s\"()*+-]|(?<!\S)[-+](?!\w)|(?<=\S)[-+]")
"""Characters that are not part of the query language users get (words, "phrases",
parentheses, OR/AND, -word, +word, word*): read as spaces, so that punctuation and SQL
(``homs'; DROP TABLE events; --``) are just words. Field syntax (``id:1``) goes too: it
would reach fields that are not searched."""


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_integer_field("day", stored=True, indexed=True, fast=True)  # yyyymmdd
    builder.add_integer_field("retired", stored=True, indexed=True, fast=True)  # 0 or 1
    for name in SEARCHED_FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name="en_stem")
    for name in ("context_slug", "story_slug", "category"):
        builder.add_text_field(name, stored=False, tokenizer_name="raw")
    # The rest of the event's entry, which the fields above do not store: JSON of
    # [slug, category, [[context name, slug]...], updated_at, stub].
    builder.add_bytes_field("entry", stored=True)
    return builder.build()


@dataclass(frozen=True)
class SearchFilters:
    """What a search may be narrowed to (the API's event-list filters)."""

    first: date | None = None
    last: date | None = None
    context: str | None = None
    """A context slug."""
    story: str | None = None
    """A story slug."""
    category: str | None = None


@dataclass(frozen=True)
class SearchHit:
    """One event found, as lists show it: its BM25 score and the matching passages as
    safe HTML (the text escaped, the matched words in ``<b>``). A retired event is
    still found (it stays readable, marked so)."""

    entry: EventEntry
    score: float
    snippets: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[SearchHit]
    offset: int


def default_index_path(store: Store) -> Path:
    """Where the index of ``store`` lives unless ``$DATELINE_SEARCH_DIR`` says: beside a
    SQLite file (``archive.db.search``); for a server database, in the user's cache
    folder, named after the server and database."""
    configured = os.environ.get("DATELINE_SEARCH_DIR")
    if configured:
        return Path(configured)
    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return Path(url.database + ".search")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    name = f"{url.host or 'local'}-{url.port or 'default'}-{url.database or 'default'}"
    return cache / "dateline" / "search" / name


class SearchIndex:
    """The search index of one store, in folder ``path``."""

    def __init__(self, store: Store, path: Path | None = None) -> None:
        self.store = store
        self.path = path or default_index_path(store)
        self.schema = _schema()
        self._index = self._open()
        self._held = 0  # the seq the index was last seen holding (a floor: see catch_up)
        self._catching_up = threading.Lock()

    # -- keeping up ---------------------------------------------------------------------

    @property
    def seq(self) -> int:
        """The last database change the index holds (0: none)."""
        state = self._state()
        return int(state.get("seq", 0)) if state else 0

    def behind(self) -> bool:
        """Whether the database changed since this process last saw the index hold it:
        then :meth:`catch_up` has work (or at least a state file to read), which may
        take seconds (segment merges); otherwise it costs this one quick read."""
        with self.store.quick.connection() as reader:
            return reader.last_change() != self._held

    def catch_up(self) -> int:
        """Index the events changed since the last catch-up; how many were re-indexed."""
        # Asked before every search, so the usual answer ("nothing new") costs one quick
        # read: the state file is read only when the database has moved past what this
        # process last saw the index hold (another process may have caught up since).
        if not self.behind():
            return 0
        with self._catching_up:  # one thread of the process at a time; the others wait
            return self._catch_up()

    def _catch_up(self) -> int:
        with self.store.quick.connection() as reader:  # again: another thread may have
            latest = reader.last_change()  # caught up, and written, while this one waited
        if latest == self._held:
            return 0
        held = self._held = self.seq
        if latest == held:  # another process caught up: see what it committed
            self._index.reload()
            return 0
        if held > latest:  # the database is not the one indexed: a copy, a backup
            return self.rebuild()
        changed = self.store.changed_since(held)
        lock = self._folder_lock()
        while True:
            writer = self._writer(lock)
            if writer is not None:
                break
            if held > 0:  # another process is catching up, or swapping in a rebuilt index:
                return 0  # meanwhile, search what is committed
            # The index was never complete: searching it would miss most of the archive
            # (a server's workers starting together: one builds, the others wait for it,
            # or build it themselves if it gave up).
            time.sleep(LOCK_POLL_SECONDS)
            if self.seq > 0:
                self._index.reload()
                return self._catch_up()
        try:
            for start in range(0, len(changed), BATCH):
                ids = changed[start : start + BATCH]
                for event_id in ids:
                    writer.delete_documents_by_term("id", event_id)
                self._add(writer, self.store.entries(ids))
            writer.commit()
            writer.wait_merging_threads()
            self._write_state(latest)
        finally:
            del writer  # tantivy's lock goes with it, before the folder's (see rebuild)
            lock.release()
        self._held = latest
        self._index.reload()
        return len(changed)

    def _writer(self, lock: FileLock) -> tantivy.IndexWriter | None:
        """The index's writer, with the folder lock ``lock`` held; None (and neither
        held) while another process writes to the folder or swaps in a rebuilt one."""
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return None
        try:
            return self._index.writer(heap_size=WRITER_HEAP, num_threads=1)
        except ValueError:  # another process holds tantivy's writer lock
            lock.release()
            return None

    def rebuild(self, on_batch: Any = None) -> int:
        """Index every event again from the database; the number indexed.

        Built in a folder beside the index (``<folder>.rebuilding``) and swapped in
        whole, so that a server running meanwhile keeps searching, and catching up on,
        the index it has: removing the folder first, as this once did, left the
        server's next catch-up waiting for the end of the rebuild (minutes at
        1,000,000 events), since a folder without its state looks never indexed. The
        swap takes the folder lock, which a catch-up holds while it writes: no process
        is writing to the folder it renames. Changes made during the rebuild are in
        neither index's state past the rebuild's start, so the next catch-up applies
        them to the new one. One rebuild at a time (``<folder>.rebuilding.lock``).
        """
        building = self.path.with_name(self.path.name + ".rebuilding")
        with FileLock(f"{building}.lock"):
            shutil.rmtree(building, ignore_errors=True)  # what a dead rebuild left
            latest = self.store.last_change()
            count = self._build(building, on_batch)
            self._write_state(latest, building)
            with self._folder_lock():
                retired = self.path.with_name(self.path.name + ".replaced")
                shutil.rmtree(retired, ignore_errors=True)
                if self.path.exists():
                    os.replace(self.path, retired)
                os.replace(building, self.path)
            shutil.rmtree(retired, ignore_errors=True)  # open files stay readable (POSIX)
        self._index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        self._held = latest
        return count

    def _build(self, folder: Path, on_batch: Any) -> int:
        """A whole index of the archive in ``folder`` (new), committed."""
        folder.mkdir(parents=True)
        index = tantivy.Index(self.schema, path=str(folder), reuse=False)
        writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
        count = 0
        batch: list[EventEntry] = []
        for entry in self.store.iter_entries():
            batch.append(entry)
            if len(batch) >= BATCH:
                count += self._add(writer, batch)
                batch = []
                if on_batch is not None:
                    on_batch(count)
        count += self._add(writer, batch)
        writer.commit()
        writer.wait_merging_threads()
        return count

    # -- searching ----------------------------------------------------------------------

    def search(
        self,
        text: str,
        filters: SearchFilters | None = None,
        *,
        limit: int = 20,
        offset: int = 0,
        catch_up: bool = True,
    ) -> SearchResults:
        """Events matching every word of ``text`` (``OR``, ``"phrases"``, ``-word`` and
        ``word*`` work too), best first; InputError naming the query when it cannot be
        read."""
        query_text = " ".join(text.split())
        if not query_text:
            raise InputError("is empty; say what to search for", field="query")
        if len(query_text) > MAX_QUERY_LENGTH:
            raise InputError(f"is longer than {MAX_QUERY_LENGTH} characters", field="query")
        if not 1 <= limit <= MAX_LIMIT:
            raise InputError(f"must be between 1 and {MAX_LIMIT}", field="limit")
        if offset < 0:
            raise InputError("must not be negative", field="offset")
        if catch_up:
            self.catch_up()
        query = self._query(query_text, filters or SearchFilters())
        searcher = self._index.searcher()
        found = searcher.search(query, limit, count=True, offset=offset)
        generators = {
            name: tantivy.SnippetGenerator.create(searcher, query, self.schema, name)
            for name in ("headline", "summary")
        }
        hits = []
        for score, address in found.hits:
            document = searcher.doc(address)
            snippets = {}
            for name, generator in generators.items():
                html = generator.snippet_from_doc(document).to_html()
                if html:
                    snippets[name] = html
            hits.append(SearchHit(_entry(document), float(score), snippets))
        # ``count`` is there when asked for (count=True) but missing from tantivy's stubs.
        total = int(getattr(found, "count", None) or 0)
        return SearchResults(total=total, hits=hits, offset=offset)

    def _query(self, text: str, filters: SearchFilters) -> tantivy.Query:
        plain = " ".join(_NOT_SYNTAX.sub(" ", text).split())
        if not plain:
            raise InputError("has no words to search for", field="query")
        try:
            parsed = self._index.parse_query(
                plain, list(SEARCHED_FIELDS), field_boosts=FIELD_BOOSTS, conjunction_by_default=True
            )
        except ValueError as error:
            raise InputError(
                f'cannot be read as a search ({_reason(error)}); use words, "a phrase", '
                "OR, -word or word*",
                field="query",
            ) from None
        clauses = [(tantivy.Occur.Must, parsed)]
        for name, value in (
            ("context_slug", filters.context),
            ("story_slug", filters.story),
            ("category", filters.category),
        ):
            if value:
                term = tantivy.Query.term_query(self.schema, name, value)
                clauses.append((tantivy.Occur.Must, term))
        if filters.first or filters.last:
            low = _day(filters.first or date.min)
            high = _day(filters.last or date.max)
            day_range = tantivy.Query.range_query(
                self.schema, "day", tantivy.FieldType.Integer, low, high
            )
            clauses.append((tantivy.Occur.Must, day_range))
        return tantivy.Query.boolean_query(clauses)

    # -- storage ------------------------------------------------------------------------

    def _folder_lock(self) -> FileLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(f"{self.path}.lock")

    def _open(self) -> tantivy.Index:
        with self._folder_lock():
            return self._open_unlocked()

    def _open_unlocked(self) -> tantivy.Index:
        state = self._state()
        if state is not None and (
            state.get("format") != INDEX_FORMAT or state.get("store") != self._store_key()
        ):
            shutil.rmtree(self.path, ignore_errors=True)  # another format, another store
        self.path.mkdir(parents=True, exist_ok=True)
        exists = tantivy.Index.exists(str(self.path))
        return tantivy.Index(self.schema, path=str(self.path), reuse=exists)

    def _state(self) -> dict[str, Any] | None:
        try:
            data = json.loads((self.path / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _write_state(self, seq: int, folder: Path | None = None) -> None:
        folder = folder or self.path
        state = {"format": INDEX_FORMAT, "store": self._store_key(), "seq": seq}
        temporary = folder / f".{STATE_FILE}.tmp"
        temporary.write_text(json.dumps(state), encoding="utf-8")
        os.replace(temporary, folder / STATE_FILE)

    def _store_key(self) -> str:
        return self.store.engine.url.render_as_string(hide_password=True)

    def _add(self, writer: tantivy.IndexWriter, entries: Iterable[EventEntry]) -> int:
        count = 0
        for entry in entries:
            document = tantivy.Document(
                id=entry.id,
                day=_day(entry.date),
                retired=int(entry.retired),
                headline=entry.headline,
                summary=entry.summary,
                contexts=[c.name for c in entry.contexts],
                context_slug=[c.slug for c in entry.contexts],
            )
            document.add_bytes("entry", _entry_rest(entry))
            if entry.story:
                document.add_text("story", entry.story)
                document.add_text("story_slug", story_slug(entry.story) or "")
            if entry.category:
                document.add_text("category", entry.category)
            writer.add_document(document)
            count += 1
        return count


def _entry_rest(entry: EventEntry) -> bytes:
    """What the ``entry`` field stores of ``entry`` (see :func:`_schema`)."""
    updated = entry.updated_at.isoformat() if entry.updated_at else None
    contexts = [[c.name, c.slug] for c in entry.contexts]
    return orjson.dumps([entry.slug, entry.category, contexts, updated, entry.stub])


def _entry(document: tantivy.Document) -> EventEntry:
    """The entry of the event stored as ``document`` (made by SearchIndex._add)."""
    day = int(document["day"][0])
    slug, category, contexts, updated, stub = orjson.loads(document["entry"][0])
    return EventEntry(
        id=int(document["id"][0]),
        date=date(day // 10000, day // 100 % 100, day % 100),
        slug=slug,
        headline=document.get_first("headline") or "",
        summary=document.get_first("summary") or "",
        category=category,
        story=document.get_first("story"),
        contexts=tuple(Context(name, tag_slug) for name, tag_slug in contexts),
        updated_at=datetime.fromisoformat(updated) if updated else None,
        stub=stub,
        retired=bool(document.get_first("retired")),
    )


def _day(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def _reason(error: ValueError) -> str:
    text = str(error).split("\n")[0]
    return text[:120]
