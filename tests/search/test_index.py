"""The search index: found by words, filtered, highlighted safely, always up to date
with the database, and rebuilt from it after any loss. Real inputs: the seeds and the
portal days of February 2012."""

from __future__ import annotations

import gc
import json
import shutil
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import tantivy
from filelock import FileLock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.errors import InputError
from dateline.ingest.importer import import_paths
from dateline.model import EventContent, EventEntry, story_slug
from dateline.search import SearchFilters, SearchIndex, default_index_path
from dateline.search.index import INDEX_FORMAT, STATE_FILE
from dateline.store import Store, open_store
from tests.conftest import SEEDS, SHARED

FEBRUARY_2012 = SHARED / "data" / "wcep-days" / "2012" / "02"


@pytest.fixture
def archive(store: Store) -> Store:
    report = import_paths(store, [SEEDS, FEBRUARY_2012])
    assert not report.errors
    return store


@pytest.fixture
def index(archive: Store, tmp_path: Path) -> SearchIndex:
    return SearchIndex(archive, tmp_path / "search")


def _ids(index: SearchIndex, text: str, **filters: object) -> list[int]:
    found = index.search(text, SearchFilters(**filters), limit=200)  # type: ignore[arg-type]
    return [hit.entry.id for hit in found.hits]


def test_every_word_must_match_and_the_headline_weighs_most(
    archive: Store, index: SearchIndex
) -> None:
    found = index.search("homs shelling", limit=50)
    assert found.total >= 3
    for hit in found.hits:
        event = archive.event(hit.entry.id)
        text = " ".join(
            [event.content.headline, event.content.summary, *event.content.contexts]
        ).lower()
        assert "homs" in text and "shell" in text  # stemmed: shelling, shelled
    # Ordered by score, best first.
    scores = [hit.score for hit in found.hits]
    assert scores == sorted(scores, reverse=True)


def test_filters_narrow_by_date_context_and_story(archive: Store, index: SearchIndex) -> None:
    everything = set(_ids(index, "syria"))
    early = set(_ids(index, "syria", first=date(2012, 2, 1), last=date(2012, 2, 10)))
    assert early and early < everything
    assert all(
        date(2012, 2, 1) <= archive.event(i).content.date <= date(2012, 2, 10) for i in early
    )
    homs = archive.context_slugs(["Homs"])["Homs"]
    tagged = set(_ids(index, "syria", context=homs))
    assert tagged and all("Homs" in archive.event(i).content.contexts for i in tagged)
    stories = {archive.event(i).content.story for i in everything} - {None}
    slug = story_slug(sorted(s for s in stories if s)[0])
    in_story = set(_ids(index, "syria", story=slug))
    # One story page gathers the stories of one slug (an en dash or a hyphen in "2011-2012").
    assert in_story and all(story_slug(archive.event(i).content.story) == slug for i in in_story)


def test_snippets_escape_the_text_and_mark_the_words(archive: Store, index: SearchIndex) -> None:
    created = archive.create_event(
        EventContent(date(2012, 2, 20), "Hostile <script>alert(1)</script> headline about Homs")
    )
    (hit,) = [h for h in index.search("hostile homs").hits if h.entry.id == created.id]
    assert "<script>" not in hit.snippets["headline"]
    assert "&lt;script&gt;" in hit.snippets["headline"]
    assert "<b>Homs</b>" in hit.snippets["headline"]


def test_a_hit_carries_its_event_as_the_database_lists_it(
    archive: Store, index: SearchIndex
) -> None:
    """The API and the search page show hits from the index alone: their entries must be
    the database's, field for field, also after edits and a retirement."""
    query = "syria OR homs OR killed OR government"

    def hits() -> dict[int, EventEntry]:
        found = {hit.entry.id: hit.entry for hit in index.search(query, limit=200).hits}
        assert found == {entry.id: entry for entry in archive.entries(list(found))}
        return found

    listed = list(hits().values())
    assert len(listed) >= 100
    assert any(e.story for e in listed) and any(e.category for e in listed)
    assert any(len(e.contexts) > 1 for e in listed) and any(e.summary for e in listed)
    edited, retired = archive.events([listed[0].id, listed[1].id])
    content = replace(
        edited.content,
        headline="Syria: the headline edited",
        summary="",
        story=None,
        category="Armed conflicts and attacks",
        contexts=("Zanzibar <b>", *reversed(edited.content.contexts)),
    )
    archive.append_version(edited.id, content, note="test")
    archive.retire_event(
        retired.id, editor="test", note="test", expected_version=retired.current.number
    )
    after = hits()
    assert after[edited.id].headline == "Syria: the headline edited"
    assert after[edited.id].contexts[0].name == "Zanzibar <b>"
    assert after[retired.id].retired


def test_a_search_sees_every_write_at_once(archive: Store, index: SearchIndex) -> None:
    assert _ids(index, "zanzibarite") == []
    event = archive.events(_ids(index, "homs")[:1])[0]
    archive.append_version(
        event.id, replace(event.content, summary="A zanzibarite witness was heard."), note="test"
    )
    assert _ids(index, "zanzibarite") == [event.id]  # no rebuild, no restart
    assert index.seq == archive.last_change()


