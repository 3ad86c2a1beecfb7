"""Article ingestion, end to end: inputs read, articles extracted, stored and linked.

:func:`ingest_articles` reads what :mod:`.sources` finds, runs :func:`.pipeline.run_pipeline`
on each input (here, or in ``jobs`` worker processes), and stores each article in its
own transaction: one bad input is reported and skipped, and never leaves anything half
stored. Results are stored in input order whatever ``jobs`` is, so ``--jobs 2`` stores
exactly what ``--jobs 1`` does.

A stored article is linked to every event whose current sources cite its address (the
canonical URL, or the one it was fetched from), spelt in any way that
:func:`dateline.nlp.urls.url_key` counts as the same: exact matches only, with score 1.
Ranking articles against events by their text is :mod:`dateline.nlp.linking`'s job.
A new article (or version) is also compared with the stored ones, in the transaction
that stores it, and joins its copy group (:mod:`dateline.ingest.article.copies`).
"""

from __future__ import annotations

import multiprocessing
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlsplit

from dateline.errors import InputError
from dateline.ingest.article.attach import attach_ranked, rank_for_article
from dateline.ingest.article.copies import record_copies, record_missing_copies
from dateline.ingest.article.model import ExtractedArticle
from dateline.ingest.article.pipeline import PipelineResult, RawArticle, Skipped, run_pipeline
from dateline.ingest.article.sources import Fetcher, InputItem, iter_inputs
from dateline.model import ArticleContent, ArticleWrite, Ingestion
from dateline.nlp.tagger import Tagger
from dateline.nlp.urls import url_keys
from dateline.nlp.vocabulary import vocabulary_from_store
from dateline.search import SearchIndex
from dateline.store import Store

URL_MATCH_METHOD = "url-match"
GIVEN_DATE = "dateline ingest --date"
"""The date method of a publication date given by the user, not found in the article."""
WINDOW_PER_JOB = 4
"""Inputs handed to each worker ahead of the one being stored: enough to keep workers
busy, few enough that a WARC of a million records is never held in memory at once."""
MAX_CRASHES_IN_A_ROW = 3
"""Worker deaths with no result in between after which the pool is not started again."""


@dataclass
class IngestReport:
    """What an ingest did: article ids by outcome, skipped inputs with their reasons."""

    inputs: int = 0
    new: list[int] = field(default_factory=list)
    new_versions: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    links: int = 0
    ranked_links: int = 0
    copies: int = 0
    """Copy pairs found between the articles stored and those in the archive."""
    waiting: list[int] = field(default_factory=list)
    """Articles left for ``dateline review``: no candidate was sure enough."""
    details: list[str] = field(default_factory=list)
    """One line per stored input (for ``--verbose``)."""

    def summary(self) -> str:
        parts = [
            _count(len(self.new), "new article"),
            _count(len(self.new_versions), "new version"),
            f"{len(self.unchanged)} unchanged",
            f"{len(self.skipped)} skipped",
        ]
        linked = f"; {_count(self.links, 'link')} to events by URL" if self.links else ""
        if self.ranked_links:
            linked += f"; {_count(self.ranked_links, 'link')} by ranking"
        if self.copies:
            linked += f"; {_count(self.copies, 'copy pair')} found"
        if self.waiting:
            linked += f"; {len(self.waiting)} waiting for review (dateline review)"
        return f"{_count(self.inputs, 'input')}: {', '.join(parts)}{linked}"

    def record(self, write: ArticleWrite, where: str) -> None:
        article = write.article
        if write.outcome == "new":
            self.new.append(article.id)
        elif write.outcome == "version":
            self.new_versions.append(article.id)
        else:
            self.unchanged.append(article.id)
        title = article.content.title or "(no title)"
        self.details.append(
            f"{write.outcome}: article {article.id} v{article.current.number} "
            f"{title!r} from {where}"
        )


