"""What the store keeps of copies (signatures, LSH buckets, pairs, representatives), what
it gives pages of articles (event lists, article details), the article change log, and
retired events as every reader sees them.

Every test runs on SQLite and PostgreSQL. Texts and figures are made up here; deciding
what is a copy is tested with the ingest (tests/ingest/article/test_copies.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dateline.errors import NotFoundError
from dateline.model import CopyLink, EventContent, StoredSignature
from dateline.store import Store
from tests.store.test_articles import CONTENT, FILE, RAW, edited


def new_article(store: Store, name: str, published: date | None = date(2012, 2, 9)) -> int:
    content = replace(
        CONTENT, url=f"https://{name}.example.org/story", title=name.title(), published=published
    )
    return store.add_article_version(content, RAW, FILE).article.id


def new_event(store: Store, headline: str = "Bridge closed") -> int:
    return store.create_event(EventContent(date(2012, 2, 9), headline, "Summary.")).id


def keep(store: Store, article_id: int, buckets: list[int], *pairs: CopyLink) -> None:
    signature = StoredSignature(article_id, 80, bytes([article_id]) * 16)
    store.record_signature(signature, version=1, buckets=buckets, pairs=list(pairs))


def test_candidates_are_the_articles_sharing_a_bucket(store: Store) -> None:
    a, b, c = (new_article(store, n) for n in ("aa", "bb", "cc"))
    keep(store, a, [1, 2, 3])
    keep(store, b, [3, -(2**63)])
    keep(store, c, [2**63 - 1])
    found = store.copy_candidates([3, 2**63 - 1], exclude=a)
    assert [(s.article_id, s.shingles, s.minhash) for s in found] == [
        (b, 80, bytes([b]) * 16),
        (c, 80, bytes([c]) * 16),
    ]
    assert store.copy_candidates([3], exclude=b) == store.copy_candidates([1], exclude=b)
    assert store.copy_candidates([], exclude=a) == []
    # A new signature replaces the old one and its buckets.
    keep(store, b, [7])
    assert [s.article_id for s in store.copy_candidates([3], exclude=c)] == [a]


def test_pairs_are_kept_once_in_order_and_replaced_with_the_signature(store: Store) -> None:
    a, b, c = (new_article(store, n) for n in ("aa", "bb", "cc"))
    keep(store, a, [1])
    keep(store, b, [1], CopyLink(b, a, 0.5, 0.9))
    keep(store, c, [1], CopyLink(c, a, 0.4, 0.7), CopyLink(c, b, 0.45, 0.8))
    assert store.copy_pairs([a]) == [CopyLink(a, b, 0.5, 0.9), CopyLink(a, c, 0.4, 0.7)]
    keep(store, c, [1])  # c's new version is no copy
    assert store.copy_pairs([a, b, c]) == [CopyLink(a, b, 0.5, 0.9)]


def test_bad_pairs_are_refused_and_nothing_is_kept(store: Store) -> None:
    a, b, c = (new_article(store, n) for n in ("aa", "bb", "cc"))
    with pytest.raises(ValueError, match="does not involve article"):
        keep(store, a, [1], CopyLink(b, c, 0.5, 0.9))
    with pytest.raises(ValueError, match=r"containment 1\.5"):
        keep(store, a, [1], CopyLink(a, b, 0.5, 1.5))
    with pytest.raises(ValueError, match="itself"):
        keep(store, a, [1], CopyLink(a, a, 0.5, 0.9))
    assert store.copy_pairs([a, b, c]) == []
    assert store.articles_without_signature() == [a, b, c]


def test_copies_of_an_article_list_the_representative_first(store: Store) -> None:
    lead = new_article(store, "lead", date(2012, 2, 8))
    late = new_article(store, "late", date(2012, 2, 10))
    undated = new_article(store, "undated", None)
    middle = new_article(store, "middle", date(2012, 2, 9))
    loner = new_article(store, "loner")
    group = [lead, late, undated, middle]
    for article_id in [*group, loner]:
        keep(store, article_id, [])
    keep(store, late, [], CopyLink(late, lead, 0.6, 0.95))
    store.set_representatives({i: lead for i in group} | {loner: None})
    copies = store.copies_of(late)
    assert copies.representative_id == lead and not copies.is_representative
    assert [c.article.id for c in copies.copies] == [lead, middle, undated]
    assert [c.containment for c in copies.copies] == [0.95, None, None]
    assert [c.article.id for c in store.copies_of(lead).copies] == [middle, late, undated]
    assert store.copies_of(lead).is_representative
    assert store.copies_of(loner) == type(copies)(loner, loner, ())
    refs = store.article_refs([lead, late, loner])
    assert [refs[i].copy_of for i in (lead, late, loner)] == [None, lead, None]
    assert (refs[lead].representative_id, refs[loner].representative_id) == (lead, None)


def test_regrouping_logs_the_pages_it_changes(store: Store) -> None:
    first, second = new_article(store, "first"), new_article(store, "second")
    keep(store, first, [])
    keep(store, second, [])
    event = new_event(store)
    store.attach_article(second, event, score=1, reason="cited", method="url-match")
    events, articles = store.last_change(), store.last_article_change()
    store.set_representatives({first: first, second: first})
    # Both pages list the other now; the event's page says its article is a copy.
    assert store.articles_changed_since(articles) == [first, second]
    assert store.changed_since(events) == [event]
    events, articles = store.last_change(), store.last_article_change()
    store.set_representatives({first: first, second: first})  # nothing moves
    assert store.changed_since(events) == []
    # A new version of a copy changes its copies' pages too (they show its title).
    store.add_article_version(
        replace(edited(CONTENT, "New text."), url="https://first.example.org/story"), RAW, FILE
    )
    assert store.articles_changed_since(articles) == [first, second]


def test_links_log_the_article_page(store: Store) -> None:
    article, event = new_article(store, "linked"), new_event(store)
    seq = store.last_article_change()
    store.attach_article(article, event, score=0.7, reason="shares names", method="ranked")
    assert store.articles_changed_since(seq) == [article]
    seq = store.last_article_change()
    assert store.detach_article(article, event)
    assert store.articles_changed_since(seq) == [article]
    assert store.last_article_change() > seq


def test_event_articles_are_listed_oldest_first(store: Store) -> None:
    event, other = new_event(store), new_event(store, "Other")
    late = new_article(store, "late", date(2012, 2, 11))
    undated = new_article(store, "undated", None)
    early = new_article(store, "early", date(2012, 2, 8))
    for article_id, score in ((late, 1.0), (undated, 0.9), (early, 0.5)):
        store.attach_article(article_id, event, score=score, reason="r", method="m")
    store.attach_article(late, other, score=0.4, reason="weak", method="ranked")
    listed = store.event_articles([event, other, 999])
    assert [x.article.id for x in listed[event]] == [early, late, undated]
    assert [(x.article.id, x.score, x.reason) for x in listed[other]] == [(late, 0.4, "weak")]
    assert 999 not in listed
    assert store.events_with_articles() == {event, other}
    assert store.articles_attached_to([other]) == [late]
    assert store.articles_attached_to([event, other]) == sorted([late, undated, early])


def test_article_details_hold_what_its_page_shows(store: Store) -> None:
    article = new_article(store, "detailed")
    store.add_article_version(
        replace(edited(CONTENT, "Second text."), url="https://detailed.example.org/story"),
        RAW,
        FILE,
    )
    strong, weak = new_event(store, "Strong"), new_event(store, "Weak")
    store.attach_article(article, weak, score=0.3, reason="dates agree", method="ranked")
    store.attach_article(article, strong, score=1.0, reason="cited", method="url-match")
    details = store.article_detail(article)
    assert [v.number for v in details.article.versions] == [1, 2]
    assert [(x.event.headline, x.link.score) for x in details.events] == [
        ("Strong", 1.0),
        ("Weak", 0.3),
    ]
    assert details.copies.copies == () and details.copies.is_representative
    with pytest.raises(NotFoundError, match="no article with id 999"):
        store.article_detail(999)
    assert store.article_ids() == [article]


def test_a_retired_event_says_so_to_every_reader(store: Store) -> None:
    event_id, kept = new_event(store), new_event(store, "Kept")
    store.retire_event(event_id, editor="ann", note="a duplicate", expected_version=1)
    event = store.event(event_id)
    assert event.retired and event.retiring == frozenset({2})
    assert store.events([event_id])[0].retired
    assert [e.retired for e in store.iter_events()] == [True, False]
    assert {e.id: e.retired for e in store.entries([event_id, kept])} == {
        event_id: True,
        kept: False,
    }
    store.edit_event(
        event_id, event.content, editor="bo", note="not a duplicate", expected_version=2
    )
    back = store.event(event_id)
    assert not back.retired and back.retiring == frozenset({2})
    assert not store.entries([event_id])[0].retired
