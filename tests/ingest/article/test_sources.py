"""Inputs: files and folders, WARC files (written here with warcio, some of them damaged)
and URLs (canned responses through httpx.MockTransport: the network is never used)."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from dateline.ingest.article import MAX_INPUT_BYTES, ExtractedArticle
from dateline.ingest.article.pipeline import RawArticle, Skipped, run_pipeline
from dateline.ingest.article.sources import (
    USER_AGENT,
    Fetcher,
    count_inputs,
    expand_targets,
    iter_inputs,
    iter_warc,
    read_file,
)
from tests.conftest import SHARED
from tests.ingest.article.test_extract_html import META, article_page

BENCHMARK_PAGES = sorted((SHARED / "data/article-extraction-benchmark/html").glob("*.html.gz"))


def benchmark_html(n: int) -> bytes:
    return gzip.decompress(BENCHMARK_PAGES[n].read_bytes())


# -- files and folders -------------------------------------------------------------------


def test_folders_are_walked_in_order_for_known_inputs(tmp_path: Path) -> None:
    names = [
        "b.htm",
        "a.html",
        "c.html.gz",
        "d.txt",
        "e.warc.gz",
        "f.pdf",
        "notes.md",
        ".hidden.html",
        "sub/g.HTML",
        ".git/h.html",
    ]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = [str(p.relative_to(tmp_path)) for p in expand_targets([str(tmp_path)])]  # type: ignore[union-attr]
    assert found == ["a.html", "b.htm", "c.html.gz", "d.txt", "e.warc.gz", "sub/g.HTML"]
    assert count_inputs([str(tmp_path)]) is None  # a WARC holds an unknown number
    (tmp_path / "e.warc.gz").unlink()
    assert count_inputs([str(tmp_path), "https://example.org/a"]) == 6


def test_a_file_named_directly_is_read_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "article.dat"
    path.write_bytes(article_page(META))
    assert list(expand_targets([str(path)])) == [path]
    item = read_file(path)
    assert isinstance(item, RawArticle) and item.content_type is None
    assert isinstance(run_pipeline(item), ExtractedArticle)


def test_text_files_are_read_as_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("<p>not markup here</p>", encoding="utf-8")
    item = read_file(path)
    assert isinstance(item, RawArticle)
    assert (item.content_type, item.method, item.where) == ("text/plain", "file", str(path))


def test_gzipped_pages_are_passed_on_packed(tmp_path: Path) -> None:
    item = read_file(BENCHMARK_PAGES[0])
    assert isinstance(item, RawArticle) and item.data.startswith(b"\x1f\x8b")
    assert isinstance(run_pipeline(item), ExtractedArticle)


def test_a_200_mb_file_and_a_missing_one_are_skipped(tmp_path: Path) -> None:
    huge = tmp_path / "huge.html"
    with huge.open("wb") as handle:  # sparse: 200 MB on paper, nothing on disk
        handle.truncate(200 * 1024 * 1024)
    result = read_file(huge)
    assert isinstance(result, Skipped)
    assert result.message.startswith(f"{huge}: input larger than the 16 MiB limit")
    missing = read_file(tmp_path / "gone.html")
    assert isinstance(missing, Skipped)
    assert missing.message == f"{tmp_path / 'gone.html'}: no such file or folder"


# -- WARC files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    uri: str
    body: bytes
    kind: str = "response"
    status: str = "200 OK"
    content_type: str = "text/html; charset=utf-8"


def write_warc(path: Path, records: list[Record], *, gz: bool) -> list[int]:
    """Write ``records`` with warcio; the offset of each."""
    offsets = []
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gz)
        for r in records:
            payload = io.BytesIO(r.body)
            if r.kind == "response":
                http = StatusAndHeaders(
                    r.status, [("Content-Type", r.content_type)], protocol="HTTP/1.1"
                )
                record = writer.create_warc_record(
                    r.uri, "response", payload=payload, length=len(r.body), http_headers=http
                )
            else:
                record = writer.create_warc_record(
                    r.uri,
                    r.kind,
                    payload=payload,
                    length=len(r.body),
                    warc_content_type=r.content_type,
                )
            offsets.append(handle.tell())
            writer.write_record(record)
    return offsets


PLAIN_TEXT = (
    b"Ferry times\n\nThe morning ferry to the islands leaves at seven from the north quay, "
    b"and the last boat back departs at six in the evening, weather permitting."
)


def crawl() -> list[Record]:
    """A small crawl: three article pages among records that are not articles."""
    return [
        Record("https://one.example/a", benchmark_html(0)),
        Record("https://one.example/a", b"GET /a HTTP/1.1\r\nHost: one.example\r\n\r\n", "request"),
        Record("https://one.example/logo.png", b"\x89PNG" + bytes(500), content_type="image/png"),
        Record("https://one.example/old", b"<html>moved</html>", status="301 Moved Permanently"),
        Record("https://two.example/b", benchmark_html(1)),
        Record(
            "https://two.example/c.txt",
            PLAIN_TEXT,
            "resource",
            content_type="text/plain",
        ),
        Record("https://two.example/d", benchmark_html(2)),
    ]


def articles_of(items: list[RawArticle | Skipped]) -> list[str | None]:
    return [item.url for item in items if isinstance(item, RawArticle)]


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_a_warc_gives_its_html_and_text_responses(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    offsets = write_warc(path, crawl(), gz=gz)
    items = list(iter_warc(path))
    assert all(isinstance(item, RawArticle) for item in items)
    raw = [item for item in items if isinstance(item, RawArticle)]
    assert [item.url for item in raw] == [
        "https://one.example/a",
        "https://two.example/b",
        "https://two.example/c.txt",
        "https://two.example/d",
    ]
    assert [item.where for item in raw] == [f"{path}#{offsets[i]}" for i in (0, 4, 5, 6)]
    assert raw[0].data == benchmark_html(0)  # the payload, whatever the WARC compression
    assert raw[0].content_type == "text/html; charset=utf-8" and raw[0].method == "warc"
    assert isinstance(run_pipeline(raw[1]), ExtractedArticle)


def corrupt(path: Path, at: int, length: int = 40) -> None:
    data = bytearray(path.read_bytes())
    for i in range(at, at + length):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_a_damaged_record_is_skipped_and_reading_goes_on(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / "crawl.warc.gz"
    records = crawl()
    offsets = write_warc(path, records, gz=gz)
    corrupt(path, offsets[4] + (30 if gz else 0))  # the second article's record
    items = list(iter_warc(path))
    skipped = [item for item in items if isinstance(item, Skipped)]
    assert len(skipped) == 1
    assert skipped[0].message.startswith(f"{path}#{offsets[4]}: damaged WARC record skipped (")
    assert "\n" not in skipped[0].message
    assert articles_of(items) == [
        "https://one.example/a",
        "https://two.example/c.txt",
        "https://two.example/d",
    ]


@pytest.mark.parametrize("cut", ["500 bytes", "last line"])
def test_a_record_with_a_wrong_length_is_not_trusted(tmp_path: Path, cut: str) -> None:
    """A length 500 bytes short leaves junk that breaks the next record; one short by
    its last line only leaves a line that warcio warns about and reads past."""
    path = tmp_path / "crawl.warc"
    offsets = write_warc(path, crawl(), gz=False)
    data = path.read_bytes()
    block_end = offsets[5] - 4  # a record ends with two CRLF
    shorter_by = 500 if cut == "500 bytes" else block_end - data.rindex(b"\n", 0, block_end) - 1
    header_end = data.index(b"\r\n\r\n", offsets[4])
    length_at = data.rindex(b"Content-Length: ", offsets[4], header_end) + len(b"Content-Length: ")
    digits = data[length_at : data.index(b"\r\n", length_at)]
    shorter = str(int(digits) - shorter_by).encode().rjust(len(digits), b"0")
    path.write_bytes(data[:length_at] + shorter + data[length_at + len(digits) :])
    items = list(iter_warc(path))
    skipped = [item.message for item in items if isinstance(item, Skipped)]
    assert skipped == [
        f"{path}#{offsets[4]}: damaged WARC record skipped (its length does not match its content)"
    ]
    assert articles_of(items) == [
        "https://one.example/a",
        "https://two.example/c.txt",
        "https://two.example/d",
    ]


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_a_warc_cut_short(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / "cut.warc"
    offsets = write_warc(path, crawl(), gz=gz)
    path.write_bytes(path.read_bytes()[: offsets[6] + 900])
    items = list(iter_warc(path))
    assert articles_of(items) == [
        "https://one.example/a",
        "https://two.example/b",
        "https://two.example/c.txt",
    ]
    (last,) = [item for item in items if isinstance(item, Skipped)]
    assert last.message.startswith(f"{path}#{offsets[6]}: damaged WARC record skipped")


def test_a_file_that_is_no_warc(tmp_path: Path) -> None:
    path = tmp_path / "page.warc"
    path.write_bytes(article_page(META))
    (only,) = list(iter_warc(path))
    assert isinstance(only, Skipped)
    assert only.message.startswith(f"{path}#0: damaged WARC record skipped (")


def test_an_oversized_record_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    big = b"<html><body>" + b" " * (MAX_INPUT_BYTES + 10) + b"</body></html>"
    offsets = write_warc(path, [Record("https://e.example/big", big), *crawl()[:1]], gz=True)
    first, second = iter_warc(path)
    assert isinstance(first, Skipped)
    assert first.message == f"{path}#{offsets[0]}: record larger than the 16 MiB article limit"
    assert isinstance(second, RawArticle) and second.url == "https://one.example/a"


# -- URLs ----------------------------------------------------------------------------------

Handler = Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """Time that passes only when slept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def reply(
    status: int = 200,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    stream: httpx.SyncByteStream | None = None,
) -> Handler:
    """A canned response, made anew for each request and streamed as a server's is."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, stream=stream or httpx.ByteStream(body))

    return handler


def page_reply(body: bytes) -> Handler:
    return reply(200, body, HTML)


class Site:
    """Canned responses by URL (404 for others); records every request made."""

    def __init__(self, pages: dict[str, Handler]) -> None:
        self.pages = pages
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.pages.get(str(request.url), reply(404))(request)

    @property
    def asked(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def fetcher(site: Site, clock: FakeClock | None = None, **options: object) -> Fetcher:
    clock = clock or FakeClock()
    return Fetcher(transport=httpx.MockTransport(site), clock=clock, sleep=clock.sleep, **options)  # type: ignore[arg-type]


HTML = {"Content-Type": "text/html; charset=utf-8"}


def test_a_page_is_fetched_politely_with_its_final_address() -> None:
    site = Site(
        {
            "https://news.example.org/robots.txt": reply(404),
            "https://news.example.org/s/1": reply(
                301, headers={"Location": "https://news.example.org/2019/harbour-reopens"}
            ),
            "https://news.example.org/2019/harbour-reopens": page_reply(article_page(META)),
        }
    )
    with fetcher(site) as web:
        item = web.fetch("https://news.example.org/s/1")
    assert isinstance(item, RawArticle)
    assert item.where == "https://news.example.org/s/1" and item.method == "http"
    assert item.url == "https://news.example.org/2019/harbour-reopens"
    assert item.content_type == "text/html; charset=utf-8"
    assert item.data == article_page(META)
    assert {r.headers["User-Agent"] for r in site.requests} == {USER_AGENT}
    assert USER_AGENT.startswith("Dateline/")
    assert site.asked[0] == "https://news.example.org/robots.txt"


def test_one_host_is_asked_at_most_once_a_second() -> None:
    pages: dict[str, Handler] = {
        f"https://{host}/{n}": page_reply(b"<p>x</p>")
        for host in ("a.example", "b.example")
        for n in range(3)
    }
    site = Site(pages)
    clock = FakeClock()
    with fetcher(site, clock, robots=False) as web:
        for url in ["https://a.example/0", "https://b.example/0", "https://a.example/1"]:
            assert isinstance(web.fetch(url), RawArticle)
        assert clock.slept == [1.0]  # b.example did not wait for a.example
        clock.now += 5  # long after: no wait
        assert isinstance(web.fetch("https://a.example/2"), RawArticle)
        assert clock.slept == [1.0]


def test_robots_txt_is_obeyed_and_its_crawl_delay_honoured() -> None:
    robots = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 3\n"
    site = Site(
        {
            "https://c.example/robots.txt": reply(200, robots),
            "https://c.example/private/x": page_reply(b"secret"),
            "https://c.example/news/1": page_reply(b"<p>1</p>"),
            "https://c.example/news/2": page_reply(b"<p>2</p>"),
        }
    )
    clock = FakeClock()
    with fetcher(site, clock) as web:
        refused = web.fetch("https://c.example/private/x")
        assert isinstance(refused, Skipped)
        assert refused.message == "https://c.example/private/x: robots.txt disallows fetching it"
        assert isinstance(web.fetch("https://c.example/news/1"), RawArticle)
        assert isinstance(web.fetch("https://c.example/news/2"), RawArticle)
    assert "https://c.example/private/x" not in site.asked
    assert site.asked.count("https://c.example/robots.txt") == 1
    assert clock.slept == [3.0, 3.0]


def test_a_failing_robots_txt_means_no_fetching() -> None:
    site = Site({"https://d.example/robots.txt": reply(503)})
    with fetcher(site) as web:
        result = web.fetch("https://d.example/a")
    assert isinstance(result, Skipped)
    assert result.message == "https://d.example/a: robots.txt could not be read (HTTP 503)"
    assert site.asked == ["https://d.example/robots.txt"]


class CountingStream(httpx.SyncByteStream):
    """An endless body that counts the bytes served."""

    def __init__(self) -> None:
        self.served = 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.served += 65536
            yield b" " * 65536


def test_a_body_past_the_limit_is_dropped_while_streaming() -> None:
    endless = CountingStream()
    site = Site({"https://e.example/big": reply(200, headers=HTML, stream=endless)})
    with fetcher(site, robots=False, max_bytes=1_000_000) as web:
        result = web.fetch("https://e.example/big")
    assert isinstance(result, Skipped)
    assert result.message == "https://e.example/big: larger than the 0.953674 MiB article limit"
    assert endless.served <= 1_000_000 + 65536


def test_a_declared_length_past_the_limit_is_refused_unread() -> None:
    endless = CountingStream()
    headers = {**HTML, "Content-Length": str(MAX_INPUT_BYTES + 1)}
    site = Site({"https://e.example/big": reply(200, headers=headers, stream=endless)})
    with fetcher(site, robots=False) as web:
        result = web.fetch("https://e.example/big")
    assert isinstance(result, Skipped) and "larger than the 16 MiB" in result.message
    assert endless.served == 0


def test_other_media_types_are_refused_unread() -> None:
    endless = CountingStream()
    pdf = {"Content-Type": "application/pdf"}
    site = Site({"https://e.example/doc": reply(200, headers=pdf, stream=endless)})
    with fetcher(site, robots=False) as web:
        result = web.fetch("https://e.example/doc")
    assert isinstance(result, Skipped)
    assert result.message == (
        "https://e.example/doc: expected an HTML page or plain text, got 'application/pdf'"
    )
    assert endless.served == 0


def test_gzip_bodies_stay_packed_for_extraction() -> None:
    from tests.ingest.article.test_pipeline import gzip_bomb

    packed = {**HTML, "Content-Encoding": "gzip"}
    site = Site(
        {
            "https://g.example/a": reply(200, gzip.compress(article_page(META)), packed),
            "https://g.example/bomb": reply(200, gzip_bomb(), packed),
            "https://g.example/br": reply(200, b"...", {**HTML, "Content-Encoding": "br"}),
        }
    )
    with fetcher(site, robots=False) as web:
        page, bomb, brotli = (web.fetch(f"https://g.example/{p}") for p in ("a", "bomb", "br"))
    assert isinstance(page, RawArticle) and page.data.startswith(b"\x1f\x8b")
    assert isinstance(run_pipeline(page), ExtractedArticle)
    assert isinstance(bomb, RawArticle)
    refused = run_pipeline(bomb)
    assert isinstance(refused, Skipped) and "gzip bomb" in refused.message
    assert isinstance(brotli, Skipped) and "unsupported Content-Encoding 'br'" in brotli.message
    assert {r.headers["Accept-Encoding"] for r in site.requests} == {"gzip"}


def raises(error: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return handler


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (reply(404), "HTTP 404 Not Found"),
        (reply(500), "HTTP 500 Internal Server Error"),
        (raises(httpx.ReadTimeout("slow")), "no answer within 20 s (timed out)"),
        (raises(httpx.ConnectError("refused")), "cannot fetch (ConnectError: refused)"),
        (
            reply(302, headers={"Location": "https://h.example/p"}),
            "more than 5 redirects",
        ),
    ],
    ids=["404", "500", "timeout", "connect", "redirect-loop"],
)
def test_failures_are_one_line(answer: Handler, message: str) -> None:
    site = Site({"https://h.example/p": answer})
    with fetcher(site, robots=False) as web:
        result = web.fetch("https://h.example/p")
    assert isinstance(result, Skipped)
    assert result.message == f"https://h.example/p: {message}"


def test_not_a_web_address() -> None:
    with fetcher(Site({}), robots=False) as web:
        result = web.fetch("https:///nohost")
    assert isinstance(result, Skipped) and "not a web address" in result.message


def test_inputs_mix_files_warcs_and_urls(tmp_path: Path) -> None:
    page_file = tmp_path / "page.html"
    page_file.write_bytes(article_page(META))
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, crawl()[:1], gz=True)
    site = Site({"https://i.example/a": page_reply(b"<p>a</p>")})
    with fetcher(site, robots=False) as web:
        items = list(
            iter_inputs(
                [str(page_file), "https://i.example/a", str(tmp_path / "x.html"), str(warc)], web
            )
        )
    assert [(type(i).__name__, i.where) for i in items] == [
        ("RawArticle", str(page_file)),
        ("RawArticle", "https://i.example/a"),
        ("Skipped", str(tmp_path / "x.html")),
        ("RawArticle", f"{warc}#0"),
    ]


def test_a_gzipped_robots_txt_is_read_and_a_bomb_refused() -> None:
    from tests.ingest.article.test_pipeline import gzip_bomb

    packed = {"Content-Encoding": "gzip"}
    rules = gzip.compress(b"User-agent: Dateline\nDisallow: /\n")
    site = Site(
        {
            "https://j.example/robots.txt": reply(200, rules, packed),
            "https://k.example/robots.txt": reply(200, gzip_bomb(), packed),
        }
    )
    with fetcher(site) as web:
        refused = web.fetch("https://j.example/a")
        bombed = web.fetch("https://k.example/a")
    assert isinstance(refused, Skipped) and refused.message.endswith(
        "robots.txt disallows fetching it"
    )
    assert isinstance(bombed, Skipped)
    assert (
        bombed.message == "https://k.example/a: robots.txt could not be read (damaged or too large)"
    )
    assert site.asked == ["https://j.example/robots.txt", "https://k.example/robots.txt"]
