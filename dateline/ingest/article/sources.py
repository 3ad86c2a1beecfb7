"""Where articles come from: files, folders, WARC files and URLs, as a stream of inputs.

:func:`iter_inputs` turns what the user named into :class:`~.pipeline.RawArticle`
items (bytes and where they came from), and into :class:`~.pipeline.Skipped` items for
what could not be read, each with a one-line reason, so that one bad input never stops
the others:

- a file ending in ``.html``, ``.htm``, ``.html.gz``, ``.htm.gz`` or ``.txt`` is one
  article (refused by its size before it is read when too large);
- a folder is walked (sorted, hidden entries left out) for those files and WARCs;
- a ``.warc`` or ``.warc.gz`` file gives one input per HTML or text response of status
  2xx (other records, such as requests, images and redirects, are left out quietly).
  A damaged record is reported and the reader resynchronises on the next record;
- an ``http(s)://`` URL is fetched by :class:`Fetcher`, politely (see there).
"""

from __future__ import annotations

import mmap
import os
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx
from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]

from dateline import __version__
from dateline.errors import InputError
from dateline.ingest.article.decode import (
    GZIP_MAGIC,
    MAX_INPUT_BYTES,
    gunzip_limited,
    media_type,
    read_article_file,
)
from dateline.ingest.article.pipeline import RawArticle, Skipped

ARTICLE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".txt")
WARC_SUFFIXES = (".warc", ".warc.gz")
PLAIN_TEXT_SUFFIXES = (".txt",)
ARTICLE_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
"""Media types read as articles; a response of any other type is not fetched or read."""

USER_AGENT = f"Dateline/{__version__} (news-event archive; article ingestion)"
ROBOTS_AGENT = "Dateline"
"""The name robots.txt rules are matched against."""
FETCH_TIMEOUT = 20.0
"""Seconds to wait for a server to connect, answer or send more (not the whole download)."""
FETCH_DELAY = 1.0
"""Seconds between two requests to one host, unless its robots.txt asks for more."""
MAX_CRAWL_DELAY = 60.0
"""A robots.txt ``Crawl-delay`` is honoured up to this many seconds."""
MAX_REDIRECTS = 5
MAX_ROBOTS_BYTES = 512 * 1024

WRONG_LENGTH = "its length does not match its content"

InputItem = RawArticle | Skipped


def is_url(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def input_kind(path: Path) -> str | None:
    """``article``, ``warc`` or None (not an input), from the file's name."""
    name = path.name.lower()
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if name.endswith(ARTICLE_SUFFIXES):
        return "article"
    return None


def expand_targets(targets: Iterable[str]) -> Iterator[str | Path]:
    """The URLs and files ``targets`` name, folders walked, in a stable order.

    A file named directly is read whatever its name (extraction decides what it is); in
    a folder, only files with the suffixes above are. A target that does not exist is
    passed on as it is, and reported when read.
    """
    for target in targets:
        if is_url(target):
            yield target
            continue
        path = Path(target)
        if not path.is_dir():
            yield path
            continue
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
            for name in sorted(files):
                found = Path(folder) / name
                if not name.startswith(".") and input_kind(found) is not None:
                    yield found


def count_inputs(targets: Sequence[str]) -> int | None:
    """How many inputs ``targets`` hold, or None when a WARC file makes it unknown."""
    total = 0
    for found in expand_targets(targets):
        if isinstance(found, Path) and input_kind(found) == "warc":
            return None
        total += 1
    return total


def iter_inputs(targets: Sequence[str], fetcher: Fetcher | None = None) -> Iterator[InputItem]:
    """Every input ``targets`` name, read; URLs need a ``fetcher`` (one is made if None)."""
    own = None
    try:
        for found in expand_targets(targets):
            if isinstance(found, Path):
                if input_kind(found) == "warc":
                    yield from iter_warc(found)
                else:
                    yield read_file(found)
                continue
            if fetcher is None:
                fetcher = own = Fetcher()
            yield fetcher.fetch(found)
    finally:
        if own is not None:
            own.close()


def read_file(path: Path) -> InputItem:
    """One article file (``.html.gz`` is unpacked by extraction, within its limits)."""
    where = str(path)
    if not path.exists():
        return Skipped(where, f"{where}: no such file or folder")
    try:
        data = read_article_file(path)
    except InputError as error:
        return Skipped(where, str(error))
    plain = path.name.lower().endswith(PLAIN_TEXT_SUFFIXES)
    return RawArticle(data, where, "file", content_type="text/plain" if plain else None)


# -- WARC files --------------------------------------------------------------------------


class _QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]
    # warcio prints a warning of its own to stderr for a record whose length looks
    # wrong; the damage it hints at is reported by iter_warc, in Dateline's words.
    INC_RECORD = ""


