"""Hostile and odd input: each refused with one clear line, or read correctly.

Every page here is written by the test itself (no news text is copied in).
"""

from __future__ import annotations

import gzip
import io
import random
import zlib
from pathlib import Path

import pytest

from dateline.errors import InputError
from dateline.ingest.article import (
    MAX_DECOMPRESSED_BYTES,
    MAX_INPUT_BYTES,
    extract_article,
    read_article_file,
    read_limited,
)
from dateline.ingest.article.decode import decode_text, gunzip_limited

RUSSIAN = (  # Cyrillic on purpose (ruff takes its one-letter word for a Latin letter)
    "Вечером в городе прошёл большой концерт на главной площади. Музыканты из трёх "
    "областей играли до полуночи, а зрители не расходились несмотря на холодный ветер. "  # noqa: RUF001
    "Организаторы обещают повторить праздник следующим летом и пригласить ещё больше гостей."
)
FRENCH = (
    "Le marché du samedi a réuni des producteurs venus de toute la vallée. On y trouvait "
    "du fromage affiné, des légumes d'été et des pâtisseries préparées à l'aube. Les "
    "habitants ont salué l'initiative, même si la pluie a écourté la matinée vers midi."
)


def page(body: str, head: str = "") -> str:
    paragraphs = "".join(f"<p>{sentence.strip()}.</p>" for sentence in body.split(".") if sentence)
    return (
        f"<!DOCTYPE html><html><head>{head}<title>Test page</title></head>"
        f"<body><article><h1>Test page</h1>{paragraphs}</article></body></html>"
    )


def one_line(error: pytest.ExceptionInfo[InputError]) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


class CountingZeros(io.RawIOBase):
    """An endless stream of zero bytes that counts how many were read."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = len(buffer)
        buffer[:size] = bytes(size)
        self.served += size
        return size


def test_a_200_mb_file_is_refused_by_its_size(tmp_path: Path) -> None:
    huge = tmp_path / "huge.html"
    with huge.open("wb") as handle:  # sparse: 200 MB on paper, nothing on disk
        handle.truncate(200 * 1024 * 1024)
    with pytest.raises(InputError) as error:
        read_article_file(huge)
    assert one_line(error).startswith(f"{huge}: input larger than the")


def test_a_stream_is_read_no_further_than_the_limit() -> None:
    stream = CountingZeros()
    with pytest.raises(InputError) as error:
        read_limited(stream, where="upload")  # type: ignore[arg-type]
    assert "limit" in one_line(error)
    assert stream.served <= MAX_INPUT_BYTES + 1 + io.DEFAULT_BUFFER_SIZE


def test_extract_refuses_oversized_bytes_outright() -> None:
    with pytest.raises(InputError) as error:
        extract_article(b" " * (MAX_INPUT_BYTES + 1), url="https://example.org/big")
    assert one_line(error).startswith("https://example.org/big: input larger than")


def test_a_gzip_bomb_stops_at_the_ceiling() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    bomb = b"".join(
        compressor.compress(chunk) for _ in range(4 * MAX_DECOMPRESSED_BYTES // len(chunk))
    )
    bomb += compressor.flush()
    assert len(bomb) < MAX_INPUT_BYTES // 100  # small on the wire, 64 MiB unpacked
    with pytest.raises(InputError) as error:
        extract_article(bomb, url="https://example.org/bomb")
    assert "gzip bomb" in one_line(error)


def test_gzip_input_is_read_and_damaged_gzip_refused() -> None:
    packed = gzip.compress(page(FRENCH, '<meta charset="utf-8">').encode("utf-8"))
    article = extract_article(packed, url="https://example.org/marche")
    assert "fromage affiné" in article.text
    with pytest.raises(InputError) as error:
        gunzip_limited(packed[: len(packed) // 2], where="cut.html.gz")
    assert one_line(error).startswith("cut.html.gz: truncated gzip data")


def test_binary_data_is_refused() -> None:
    noise = b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(20_000)
    with pytest.raises(InputError) as error:
        extract_article(noise, url="https://example.org/image")
    assert "binary data, not text" in one_line(error)


def test_another_media_type_is_refused() -> None:
    with pytest.raises(InputError) as error:
        extract_article(b"%PDF-1.7", content_type="application/pdf")
    assert one_line(error) == (
        "article: content-type: expected an HTML page or plain text, got 'application/pdf'"
    )


def test_a_page_declaring_cp1251_in_meta() -> None:
    data = page(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251")
    article = extract_article(data, url="https://example.ru/koncert")
    assert article.encoding == "cp1251 (meta)"
    assert "главной площади" in article.text
    assert article.language == "ru"


def test_a_charset_from_the_http_header_wins_over_detection() -> None:
    data = page(RUSSIAN).encode("koi8-r")
    article = extract_article(data, content_type='text/html; charset="KOI8-R"')
    assert article.encoding == "koi8-r (http)"
    assert "холодный ветер" in article.text


def test_an_undeclared_latin_1_page_is_detected() -> None:
    decoded = decode_text(page(FRENCH).encode("latin-1"), where="marche.html")
    assert decoded.how == "detected"
    assert "producteurs venus de toute la vallée" in decoded.text
    assert "pâtisseries préparées à l'aube" in decoded.text


def test_a_wrong_declaration_is_not_trusted() -> None:
    data = page(FRENCH, '<meta charset="utf-8">').encode("cp1252")
    decoded = decode_text(data, where="marche.html")
    assert decoded.how == "detected"
    assert "légumes d'été" in decoded.text


def test_a_byte_order_mark_decides() -> None:
    data = page(FRENCH).encode("utf-16")  # starts with a BOM; full of NUL bytes
    decoded = decode_text(data, where="marche.html")
    assert (decoded.encoding, decoded.how) == ("utf-16-le", "bom")
    assert "écourté la matinée" in decoded.text


def test_a_page_without_an_article() -> None:
    links = "".join(f'<li><a href="/s{n}">Section {n}</a></li>' for n in range(12))
    html = f"<html><head><title>Home</title></head><body><nav><ul>{links}</ul></nav></body></html>"
    with pytest.raises(InputError) as error:
        extract_article(html.encode(), url="https://example.org/")
    assert one_line(error).startswith("https://example.org/: no article text found")


@pytest.mark.parametrize("data", [b"", b"   \n\n  ", b"Just a title\n\nToo short."])
def test_empty_or_tiny_input(data: bytes) -> None:
    with pytest.raises(InputError) as error:
        extract_article(data)
    assert "no article text found" in one_line(error)
