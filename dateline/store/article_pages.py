"""What pages show of source articles: the article lists of event pages, each article's
own page (its history, the events it is attached to, its copies), and the log of the
articles whose page changed.

A mixin of :class:`~dateline.store.Store` (see :mod:`dateline.store.part`).
``article_changes`` is to article pages what ``event_changes`` is to event pages: a
new version, a new link, a changed copy group each log the articles concerned, so an
incremental site build rewrites their pages and a page cache drops what it holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from dateline.errors import NotFoundError
from dateline.model import (
    ArticleCopies,
    ArticleCopy,
    ArticleDetails,
    ArticleLink,
    ArticleRef,
    AttachedEvent,
    EventArticle,
)
from dateline.store import schema as t
from dateline.store.part import StorePart, take_turn_on_change_log

_CHUNK = 900
"""Ids per ``IN (...)`` list: under SQLite's old limit of 999 parameters."""


def log_article_changes(conn: sa.Connection, ids: Iterable[int], now: datetime) -> None:
    """Log the pages of articles ``ids`` as changed (each once), in the caller's transaction."""
    rows = [{"article_id": i, "changed_at": now} for i in sorted(set(ids))]
    if rows:
        take_turn_on_change_log(conn)
        conn.execute(sa.insert(t.article_changes), rows)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    return (list(ids[start : start + _CHUNK]) for start in range(0, len(ids), _CHUNK))


def _ref_query() -> sa.Select[Any]:
    a, s = t.articles.c, t.article_signatures.c
    return sa.select(
        a.id,
        a.key,
        a.url,
        a.title,
        a.publisher,
        a.domain,
        a.published,
        s.representative_id,
    ).join(t.article_signatures, s.article_id == a.id, isouter=True)


def _ref(row: Any) -> ArticleRef:
    return ArticleRef(
        id=row.id,
        key=row.key,
        url=row.url,
        title=row.title,
        publisher=row.publisher,
        domain=row.domain,
        published=row.published,
        representative_id=row.representative_id,
    )


def event_articles_select() -> sa.Select[Any]:
    """The articles of one event (bound as ``event_id``), in page order: what
    :meth:`ArticlePageStore.event_articles` reads, for :mod:`dateline.store.quick`."""
    a, e = t.articles.c, t.article_events.c
    return (
        _ref_query()
        .add_columns(e.score, e.reason, e.method)
        .join(t.article_events, e.article_id == a.id)
        .where(e.event_id == sa.bindparam("event_id"), a.current_version > 0)
        .order_by(a.published.is_(None), a.published, a.id)
    )


def event_article_from_row(row: Sequence[Any]) -> EventArticle:
    """An :class:`EventArticle` from a row of :func:`event_articles_select`."""
    ref = ArticleRef(*row[:8])
    return EventArticle(ref, row[8], row[9], row[10])


def _link(row: Any) -> ArticleLink:
    return ArticleLink(
        article_id=row.article_id,
        event_id=row.event_id,
        score=row.score,
        reason=row.reason,
        method=row.method,
        created_at=row.created_at,
    )


