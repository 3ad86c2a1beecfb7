"""Copies of one story among the stored articles: signatures, candidates, pairs, groups.

A mixin of :class:`~dateline.store.Store` (see :mod:`dateline.store.part`). The store
keeps what finding copies needs and nothing of how: each article's MinHash signature
and shingle count (``article_signatures``), its LSH buckets (``article_buckets``,
indexed, so the articles sharing a band with a new one are one lookup), the pairs found
and each article's copy-group representative. Computing signatures, judging pairs and
choosing representatives is :mod:`dateline.nlp.near_duplicates`' work, done by the
ingest (``dateline/ingest/article/copies.py``), which calls these in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from dateline.model import CopyLink, StoredSignature
from dateline.store import schema as t
from dateline.store.article_pages import _chunks, log_article_changes
from dateline.store.part import StorePart, take_turn_on_change_log, utc_now


class CopyStore(StorePart):
    """Signatures, LSH buckets, copy pairs and representatives of articles."""

    def articles_without_signature(self, limit: int | None = None) -> list[int]:
        """Articles whose signature is missing or of an earlier version (stored before
        copies were looked for, or by a writer that does not look), oldest first."""
        a, s = t.articles.c, t.article_signatures.c
        query = (
            sa.select(a.id)
            .join(t.article_signatures, s.article_id == a.id, isouter=True)
            .where(
                a.current_version > 0,
                sa.or_(s.article_id.is_(None), s.version != a.current_version),
            )
            .order_by(a.id)
        )
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            return [int(i) for i in conn.execute(query).scalars()]

    def copy_candidates(self, buckets: Sequence[int], *, exclude: int) -> list[StoredSignature]:
        """The signatures of the articles sharing at least one of ``buckets`` (the one
        with id ``exclude`` left out), by id: what the LSH index proposes to compare."""
        b, s = t.article_buckets.c, t.article_signatures.c
        ids: set[int] = set()
        with self._read() as conn:
            for start in range(0, len(buckets), 500):
                chunk = list(buckets[start : start + 500])
                query = sa.select(b.article_id).where(b.bucket.in_(chunk)).distinct()
                ids.update(int(i) for i in conn.execute(query).scalars())
            ids.discard(exclude)
            found: list[StoredSignature] = []
            for chunk_ids in _chunks(sorted(ids)):
                rows = conn.execute(
                    sa.select(s.article_id, s.shingles, s.minhash)
                    .where(s.article_id.in_(chunk_ids))
                    .order_by(s.article_id)
                )
                found += [StoredSignature(int(i), int(n), bytes(data)) for i, n, data in rows]
        return found

    def record_signature(
        self,
        signature: StoredSignature,
        *,
        version: int,
        buckets: Sequence[int],
        pairs: Sequence[CopyLink],
    ) -> None:
        """Keep an article's signature (of its version ``version``), its LSH buckets and
        the copy pairs found with it, replacing what an earlier version had. The
        article's representative is left as it was: :meth:`set_representatives` says.
        ValueError for a pair that does not involve the article or has a bad figure.
        """
        article_id = signature.article_id
        checked = [pair.validated() for pair in pairs]
        for pair in checked:
            if article_id not in (pair.first_id, pair.second_id):
                raise ValueError(f"the pair {pair} does not involve article {article_id}")
        s, b, p = t.article_signatures.c, t.article_buckets.c, t.article_copy_pairs.c
        values = {
            "version": version,
            "shingles": signature.shingles,
            "minhash": signature.minhash,
        }
        with self._connect() as conn:
            updated = conn.execute(
                sa.update(t.article_signatures).where(s.article_id == article_id).values(**values)
            ).rowcount
            if not updated:
                conn.execute(
                    sa.insert(t.article_signatures).values(article_id=article_id, **values)
                )
            conn.execute(sa.delete(t.article_buckets).where(b.article_id == article_id))
            if buckets:
                conn.execute(
                    sa.insert(t.article_buckets),
                    [
                        {"bucket": bucket, "article_id": article_id}
                        for bucket in sorted(set(buckets))
                    ],
                )
            conn.execute(
                sa.delete(t.article_copy_pairs).where(
                    sa.or_(p.first_id == article_id, p.second_id == article_id)
                )
            )
            if checked:
                conn.execute(
                    sa.insert(t.article_copy_pairs),
                    [
                        {
                            "first_id": pair.first_id,
                            "second_id": pair.second_id,
                            "jaccard": pair.jaccard,
                            "containment": pair.containment,
                        }
                        for pair in {(q.first_id, q.second_id): q for q in checked}.values()
                    ],
                )

    def copy_pairs(self, ids: Sequence[int]) -> list[CopyLink]:
        """The copy pairs involving any of articles ``ids``, by their two ids."""
        p = t.article_copy_pairs.c
        found: dict[tuple[int, int], CopyLink] = {}
        with self._read() as conn:
            for chunk in _chunks(ids):
                query = sa.select(p.first_id, p.second_id, p.jaccard, p.containment).where(
                    sa.or_(p.first_id.in_(chunk), p.second_id.in_(chunk))
                )
                for first, second, jaccard, containment in conn.execute(query):
                    found[first, second] = CopyLink(first, second, jaccard, containment)
        return [found[key] for key in sorted(found)]

    def representatives(self, ids: Sequence[int]) -> dict[int, int | None]:
        """The copy-group representative of each of articles ``ids`` that has a signature
        (None: no copy known)."""
        s = t.article_signatures.c
        found: dict[int, int | None] = {}
        with self._read() as conn:
            for chunk in _chunks(ids):
                query = sa.select(s.article_id, s.representative_id).where(s.article_id.in_(chunk))
                found.update((int(i), lead) for i, lead in conn.execute(query))
        return found

    def copy_group_members(self, leads: Sequence[int]) -> list[int]:
        """Every article whose representative is one of ``leads``, sorted."""
        s = t.article_signatures.c
        found: set[int] = set()
        with self._read() as conn:
            for chunk in _chunks(leads):
                query = sa.select(s.article_id).where(s.representative_id.in_(chunk))
                found.update(int(i) for i in conn.execute(query).scalars())
        return sorted(found)

    def set_representatives(self, leads: Mapping[int, int | None]) -> None:
        """Record each article's copy-group representative (None: no copy), and log the
        pages this changes: every article of ``leads`` (their pages list their copies),
        and the events of each article that becomes, or stops being, a copy of another
        (their pages say so)."""
        s, e = t.article_signatures.c, t.article_events.c
        before = self.representatives(sorted(leads))
        with self._connect() as conn:
            moved: list[int] = []
            for article_id, lead in sorted(leads.items()):
                old = before.get(article_id)
                if old != lead:
                    conn.execute(
                        sa.update(t.article_signatures)
                        .where(s.article_id == article_id)
                        .values(representative_id=lead)
                    )
                if _copy_of(article_id, old) != _copy_of(article_id, lead):
                    moved.append(article_id)
            now = utc_now()
            log_article_changes(conn, leads, now)
            events: set[int] = set()
            for chunk in _chunks(moved):
                query = sa.select(e.event_id).where(e.article_id.in_(chunk)).distinct()
                events.update(int(i) for i in conn.execute(query).scalars())
            if events:
                take_turn_on_change_log(conn)
                conn.execute(
                    sa.insert(t.event_changes),
                    [{"event_id": event_id, "changed_at": now} for event_id in sorted(events)],
                )


def _copy_of(article_id: int, lead: int | None) -> int | None:
    return None if lead is None or lead == article_id else lead