def test_behind_says_whether_a_catch_up_has_work(archive: Store, index: SearchIndex) -> None:
    index.catch_up()
    assert not index.behind()
    event = archive.events(_ids(index, "homs")[:1])[0]
    archive.append_version(event.id, replace(event.content, summary="Quiet."), note="test")
    assert index.behind()
    assert index.catch_up() == 1
    assert not index.behind()
    assert SearchIndex(archive, index.path).behind(), "a new process has not looked yet"


def test_a_crash_before_the_state_is_written_loses_nothing(
    archive: Store, index: SearchIndex, tmp_path: Path
) -> None:
    before = _ids(index, "syria")
    # The index committed its documents but the process died before noting the sequence.
    state = json.loads((index.path / STATE_FILE).read_text())
    state["seq"] = 0
    (index.path / STATE_FILE).write_text(json.dumps(state))
    again = SearchIndex(archive, index.path)
    assert sorted(_ids(again, "syria")) == sorted(before)  # applied twice, no duplicates
    # A lost folder is made again from the database.
    shutil.rmtree(index.path)
    lost = SearchIndex(archive, index.path)
    assert sorted(_ids(lost, "syria")) == sorted(before)
    rebuilt = SearchIndex(archive, tmp_path / "other")
    assert rebuilt.rebuild() == archive.count_events()
    assert sorted(_ids(rebuilt, "syria")) == sorted(before)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("homs AND (", "cannot be read as a search"),
        ("   ", "is empty"),
        ("x" * 600, "longer than 500"),
    ],
)
def test_unreadable_queries_are_input_errors(index: SearchIndex, query: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        index.search(query)
    assert caught.value.field == "query"


def test_field_syntax_and_sql_characters_are_plain_words(index: SearchIndex) -> None:
    assert index.search("id:1").total == index.search("id 1").total
    assert index.search("homs'; DROP TABLE events; --").total >= 0
    assert index.search("homs").total > 0


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_any_query_gives_results_or_an_input_error(index: SearchIndex, text: str) -> None:
    try:
        found = index.search(text, limit=5)
    except InputError as error:
        assert error.field == "query"
    else:
        assert found.total >= len(found.hits)


def test_the_index_lives_beside_sqlite_or_in_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DATELINE_SEARCH_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with open_store(str(tmp_path / "archive.db")) as sqlite_store:
        assert default_index_path(sqlite_store) == tmp_path / "archive.db.search"
    monkeypatch.setenv("DATELINE_SEARCH_DIR", str(tmp_path / "chosen"))
    with open_store(str(tmp_path / "archive.db")) as sqlite_store:
        assert default_index_path(sqlite_store) == tmp_path / "chosen"


def test_an_index_of_an_older_format_is_made_again(archive: Store, tmp_path: Path) -> None:
    # An index an older Dateline made has other fields (format 2 stored no list entry):
    # searching it as it is would fail on every hit, so it is made again, whole.
    folder = tmp_path / "search"
    SearchIndex(archive, folder).catch_up()
    state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("headline", stored=True)
    shutil.rmtree(folder)
    folder.mkdir()
    older = tantivy.Index(builder.build(), path=str(folder))
    writer = older.writer(heap_size=15_000_000, num_threads=1)
    writer.add_document(tantivy.Document(id=1, headline="Homs"))
    writer.commit()
    del writer
    state["format"] = INDEX_FORMAT - 1  # the same store, and nothing new to index
    (folder / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
    hits = SearchIndex(archive, folder).search("homs", limit=200).hits
    assert len(hits) > 1
    assert {h.entry.id: h.entry for h in hits} == {
        e.id: e for e in archive.entries([h.entry.id for h in hits])
    }


def test_an_index_ahead_of_its_database_is_made_again(tmp_path: Path) -> None:
    # The archive file was replaced by an older copy (a backup) that then took other
    # writes: the index must not keep what the database lost or miss what it gained.
    database = tmp_path / "archive.db"
    content = EventContent(date=date(2012, 2, 4), headline="Shelling of Homs is reported.")
    with open_store(str(database)) as store:
        store.create_event(content)
        index = SearchIndex(store, tmp_path / "search")
        index.catch_up()
    shutil.copyfile(database, tmp_path / "backup.db")
    with open_store(str(database)) as store:
        for word in ("quartzite", "basalt", "obsidian"):
            store.create_event(replace(content, headline=f"A {word} quarry is seized."))
        assert len(_ids(SearchIndex(store, tmp_path / "search"), "quarry")) == 3
    shutil.copyfile(tmp_path / "backup.db", database)
    with open_store(str(database)) as store:
        store.create_event(replace(content, headline="A granite quarry is seized."))
        index = SearchIndex(store, tmp_path / "search")
        found = store.events(_ids(index, "quarry"))
        assert [e.content.headline for e in found] == ["A granite quarry is seized."]
        assert index.seq == store.last_change()


def test_opening_waits_while_another_process_replaces_the_folder(
    archive: Store, tmp_path: Path
) -> None:
    path = tmp_path / "search"
    opened: list[SearchIndex] = []
    with FileLock(f"{path}.lock"):
        thread = threading.Thread(target=lambda: opened.append(SearchIndex(archive, path)))
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive() and opened == []  # waiting for the lock
    thread.join(timeout=30)
    assert len(opened) == 1 and _ids(opened[0], "homs")


def test_a_first_build_by_another_process_is_waited_for(archive: Store, tmp_path: Path) -> None:
    # Two workers of one server start on an archive never indexed: the one that finds
    # the other building must not answer from the empty index meanwhile.
    path = tmp_path / "search"
    waiting = SearchIndex(archive, path)
    builder = SearchIndex(archive, path)
    held = [builder._index.writer(heap_size=15_000_000, num_threads=1)]  # the other's lock

    def build_later() -> None:
        time.sleep(0.5)
        held.clear()  # the writer, and its lock, go
        gc.collect()
        builder.catch_up()

    found: list[int] = []

    def catch_up_and_search() -> None:
        waiting.catch_up()
        found.append(waiting.search("homs", limit=1, catch_up=False).total)

    other = threading.Thread(target=build_later)
    other.start()
    waiter = threading.Thread(target=catch_up_and_search, daemon=True)
    waiter.start()
    waiter.join(timeout=60)
    other.join(timeout=60)
    assert found and found[0] > 10


def test_searches_in_many_threads_all_see_a_write(archive: Store, index: SearchIndex) -> None:
    # A server searches in its thread pool: a search that finds another thread catching
    # up must wait for it, not answer from what was committed before the write.
    index.catch_up()
    for round_ in range(3):
        word = f"zanzibarite{round_}"
        event = archive.events(_ids(index, "homs")[round_ : round_ + 1])[0]
        archive.append_version(
            event.id, replace(event.content, summary=f"A {word} witness."), note="test"
        )
        start = threading.Barrier(8)
        found: list[list[int]] = []

        def search(word: str, start: threading.Barrier, found: list[list[int]]) -> None:
            start.wait()
            found.append(_ids(index, word))

        threads = [threading.Thread(target=search, args=(word, start, found)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert found == [[event.id]] * 8


def test_a_rebuild_leaves_a_running_server_searching(
    archive: Store, index: SearchIndex, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``dateline search --rebuild`` while a server has the index open: the server goes
    on answering from its index, writes included, and gets the rebuilt one after."""
    index.catch_up()  # the server's index, complete
    everything = _ids(index, "syria")
    events = archive.events(_ids(index, "homs")[:2])
    rebuilding = SearchIndex(archive, index.path)  # the command, another process
    monkeypatch.setattr("dateline.search.index.BATCH", 5)  # on_batch called every 5 events
    during: list[list[int]] = []

    def edit_and_search(done: int) -> None:
        if done != 10:
            return
        archive.append_version(
            events[0].id, replace(events[0].content, summary="A quartzite witness."), note="t"
        )
        # In a thread, as a server's request is: the rebuild must not hold it up.
        answer = threading.Thread(
            target=lambda: during.extend([_ids(index, "quartzite"), _ids(index, "syria")]),
            daemon=True,  # a regression fails the test instead of hanging it
        )
        answer.start()
        answer.join(timeout=60)
        assert not answer.is_alive(), "the server's search waited for the rebuild"

    assert rebuilding.rebuild(edit_and_search) == archive.count_events()
    assert during[0] == [events[0].id]  # the write seen at once
    assert set(during[1]) == set(everything) - {events[0].id}  # its old summary said Syria
    archive.append_version(
        events[1].id, replace(events[1].content, summary="A basalt witness."), note="t"
    )
    fresh = sorted(_ids(SearchIndex(archive, tmp_path / "fresh"), "syria"))
    for searcher in (index, rebuilding, SearchIndex(archive, index.path)):
        assert _ids(searcher, "quartzite") == [events[0].id]  # written during the rebuild
        assert _ids(searcher, "basalt") == [events[1].id]
        assert sorted(_ids(searcher, "syria")) == fresh
    assert rebuilding.seq == archive.last_change()
    left = sorted(p.name for p in index.path.parent.iterdir() if p.name.startswith("search"))
    assert left == ["search", "search.lock", "search.rebuilding.lock"]


def test_a_write_indexed_by_one_worker_is_found_by_another_at_once(
    archive: Store, tmp_path: Path
) -> None:
    """Two workers of one server: the first to search after a write indexes it, and the
    other's next search must find it too (its reader is reloaded when the index's
    state says another process caught up; tantivy's own reload comes later)."""
    first = SearchIndex(archive, tmp_path / "search")
    second = SearchIndex(archive, tmp_path / "search")
    assert _ids(first, "homs") and _ids(second, "homs")
    for round_, word in enumerate(("quartzite", "basalt", "obsidian")):
        event = archive.events(_ids(first, "homs")[round_ : round_ + 1])[0]
        archive.append_version(event.id, replace(event.content, summary=f"A {word} witness."))
        assert first.catch_up() == 1
        assert _ids(second, word) == [event.id]