class ArticlePageStore(StorePart):
    """Reads for article lists and article pages, and the article change log."""

    def article_ids(self) -> list[int]:
        """Every stored article's id, oldest first (each has a page)."""
        a = t.articles.c
        with self._read() as conn:
            query = sa.select(a.id).where(a.current_version > 0).order_by(a.id)
            return [int(i) for i in conn.execute(query).scalars()]

    def article_refs(self, ids: Sequence[int]) -> dict[int, ArticleRef]:
        """The list entries of articles ``ids`` (those that exist): metadata, no text."""
        a = t.articles.c
        found: dict[int, ArticleRef] = {}
        with self._read() as conn:
            for chunk in _chunks(ids):
                query = _ref_query().where(a.id.in_(chunk), a.current_version > 0)
                found.update((row.id, _ref(row)) for row in conn.execute(query))
        return found

    def event_articles(self, event_ids: Sequence[int]) -> dict[int, list[EventArticle]]:
        """The articles attached to each of ``event_ids`` (events without any left out),
        oldest publication first (undated last), then by id: the order pages list them."""
        a, e = t.articles.c, t.article_events.c
        found: dict[int, list[EventArticle]] = {}
        with self._read() as conn:
            for chunk in _chunks(event_ids):
                query = (
                    _ref_query()
                    .add_columns(e.event_id, e.score, e.reason, e.method)
                    .join(t.article_events, e.article_id == a.id)
                    .where(e.event_id.in_(chunk), a.current_version > 0)
                    .order_by(e.event_id, a.published.is_(None), a.published, a.id)
                )
                for row in conn.execute(query):
                    entry = EventArticle(_ref(row), row.score, row.reason, row.method)
                    found.setdefault(row.event_id, []).append(entry)
        return found

    def events_with_articles(self) -> set[int]:
        """The ids of the events that have an article attached (most events have none)."""
        with self._read() as conn:
            query = sa.select(t.article_events.c.event_id).distinct()
            return {int(i) for i in conn.execute(query).scalars()}

    def articles_attached_to(self, event_ids: Sequence[int]) -> list[int]:
        """The articles attached to any of ``event_ids``, sorted (their pages show the events)."""
        e = t.article_events.c
        found: set[int] = set()
        with self._read() as conn:
            for chunk in _chunks(event_ids):
                query = sa.select(e.article_id).where(e.event_id.in_(chunk)).distinct()
                found.update(int(i) for i in conn.execute(query).scalars())
        return sorted(found)

    def article_details(self, ids: Sequence[int]) -> list[ArticleDetails]:
        """What the pages of articles ``ids`` show, in the order given (missing: left out):
        each article with its history, its events (best score first) and its copies."""
        articles = self.articles(ids)
        wanted = [article.id for article in articles]
        links: dict[int, list[ArticleLink]] = {}
        e = t.article_events.c
        with self._read() as conn:
            for chunk in _chunks(wanted):
                rows = conn.execute(
                    sa.select(t.article_events)
                    .where(e.article_id.in_(chunk))
                    .order_by(e.article_id, e.score.desc(), e.event_id)
                )
                for row in rows:
                    links.setdefault(row.article_id, []).append(_link(row))
        event_ids = sorted({k.event_id for found in links.values() for k in found})
        entries = {entry.id: entry for entry in self.entries(event_ids)}
        copies = self.copies_many(wanted)
        return [
            ArticleDetails(
                article,
                tuple(
                    AttachedEvent(k, entries[k.event_id])
                    for k in links.get(article.id, [])
                    if k.event_id in entries
                ),
                copies[article.id],
            )
            for article in articles
        ]

    def article_detail(self, article_id: int) -> ArticleDetails:
        """What the page of article ``article_id`` shows; NotFoundError if there is none."""
        found = self.article_details([article_id])
        if not found:
            raise NotFoundError(f"no article with id {article_id}")
        return found[0]

    def copies_many(self, ids: Sequence[int]) -> dict[int, ArticleCopies]:
        """The copy group of each of articles ``ids``: its representative and the other
        members, the representative first, then by publication date (undated last) and id.
        An article with no copy is its own representative, with no copies."""
        s, p = t.article_signatures.c, t.article_copy_pairs.c
        with self._read() as conn:
            leads: dict[int, int] = {}
            for chunk in _chunks(ids):
                query = sa.select(s.article_id, s.representative_id).where(
                    s.article_id.in_(chunk), s.representative_id.is_not(None)
                )
                leads.update((int(i), int(lead)) for i, lead in conn.execute(query))
            members: dict[int, list[int]] = {}
            for chunk in _chunks(sorted(set(leads.values()))):
                query = sa.select(s.representative_id, s.article_id).where(
                    s.representative_id.in_(chunk)
                )
                for lead, member in conn.execute(query):
                    members.setdefault(int(lead), []).append(int(member))
            grouped = sorted(leads)
            pairs: dict[tuple[int, int], tuple[float, float]] = {}
            for chunk in _chunks(grouped):
                query = sa.select(p.first_id, p.second_id, p.containment, p.jaccard).where(
                    sa.or_(p.first_id.in_(chunk), p.second_id.in_(chunk))
                )
                for row in conn.execute(query):
                    figures = (float(row.containment), float(row.jaccard))
                    pairs[row.first_id, row.second_id] = pairs[row.second_id, row.first_id] = (
                        figures
                    )
        refs = self.article_refs(sorted({m for group in members.values() for m in group}))
        found: dict[int, ArticleCopies] = {}
        for article_id in ids:
            lead = leads.get(article_id)
            if lead is None:
                found[article_id] = ArticleCopies(article_id, article_id)
                continue
            others = [refs[m] for m in members.get(lead, []) if m != article_id and m in refs]
            others.sort(key=lambda r: (r.id != lead, r.published is None, r.published, r.id))
            found[article_id] = ArticleCopies(
                article_id,
                lead,
                tuple(
                    ArticleCopy(ref, *pairs.get((article_id, ref.id), (None, None)))
                    for ref in others
                ),
            )
        return found

    def copies_of(self, article_id: int) -> ArticleCopies:
        """The copies of article ``article_id``: :meth:`copies_many` of one."""
        return self.copies_many([article_id])[article_id]

    # -- the article change log ---------------------------------------------------------

    def last_article_change(self) -> int:
        """The sequence number of the latest article page change (0 when none)."""
        query = sa.select(sa.func.coalesce(sa.func.max(t.article_changes.c.seq), 0))
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    def articles_changed_since(self, seq: int) -> list[int]:
        """Ids of the articles whose page changed after change ``seq``, sorted."""
        c = t.article_changes.c
        query = sa.select(c.article_id).where(c.seq > seq).distinct().order_by(c.article_id)
        with self._read() as conn:
            return [int(i) for i in conn.execute(query).scalars()]