def iter_warc(path: Path) -> Iterator[InputItem]:
    """The article records of a WARC file (plain or gzipped per record, as warcio reads).

    A record that cannot be read whole is reported (``file.warc.gz#offset: ...``) and
    left out: one warcio cannot parse, one whose declared length does not match what
    follows it, one the file ends inside. The reader then starts again at the next place
    a record can begin (a gzip member or a ``WARC/1.x`` line), so a damaged record costs
    only itself.
    """
    try:
        handle = path.open("rb")
    except OSError as error:
        yield Skipped(str(path), f"{path}: cannot read the file: {error.strerror or error}")
        return
    with handle:
        size = os.fstat(handle.fileno()).st_size
        gzipped = handle.read(2) == GZIP_MAGIC
        offset = 0
        while offset < size:
            resume_after = yield from _read_records(handle, path, offset)
            if resume_after is None:
                return
            offset = _next_record_start(handle, resume_after + 1, gzipped, size)


def _read_records(
    handle: IO[bytes], path: Path, offset: int
) -> Generator[InputItem, None, int | None]:
    """Yield the article records from ``offset`` on; return None at the end of the file,
    or the offset after which to look for a record again when one was damaged.

    Each record is yielded only once warcio has read past it: a record followed by
    something other than the blank lines that end a record had a wrong length, and its
    content is not to be trusted.
    """
    handle.seek(offset)
    records = _QuietArchiveIterator(handle)
    pending: InputItem | None = None  # the last record read, yielded once the next one is
    pending_at = offset
    warnings = 0
    try:
        for record in records:
            if pending is not None:
                yield _unless_damaged(pending, records.err_count > warnings)
            warnings = records.err_count
            pending = None  # yielded: a failure from here on is this record's
            pending_at = int(records.offset)
            pending = _record_input(record, f"{path}#{pending_at}")
        if pending is not None:
            yield _unless_damaged(pending, records.err_count > warnings)
        return None
    except Exception as error:
        # warcio raises whatever its parsers hit on damaged bytes (ArchiveLoadFailed,
        # zlib.error, ValueError...): all of them mean a record is unreadable.
        damaged_at, reason = int(records.offset), _first_line(error)
        if pending is not None:
            if records.err_count > warnings:  # that record's wrong length caused this
                damaged_at, reason = pending_at, WRONG_LENGTH
            else:
                yield pending
        where = f"{path}#{damaged_at}"
        yield Skipped(where, f"{where}: damaged WARC record skipped ({reason})")
        return max(damaged_at, int(records.offset))
    finally:
        records.close()


def _unless_damaged(item: InputItem, damaged: bool) -> InputItem:
    if not damaged or isinstance(item, Skipped):
        return item
    return Skipped(
        item.where,
        f"{item.where}: damaged WARC record skipped ({WRONG_LENGTH})",
    )


def _record_input(record: Any, where: str) -> InputItem | None:
    """The article input in a WARC record, or None for a record that is not one."""
    if record.rec_type == "response":
        if record.http_headers is None:
            return None
        status = record.http_headers.get_statuscode()
        if not (status or "").startswith("2"):
            return None
        content_type = record.http_headers.get_header("Content-Type")
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type")
    else:
        return None
    kind = media_type(content_type)
    if kind is not None and kind not in ARTICLE_MEDIA_TYPES:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    data = _read_at_most(record.content_stream(), MAX_INPUT_BYTES)
    if data is None:
        return Skipped(
            where, f"{where}: record larger than the {MAX_INPUT_BYTES // 2**20} MiB article limit"
        )
    if getattr(record.raw_stream, "limit", 0) > 0:  # fewer bytes than its length says
        return Skipped(where, f"{where}: damaged WARC record skipped (the file ends inside it)")
    return RawArticle(data, where, "warc", url=url or None, content_type=content_type)


def _read_at_most(stream: Any, limit: int) -> bytes | None:
    """The whole stream, or None as soon as it proves longer than ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(65536, limit + 1 - size))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


def _next_record_start(handle: IO[bytes], start: int, gzipped: bool, size: int) -> int:
    """Where the next record may begin at or after ``start`` (``size`` if nowhere)."""
    if start >= size:
        return size
    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
        if gzipped:
            found = view.find(GZIP_MAGIC + b"\x08", start)
            return size if found < 0 else found
        while True:
            found = view.find(b"WARC/1.", start)
            if found < 0:
                return size
            if found == 0 or view[found - 1 : found] == b"\n":
                return found
            start = found + 1


def _first_line(error: BaseException) -> str:
    """The error's first line, without the damaged bytes warcio quotes after it."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = (lines[0] if lines else type(error).__name__).split(", first line:")[0]
    printable = "".join(c if c.isprintable() else "?" for c in text)
    return printable[:120]


# -- the web -----------------------------------------------------------------------------


