"""``dateline build OUT/``: the whole archive as a static site, rebuilt incrementally.

A full build renders every page in four formats (see :mod:`dateline.site.pages`),
plus feeds, sitemaps, a 404 page and the stylesheet. Its state (see
:mod:`dateline.site.state`) lets the next build start from the archive's change log
(``event_changes``): it re-renders only what the changed events can affect, and
writes only the pages whose text actually changed. What an edited event affects:

- its own pages (every version: the Changes list grows) and the feeds of its tags;
- the lists it is on, before and after the edit: day, month, context (the tag's page and
  year pages), story; only when what they show of it changed (``Listed.shown``, a
  digest of its entry: a new summary changes no list); year pages and the home page
  only when counts change, or for the home page when it is on the latest days;
- the related lists of other events: those that listed it, and those it may now enter.
  The ranking is by shared tags, then by nearness to the list's event and date
  (:func:`dateline.store.related.rank_key`), so it can only enter a list whose weakest
  entry it would outrank there; other lists cannot change.

A change of templates, Dateline version, base URL or archive makes the next build a
full one; ``full=True`` forces it.
"""

from __future__ import annotations

import calendar
import gc
import hashlib
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dateline.model import (
    FORMATS,
    SITE_FEED_PATH,
    Context,
    Event,
    EventArticle,
    EventEntry,
    RelatedEvent,
    context_feed_path,
    context_path,
    day_path,
    home_path,
    story_path,
    story_slug,
)
from dateline.render import views
from dateline.render.app_pages import SEARCH_PAGE_FILE, static_search_page
from dateline.render.atom import feed_entries_kept, render_atom
from dateline.render.html_format import render_html, stylesheet
from dateline.render.listed import listing_from
from dateline.render.listed_parts import entry_parts
from dateline.render.markdown import version_path
from dateline.render.related_splice import related_parts, spliced
from dateline.render.views import (
    DAYS_ON_HOME_PAGE,
    context_view,
    context_years,
    feed_view,
    home_view,
    month_view,
    story_view,
    year_view,
)
from dateline.render.xml_format import related_parts_kept
from dateline.site.entry_book import EntryBook
from dateline.site.output import SiteWriter, remove_spares
from dateline.site.pages import article_files, day_files, event_files, list_files
from dateline.site.sitemap import (
    INDEX_PATH,
    SITE_SITEMAP_PATH,
    site_sitemap,
    sitemap_index,
    year_sitemap,
    year_sitemap_path,
)
from dateline.site.state import (
    STATE_DIR,
    BuildState,
    Listed,
    PageDigests,
    RelatedRecord,
    related_records,
)
from dateline.store import Store

if TYPE_CHECKING:
    from dateline.store.related import RelatedIndex

BUILD_FORMAT = "4"
"""Bump when the output or the page digests change in a way the template digest does not show."""
FEED_SIZE = 50
CONTEXT_FEED_SIZE = 20
RELATED_LIMIT = 10
_BATCH = 1000
_NEWS_TASKS = frozenset({"events", "days", "months", "years"})
"""The kinds of task of a full build that write the pages under /news/, which the years'
sitemaps list."""
_FORK_AT = 200
"""Events to render at which an incremental build forks workers. Measured on the
100,000-event archive of bench/build.py, one process against forked, alternating: a
headline on 213 lists 0.60-0.62 s against 0.51-0.59 s; on 65 lists 0.21-0.43 s against
0.25-0.50 s (the parent renders the list pages while the workers render the events')."""
_FORKED_TASK = 100
"""The fewest events a task of a forked incremental build renders (4 tasks a worker)."""
_EPOCH = datetime(1970, 1, 1)

Progress = Callable[[int, int], None]


@dataclass
class BuildReport:
    full: bool = True
    events: int = 0
    pages_written: int = 0
    pages_unchanged: int = 0
    pages_removed: int = 0
    seconds: float = 0.0


