"""Copies found at ingest: a stored article is compared with the archive and joins its
copy group, led by the earliest, then most authoritative copy, whatever the order the
copies come in; and the archive compared article by article finds exactly the pairs
and groups of a batch comparison of all the texts.

Real articles come from ``news-clusters`` (read at test time, written into pages in the
test's folder); made-up texts (random words) test versions and splits.
"""

from __future__ import annotations

import hashlib
import html
import random
import string
from datetime import date
from pathlib import Path

import pytest

from bench.linking import LabelledArticle, load_news_clusters
from dateline.ingest.article.copies import record_copies, record_missing_copies
from dateline.ingest.article.ingest import ingest_articles
from dateline.model import ArticleContent, Ingestion
from dateline.nlp.near_duplicates import CopyText, copy_groups, near_duplicate_pairs
from dateline.store import Store
from tests.conftest import SHARED

NEWS_CLUSTERS = SHARED / "data" / "news-clusters" / "data"
# One Washington Post story (AP copy) seen three times in news-clusters: on the Post's
# site and SFGate's on 2017-12-31, and on the Denver Post's two days later. The Post is
# in AUTHORITY_DOMAINS, the other two are not; by key, denverpost.com < sfgate.com <
# washingtonpost.com. So the earliest date beats the smallest key (SFGate over the Denver
# Post), and on one day the authority beats the key (the Post over SFGate).
POST, SFGATE, DENVER = "2bb89b70", "e931422d", "710e6e01"


@pytest.fixture(scope="module")
def clusters() -> dict[str, LabelledArticle]:
    assert NEWS_CLUSTERS.is_dir(), f"news-clusters is expected in {NEWS_CLUSTERS}"
    return {a.key: a for a in load_news_clusters(NEWS_CLUSTERS)}


def article(clusters: dict[str, LabelledArticle], prefix: str) -> LabelledArticle:
    (found,) = [a for key, a in clusters.items() if key.startswith(prefix)]
    return found


def web_page(item: LabelledArticle, published: date | None = None) -> bytes:
    """A plain article page for a news-clusters record: its title, address, date, text."""
    text = item.article
    day = (published or text.published or date(2000, 1, 1)).isoformat()
    paragraphs = "".join(
        f"<p>{html.escape(line.strip())}</p>" for line in text.text.splitlines() if line.strip()
    )
    title = html.escape(text.title)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="{html.escape(text.url or "")}">
