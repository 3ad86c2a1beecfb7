"""Source articles in the store: versioned like events, raw input kept, links to events.

Every test runs on SQLite and PostgreSQL (the ``store`` fixture). The article text is
made up here; no news text is copied in.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import replace
from datetime import date

import pytest

from dateline.errors import InputError, NotFoundError
from dateline.ingest.article import content_hash
from dateline.model import ArticleContent, EventContent, Ingestion, Source
from dateline.store import Store
from tests.conftest import Databases

TEXT = (
    "The river rose by two metres overnight and the old bridge was closed.\n\n"
    "Engineers said the supports were sound but the road would stay shut until Friday."
)
CONTENT = ArticleContent(
    url="https://www.example.org/news/river-bridge/?utm_source=feed",
    publisher="Example News",
    domain="example.org",
    title="River rises, bridge closed",
    authors=("Ann Writer", "Bo Reporter"),
    published=date(2012, 2, 9),
    date_method="htmldate:markup",
    language="en",
    lede="The river rose by two metres overnight and the old bridge was closed.",
    text=TEXT,
    image_url="https://example.org/img/bridge.jpg",
    content_hash=content_hash(TEXT),
)
RAW = b"<html><body><article><p>made-up page bytes</p></article></body></html>"
FILE = Ingestion("file", "/data/river.html", "html", "utf-8 (utf-8)")
WEB = Ingestion("http", "https://example.org/news/river-bridge", "html", "utf-8 (http)")


def edited(content: ArticleContent, text: str) -> ArticleContent:
    return replace(content, text=text, content_hash=content_hash(text))


def test_a_new_article_is_stored_with_its_raw_input(store: Store) -> None:
    written = store.add_article_version(CONTENT, RAW, FILE)
    assert written.outcome == "new" and written.changed
    article = written.article
    assert article.key == "example.org/news/river-bridge"
    assert [v.number for v in article.versions] == [1]
    assert article.content == CONTENT
    version = article.current
    assert version.ingestion == FILE
    assert version.raw_size == len(RAW)
    assert version.raw_sha256 == hashlib.sha256(RAW).hexdigest()
    assert version.ingested_at is not None
    assert store.article(article.id) == article
    assert store.article_raw(article.id) == RAW
    assert store.count_articles() == 1


def test_the_raw_input_is_kept_compressed(store: Store) -> None:
    big = RAW * 2000
    article = store.add_article_version(CONTENT, big, FILE).article
    with store.engine.connect() as conn:
        packed = conn.exec_driver_sql(
            f"SELECT raw_gzip FROM article_versions WHERE article_id = {article.id}"
        ).scalar_one()
    assert bytes(packed).startswith(b"\x1f\x8b")
    assert len(packed) < len(big) // 20
    assert store.article_raw(article.id) == big


def test_gzip_input_is_kept_as_it_came(store: Store) -> None:
    packed = gzip.compress(RAW)
    article = store.add_article_version(CONTENT, packed, FILE).article
    assert article.current.raw_size == len(packed)
    assert store.article_raw(article.id) == packed


def test_reingesting_the_same_content_changes_nothing(store: Store) -> None:
    first = store.add_article_version(CONTENT, RAW, FILE).article
    # Other bytes and another way in, same article content: nothing is written.
    again = store.add_article_version(CONTENT, RAW + b"<!-- ad -->", WEB)
    assert again.outcome == "unchanged" and not again.changed
    assert again.article == first
    assert store.article_raw(first.id) == RAW


def test_different_content_appends_a_version(store: Store) -> None:
    first = store.add_article_version(CONTENT, RAW, FILE).article
    corrected = edited(CONTENT, TEXT + "\n\nThis article was corrected on Saturday.")
    written = store.add_article_version(corrected, b"<html>v2</html>", WEB)
    assert written.outcome == "version"
    article = written.article
    assert article.id == first.id
    assert [v.number for v in article.versions] == [1, 2]
    assert article.versions[0] == first.versions[0]  # history untouched
    assert article.content == corrected and article.current.ingestion == WEB
    assert store.article_raw(article.id) == b"<html>v2</html>"
    assert store.article_raw(article.id, 1) == RAW
    # Going back to the first text is a change too: a third version.
    assert store.add_article_version(CONTENT, RAW, FILE).outcome == "version"
    assert len(store.article(article.id).versions) == 3


def test_articles_are_found_by_any_spelling_of_their_url(store: Store) -> None:
    article = store.add_article_version(CONTENT, RAW, FILE).article
    for url in (
        "http://example.org/news/river-bridge",
        "https://EXAMPLE.org/news/river-bridge/#comments",
        "https://www.example.org/news/river-bridge?utm_medium=social&fbclid=abc",
    ):
        found = store.find_article_by_url(url)
        assert found is not None and found.id == article.id, url
    assert store.find_article_by_url("https://example.org/news/other") is None
    assert store.find_article_by_url("https://example.org/news/river-bridge?page=2") is None


def test_a_file_without_url_is_keyed_by_its_path(store: Store) -> None:
    plain = replace(CONTENT, url=None)
    first = store.add_article_version(plain, RAW, FILE).article
    assert first.key == "file:/data/river.html"
    assert store.add_article_version(plain, RAW, FILE).outcome == "unchanged"
    other = Ingestion("file", "/data/elsewhere.txt", "text", "utf-8 (utf-8)")
    assert store.add_article_version(plain, RAW, other).outcome == "new"


def test_invalid_content_is_refused_and_nothing_is_stored(store: Store) -> None:
    cases = [
        (replace(CONTENT, title="Two\nlines"), "title"),
        (replace(CONTENT, url="ftp://example.org/a"), "url"),
        (replace(CONTENT, text="  "), "text"),
        (replace(CONTENT, content_hash="abc"), "content_hash"),
    ]
    for content, field in cases:
        with pytest.raises(InputError) as error:
            store.add_article_version(content, RAW, FILE)
        assert error.value.field == field
    with pytest.raises(InputError) as error:
        store.add_article_version(CONTENT, RAW, Ingestion("ftp", "x", "html", "utf-8"))  # type: ignore[arg-type]
    assert error.value.field == "method"
    assert store.count_articles() == 0


def test_missing_articles(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no article with id 42"):
        store.article(42)
    with pytest.raises(NotFoundError):
        store.article_raw(42)
    article = store.add_article_version(CONTENT, RAW, FILE).article
    with pytest.raises(NotFoundError, match="version 9"):
        store.article_raw(article.id, 9)


def event_citing(store: Store, url: str | None) -> int:
    sources = (Source("Example News", url),) if url else ()
    content = EventContent(date(2012, 2, 9), f"Bridge closed {url}", "Summary.", sources=sources)
    return store.create_event(content).id


def test_attach_list_and_detach(store: Store) -> None:
    article = store.add_article_version(CONTENT, RAW, FILE).article
    other = store.add_article_version(
        replace(CONTENT, url="https://example.org/news/other-story"), RAW, FILE
    ).article
    first, second = event_citing(store, None), event_citing(store, "https://x.example/1")
    assert [a.id for a in store.articles_waiting()] == [article.id, other.id]
    seq = store.last_change()
    link = store.attach_article(
        article.id, first, score=0.8, reason="shares 5 names", method="ranker"
    )
    assert (link.article_id, link.event_id, link.score, link.method) == (
        article.id,
        first,
        0.8,
        "ranker",
    )
    assert store.changed_since(seq) == [first]  # the event's page lists its articles
    store.attach_article(article.id, second, score=1.0, reason="cited", method="url-match")
    assert [k.event_id for k in store.article_links(article.id)] == [second, first]
    assert [a.id for a in store.articles_waiting()] == [other.id]
    listed = store.articles_for_event(first)
    assert [(x.article.id, x.link.reason) for x in listed] == [(article.id, "shares 5 names")]
    # Linking again updates the link, keeping when it was made.
    again = store.attach_article(article.id, first, score=0.9, reason="editor", method="editor")
    assert again.created_at == link.created_at
    assert [(k.score, k.method) for k in store.article_links(article.id)] == [
        (1.0, "url-match"),
        (0.9, "editor"),
    ]
    assert store.detach_article(article.id, second) is True
    assert store.detach_article(article.id, second) is False
    assert [k.event_id for k in store.article_links(article.id)] == [first]


def test_articles_for_an_event_best_first(store: Store) -> None:
    event = event_citing(store, None)
    ids = []
    for n, score in enumerate((0.3, 0.9, 0.6)):
        url = f"https://example.org/news/{n}"
        ids.append(store.add_article_version(replace(CONTENT, url=url), RAW, FILE).article.id)
        store.attach_article(ids[-1], event, score=score, reason="test", method="test")
    assert [x.article.id for x in store.articles_for_event(event)] == [ids[1], ids[2], ids[0]]


def test_links_are_checked(store: Store) -> None:
    article = store.add_article_version(CONTENT, RAW, FILE).article
    event = event_citing(store, None)
    with pytest.raises(NotFoundError, match="no event with id 999"):
        store.attach_article(article.id, 999, score=1, reason="x", method="m")
    with pytest.raises(NotFoundError, match="no article with id 999"):
        store.attach_article(999, event, score=1, reason="x", method="m")
    with pytest.raises(InputError) as error:
        store.attach_article(article.id, event, score=1.5, reason="x", method="m")
    assert error.value.field == "score"
    with pytest.raises(InputError) as error:
        store.attach_article(article.id, event, score=1, reason="a\nb", method="m")
    assert error.value.field == "reason"
    assert store.article_links(article.id) == []


def test_a_new_version_of_a_linked_article_marks_its_events_changed(store: Store) -> None:
    article = store.add_article_version(CONTENT, RAW, FILE).article
    event = event_citing(store, None)
    store.attach_article(article.id, event, score=1, reason="x", method="m")
    seq = store.last_change()
    store.add_article_version(CONTENT, RAW, FILE)
    assert store.changed_since(seq) == []
    store.add_article_version(edited(CONTENT, TEXT + "\n\nUpdated."), RAW, FILE)
    assert store.changed_since(seq) == [event]


def test_events_citing_urls(store: Store) -> None:
    cited = "https://news.example/a/1"
    first, second = event_citing(store, cited), event_citing(store, cited)
    event_citing(store, "https://news.example/a/2")
    assert store.events_citing([cited, "https://nowhere.example/"]) == {cited: {first, second}}
    assert store.events_citing([]) == {}


def test_iter_articles_in_batches(store: Store) -> None:
    ids = [
        store.add_article_version(
            replace(CONTENT, url=f"https://example.org/n/{n}"), RAW, FILE
        ).article.id
        for n in range(7)
    ]
    assert [a.id for a in store.iter_articles(batch_size=3)] == ids
    assert [a.id for a in store.articles(list(reversed(ids)))] == list(reversed(ids))


def test_two_writers_storing_one_new_article_make_one_article(
    databases: Databases, database_url: str
) -> None:
    """Two ingests of the same new page at once: one article, and one version."""
    writers = [databases.open(database_url), databases.open(database_url)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def write(writer: Store) -> None:
        barrier.wait()
        outcomes.append(writer.add_article_version(CONTENT, RAW, FILE).outcome)

    threads = [threading.Thread(target=write, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["new", "unchanged"]
    (article,) = writers[0].iter_articles()
    assert len(article.versions) == 1
