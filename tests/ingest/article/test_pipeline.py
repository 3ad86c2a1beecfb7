"""The per-input pipeline: bytes in, an article or one line out; picklable, so it runs in
worker processes and gives there what it gives here."""

from __future__ import annotations

import gzip
import multiprocessing
import pickle
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from dateline.ingest.article import MAX_DECOMPRESSED_BYTES, ExtractedArticle
from dateline.ingest.article import pipeline as pipeline_module
from dateline.ingest.article.pipeline import RawArticle, Skipped, run_pipeline
from tests.conftest import SHARED, seed_file
from tests.ingest.article.test_extract_html import META, article_page
from tests.ingest.article.test_hostile_input import RUSSIAN, page

BENCHMARK_PAGES = sorted((SHARED / "data/article-extraction-benchmark/html").glob("*.html.gz"))


def benchmark_inputs(count: int) -> list[RawArticle]:
    return [RawArticle(p.read_bytes(), str(p), "file") for p in BENCHMARK_PAGES[:count]]


def gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(2 * MAX_DECOMPRESSED_BYTES // len(chunk))]
    return b"".join(parts) + compressor.flush()


def test_a_real_page_gives_its_article() -> None:
    item = benchmark_inputs(1)[0]
    result = run_pipeline(item)
    assert isinstance(result, ExtractedArticle)
    assert len(result.text.split()) > 50
    assert result.source_format == "html"
    assert result.content_hash and result.lede in result.text


def test_a_plain_text_seed_article() -> None:
    path = seed_file("002")
    result = run_pipeline(
        RawArticle(path.read_bytes(), str(path), "file", content_type="text/plain")
    )
    assert isinstance(result, ExtractedArticle)
    first_line = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert result.title == first_line.strip()
    assert result.source_format == "text" and result.url is None


def test_the_url_given_is_the_address_when_the_page_names_none() -> None:
    data = page(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251")
    result = run_pipeline(RawArticle(data, "x.html", "http", url="https://example.ru/k"))
    assert isinstance(result, ExtractedArticle)
    assert result.url == "https://example.ru/k" and result.encoding == "cp1251 (meta)"
    canonical = run_pipeline(RawArticle(article_page(META), "p.html", "file"))
    assert isinstance(canonical, ExtractedArticle)
    assert canonical.url == "https://news.example.org/2019/harbour-reopens"


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (gzip_bomb(), None, "gzip bomb"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, None, "binary data, not text"),
        (b"%PDF-1.7 ...", "application/pdf", "content-type: expected an HTML page"),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", None, "no article text"),
        (gzip.compress(article_page(META))[:300], None, "truncated gzip data"),
    ],
    ids=["gzip-bomb", "binary", "pdf", "no-article", "cut-gzip"],
)
def test_bad_input_is_one_line_naming_the_input(
    data: bytes, content_type: str | None, expected: str
) -> None:
    item = RawArticle(data, "inbox/page.html", "file", content_type=content_type)
    result = run_pipeline(item)
    assert isinstance(result, Skipped)
    assert result.where == "inbox/page.html"
    assert result.message.startswith("inbox/page.html: ")
    assert expected in result.message and "\n" not in result.message


def test_a_warc_record_is_named_with_its_address() -> None:
    item = RawArticle(b"\x00\x01" * 100, "crawl.warc.gz#1234", "warc", url="https://e.org/a")
    result = run_pipeline(item)
    assert isinstance(result, Skipped)
    assert result.message.startswith("crawl.warc.gz#1234 (https://e.org/a): binary data")


def test_an_unexpected_failure_skips_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes, url: str | None = None, content_type: str | None = None) -> None:
        raise ValueError("lxml said no\nsecond line")

    monkeypatch.setattr(pipeline_module, "extract_article", broken)
    result = run_pipeline(RawArticle(b"<p>x</p>", "odd.html", "file"))
    assert isinstance(result, Skipped)
    assert result.message == (
        "odd.html: extraction failed unexpectedly (ValueError: lxml said no second line)"
    )

    def too_deep(data: bytes, url: str | None = None, content_type: str | None = None) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(pipeline_module, "extract_article", too_deep)
    result = run_pipeline(RawArticle(b"<p>x</p>", "deep.html", "file"))
    assert isinstance(result, Skipped) and "nested too deeply" in result.message


def test_inputs_and_results_survive_pickling() -> None:
    items = [*benchmark_inputs(2), RawArticle(b"\x00" * 64, "bin.html", "file")]
    for item in items:
        assert pickle.loads(pickle.dumps(item)) == item
        result = run_pipeline(item)
        assert pickle.loads(pickle.dumps(result)) == result


def test_worker_processes_give_the_same_results(tmp_path: Path) -> None:
    items = [*benchmark_inputs(4), RawArticle(gzip_bomb(), "bomb.html.gz", "file")]
    here = [run_pipeline(item) for item in items]
    context = multiprocessing.get_context("spawn")  # nothing inherited: all goes by pickle
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        there = list(pool.map(run_pipeline, items))
    assert there == here
    assert isinstance(there[-1], Skipped) and isinstance(there[0], ExtractedArticle)