class Fetcher:
    """Fetches article pages over HTTP, politely and defensively.

    Politely: a User-Agent naming Dateline, one request at a time, at least ``delay``
    seconds between two requests to one host (more if its robots.txt asks with
    ``Crawl-delay``), and pages its robots.txt disallows are not fetched (RFC 9309: a
    robots.txt that is missing (4xx) allows everything; one that fails (5xx, no answer)
    disallows everything for now). Defensively: ``timeout`` seconds at most without
    progress, redirects followed up to 5, the body streamed and dropped past
    ``max_bytes`` (gzip bodies are left compressed here and unpacked by extraction,
    within its limit against gzip bombs), other media types refused before their body
    is read.

    ``transport`` replaces the network (tests use ``httpx.MockTransport``); ``clock``
    and ``sleep`` replace time.
    """

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = FETCH_TIMEOUT,
        delay: float = FETCH_DELAY,
        max_bytes: int = MAX_INPUT_BYTES,
        robots: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"},
        )
        self._timeout = timeout
        self._delay = delay
        self._max_bytes = max_bytes
        self._robots = robots
        self._clock = clock
        self._sleep = sleep
        self._last_request: dict[str, float] = {}
        self._rules: dict[str, RobotFileParser | str | None] = {}

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def fetch(self, url: str) -> InputItem:
        """The page at ``url``, or a :class:`Skipped` saying in one line why not."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return Skipped(url, f"{url}: not a web address (expected http:// or https://)")
        site = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        refusal = self._robots_refusal(site, url)
        if refusal is not None:
            return Skipped(url, f"{url}: {refusal}")
        try:
            return self._get_page(site, url)
        except httpx.TimeoutException:
            return Skipped(url, f"{url}: no answer within {self._timeout:g} s (timed out)")
        except httpx.TooManyRedirects:
            return Skipped(url, f"{url}: more than {MAX_REDIRECTS} redirects")
        except httpx.HTTPError as error:
            return Skipped(url, f"{url}: cannot fetch ({type(error).__name__}: {error})")

    def _get_page(self, site: str, url: str) -> InputItem:
        self._wait_turn(site)
        with self._client.stream("GET", url) as response:
            if not response.is_success:
                return Skipped(url, f"{url}: HTTP {response.status_code} {response.reason_phrase}")
            content_type = response.headers.get("Content-Type")
            kind = media_type(content_type)
            if kind is not None and kind not in ARTICLE_MEDIA_TYPES:
                return Skipped(url, f"{url}: expected an HTML page or plain text, got {kind!r}")
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding not in ("identity", "gzip", "x-gzip"):
                return Skipped(url, f"{url}: unsupported Content-Encoding {encoding!r}")
            data = self._read_body(response)
        if data is None:
            mib = self._max_bytes / 2**20
            return Skipped(url, f"{url}: larger than the {mib:g} MiB article limit")
        return RawArticle(data, url, "http", url=str(response.url), content_type=content_type)

    def _read_body(self, response: httpx.Response) -> bytes | None:
        """The body as sent (still gzipped if it was), or None past ``max_bytes``."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            return None
        parts: list[bytes] = []
        size = 0
        for chunk in response.iter_raw():
            size += len(chunk)
            if size > self._max_bytes:
                return None
            parts.append(chunk)
        return b"".join(parts)

    def _wait_turn(self, site: str) -> None:
        """Sleep until this host's delay since the last request to it has passed."""
        rules = self._rules.get(site)
        delay = self._delay
        if isinstance(rules, RobotFileParser):
            asked = rules.crawl_delay(ROBOTS_AGENT)
            if asked is not None:
                delay = max(delay, min(float(asked), MAX_CRAWL_DELAY))
        last = self._last_request.get(site)
        if last is not None:
            remaining = last + delay - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last_request[site] = self._clock()

    def _robots_refusal(self, site: str, url: str) -> str | None:
        """Why robots.txt forbids fetching ``url``, or None when it allows it."""
        if not self._robots:
            return None
        if site not in self._rules:
            self._rules[site] = self._read_robots(site)
        rules = self._rules[site]
        if isinstance(rules, str):
            return rules
        if rules is not None and not rules.can_fetch(ROBOTS_AGENT, url):
            return "robots.txt disallows fetching it"
        return None

    def _read_robots(self, site: str) -> RobotFileParser | str | None:
        """The site's rules; None (no rules: allowed) or a reason to fetch nothing."""
        self._wait_turn(site)
        try:
            with self._client.stream("GET", f"{site}/robots.txt") as response:
                if 400 <= response.status_code < 500:
                    return None
                if not response.is_success:
                    return f"robots.txt could not be read (HTTP {response.status_code})"
                body = b""
                for chunk in response.iter_raw():  # still compressed: see below
                    body += chunk
                    if len(body) > MAX_ROBOTS_BYTES:
                        break
        except httpx.HTTPError as error:
            return f"robots.txt could not be read ({type(error).__name__})"
        if body.startswith(GZIP_MAGIC):  # unpacked here, within the limit (no gzip bomb)
            try:
                body = gunzip_limited(body, where="robots.txt", limit=MAX_ROBOTS_BYTES)
            except InputError:
                return "robots.txt could not be read (damaged or too large)"
        rules = RobotFileParser()
        # Only its first 512 KiB count, as for search engines' crawlers.
        rules.parse(body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace").splitlines())
        return rules
