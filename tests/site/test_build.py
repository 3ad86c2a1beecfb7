"""``dateline build``: the site's pages, and incremental builds that equal full ones.

The central property: after any edits, an incremental build leaves the output folder
byte-for-byte as a full build from scratch would, and it writes exactly the pages
whose text changed (its count is checked against the files themselves).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import html

from dateline.ingest.article.copies import record_copies
from dateline.ingest.importer import import_paths
from dateline.model import ArticleContent, EventContent, Ingestion, Version, slug_for_headline
from dateline.render.markdown import version_path
from dateline.site import build as build_module
from dateline.site.build import YOUNG_COLLECTION_AFTER, BuildReport, build_site
from dateline.site.entry_book import EntryBook
from dateline.site.output import SiteWriter
from dateline.site.state import STATE_DIR
from dateline.store import Store
from tests.conftest import EVENT_SEEDS, SEEDS, seed_file

FORMATS = ("md", "html", "json", "xml")


def snapshot(out: Path) -> dict[str, bytes]:
    return {
        "/" + p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and STATE_DIR not in p.parts
    }


class SiteChecker:
    """Builds incrementally in one folder, and from scratch in a new one each time."""

    def __init__(self, store: Store, root: Path, jobs: int | None = None) -> None:
        self.store = store
        self.root = root
        self.jobs = jobs
        self.out = root / "site"
        self.fresh = 0
        first = build_site(store, self.out)
        assert first.full
        self.files = snapshot(self.out)

    def step(self) -> BuildReport:
        report = build_site(self.store, self.out, jobs=self.jobs)
        assert not report.full
        after = snapshot(self.out)
        changed = {p for p, data in after.items() if self.files.get(p) != data}
        assert report.pages_written == len(changed)
        assert report.pages_removed == len(self.files.keys() - after.keys())
        self.fresh += 1
        scratch = self.root / f"fresh{self.fresh}"
        assert build_site(self.store, scratch).full
        expected = snapshot(scratch)
        assert sorted(after) == sorted(expected)
        assert [p for p in sorted(after) if after[p] != expected[p]] == []
        self.files = after
        return report


def _seed_archive(store: Store) -> None:
    import_paths(store, [SEEDS])


def test_the_seed_site_has_every_page_in_every_format(store: Store, tmp_path: Path) -> None:
    tmp_path = tmp_path / "site"
    _seed_archive(store)
    report = build_site(store, tmp_path)
    files = snapshot(tmp_path)
    assert report.pages_written == len(files)
    events = list(store.iter_events())
    for event in events:
        for version in event.versions:
            assert any(
                p.endswith(f"/{version.slug}.html")
                or p.endswith(f"/{version.slug}.v{version.number}.html")
                for p in files
            )
    pages = {p.rsplit(".", 1)[0] for p in files if p.endswith(".html")} - {"/404", "/search"}
    for page in pages:
        assert all(f"{page}.{ext}" in files for ext in FORMATS), page
    versions = sum(len(e.versions) for e in events)
    assert sum(1 for p in pages if p.startswith("/news/") and not p.endswith("/index")) == versions
    days = {v.content.date for e in events for v in e.versions}
    assert {p for p in pages if p.count("/") == 5 and p.endswith("/index")} == {
        f"/news/{d.year:04d}/{d.month:02d}/{d.day}/index" for d in days
    }
    contexts = store.contexts(include_unused=True)
    assert {p for p in pages if p.startswith("/context/") and p.count("/") == 2} == {
        f"/context/{c.slug}" for c in contexts
    }
    for path in ("/index.html", "/style.css", "/404.html", "/sitemap.xml", "/feed.atom"):
        assert path in files


def test_feeds_are_valid_atom(store: Store, tmp_path: Path) -> None:
    tmp_path = tmp_path / "site"
    _seed_archive(store)
    build_site(store, tmp_path, base_url="https://archive.example.org/dl")
    feeds = sorted(tmp_path.rglob("*.atom"))
    assert len(feeds) == 1 + len(store.contexts(include_unused=True))
    for feed_file in feeds:
        feed = feedparser.parse(feed_file.read_bytes())
        assert not feed.bozo, (feed_file, feed.get("bozo_exception"))
        for entry in feed.entries:
            assert entry.link.startswith("https://archive.example.org/dl/news/")
    site = feedparser.parse((tmp_path / "feed.atom").read_bytes())
    assert len(site.entries) == min(50, store.count_events())


def test_context_pages_show_a_chart_and_link_relatively(store: Store, tmp_path: Path) -> None:
    tmp_path = tmp_path / "site"
    _seed_archive(store)
    build_site(store, tmp_path)
    page = html.fromstring((tmp_path / "context" / "homs.html").read_bytes())
    chart = page.find(".//figure[@class='chart']")
    assert chart is not None
    svg = chart.find(".//{http://www.w3.org/2000/svg}svg") or chart.find(".//svg")
    assert svg is not None and svg.get("role") == "img"
    for link in page.iter("a", "link"):
        href = link.get("href") or ""
        assert not href.startswith("/"), href  # relative: the site works from disk
        if not href.startswith(("http://", "https://", "#")):
            target = (tmp_path / "context" / href.split("#")[0]).resolve()
            assert target.is_file(), href


def test_archive_text_is_escaped_on_list_pages(store: Store, tmp_path: Path) -> None:
    tmp_path = tmp_path / "site"
    hostile = "<script>alert(1)</script> & co"
    store.create_event(
        EventContent(date(2012, 2, 9), hostile, hostile, story=hostile, contexts=(hostile,))
    )
    build_site(store, tmp_path)
    for path in ("index.html", "news/2012/02/9/index.html", "news/2012/02/index.html"):
        page = html.fromstring((tmp_path / path).read_bytes())
        assert page.findall(".//script") == []
        assert hostile in page.text_content()


def test_an_edit_rewrites_only_what_it_changes(store: Store, tmp_path: Path) -> None:
    _seed_archive(store)
    checker = SiteChecker(store, tmp_path)
    assert build_site(store, checker.out).pages_written == 0  # nothing changed
    first = next(e for e in store.iter_events() if not e.is_stub and e.content.contexts)
    store.append_version(first.id, replace(first.content, summary="Revised."), editor="ann")
    report = checker.step()
    # Its pages (every version: the Changes list grew), its lists and feeds; not all.
    assert 0 < report.pages_written < len(checker.files) / 4
    event = store.event(first.id)
    store.append_version(event.id, replace(event.content, headline="A new headline"))
    checker.step()
    event = store.event(first.id)
    retagged = replace(event.content, contexts=("Idlib", *event.content.contexts[1:]))
    store.append_version(event.id, retagged)
    checker.step()
    event = store.event(first.id)
    store.append_version(event.id, replace(event.content, date=date(2013, 1, 5), story="Siege"))
    checker.step()
    store.create_event(
        EventContent(date(2012, 2, 10), "Shelling resumes", contexts=("Homs", "Syria"))
    )
    checker.step()


def _list_page(path: str) -> bool:
    """A day, month, year, context, story or home page (not a feed, not an event page)."""
    return path.endswith(".html") and (
        path.startswith(("/context/", "/story/")) or path.rsplit("/", 1)[1] == "index.html"
    )


def test_an_edit_renders_only_the_lists_that_show_what_changed(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lists show an event's date, headline, tags, story, category and whether it is
    retired, not its summary: a summary edit renders no list page at all (feeds, which
    show summaries, yes), and a headline edit that keeps the slug renders its lists."""
    _seed_archive(store)
    checker = SiteChecker(store, tmp_path)
    rendered: list[str] = []
    put = SiteWriter.put

    def recording_put(writer: SiteWriter, path: str, content: str | bytes) -> bool:
        if writer.known is None:  # an incremental build's writer (a full one knows all)
            rendered.append(path)
        return put(writer, path, content)

    monkeypatch.setattr(SiteWriter, "put", recording_put)
    event = next(e for e in store.iter_events() if not e.is_stub and len(e.content.contexts) > 1)
    store.append_version(event.id, replace(event.content, summary="Revised."))
    checker.step()
    assert [p for p in rendered if _list_page(p)] == []
    assert any(p.endswith(".atom") for p in rendered)

    rendered.clear()
    headline = event.content.headline + "!"
    assert slug_for_headline(headline) == event.slug
    store.append_version(event.id, replace(store.event(event.id).content, headline=headline))
    checker.step()
    day = f"/news/{event.content.date:%Y/%m}/{event.content.date.day}/index.html"
    tags = {
        f"/context/{store.context_slugs(event.content.contexts)[n]}.html"
        for n in event.content.contexts
    }
    assert {day, *tags} <= set(rendered)


