"""Ingestion end to end, and the ``dateline ingest`` command, on both backends.

Real pages come from the article-extraction benchmark and the seeds (read at test time);
hostile inputs and made-up pages are built here; URLs get canned responses.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from dateline.cli import ingest_command
from dateline.ingest.article.ingest import IngestReport, ingest_articles, url_spellings
from dateline.ingest.importer import import_paths
from dateline.model import EventContent, Source, article_url_key
from dateline.store import Store
from tests.conftest import Databases, seed_file
from tests.ingest.article.test_extract_html import META, article_page
from tests.ingest.article.test_hostile_input import RUSSIAN, page
from tests.ingest.article.test_pipeline import BENCHMARK_PAGES, gzip_bomb
from tests.ingest.article.test_sources import (
    Record,
    Site,
    corrupt,
    crawl,
    fetcher,
    page_reply,
    reply,
    write_warc,
)

CANONICAL = "https://news.example.org/2019/harbour-reopens"


def dump(store: Store) -> list[tuple[Any, ...]]:
    """Every article and link, without the times they were stored."""
    return [
        (
            article.key,
            [(v.number, v.content, v.ingestion, v.raw_sha256) for v in article.versions],
            [(k.event_id, k.score, k.reason, k.method) for k in store.article_links(article.id)],
        )
        for article in store.iter_articles()
    ]


def hostile_folder(folder: Path) -> dict[str, Path]:
    """Inputs that must each be skipped with a reason, and two good pages among them."""
    folder.mkdir()
    files = {
        "huge": folder / "huge.html",
        "bomb": folder / "bomb.html.gz",
        "binary": folder / "image.html",
        "empty": folder / "home.html",
        "cp1251": folder / "koncert.html",
        "real": folder / "real.html.gz",
    }
    with files["huge"].open("wb") as handle:  # sparse: 200 MB on paper, nothing on disk
        handle.truncate(200 * 1024 * 1024)
    files["bomb"].write_bytes(gzip_bomb())
    files["binary"].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    links = "".join(f'<li><a href="/s{n}">Section {n}</a></li>' for n in range(12))
    files["empty"].write_text(f"<html><body><nav><ul>{links}</ul></nav></body></html>")
    files["cp1251"].write_bytes(page(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251"))
    shutil.copyfile(BENCHMARK_PAGES[3], files["real"])
    return files


# -- the library ------------------------------------------------------------------------


def test_hostile_inputs_are_skipped_and_the_rest_is_stored(store: Store, tmp_path: Path) -> None:
    files = hostile_folder(tmp_path / "in")
    warc = tmp_path / "in" / "crawl.warc.gz"
    offsets = write_warc(warc, crawl(), gz=True)
    corrupt(warc, offsets[4] + 30)
    report = ingest_articles(store, [str(tmp_path / "in")])
    assert report.inputs == 10  # six files, four WARC records (one damaged)
    assert len(report.new) == 5 and report.new_versions == report.unchanged == []
    expected = {
        f"{files['huge']}: input larger than the 16 MiB limit",
        f"{files['bomb']}: gzip data expands past the 16 MiB limit (a gzip bomb?)",
        f"{files['binary']}: binary data, not text",
        f"{files['empty']}: no article text found",
        f"{warc}#{offsets[4]}: damaged WARC record skipped (",
    }
    assert len(report.skipped) == len(expected)
    for message in report.skipped:
        assert "\n" not in message
        assert any(message.startswith(start) for start in expected), message
    stored = {article.current.ingestion.source: article for article in store.iter_articles()}
    assert set(stored) == {
        str(files["cp1251"]),
        str(files["real"]),
        f"{warc}#{offsets[0]}",
        f"{warc}#{offsets[5]}",
        f"{warc}#{offsets[6]}",
    }
    cp1251 = stored[str(files["cp1251"])]
    assert cp1251.current.ingestion.encoding == "cp1251 (meta)"
    assert "главной площади" in cp1251.content.text
    assert store.article_raw(cp1251.id) == files["cp1251"].read_bytes()
    real = stored[str(files["real"])]
    assert store.article_raw(real.id) == files["real"].read_bytes()


def test_reingesting_changes_nothing_and_new_content_makes_a_version(
    store: Store, tmp_path: Path
) -> None:
    first = tmp_path / "harbour.html"
    first.write_bytes(article_page(META))
    copies = [tmp_path / f"{n}.html.gz" for n in range(2)]
    for source, copy in zip(BENCHMARK_PAGES[:2], copies, strict=True):
        shutil.copyfile(source, copy)
    targets = [str(first), *map(str, copies)]
    report = ingest_articles(store, targets)
    assert (len(report.new), report.skipped) == (3, [])
    again = ingest_articles(store, targets)
    assert (again.new, again.new_versions, sorted(again.unchanged)) == ([], [], sorted(report.new))
    # The same page saved elsewhere is the same article (its canonical URL says so).
    elsewhere = tmp_path / "saved-again.html"
    elsewhere.write_bytes(article_page(META))
    assert ingest_articles(store, [str(elsewhere)]).unchanged == [report.new[0]]
    # A corrected page is a new version of it.
    first.write_bytes(article_page(META).replace(b"four days ahead", b"five days ahead"))
    corrected = ingest_articles(store, [str(first)])
    assert corrected.new_versions == [report.new[0]]
    article = store.article(report.new[0])
    assert article.key == article_url_key(CANONICAL)
    assert [v.number for v in article.versions] == [1, 2]
    assert "five days ahead" in article.content.text
    assert "four days ahead" in article.versions[0].content.text
    assert store.article_raw(article.id, 1) == article_page(META)
    assert store.count_articles() == 3


def test_seed_articles(store: Store) -> None:
    paths = [seed_file("002"), seed_file("004")]
    report = ingest_articles(store, [str(p) for p in paths])
    assert (len(report.new), report.skipped) == (2, [])
    for path in paths:
        (article,) = [a for a in store.iter_articles() if a.key == f"file:{path}"]
        first_line = path.read_text(encoding="utf-8").split("\n", 1)[0].strip()
        assert article.content.title == first_line
        assert article.content.url is None and article.current.ingestion.source_format == "text"
        assert article.content.lede in article.content.text
        assert store.article_raw(article.id) == path.read_bytes()
    assert len(store.articles_waiting()) == 2


def test_jobs_2_stores_what_jobs_1_stores(databases: Databases, tmp_path: Path) -> None:
    files = hostile_folder(tmp_path / "in")
    targets = [*map(str, BENCHMARK_PAGES[:10]), str(seed_file("002")), str(tmp_path / "in")]
    one, two = databases.open(), databases.open()
    first = ingest_articles(one, targets, jobs=1)
    second = ingest_articles(two, targets, jobs=2)
    # The hostile folder's real page is one of the ten: the same article, unchanged.
    assert first.summary() == second.summary()
    assert first.summary() == (
        "17 inputs: 12 new articles, 0 new versions, 1 unchanged, 4 skipped; "
        "13 waiting for review (dateline review)"  # the archive has no events
    )
    assert first.skipped == second.skipped
    assert str(files["bomb"]) in "".join(first.skipped)
    assert dump(one) == dump(two)
    assert len(dump(one)) == 12


def test_urls_link_articles_to_the_events_citing_them(store: Store) -> None:
    import_paths(store, [seed_file("000")])
    cited = [
        (event.id, source.url)
        for event in store.iter_events()
        for source in event.content.sources
        if source.url and not event.is_stub
    ]
    event_id, url = cited[0]
    assert url is not None
    # The page is fetched at another spelling of the address the event cites.
    spelling = url_spellings(article_url_key(url))[0] + "/?utm_source=feed"
    key = article_url_key(url)
    site = Site(
        {
            f"https://{key.split('/')[0]}/robots.txt": reply(404),
            spelling: page_reply(page(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251")),
        }
    )
    with fetcher(site) as web:
        report = ingest_articles(store, [spelling], fetcher=web)
    assert (len(report.new), report.links, report.skipped) == (1, 1, [])
    (linked,) = store.articles_for_event(event_id)
    assert linked.article.key == key
    assert (linked.link.method, linked.link.score) == ("url-match", 1.0)
    assert linked.link.reason == f"the event cites {url} as a source"
    assert store.articles_waiting() == []
    with fetcher(site) as web:
        again = ingest_articles(store, [spelling], fetcher=web)
    assert (again.unchanged, again.links) == (report.new, 0)
    assert len(store.article_links(linked.article.id)) == 1


def test_a_page_links_by_its_canonical_url(store: Store, tmp_path: Path) -> None:
    content = EventContent(
        date(2019, 3, 12),
        "Portville harbour reopens",
        "The quay was repaired.",
        sources=(
            Source("The Portville Post", "http://www.news.example.org/2019/harbour-reopens/"),
        ),
    )
    event = store.create_event(content)
    other = store.create_event(
        EventContent(date(2019, 3, 12), "Something else", sources=(Source("X", CANONICAL + "2"),))
    )
    saved = tmp_path / "harbour.html"
    saved.write_bytes(article_page(META))
    report = ingest_articles(store, [str(saved)])
    assert report.links == 1
    (linked,) = store.articles_for_event(event.id)
    assert linked.article.content.url == CANONICAL
    assert store.articles_for_event(other.id) == []


def test_the_report_summary() -> None:
    report = IngestReport(inputs=1, new=[4])
    assert report.summary() == "1 input: 1 new article, 0 new versions, 0 unchanged, 0 skipped"
    report = IngestReport(inputs=5, new=[1, 2], unchanged=[3], skipped=["a", "b"], links=2)
    assert report.summary() == (
        "5 inputs: 2 new articles, 0 new versions, 1 unchanged, 2 skipped; 2 links to events by URL"
    )


# -- the command ------------------------------------------------------------------------


@click.group()
@click.option("--db")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Stands in for the dateline group: the command finds the archive at the root."""
    ctx.obj = db