def ingest_articles(
    store: Store,
    targets: Sequence[str],
    *,
    jobs: int = 1,
    fetcher: Fetcher | None = None,
    on_input: Callable[[], None] | None = None,
    undated: date | None = None,
) -> IngestReport:
    """Ingest the files, folders, WARC files and URLs ``targets`` into ``store``.

    ``jobs`` worker processes extract text (1: all in this process); ``fetcher`` fetches
    URLs (a default, polite one if None); ``on_input`` is called after each input.
    ``undated`` is the publication date given to articles in which none is found (a
    plain-text copy usually has none, and linking ranks events by date), recorded with
    the date method :data:`GIVEN_DATE`.
    """
    report = IngestReport()
    record_missing_copies(store)  # articles stored before copies were kept
    linker = _RankedLinker(store)
    for item, result in run_in_order(iter_inputs(targets, fetcher), jobs):
        report.inputs += 1
        if isinstance(result, Skipped):
            report.skipped.append(result.message)
        else:
            assert isinstance(item, RawArticle)
            if undated is not None and result.published is None:
                result = replace(result, published=undated, date_method=GIVEN_DATE)
            article_id = store_article(store, item, result, report)
            if article_id is not None:
                linker.link(article_id, report)
        if on_input is not None:
            on_input()
    return report


class _RankedLinker:
    """Links the articles no URL tied to an event, by ranking candidates
    (:mod:`dateline.ingest.article.attach`). The vocabulary and search index are made
    once per ingest, when first needed."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._tagger: Tagger | None = None
        self._search: SearchIndex | None = None

    def link(self, article_id: int, report: IngestReport) -> None:
        if self.store.article_links(article_id):
            return
        if self._tagger is None:
            self._tagger = vocabulary_from_store(self.store).tagger()
            self._search = SearchIndex(self.store)
        article = self.store.article(article_id)
        result = rank_for_article(self.store, article, tagger=self._tagger, search=self._search)
        with self.store.transaction():
            attached = attach_ranked(self.store, article, result)
        if attached:
            report.ranked_links += 1
        else:
            report.waiting.append(article_id)


def store_article(
    store: Store, item: RawArticle, article: ExtractedArticle, report: IngestReport
) -> int | None:
    """Store one extracted article, its URL links and its copies, in one transaction;
    its id (None when it could not be stored)."""
    try:
        with store.transaction():
            write = store.add_article_version(
                article_content(article), item.data, ingestion_of(item, article)
            )
            links = link_by_url(store, write.article.id, [article.url, item.url])
            copies = record_copies(store, write.article) if write.changed else []
    except InputError as error:
        report.skipped.append(str(error.located(item.label)))
        return None
    report.record(write, item.label)
    report.links += links
    report.copies += len(copies)
    return write.article.id


def article_content(article: ExtractedArticle) -> ArticleContent:
    """The model's view of what extraction found."""
    return ArticleContent(
        url=article.url,
        publisher=article.publisher,
        domain=article.domain,
        title=article.title,
        authors=article.authors,
        published=article.published,
        date_method=article.date_method,
        language=article.language,
        lede=article.lede,
        text=article.text,
        image_url=article.image_url,
        content_hash=article.content_hash,
    )


def ingestion_of(item: RawArticle, article: ExtractedArticle) -> Ingestion:
    return Ingestion(item.method, item.where, article.source_format, article.encoding)


def link_by_url(store: Store, article_id: int, urls: Iterable[str | None]) -> int:
    """Link the article to the events citing one of ``urls``; how many links were made.

    Addresses are compared by :func:`dateline.nlp.urls.url_key`. The events' source
    URLs are looked up (by index) under the usual spellings of the article's keys, then
    each found is checked by its own key: an event citing the article under a rarer
    spelling (an AMP or mobile address) is left to the ranking linker.
    """
    given = [url for url in urls if url]
    keys = url_keys(given)
    if not keys:
        return 0
    spellings = sorted({s for key in keys for s in url_spellings(key)} | set(given))
    events: dict[int, str] = {}
    for cited, ids in sorted(store.events_citing(spellings).items()):
        if url_keys([cited]) & keys:
            for event_id in ids:
                events.setdefault(event_id, cited)
    already = {link.event_id for link in store.article_links(article_id)}
    made = 0
    for event_id, cited in sorted(events.items()):
        if event_id in already:
            continue
        store.attach_article(
            article_id,
            event_id,
            score=1.0,
            reason=f"the event cites {_shortened(cited)} as a source",
            method=URL_MATCH_METHOD,
        )
        made += 1
    return made


