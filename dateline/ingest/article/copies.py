"""Copies found at ingest: each stored article is compared with the archive's articles
and joins their copy group, so that a toll repeated by ten copies of one wire story
counts as one source.

:func:`record_copies` computes the article's MinHash signature
(:mod:`dateline.nlp.near_duplicates`), asks the store for the articles sharing an LSH
bucket with it (one indexed lookup: no text is read again), keeps the pairs whose
estimated containment reaches the threshold, and regroups: a group is a connected set
of pairs, led by its representative (earliest publication, then the most
authoritative publisher, then the smallest key: :func:`~dateline.nlp.near_duplicates.
representative`). Regrouping starts from the article's old and new partners' groups
and follows the stored pairs, so a new version that is no longer a copy splits its
old group as it should. The result does not depend on the order articles come in.

:func:`record_missing_copies` does the same for the articles stored without a
signature (before copies were kept, or written by other means); the ingest calls it
first, so the archive is always compared whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from dateline.model import Article, ArticleRef, CopyLink, StoredSignature
from dateline.nlp.near_duplicates import (
    COPY_CONTAINMENT,
    CopyText,
    estimated_similarity,
    lsh_buckets,
    representative,
    signature,
    signature_bytes,
    signature_from_bytes,
)
from dateline.store import Store

BACKFILL_BATCH = 200


def record_copies(store: Store, article: Article) -> list[CopyLink]:
    """Find the copies of ``article`` (its current version) among the stored articles,
    record them and regroup; the pairs found, in one transaction."""
    own = signature(article.content.text)
    buckets = lsh_buckets(own)
    with store.transaction():
        found: list[CopyLink] = []
        for stored in store.copy_candidates(buckets, exclude=article.id):
            other = signature_from_bytes(stored.minhash, stored.shingles)
            jaccard, containment = estimated_similarity(own, other)
            if containment >= COPY_CONTAINMENT:
                found.append(
                    CopyLink(
                        article.id, stored.article_id, round(jaccard, 4), round(containment, 4)
                    )
                )
        partners = [pair.second_id for pair in found]
        before = store.representatives([article.id, *partners])
        old_leads = sorted({lead for lead in before.values() if lead is not None})
        store.record_signature(
            StoredSignature(article.id, own.shingles, signature_bytes(own)),
            version=article.current.number,
            buckets=buckets,
            pairs=found,
        )
        start = {article.id, *partners, *store.copy_group_members(old_leads)}
        store.set_representatives(regroup(store, start))
    return found


def regroup(store: Store, start: set[int]) -> dict[int, int | None]:
    """The representative of every article connected by copy pairs to one of ``start``
    (None for an article with no copy)."""
    members = set(start)
    frontier = sorted(start)
    pairs: dict[tuple[int, int], CopyLink] = {}
    while frontier:
        reached: set[int] = set()
        for pair in store.copy_pairs(frontier):
            pairs[pair.first_id, pair.second_id] = pair
            reached |= {pair.first_id, pair.second_id} - members
        members |= reached
        frontier = sorted(reached)
    parent = {member: member for member in members}

    def root(key: int) -> int:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for first, second in pairs:
        a, b = root(first), root(second)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for member in sorted(members):
        groups.setdefault(root(member), []).append(member)
    refs = store.article_refs(sorted(members))
    leads: dict[int, int | None] = {}
    for group in groups.values():
        lead = _representative([refs[m] for m in group if m in refs]) if len(group) > 1 else None
        leads.update((member, lead) for member in group)
    return leads


def _representative(refs: Sequence[ArticleRef]) -> int:
    """The article standing for ``refs`` by near_duplicates' rule (keys: the store's)."""
    by_key = {ref.key: ref.id for ref in refs}
    chosen = representative([CopyText(ref.key, "", ref.published, ref.url) for ref in refs])
    return by_key[chosen.key]


def record_missing_copies(store: Store) -> int:
    """:func:`record_copies` for every article whose signature is missing or stale, in
    batches; how many were done."""
    done = 0
    tried: set[int] = set()
    while True:
        ids = store.articles_without_signature(limit=BACKFILL_BATCH)
        if not ids or tried.issuperset(ids):  # nothing left, or nothing more to do
            return done
        tried.update(ids)
        for article in store.articles(ids):
            record_copies(store, article)
            done += 1