def build_site(
    store: Store,
    out: Path,
    *,
    base_url: str = "http://127.0.0.1:8000",
    full: bool = False,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> BuildReport:
    """Build (or bring up to date) the static site of ``store`` in ``out``.

    A full build renders in ``jobs`` processes (default: one per CPU); an incremental
    one too when it has hundreds of events' pages to render (a new headline of an event
    on many related lists), else in this process. ``progress(pages, total)`` is called
    as pages are done (``total`` is 0 when not known in advance).
    """
    started = time.perf_counter()
    base_url = base_url.rstrip("/")
    out.mkdir(parents=True, exist_ok=True)
    state = BuildState(out)
    remove_spares(out)
    ok = False
    builder: _Build | None = None
    try:
        fingerprint = _fingerprint(store, base_url)
        incremental = (
            not full and state.meta("fingerprint") == fingerprint and state.meta("seq") is not None
        )
        if incremental:
            builder = _Build(store, out, state, base_url, progress, known=None)
            # What exists before the build (modules, the store and its caches) is not
            # its garbage: kept out of the collector's sweeps while the build allocates
            # (collections took 72-85 ms of a headline edit's build, 15-32 ms so).
            with _frozen_heap():
                report = builder.incremental(int(state.meta("seq") or 0), jobs or _cpus())
        else:
            builder = _Build(store, out, state, base_url, progress, known=state.digests())
            report = builder.full(jobs or _cpus())
        state.set_meta("fingerprint", fingerprint)
        ok = True
    finally:
        if builder is not None:
            builder.writer.close_spare()
        state.close(commit=ok)
    report.seconds = time.perf_counter() - started
    return report


def _fingerprint(store: Store, base_url: str) -> str:
    """What the whole output depends on besides the archive's content."""
    from dateline import __version__

    templates = files("dateline.render") / "templates"
    source = store.url
    database = store.engine.url.database
    if store.backend == "sqlite" and database and database != ":memory:":
        # The file, not its spelling: opened by a relative path and then an absolute
        # one, the same archive would otherwise be built in full again.
        source = f"sqlite:///{Path(database).resolve()}"
    digest = hashlib.sha256(f"{BUILD_FORMAT}|{__version__}|{source}|{base_url}".encode())
    for item in sorted(templates.iterdir(), key=lambda p: p.name):
        digest.update(item.name.encode() + item.read_bytes())
    return digest.hexdigest()


class _Build:
    def __init__(
        self,
        store: Store,
        out: Path,
        state: BuildState,
        base_url: str,
        progress: Progress | None,
        known: dict[str, bytes] | None,
    ) -> None:
        self.store = store
        self.state = state
        self.base_url = base_url
        self.progress = progress
        self.writer = SiteWriter(out, state, known)
        self.slugs: dict[str, str] = {}
        # What a full build holds in memory (its worker processes inherit it).
        self.contexts: list[Context] = []
        self.entries: list[EventEntry] = []
        self.by_day: dict[date, list[EventEntry]] = defaultdict(list)
        self.by_month: dict[tuple[int, int], list[EventEntry]] = defaultdict(list)
        self.by_context: dict[str, list[EventEntry]] = defaultdict(list)
        self.by_story: dict[str, list[EventEntry]] = defaultdict(list)
        self.day_counts: dict[date, int] = {}
        # A full build's list entries, made once per event by its events' tasks.
        self._book: EntryBook | None = None
        self._entry_of: dict[int, EventEntry] = {}
        # A full build's XML parts of related entries, each worker's own (xml_format).
        self._related_xml: dict[Any, bytes] | None = None
        # And its feed entries, each worker's own (atom.feed_entries_kept).
        self._feed_entries: dict[tuple[Any, ...], bytes] | None = None
        self._linked_events: set[int] | None = None  # events with articles: _event_articles
        # What an incremental build's tasks share: the ranking of the related lists to
        # rewrite (None when no edit changed what related lists show), the changed events.
        self._ranking: RelatedIndex | None = None
        self._changed: dict[int, Event] = {}
        self._kept: dict[int, tuple[int, ...]] = {}  # related lists described, not ranked

    # -- the two kinds of build -------------------------------------------------------

    def full(self, jobs: int) -> BuildReport:
        self.state.clear()
        seq = self.store.last_change()  # first: a change made during the build is seen next time
        # Everything read here lives as long as the build: nothing for the cyclic
        # collector to find, which would sweep it again and again as it grows.
        with _collector_paused():
            self.contexts = self.store.contexts(include_unused=True)
            self.slugs = {c.name: c.slug for c in self.contexts}
            self.entries = entries = self.store.all_entries()
            # With every event's slug and headline: lists made in memory, not described by
            # SQL (see RelatedIndex.related_many).
            self.store.load_related_index(listing={e.id: (e.slug, e.headline) for e in entries})
            marks = self.store.version_marks()
            for entry in entries:
                self.by_day[entry.date].append(entry)
                self.by_month[entry.date.year, entry.date.month].append(entry)
                for context in entry.contexts:
                    self.by_context[context.slug].append(entry)
                if entry.story:
                    self.by_story[story_slug(entry.story) or "story"].append(entry)
            self.day_counts = {day: len(listed) for day, listed in self.by_day.items()}
            days = sorted(set(self.by_day) | {day for day, _ in marks})
            stories = sorted(set(self.by_story) | {s for _, st in marks if (s := story_slug(st))})
            months = sorted({(d.year, d.month) for d in days})
            ids = [e.id for e in entries]
            self._entry_of = {e.id: e for e in entries}
            self._related_xml = {}
            self._feed_entries = {}
            self._book = EntryBook(self.writer.out / STATE_DIR / "entries")
            self._book.start()
        # The events first: their tasks make each event's list entry once, for the list
        # pages' tasks after them (see EntryBook). Then the rest of the pages under
        # /news/, so that the parent writes the years' sitemaps while the workers make
        # the tags' pages (it waits for them otherwise: 0.45 s at 100,000 events).
        # Contexts come most events first: deal them out, so that no task holds all the
        # big ones, and none is left alone at the end: the tasks are of a size (0.3-0.4
        # s at 100,000 events), where the three of months took 0.8 s each.
        spread = -(-len(self.contexts) // 500)
        years = sorted({d.year for d in days})
        tasks: list[tuple[str, Sequence[Any]]] = [
            *(("events", chunk) for chunk in _chunks(ids, _BATCH)),
            *(("months", chunk) for chunk in _chunks(months, 40)),
            *(("days", chunk) for chunk in _chunks(days, 1000)),
            ("years", years),
            ("home", ()),
            *(("stories", chunk) for chunk in _chunks(stories, 500)),
            *(("contexts", range(i, len(self.contexts), spread)) for i in range(spread)),
        ]
        news_left = sum(kind in _NEWS_TASKS for kind, _ in tasks)
        # What was loaded above lives as long as the build: kept out of the cyclic
        # garbage collector's sweeps (each one would walk all of it), and out of the
        # forked workers' copy-on-write pages, which those sweeps would touch.
        try:
            with _frozen_heap(), _started(self, tasks, jobs) as results:
                for done, result in enumerate(results, 1):
                    self.writer.absorb(result.writer)
                    self.state.record_new_related(result.related)  # cleared above
                    self.state.record_listed(result.listed)
                    if result.kind in _NEWS_TASKS:
                        news_left -= 1
                        if news_left == 0:  # every page under /news/ is recorded
                            self._year_sitemaps(set(years))
                    if self.progress:
                        self.progress(done, len(tasks))
        finally:  # the made entries' files (a quarter of a GB at 100,000 events)
            self._book.remove()
            self._book = None
        self._all_article_pages()
        self._site_files()
        self.writer.flush()
        self._sitemaps(set(years) if news_left else set())
        stale = set(self.writer.known or ()) - self.writer.produced
        self.writer.remove(sorted(stale))
        self.state.set_meta("seq", str(seq))
        return self._report(full=True, events=len(entries))

    def run_task(self, kind: str, items: Sequence[Any]) -> _TaskResult:
        """One part of a full build, maybe in a worker process: pages of ``items``."""
        parent = self.writer
        digests = None
        if parent.known is None:  # an incremental build: the digests its pages had
            digests = PageDigests(parent.out)
        self.writer = SiteWriter(
            parent.out, None, parent.known, digests=digests.digest if digests else None
        )
        result = _TaskResult(self.writer, kind)
        try:
            if kind == "affected":
                result = self._affected_task(items)
            elif kind != "events" and self._book is not None:
                self._book.refresh()
                with listing_from(self._book.entries):
                    self._task(kind, items, result)
            else:
                self._task(kind, items, result)
        finally:
            self.writer.close_spare()
            self.writer = parent
            if digests is not None:
                digests.close()
        return result

    def _task(self, kind: str, items: Sequence[Any], result: _TaskResult) -> None:
        if kind == "events":
            entry_of = self._entry_of
            related = self.store.related_many(
                items, RELATED_LIMIT, {i: [c.name for c in entry_of[i].contexts] for i in items}
            )
            events = self.store.events(items)
            kept = self._related_xml
            with related_parts_kept(kept) if kept is not None else nullcontext():
                for event in events:
                    self._event_pages(event, related[event.id], all_versions=True)
            if self._book is not None:
                made = {e.id: entry_parts(self._entry_of[e.id]) for e in events}
                self._book.write(str(items[0]), made)
            result.related = related_records({e.id: related[e.id] for e in events})
            result.listed = [(e.id, self._listed(e)) for e in events]
        elif kind == "days":
            for day in items:
                self.writer.put_all(day_files(day, self.by_day.get(day, [])))
        elif kind == "months":
            for year, month in items:
                view = month_view(year, month, self.by_month.get((year, month), []))
                self.writer.put_all(list_files(view))
        elif kind == "years":
            for year in items:
                self.writer.put_all(list_files(year_view(year, self.day_counts)))
        elif kind == "contexts":
            chosen = [self.contexts[i] for i in items]
            for context in chosen:
                self._context_pages(context, self.by_context.get(context.slug, []), None)
            feeds = [(c, self.by_context.get(c.slug, [])) for c in chosen]
            kept = self._feed_entries
            with feed_entries_kept(kept) if kept is not None else nullcontext():
                self._context_feeds(feeds)
        elif kind == "stories":
            for slug in items:
                self.writer.put_all(list_files(story_view(slug, self.by_story.get(slug, []))))
        elif kind == "home":
            in_use = [c for c in self.contexts if c.event_count]
            self._home(self.day_counts, self.by_day, in_use)
            self._site_feed(self.entries)

    def incremental(self, since: int, jobs: int = 1) -> BuildReport:
        seq = self.store.last_change()
        changed = self.store.changed_since(since)
        self._changed_article_pages(changed)
        if not changed:
            self._site_files()
            self.writer.flush()
            return self._report(full=False, events=0)
        before = self.state.listed(changed)
        now = {e.id: e for e in self.store.entries(changed)}
        events = {e.id: e for e in self.store.events(changed)}
        self.slugs = self.store.context_slugs(
            sorted({n for e in events.values() for v in e.versions for n in v.content.contexts})
        )
        # Related lists: the changed events', those listing them, those they may enter;
        # an edit that keeps what related lists show (a summary, sources) changes none.
        moved = [
            i
            for i in changed
            if i not in before or i not in events or before[i].mark != _mark(events[i])
        ]
        affected = set(changed)
        holding: dict[int, set[int]] = {}  # edited events ranked as before: lists holding them
        if moved:
            # Who shares the moved events' tags: a snapshot of the index holding only
            # those tags, not all of it (see Store.related_snapshot).
            sharers = self.store.related_snapshot([i for i in moved if i in now])
            alike = {i for i in moved if _ranked_alike(before.get(i), now.get(i))}
            listing = self.state.listings(moved)
            holding = {i: listing[i] for i in alike}
            affected = affected.union(*(listing[i] for i in moved if i not in alike))
        for event_id in moved:
            entry = now.get(event_id)
            if entry is not None:
                affected |= self.state.lists_admitting(
                    sharers.sharing(event_id),
                    RELATED_LIMIT,
                    entry.date.toordinal(),
                    entry.slug,
                    event_id,
                ) - holding.get(event_id, set())
        if moved:
            self._kept = self._lists_kept(holding, affected, now)
            affected.update(*holding.values())
            ranked = affected - self._kept.keys()
            if ranked:  # the lists to rank now, all in one snapshot
                self._ranking = self.store.related_snapshot(sorted(ranked), base=sharers)
        self._changed = events
        ordered = sorted(affected)
        forking = len(ordered) >= _FORK_AT and jobs > 1
        # Thousands of pages (a headline on many related lists): rendered in forked
        # processes, as a full build's are, in a few tasks each, while this one renders
        # the list pages; else all here, the lists first and then the events' pages.
        started: AbstractContextManager[Iterator[_TaskResult]]
        if forking:
            size = max(_FORKED_TASK, -(-len(ordered) // (4 * jobs)))
            started = _started(self, [("affected", c) for c in _chunks(ordered, size)], jobs)
        else:
            started = nullcontext(self._affected_task(b) for b in _batches(ordered, _BATCH))
        with started as results:
            feeds = self._list_pages(events, before, now, len(changed))
            done = 0
            for result in results:
                if result.writer is not self.writer:  # a worker's
                    self.writer.absorb(result.writer)
                self.state.record_related(result.related)
                self.state.record_listed(result.listed)
                done += len(result.related)
                if self.progress:
                    self.progress(done, len(affected))

        self._site_feed(self.store.latest_entries(FEED_SIZE))
        self._context_feeds(feeds)
        self._site_files()
        self.writer.flush()
        # Sitemaps list addresses: only pages added or removed change them.
        changed_paths = {p for p in self.writer.added | self.writer.gone if p.endswith(".html")}
        self._sitemaps(
            {int(p[6:10]) for p in changed_paths if p.startswith("/news/")},
            site=any(p.startswith(("/context/", "/story/")) for p in changed_paths),
        )
        self.state.set_meta("seq", str(seq))
        return self._report(full=False, events=len(affected))

    def _list_pages(
        self,
        events: dict[int, Event],
        before: dict[int, Listed],
        now: dict[int, EventEntry],
        changed: int,
    ) -> list[tuple[Context, list[EventEntry]]]:
        """The lists the changed events were on, and are on now: only where what lists
        show of an event changed (an edited summary or source changes no list). Returns
        the tags whose feeds to write, with their latest entries."""
        days: set[date] = set()
        contexts: set[str] = set()
        stories: set[str] = set()
        context_years: dict[str, set[int]] = defaultdict(set)
        counted = False  # whether counts changed: day, month, year and tag totals
        for event_id, event in events.items():
            old, new = before.get(event_id), now.get(event_id)
            listed = self._listed(event)
            elsewhere = old is None or (old.day, old.contexts) != (listed.day, listed.contexts)
            counted = counted or elsewhere or new is None
            if old is not None and old.shown == listed.shown:
                # Its lists are as they were; an imported history may still bring
                # versions whose day, tag or story has no page yet.
                self._missing_version_lists(event, days, contexts, stories)
                continue
            marks = [(date.fromisoformat(old.day), old.contexts, old.story)] if old else []
            if new:
                marks.append((new.date, tuple(c.slug for c in new.contexts), story_slug(new.story)))
            for day, tags, story in marks:
                days.add(day)
                contexts.update(tags)
                stories.update([story] if story else [])
                for tag in tags:
                    context_years[tag].add(day.year)
            for version in event.versions:  # an imported history brings its own pages
                days.add(version.content.date)
                contexts.update(self.slugs[name] for name in version.content.contexts)
                stories.update([s] if (s := story_slug(version.content.story)) else [])
        counted = counted or len(events) != changed  # an event gone
        for day in sorted(days):
            self.writer.put_all(day_files(day, self.store.entries_between(day, day)))
        # Counts are read only when they changed (year pages, the home page) or the
        # home page must be rendered: whether it must, its latest days tell.
        day_counts = self.store.day_counts() if counted else {}
        self._calendar(days, day_counts, self._month_entries, years=counted)
        feeds = []
        for slug in sorted({*contexts, *(t for e in now.values() for t in _slugs(e))}):
            context = self.store.context(slug)
            if slug in contexts:
                self._context_pages(context, None, touched=context_years.get(slug, set()))
            feeds.append((context, self.store.latest_entries(CONTEXT_FEED_SIZE, slug)))
        for slug in sorted(stories):
            self.writer.put_all(list_files(story_view(slug, self.store.entries_in_story(slug))))
        latest_days = self.store.latest_days(DAYS_ON_HOME_PAGE) if days and not counted else []
        if counted or (latest_days and any(d >= latest_days[-1] for d in days)):
            self._home_now(day_counts or self.store.day_counts())
        return feeds

    # -- pages ------------------------------------------------------------------------

    def _event_pages(
        self, event: Event, related: Sequence[RelatedEvent], *, all_versions: bool
    ) -> None:
        versions = event.versions if all_versions else (event.current,)
        articles = self._event_articles(event.id)
        for version in versions:
            self.writer.put_all(event_files(event, version, related, self.slugs, articles))

    def _affected_task(self, batch: Sequence[int]) -> _TaskResult:
        """The pages of events whose own pages or related lists changed (of ``batch``),
        in this process's writer; their related lists and, for the changed events,
        where they are listed, for the state."""
        kept = {i: self._kept[i] for i in batch if i in self._kept}
        ranked = [i for i in batch if i not in kept]
        if self._ranking is not None:
            related = self._ranking.related_many(ranked, RELATED_LIMIT)
        else:  # a few SQL queries beat loading the whole index
            related = {i: self.store.related(i, RELATED_LIMIT) for i in ranked}
        if kept:
            related.update(self.store.related_of(kept, RELATED_LIMIT))
        events = self._changed
        # The events whose related lists changed, read in one query, not one each (a
        # headline on 212 lists: 0.48 -> 0.02 s of reading under the profiler).
        others = {e.id: e for e in self.store.events([i for i in batch if i not in events])}
        result = _TaskResult(self.writer)
        lists = {}
        for event_id in batch:
            event = events.get(event_id) or others.get(event_id) or self.store.event(event_id)
            if event_id in events or not self._related_spliced(event, related[event_id]):
                self._event_pages(event, related[event_id], all_versions=event_id in events)
            lists[event.id] = related[event_id]
            if event.id in events:
                result.listed.append((event.id, self._listed(event)))
        result.related = related_records(lists)
        return result

    def _related_spliced(self, event: Event, related: Sequence[RelatedEvent]) -> bool:
        """Put the new related list into the pages of an event that did not change
        itself, keeping the rest of each page as built (see
        :mod:`dateline.render.related_splice`); False, writing nothing, when a page is
        not as the last build wrote it (then it is rendered whole).

        Its four pages so: 157 us against 271 us rendered whole (medians of 5 rounds on
        600 events of the costliest edit's lists, file reads left out). That edit's
        build: 1.50-1.63 s against 1.56-1.75 s (4 alternating runs each after a first).
        """
        path = version_path(event, event.current, "")[:-1]
        news = []
        for ext, part in related_parts(path, related).items():
            old = self.writer.read(f"{path}.{ext}")
            new = None if old is None else spliced(ext, old, part)
            if new is None:
                return False
            news.append((f"{path}.{ext}", new))
        self.writer.put_all(news)
        return True

    def _lists_kept(
        self, holding: dict[int, set[int]], ranked: set[int], now: dict[int, EventEntry]
    ) -> dict[int, tuple[int, ...]]:
        """The related lists whose members stay, with their members: those holding an
        event ranked as before (``holding``: its id to the lists holding it, see
        :func:`_ranked_alike`) that no other edit touches (``ranked``).

        Such an event ranks against every other as before, except where only slug and
        id break the tie: against events of its own day sharing as many tags. So a list
        that is not full keeps its members (all its candidates are on it), and so does a
        full one unless its last entry is of that event's day (the event itself, or one
        it may now come after; then one of that day left off at the tie may come first).
        Those are ranked again; the rest are only described again (Store.related_of).
        A new headline on 2,146 lists: 336 ranked, 1,810 kept; its build took 2.26-2.44 s
        against 2.35-2.68 s ranking them all (4 runs each, alternating, on a slow hour).
        """
        lists = {i for ids in holding.values() for i in ids} - ranked
        days = {now[i].date.toordinal() for i in holding}
        kept = {}
        for owner, recorded in self.state.recorded_lists(sorted(lists)).items():
            full = recorded.length >= RELATED_LIMIT
            if not full or recorded.last_day not in days:
                kept[owner] = recorded.members
        return kept

    def _listed(self, event: Event) -> Listed:
        content = event.content
        tags = tuple(self.slugs[name] for name in content.contexts)
        return Listed(
            content.date.isoformat(),
            story_slug(content.story),
            tags,
            _mark(event),
            _shown(event, tags),
        )

    def _missing_version_lists(
        self, event: Event, days: set[date], contexts: set[str], stories: set[str]
    ) -> None:
        """Add to ``days``, ``contexts`` and ``stories`` those of ``event``'s versions
        whose list page does not exist yet (a version page links to them)."""
        for version in event.versions:
            content = version.content
            if self.state.digest(day_path(content.date, "html")) is None:
                days.add(content.date)
            for name in content.contexts:
                slug = self.slugs[name]
                if self.state.digest(context_path(slug, "html")) is None:
                    contexts.add(slug)
            story = story_slug(content.story)
            if story and self.state.digest(story_path(story, "html")) is None:
                stories.add(story)

    def _calendar(
        self,
        days: Iterable[date],
        day_counts: dict[date, int],
        month_entries: Callable[[int, int], list[EventEntry]],
        *,
        years: bool = True,
    ) -> None:
        """Month pages of ``days``, and their year pages unless ``years`` is False (a
        year page shows counts alone: no change of them, no change of it)."""
        months = sorted({(d.year, d.month) for d in days})
        for year, month in months:
            view = month_view(year, month, month_entries(year, month))
            self.writer.put_all(list_files(view))
        for year in sorted({y for y, _ in months}) if years else ():
            self.writer.put_all(list_files(year_view(year, day_counts)))

    def _month_entries(self, year: int, month: int) -> list[EventEntry]:
        last = calendar.monthrange(year, month)[1]
        return self.store.entries_between(date(year, month, 1), date(year, month, last))

    def _context_pages(
        self, context: Context, tagged: list[EventEntry] | None, touched: set[int] | None
    ) -> None:
        """The tag's page and its year pages: all (full build) or the ``touched`` years.

        ``tagged`` is all the tag's events (a full build has them in memory); without
        it the store gives what each page lists. A year page shows nothing of other
        years but the list of years, so only when that list changes are they all
        rewritten (and pages of years gone removed).
        """
        slug = context.slug
        if tagged is not None:
            counts: dict[date, int] = Counter(e.date for e in tagged)
            head: list[EventEntry] = tagged
        else:
            counts = self.store.context_day_counts(slug)
            head = self.store.entries_with_context(slug, latest=views.LATEST_ON_CONTEXT_PAGE)
        self.writer.put_all(list_files(context_view(context, head, day_counts=counts)))
        wanted = set(context_years(counts))
        if touched is not None:
            prefix = context_path(slug, "")[:-1] + "/"
            existing = {
                int(p.rsplit("/", 1)[1].split(".")[0])
                for p in self.state.paths_between(prefix, prefix[:-1] + "0")
                if p.endswith(".html")
            }
            if existing != wanted:
                touched = None
                gone = existing - wanted
                self.writer.remove(context_path(slug, ext, year=y) for y in gone for ext in FORMATS)
        of_year: dict[int, list[EventEntry]] = defaultdict(list)
        for entry in tagged if tagged is not None and wanted else ():
            of_year[entry.date.year].append(entry)  # once, not a pass over all per year
        counts_of_year: dict[int, dict[date, int]] = defaultdict(dict)
        for day, n in counts.items() if wanted else ():
            counts_of_year[day.year][day] = n
        years = sorted(wanted)
        for year in sorted(wanted if touched is None else wanted & touched):
            listed = (
                of_year[year]
                if tagged is not None
                else self.store.entries_with_context(slug, year=year)
            )
            view = context_view(
                context, listed, year=year, day_counts=counts_of_year[year], years=years
            )
            self.writer.put_all(list_files(view))

    def _home_now(self, day_counts: dict[date, int]) -> None:
        """The home page, read from the store (an incremental build)."""
        latest_days = sorted(day_counts, reverse=True)[:DAYS_ON_HOME_PAGE]
        latest = self.store.entries_between(latest_days[-1], latest_days[0]) if latest_days else []
        by_day: dict[date, list[EventEntry]] = defaultdict(list)
        for entry in latest:
            by_day[entry.date].append(entry)
        self._home(day_counts, by_day, self.store.contexts(limit=views.CONTEXTS_ON_HOME_PAGE))

    def _home(
        self,
        day_counts: dict[date, int],
        by_day: dict[date, list[EventEntry]],
        contexts: Sequence[Context],
    ) -> None:
        latest_days = sorted(day_counts, reverse=True)[:DAYS_ON_HOME_PAGE]
        view = home_view({d: by_day[d] for d in latest_days}, day_counts, contexts)
        self.writer.put_all(list_files(view))

    def _site_feed(self, entries: Sequence[EventEntry]) -> None:
        site = _latest(entries, FEED_SIZE)
        view = feed_view("Dateline: latest events", SITE_FEED_PATH, home_path("")[:-1], site)
        self.writer.put(SITE_FEED_PATH, render_atom(view, base_url=self.base_url))

    def _context_feeds(self, contexts: Sequence[tuple[Context, Sequence[EventEntry]]]) -> None:
        for context, tagged in contexts:
            path = context_feed_path(context.slug)
            view = feed_view(
                f"Dateline: {context.name}",
                path,
                path.removesuffix(".atom"),
                _latest(tagged, CONTEXT_FEED_SIZE),
            )
            self.writer.put(path, render_atom(view, base_url=self.base_url))

    def _site_files(self) -> None:
        self.writer.put("/style.css", stylesheet())
        not_found = {"type": "not-found", "path": "/404", "title": "Not found"}
        self.writer.put("/404.html", render_html(not_found))
        # Where every page's search box submits: the live server answers it with
        # results; on a static host it says that searching needs the live server.
        self.writer.put(SEARCH_PAGE_FILE, static_search_page())

    def _sitemaps(self, years: set[int], site: bool = True) -> None:
        """The sitemaps of ``years`` (from the pages recorded), the site's, and the index."""
        self._year_sitemaps(years)
        if site:
            self.writer.put(SITE_SITEMAP_PATH, site_sitemap(self.state, self.base_url))
        self.writer.flush()
        present = [
            int(p.rsplit("/", 1)[1].removesuffix(".xml"))
            for p in self.state.paths_between("/sitemaps/", "/sitemaps0")
            if p != SITE_SITEMAP_PATH
        ]
        self.writer.put(INDEX_PATH, sitemap_index(self.base_url, present))
        self.writer.flush()

    def _year_sitemaps(self, years: set[int]) -> None:
        """The sitemaps of ``years``, from the pages recorded."""
        self.writer.flush()
        for year in sorted(years):
            data = year_sitemap(self.state, self.base_url, year)
            if data is None:
                self.writer.remove([year_sitemap_path(year)])
            else:
                self.writer.put(year_sitemap_path(year), data)

    # -- source articles: their pages, and the lists on event pages ----------------------

    def _event_articles(self, event_id: int) -> list[EventArticle]:
        """The articles an event's page lists; the store is asked only for the events
        that have some (one query per build, or per worker process, finds which)."""
        if self._linked_events is None:
            self._linked_events = self.store.events_with_articles()
        if event_id not in self._linked_events:
            return []
        return self.store.event_articles([event_id]).get(event_id, [])

    def _all_article_pages(self) -> None:
        """Every article's page (a full build), and how far the article log was read."""
        seq = self.store.last_article_change()  # first, as for events
        self._article_pages(self.store.article_ids())
        self.state.set_meta("article_seq", str(seq))

    def _changed_article_pages(self, changed_events: Sequence[int]) -> None:
        """The pages of the articles changed since the last build (``article_changes``:
        a new version, link or copy) and of those attached to a changed event (their
        pages show its headline and date); all of them when the state does not say."""
        seq = self.store.last_article_change()
        since = self.state.meta("article_seq")
        if since is None:
            ids = self.store.article_ids()
        else:
            changed = self.store.articles_changed_since(int(since))
            ids = sorted({*changed, *self.store.articles_attached_to(changed_events)})
        self._article_pages(ids)
        self.state.set_meta("article_seq", str(seq))

    def _article_pages(self, ids: Sequence[int]) -> None:
        for batch in _batches(ids, 200):
            for details in self.store.article_details(batch):
                self.writer.put_all(article_files(details))

    def _report(self, *, full: bool, events: int) -> BuildReport:
        return BuildReport(
            full=full,
            events=events,
            pages_written=self.writer.written,
            pages_unchanged=self.writer.unchanged,
            pages_removed=self.writer.removed,
        )


YOUNG_COLLECTION_AFTER = 50_000
"""Container objects allocated (less those freed) before a build's cyclic collector looks
at the young ones: Python's default is 700. A full build's pages are views of plain
dicts and lists, freed by their reference counts as soon as written, so few survive,
but at 700 each worker still ran 3,300-3,400 young collections, 0.65-0.85 s of its
CPU time with the older generations' (gc.callbacks, 100,000 events); at this
threshold, 3-5 collections, 0.04-0.05 s. Garbage in reference cycles (if any) waits
for at most this many objects' worth of allocations before it is found."""


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off in the block (on again after, if it was).

    For a full build's reads before its workers start: a million objects that all
    survive. With the collector on, those reads took 2.14 s of the 100,000-event
    benchmark archive's build, 0.42 s of it 1,708 collections (6 of them of every
    generation); with it off, 1.81-1.82 s."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Every object that exists now kept out of the cyclic collector's sweeps (gc.freeze)
    until the block ends, and the collector run less often (:data:`YOUNG_COLLECTION_AFTER`;
    forked workers inherit both). Thawed then, unless the caller had frozen the heap
    itself: ``gc.unfreeze`` would thaw the caller's objects too. What stays frozen is
    still freed when its last reference goes."""
    thaw = gc.get_freeze_count() == 0
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], YOUNG_COLLECTION_AFTER), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if thaw:
            gc.unfreeze()


def _mark(event: Event) -> str:
    """A digest of what related lists show of ``event`` and rank it by."""
    content = event.content
    text = "\x1f".join((content.date.isoformat(), event.slug, content.headline, *content.contexts))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _ranked_alike(before: Listed | None, now: EventEntry | None) -> bool:
    """Whether an edited event ranks on related lists as before, but for its slug: the
    same day and tags (a new headline, which gives it a new slug)."""
    if before is None or now is None:
        return False
    return before.day == now.date.isoformat() and before.contexts == _slugs(now)


def _slugs(entry: EventEntry) -> tuple[str, ...]:
    return tuple(c.slug for c in entry.contexts)


def _shown(event: Event, tags: Sequence[str]) -> str:
    """A digest of what list pages show of ``event`` (see views.entry_view): its entry."""
    content = event.content
    text = "\x1f".join(
        (
            content.date.isoformat(),
            event.slug,
            content.headline,
            content.category or "",
            content.story or "",
            "\x1e".join(content.contexts),
            "\x1e".join(tags),
            "retired" if event.retired else "",
        )
    )
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _latest(entries: Sequence[EventEntry], limit: int) -> list[EventEntry]:
    """Newest change first, as :meth:`Store.latest_entries` orders them."""
    return sorted(entries, key=lambda e: (e.updated_at or _EPOCH, e.id), reverse=True)[:limit]


@dataclass
class _TaskResult:
    writer: SiteWriter
    kind: str = ""  # the task's
    related: dict[int, RelatedRecord] = field(default_factory=dict)  # related_records
    listed: list[tuple[int, Listed]] = field(default_factory=list)


_WORKER_BUILD: _Build | None = None
"""The build a worker process serves: inherited from the parent when it forks."""


def _worker_task(task: tuple[str, Sequence[Any]]) -> _TaskResult:
    assert _WORKER_BUILD is not None
    return _WORKER_BUILD.run_task(*task)


def _worker_start() -> None:
    assert _WORKER_BUILD is not None
    # Connections opened by the parent must not be used from this process.
    _WORKER_BUILD.store.engine.dispose(close=False)


@contextmanager
def _started(
    build: _Build, tasks: Sequence[tuple[str, Sequence[Any]]], jobs: int
) -> Iterator[Iterator[_TaskResult]]:
    """``tasks`` started in ``jobs`` forked processes, and their results as they come
    (run in this process as they are asked for when ``jobs`` is 1 or fork is missing).

    Forking shares what the parent loaded (entries, the related index) without copying
    or pickling it; each task sends back only what it wrote and learned. The workers
    start at once: the parent may do other work before it takes the results.
    """
    global _WORKER_BUILD
    import multiprocessing  # here: 20 ms of every build's start, for forking builds alone

    methods = multiprocessing.get_all_start_methods()
    if jobs <= 1 or "fork" not in methods or len(tasks) < 2:
        yield (build.run_task(*task) for task in tasks)
        return
    _WORKER_BUILD = build
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs, initializer=_worker_start) as pool:
            yield pool.imap_unordered(_worker_task, tasks)
    finally:
        _WORKER_BUILD = None


def _cpus() -> int:
    return os.cpu_count() or 1


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    return (items[i : i + size] for i in range(0, len(items), size))


def _batches(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