<meta property="article:published_time" content="{day}">
</head><body><main><article><h1>{title}</h1>{paragraphs}</article></main></body></html>
""".encode()


def ingest(store: Store, folder: Path, item: LabelledArticle) -> int:
    page = folder / f"{item.key}.html"
    page.write_bytes(web_page(item))
    report = ingest_articles(store, [str(page)])
    assert report.skipped == [] and len(report.new) == 1, report.summary()
    return report.new[0]


@pytest.mark.parametrize("order", [(DENVER, SFGATE, POST), (POST, DENVER, SFGATE)])
def test_ingested_copies_are_linked_and_led_by_the_rule(
    store: Store,
    tmp_path: Path,
    clusters: dict[str, LabelledArticle],
    order: tuple[str, str, str],
) -> None:
    ids: dict[str, int] = {}
    leads: list[str] = []
    for prefix in order:
        ids[prefix] = ingest(store, tmp_path, article(clusters, prefix))
        lead = store.copies_of(ids[prefix]).representative_id
        leads.append(next(p for p, i in ids.items() if i == lead))
    by_id = {i: p for p, i in ids.items()}
    if order[0] == DENVER:
        # Alone, then the earlier SFGate copy leads, then the Post's of the same day.
        assert leads == [DENVER, SFGATE, POST]
    else:
        assert leads == [POST, POST, POST]
    for prefix, article_id in ids.items():
        copies = store.copies_of(article_id)
        assert copies.representative_id == ids[POST]
        assert {by_id[c.article.id] for c in copies.copies} == set(ids) - {prefix}
        if prefix != POST:
            assert copies.copies[0].article.id == ids[POST], "the representative comes first"
    direct = store.copies_of(ids[DENVER]).copies
    assert all(c.containment is not None and c.containment >= 0.6 for c in direct)


def test_an_article_of_another_story_has_no_copies(
    store: Store, tmp_path: Path, clusters: dict[str, LabelledArticle]
) -> None:
    post = article(clusters, POST)
    other = next(a for a in clusters.values() if a.event_id != post.event_id)
    ids = [ingest(store, tmp_path, post), ingest(store, tmp_path, other)]
    for article_id in ids:
        copies = store.copies_of(article_id)
        assert copies.copies == () and copies.representative_id == article_id
    sfgate = tmp_path / f"{SFGATE}.html"
    sfgate.write_bytes(web_page(article(clusters, SFGATE)))
    report = ingest_articles(store, [str(sfgate)])
    assert report.copies == 1 and "1 copy pair found" in report.summary()
    assert store.copies_of(ids[1]).copies == ()


def content_of(item: LabelledArticle) -> ArticleContent:
    text = item.article.text.replace("\r", "")
    return ArticleContent(
        url=item.article.url,
        publisher=item.domain,
        domain=item.domain,
        title=item.article.title,
        authors=(),
        published=item.article.published,
        date_method="test",
        language="en",
        lede=item.article.lede.replace("\r", ""),
        text=text,
        image_url=None,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )


def test_one_article_at_a_time_finds_what_a_batch_finds(
    store: Store, clusters: dict[str, LabelledArticle]
) -> None:
    """All 383 articles stored one by one: the pairs and groups of the batch detector."""
    ids: dict[int, str] = {}
    for item in clusters.values():
        with store.transaction():
            write = store.add_article_version(
                content_of(item), b"raw", Ingestion("file", item.key, "text", "utf-8")
            )
            record_copies(store, write.article)
        ids[write.article.id] = item.key
    texts = [
        CopyText(a.key, a.article.text.replace("\r", ""), a.article.published, a.article.url)
        for a in clusters.values()
    ]
    batch = near_duplicate_pairs(texts)
    stored = store.copy_pairs(sorted(ids))
    assert len(batch) >= 30
    assert {frozenset((ids[p.first_id], ids[p.second_id])) for p in stored} == {
        frozenset((p.first, p.second)) for p in batch
    }
    leads = store.representatives(sorted(ids))
    # Exact ties (same day, same authority) are broken by key: the batch's keys are file
    # names, the store's URL keys. No group of news-clusters has such a tie that matters.
    groups = copy_groups(texts, batch)
    for group in groups:
        members = {i for i, name in ids.items() if name in group.members}
        assert {leads[i] for i in members} == {
            next(i for i in members if ids[i] == group.representative)
        }, group
    grouped = {name for group in groups for name in group.members}
    assert all(leads[i] is None for i, name in ids.items() if name not in grouped)


# -- made-up texts: versions, splits, articles stored without a signature ------------------

_chance = random.Random(5)
_WORDS = ["".join(_chance.choices(string.ascii_lowercase, k=6)) for _ in range(2000)]


def made_up(seed: int, words: int = 300) -> str:
    chance = random.Random(seed)
    return " ".join(chance.choice(_WORDS) for _ in range(words))


def store_text(store: Store, name: str, text: str, day: date | None = None) -> int:
    content = ArticleContent(
        url=f"https://{name}.example.org/story",
        publisher=name,
        domain=f"{name}.example.org",
        title=f"A story at {name}",
        authors=(),
        published=day,
        date_method=None,
        language="en",
        lede=text[:80],
        text=text,
        image_url=None,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    with store.transaction():
        write = store.add_article_version(
            content, text.encode(), Ingestion("file", name, "text", "utf-8")
        )
        record_copies(store, write.article)
    return write.article.id


def test_a_new_version_that_is_no_longer_a_copy_splits_the_group(store: Store) -> None:
    wire = made_up(1)
    first = store_text(store, "first", wire, date(2020, 5, 1))
    second = store_text(store, "second", wire + " " + made_up(2, 40), date(2020, 5, 2))
    third = store_text(store, "third", made_up(3, 60) + " " + wire, date(2020, 5, 3))
    for article_id in (first, second, third):
        assert store.copies_of(article_id).representative_id == first
    # The first copy is rewritten into another story: the other two stay copies of each
    # other, led by the earlier of them; the first has no copy left.
    store_text(store, "first", made_up(9), date(2020, 5, 1))
    assert store.copies_of(first).copies == ()
    assert store.representatives([first, second, third]) == {
        first: None,
        second: second,
        third: second,
    }
    assert [c.article.id for c in store.copies_of(third).copies] == [second]


def test_a_group_bridged_by_one_article_joins_and_the_earliest_leads(store: Store) -> None:
    left, right = made_up(11), made_up(12)
    a = store_text(store, "aaa", left, date(2021, 1, 3))
    b = store_text(store, "bbb", right, date(2021, 1, 2))
    assert store.representatives([a, b]) == {a: None, b: None}
    bridge = store_text(store, "ccc", left + " " + right, date(2021, 1, 4))
    assert store.representatives([a, b, bridge]) == {a: b, b: b, bridge: b}
    assert store.copies_of(a).copies[0].containment is None, "a and b: copies through the bridge"


def test_articles_stored_without_a_signature_are_compared_at_the_next_ingest(
    store: Store, tmp_path: Path
) -> None:
    wire = made_up(21)
    for name, day in (("one", date(2019, 3, 2)), ("two", date(2019, 3, 1))):
        content = ArticleContent(
            url=f"https://{name}.example.org/x",
            publisher=name,
            domain=None,
            title=name,
            authors=(),
            published=day,
            date_method=None,
            language=None,
            lede="",
            text=wire,
            image_url=None,
            content_hash=hashlib.sha256(wire.encode()).hexdigest(),
        )
        store.add_article_version(content, b"", Ingestion("file", name, "text", "utf-8"))
    one, two = store.article_ids()
    assert store.articles_without_signature() == [one, two]
    page = tmp_path / "copy.txt"
    page.write_text("A copy of the story\n\n" + wire + "\n", encoding="utf-8")
    report = ingest_articles(store, [str(page)])
    (third,) = report.new
    assert store.articles_without_signature() == []
    assert store.representatives([one, two, third]) == {one: two, two: two, third: two}
    assert record_missing_copies(store) == 0