def url_spellings(key: str) -> list[str]:
    """The usual ways of writing the address whose key is ``key``: http or https, with
    or without ``www.`` and a trailing slash (what event sources are looked up by)."""
    parts = urlsplit(f"//{key}")
    host_path = f"{parts.netloc}{parts.path}"
    query = f"?{parts.query}" if parts.query else ""
    return [
        f"{scheme}://{www}{host_path}{slash}{query}"
        for scheme in ("https", "http")
        for www in ("", "www.")
        for slash in ("", "/")
    ]


# -- running the pipeline --------------------------------------------------------------


def run_in_order(
    items: Iterable[InputItem], jobs: int
) -> Iterator[tuple[InputItem, PipelineResult]]:
    """Each input with its pipeline result, in input order, using ``jobs`` processes."""
    if jobs <= 1:
        for item in items:
            yield item, item if isinstance(item, Skipped) else run_pipeline(item)
        return
    workers = _Workers(jobs)
    try:
        window: deque[tuple[InputItem, Future[PipelineResult] | None]] = deque()
        for item in items:
            window.append((item, None if isinstance(item, Skipped) else workers.submit(item)))
            while len(window) > jobs * WINDOW_PER_JOB:
                yield _settle(*window.popleft(), workers)
        while window:
            yield _settle(*window.popleft(), workers)
    finally:
        workers.close()


def _settle(
    item: InputItem, future: Future[PipelineResult] | None, workers: _Workers
) -> tuple[InputItem, PipelineResult]:
    if future is None:
        assert isinstance(item, Skipped)
        return item, item
    assert isinstance(item, RawArticle)
    return item, workers.result(item, future)


class _Workers:
    """A process pool that is replaced when a worker dies, so that a crash in a C library
    on one hostile page does not end the whole ingest.

    When a worker dies, every input then in flight fails with it and which one killed
    it is unknown: the first of them in input order is reported (as "this or an input
    in flight with it"), and the others are run again in the new pool.

    Workers start from a fork server that has imported the pipeline (trafilatura, lxml)
    once: each starts fast, and none inherits this process's threads or connections.
    """

    def __init__(self, jobs: int) -> None:
        self._jobs = jobs
        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context(
            "forkserver" if "forkserver" in methods else "spawn"
        )
        if "forkserver" in methods:
            self._context.set_forkserver_preload(["dateline.ingest.article.pipeline"])
        self._generation = 0
        self._crashes = 0
        self._generation_of: weakref.WeakKeyDictionary[Future[PipelineResult], int] = (
            weakref.WeakKeyDictionary()
        )
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self._jobs, mp_context=self._context)

    def submit(self, item: RawArticle) -> Future[PipelineResult]:
        try:
            future = self._pool.submit(run_pipeline, item)
        except BrokenProcessPool:
            self._restart()
            future = self._pool.submit(run_pipeline, item)
        self._generation_of[future] = self._generation
        return future

    def result(self, item: RawArticle, future: Future[PipelineResult]) -> PipelineResult:
        try:
            result = future.result()
        except BrokenProcessPool:
            if self._generation_of.get(future) != self._generation:
                return self.result(item, self.submit(item))  # caught in an earlier crash
            self._crashes += 1
            if self._crashes > MAX_CRASHES_IN_A_ROW:
                raise RuntimeError(
                    f"worker processes died {self._crashes} times in a row: they cannot run "
                    "here (try --jobs 1)"
                ) from None
            self._restart()
            return Skipped(
                item.where,
                f"{item.label}: a worker process died while reading this input "
                "or one read at the same time (a crash, or out of memory)",
            )
        self._crashes = 0
        return result

    def _restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._generation += 1
        self._pool = self._new_pool()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _shortened(url: str, limit: int = 300) -> str:
    """``url``, cut to fit in a link's one-line reason."""
    return url if len(url) <= limit else url[: limit - 1] + "…"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