@pytest.mark.parametrize("forked", [False, True], ids=["one process", "forked"])
def test_random_edits_keep_incremental_builds_exact(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    """Skewed tags, crowded related lists, edits of every kind: incremental == full.
    Forked: every incremental build renders its events' pages in two worker processes
    (as one that rewrites hundreds of them does)."""
    renderers = tmp_path / "renderers"
    affected_task = build_module._Build._affected_task

    def recording_task(build: Any, batch: Any) -> Any:
        with renderers.open("a") as log:  # from whichever process renders
            log.write(f"{os.getpid()}\n")
        return affected_task(build, batch)

    monkeypatch.setattr(build_module._Build, "_affected_task", recording_task)
    if forked:
        monkeypatch.setattr(build_module, "_FORK_AT", 1)
        monkeypatch.setattr(build_module, "_FORKED_TASK", 1)
    rng = random.Random(11)
    tags = [f"Tag {i}" for i in range(10)]
    weights = [1 / (i + 1) for i in range(10)]

    def content(n: int) -> EventContent:
        chosen = tuple(dict.fromkeys(rng.choices(tags, weights, k=rng.randint(1, 4))))
        day = date(2011, 12, 20) + timedelta(days=rng.randint(0, 60))
        story = rng.choice([None, "Siege of Homs", "Arab League mission"])
        return EventContent(day, f"Event {n}", f"Summary {n}.", story=story, contexts=chosen)

    store.bulk_create([Version(1, slug_for_headline(f"Event {n}"), content(n))] for n in range(120))
    checker = SiteChecker(store, tmp_path, jobs=2 if forked else 1)
    for step in range(15):
        event = rng.choice(list(store.iter_events()))
        fresh = content(1000 + step)
        kind = step % 5
        if kind == 4:  # what related lists show stays: no other event's page changes
            changed = replace(event.content, summary=f"Revised {step}.")
        elif kind == 0:
            changed = replace(event.content, contexts=fresh.contexts)
        elif kind == 1:
            changed = replace(event.content, date=fresh.date)
        elif kind == 2:
            changed = replace(event.content, headline=f"Renamed {step}", story=fresh.story)
        else:
            store.create_event(fresh)
            checker.step()
            continue
        store.append_version(event.id, changed)
        checker.step()
    pids = set(renderers.read_text().split())
    assert (pids != {str(os.getpid())}) is forked


def test_new_headlines_keep_related_lists_exact_where_slugs_break_ties(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new headline brings a new slug, which orders events of one day sharing as many
    tags: it can move an event off a full related list or onto one. Lists holding such
    an event are described again without ranking, except where that can happen
    (``_Build._lists_kept``): after many renames, incremental == full."""
    described: list[int] = []
    related_of = Store.related_of

    def counting(self: Store, members: Any, limit: int = 10) -> Any:
        described.extend(members)
        return related_of(self, members, limit)

    monkeypatch.setattr(Store, "related_of", counting)
    spliced: list[bool] = []
    related_spliced = build_module._Build._related_spliced

    def splicing(build: Any, event: Any, related: Any) -> bool:
        spliced.append(related_spliced(build, event, related))
        return spliced[-1]

    monkeypatch.setattr(build_module._Build, "_related_spliced", splicing)
    rng = random.Random(5)
    day = date(2012, 2, 5)
    crowded = [
        EventContent(
            day + timedelta(days=n % 4 == 0),
            f"Event {n:02d}",
            f"Summary {n}.",
            contexts=("Siege", *(("Shelling",) if n % 3 == 0 else ())),
        )
        for n in range(16)
    ]  # lists of ten, ending in ties of one day broken by slug
    aside = [EventContent(day, f"Aside {n}", "Summary.", contexts=("Aid",)) for n in range(4)]
    store.bulk_create([Version(1, slug_for_headline(c.headline), c)] for c in crowded + aside)
    checker = SiteChecker(store, tmp_path)
    words = ["Alpha", "Event", "Mid", "Zulu", "Aside"]
    for step in range(14):
        event = rng.choice(list(store.iter_events()))
        headline = f"{rng.choice(words)} {rng.randint(0, 20):02d} {step}"
        store.append_version(event.id, replace(event.content, headline=headline))
        checker.step()
    assert described  # lists were kept, not only ranked
    assert spliced and all(spliced)  # the other events' pages: their new lists put in


def test_a_page_changed_since_the_build_is_rendered_whole(store: Store, tmp_path: Path) -> None:
    """An event's pages get a new related list put in place of the old one only when
    they are as the last build wrote them; a page changed since (by hand, or by a
    build that stopped before recording it) is rendered whole again."""
    day = date(2012, 2, 5)
    a, b = (
        store.create_event(EventContent(day, f"Event {n}", "Summary.", contexts=("Siege",)))
        for n in "AB"
    )
    out = tmp_path / "site"
    build_site(store, out)
    page = out / version_path(b, b.current, "html").lstrip("/")
    built = page.read_bytes()
    page.write_bytes(built.replace(b"Summary.", b"Changed by hand."))
    store.append_version(a.id, replace(a.content, headline="Event A renamed"))
    report = build_site(store, out)
    assert not report.full
    assert build_site(store, tmp_path / "fresh").full
    assert page.read_bytes() == (tmp_path / "fresh" / page.relative_to(out)).read_bytes()
    assert b"Event A renamed" in page.read_bytes() and b"Summary." in page.read_bytes()


def test_a_full_rebuild_of_an_unchanged_archive_writes_nothing(
    store: Store, tmp_path: Path
) -> None:
    import_paths(store, [seed_file(n) for n in EVENT_SEEDS])
    first = build_site(store, tmp_path)
    again = build_site(store, tmp_path, full=True)
    assert again.full and again.pages_written == 0
    assert again.pages_unchanged == first.pages_written


def test_builds_leave_the_garbage_collector_as_they_found_it(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both kinds of build freeze what they hold (dateline/site/build.py) and collect
    less often while they run, and undo both when done, so that a long-lived caller (a
    server, the tests) collects as before; a caller that froze its own objects finds
    them frozen still. A full build reads its entries with the collector off, and
    turns it on again after, unless the caller had turned it off."""
    import_paths(store, [seed_file(n) for n in EVENT_SEEDS])
    gc.unfreeze()  # whatever an earlier test left
    before = gc.get_threshold()
    during: list[tuple[int, ...]] = []
    reading: list[bool] = []
    all_entries = Store.all_entries

    def entries(self: Store) -> list[Any]:
        reading.append(gc.isenabled())
        return all_entries(self)

    monkeypatch.setattr(Store, "all_entries", entries)
    try:
        gc.set_threshold(1234, 5, 6)

        def progress(done: int, total: int) -> None:
            during.append(gc.get_threshold())

        assert build_site(store, tmp_path, jobs=1, progress=progress).full
        assert during and set(during) == {(YOUNG_COLLECTION_AFTER, 5, 6)}
        assert gc.get_threshold() == (1234, 5, 6)
        assert reading == [False] and gc.isenabled()
        gc.disable()
        try:
            assert build_site(store, tmp_path, jobs=1, full=True).full
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        gc.set_threshold(*before)
    assert gc.get_freeze_count() == 0
    event = store.event(1)
    store.append_version(1, replace(event.content, headline="Edited"), editor="t", note="t")
    assert not build_site(store, tmp_path).full
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
    gc.freeze()
    try:
        store.append_version(1, replace(event.content, headline="Again"), editor="t", note="t")
        assert not build_site(store, tmp_path).full
        assert gc.get_freeze_count() > 0  # not thawed
    finally:
        gc.unfreeze()


def test_worker_processes_write_what_one_process_writes(store: Store, tmp_path: Path) -> None:
    _seed_archive(store)
    one = build_site(store, tmp_path / "one", jobs=1)
    two = build_site(store, tmp_path / "two", jobs=2)
    assert one.pages_written == two.pages_written > 0
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_list_pages_of_entries_made_once_are_those_made_each_time(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full build makes each event's list entry once, where its pages are made
    (EntryBook): its list pages are those of a build whose list pages make every entry
    themselves, and the entries' files are gone when it is done."""
    _seed_archive(store)
    books: list[int] = []
    refresh = EntryBook.refresh

    def counted(book: EntryBook) -> None:
        refresh(book)
        books.append(len(book.entries))

    monkeypatch.setattr(EntryBook, "refresh", counted)
    assert build_site(store, tmp_path / "made", jobs=1).full
    assert books and min(books) == store.count_events() > 0  # the events' tasks came first
    assert not (tmp_path / "made" / STATE_DIR / "entries").exists()
    monkeypatch.setattr(EntryBook, "refresh", lambda book: None)
    assert build_site(store, tmp_path / "each", jobs=1).full
    made, each = snapshot(tmp_path / "made"), snapshot(tmp_path / "each")
    assert sorted(made) == sorted(each)
    assert [p for p in sorted(made) if made[p] != each[p]] == []


def test_a_failed_full_build_leaves_no_made_entries_behind(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed_archive(store)
    task = build_module._Build._task

    def failing(build: Any, kind: str, items: Any, result: Any) -> None:
        if kind == "contexts":
            raise RuntimeError("stop here")
        task(build, kind, items, result)

    monkeypatch.setattr(build_module._Build, "_task", failing)
    with pytest.raises(RuntimeError, match="stop here"):
        build_site(store, tmp_path, jobs=1)
    assert (tmp_path / STATE_DIR).is_dir()
    assert not (tmp_path / STATE_DIR / "entries").exists()


def store_article(store: Store, name: str, text: str, day: date | None) -> int:
    """A made-up article (``name`` makes its address), compared with the others for copies."""
    content = ArticleContent(
        url=f"https://{name}.example.org/story",
        publisher=name.title(),
        domain=f"{name}.example.org",
        title=f"The {name} story",
        authors=(),
        published=day,
        date_method=None,
        language="en",
        lede=text.split(".")[0],
        text=text,
        image_url=None,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    source = Ingestion("http", f"https://{name}.example.org/story", "html", "utf-8 (http)")
    with store.transaction():
        article = store.add_article_version(content, text.encode(), source).article
        record_copies(store, article)
    return article.id


def page_json(checker: SiteChecker, store: Store, event_id: int) -> dict[str, Any]:
    """The JSON of an event's current page, as the last build wrote it."""
    event = store.event(event_id)
    data: dict[str, Any] = json.loads(checker.files[version_path(event, event.current, "json")])
    return data


def made_up_text(seed: int, words: int = 150) -> str:
    chance = random.Random(seed)
    return " ".join(f"w{chance.randint(0, 5000)}" for _ in range(words)) + "."


def test_articles_and_retirement_keep_incremental_builds_exact(
    store: Store, tmp_path: Path
) -> None:
    """Attaching, detaching, new versions, copies and retiring: incremental == full."""
    _seed_archive(store)
    events = [e for e in store.iter_events() if not e.is_stub]
    checker = SiteChecker(store, tmp_path)
    wire = made_up_text(1)
    first = store_article(store, "wire", wire, date(2012, 2, 4))  # attached to nothing
    report = checker.step()
    assert report.pages_written == 4, "its page, in four formats, and nothing else"
    store.attach_article(first, events[0].id, score=0.9, reason="made up", method="test")
    checker.step()
    page = json.loads(checker.files[f"/articles/{first}.json"])
    assert [e["id"] for e in page["events"]] == [events[0].id]
    listing = page_json(checker, store, events[0].id)
    assert [a["id"] for a in listing["articles"]] == [first]
    # An earlier copy arrives: both pages list the other, and the event's page now says
    # its article is a copy of the new one.
    earlier = store_article(store, "paper", wire + " More words here.", date(2012, 2, 3))
    checker.step()
    listing = page_json(checker, store, events[0].id)
    assert listing["articles"][0]["copy_of"] == {"id": earlier, "path": f"/articles/{earlier}"}
    # The attached article's event is edited: the article's page shows the new headline.
    store.append_version(events[0].id, replace(events[0].content, headline="Renamed event"))
    checker.step()
    assert "Renamed event" in checker.files[f"/articles/{first}.md"].decode()
    # A new version of the copy changes its own, its copy's and its event's pages.
    store_article(store, "paper", wire + " Other words now.", date(2012, 2, 3))
    checker.step()
    assert store.copies_of(first).representative_id == earlier
    # Retiring marks the event (every version) and the lists it is on.
    retired = events[1]
    store.retire_event(
        retired.id, editor="ann", note="test", expected_version=len(retired.versions)
    )
    checker.step()
    day = retired.content.date
    day_page = json.loads(checker.files[f"/news/{day:%Y/%m}/{day.day}/index.json"])
    assert [e["retired"] for e in day_page["events"] if e["id"] == retired.id] == [True]
    store.detach_article(first, events[0].id)
    checker.step()
    assert json.loads(checker.files[f"/articles/{first}.json"])["events"] == []


def test_the_same_sqlite_file_by_another_path_is_still_incremental(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A build keys its output by the archive it was built from: the file, however its
    path is spelled. Opening it by a relative path after an absolute one (or through a
    symbolic link) must not make the next build a full one."""
    from dateline.store import open_store

    db = tmp_path / "archive.db"
    store = open_store(str(db))
    store.create_event(EventContent(date(2012, 2, 9), "One event", contexts=("Homs",)))
    store.close()
    out = tmp_path / "site"
    first = open_store(str(db))
    assert build_site(first, out).full
    first.close()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link").symlink_to(tmp_path)
    for spelling in ("archive.db", "./link/archive.db"):
        again = open_store(spelling)
        report = build_site(again, out)
        again.close()
        assert not report.full, spelling
        assert report.pages_written == 0, spelling


def test_a_build_deletes_the_spare_files_a_crashed_build_left(store: Store, tmp_path: Path) -> None:
    import_paths(store, [seed_file(n) for n in EVENT_SEEDS])
    build_site(store, tmp_path)
    left = tmp_path / STATE_DIR / "spare-424242"
    left.write_bytes(b"half a page")
    build_site(store, tmp_path)
    assert not left.exists()
    assert not list((tmp_path / STATE_DIR).glob("spare-*"))