cli.add_command(ingest_command.ingest)


def run(*args: str, db: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", db, "ingest", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_command_ingests_and_says_what_it_did(database_url: str) -> None:
    seeds = [str(seed_file("002")), str(seed_file("004"))]
    code, out, _err = run(*seeds, db=database_url)
    assert (code, out) == (
        0,
        "2 inputs: 2 new articles, 0 new versions, 0 unchanged, 0 skipped; "
        "2 waiting for review (dateline review)\n",
    )
    code, out, err = run("--verbose", "--jobs", "2", *seeds, db=database_url)
    assert (code, out) == (
        0,
        "2 inputs: 0 new articles, 0 new versions, 2 unchanged, 0 skipped; "
        "2 waiting for review (dateline review)\n",
    )
    assert "unchanged: article 1 v1 " in err and f"from {seeds[0]}" in err


def test_the_command_reports_skipped_inputs_with_status_2(
    database_url: str, tmp_path: Path
) -> None:
    files = hostile_folder(tmp_path / "in")
    code, out, err = run(str(tmp_path / "in"), db=database_url)
    assert code == 2
    assert out == (
        "6 inputs: 2 new articles, 0 new versions, 0 unchanged, 4 skipped; "
        "2 waiting for review (dateline review)\n"
    )
    skipped = [line for line in err.splitlines() if line.startswith("Skipped: ")]
    assert len(skipped) == 4
    assert f"Skipped: {files['binary']}: binary data, not text" in err


def test_the_command_called_directly_finds_the_archive_in_its_context(database_url: str) -> None:
    result = CliRunner().invoke(
        ingest_command.ingest, [str(seed_file("002"))], obj=database_url, catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("1 input: 1 new article")


def test_user_errors_are_one_line_with_status_2(database_url: str, tmp_path: Path) -> None:
    code, out, err = run(str(tmp_path / "nothing-here"), db=database_url)
    assert (code, out) == (2, "")
    assert err == f"Error: {tmp_path / 'nothing-here'}: no such file or folder\n"
    code, _out, err = run(str(seed_file("002")), db=str(tmp_path / "no" / "such" / "a.db"))
    assert code == 2 and err.startswith("Error: cannot open ") and err.count("\n") == 1
    code, _out, err = run("--jobs", "0", str(seed_file("002")), db=database_url)
    assert code == 2 and "--jobs" in err


def test_the_command_fetches_urls(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    site = Site(
        {
            "https://news.example.org/robots.txt": reply(404),
            "https://news.example.org/a": page_reply(article_page(META)),
        }
    )
    monkeypatch.setattr("dateline.ingest.article.sources.Fetcher", lambda: fetcher(site))
    code, out, err = run(
        "https://news.example.org/a", "https://news.example.org/gone", db=database_url
    )
    assert code == 2
    assert out.startswith("2 inputs: 1 new article, 0 new versions, 0 unchanged, 1 skipped")
    assert "Skipped: https://news.example.org/gone: HTTP 404 Not Found" in err


def test_the_command_has_help_with_examples() -> None:
    result = CliRunner().invoke(cli, ["ingest", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "--jobs" in result.stdout
    assert "dateline ingest" in result.stdout


def test_a_warc_record_written_here_is_stored(store: Store, tmp_path: Path) -> None:
    warc = tmp_path / "one.warc"
    write_warc(warc, [Record(CANONICAL, article_page(META))], gz=False)
    report = ingest_articles(store, [str(warc)])
    assert len(report.new) == 1
    (article,) = store.iter_articles()
    assert article.current.ingestion.method == "warc"
    assert article.current.ingestion.source == f"{warc}#0"
    assert store.article_raw(article.id) == article_page(META)
