"""Bytes to text, defensively: size limits, gzip with a ceiling, binary refusal, charsets.

An article arrives as bytes from a file or an HTTP response, and the bytes can be
hostile or just odd: far too large, a gzip bomb, a PDF or an image, or a page in a
legacy encoding. Every such case ends in a one-line :class:`InputError`, never a
traceback or an exhausted memory.

The encoding is chosen in the order browsers use: a byte-order mark, then the charset
declared by the HTTP ``Content-Type``, then the one declared by a ``<meta>`` tag (read
from the first bytes only, as the HTML standard's prescan does), then UTF-8 if the
bytes are valid UTF-8, then detection with charset-normalizer. A declaration that the
bytes contradict (invalid in the declared charset) is not trusted: detection decides.
UTF-8 is tried before detection because valid UTF-8 is almost never anything else and
detection costs milliseconds per page.
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import BinaryIO

import charset_normalizer

from dateline.errors import InputError

MAX_INPUT_BYTES = 16 * 1024 * 1024
"""The largest article input read (compressed or not); the biggest of 181 real pages is 1.5 MB."""

MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024
"""The most a gzip input may expand to: a gzip bomb stops here, not in the memory."""

GZIP_MAGIC = b"\x1f\x8b"
BINARY_SAMPLE_BYTES = 8192
BINARY_CONTROL_SHARE = 0.05
"""More control bytes than this share of the sample means the input is not text."""
META_PRESCAN_BYTES = 4096

# Control bytes that text never contains (tab, newline, form feed, carriage return and
# escape are allowed: some legacy pages have them).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0c\r\x1b")
_META_CHARSET_RE = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The WHATWG Encoding Standard reads these labels as windows-1252 (a superset that
# pages labelled latin-1 almost always are), and a <meta> can't really declare UTF-16
# in an ASCII-compatible document.
_LABEL_ALIASES = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
}


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text, and its encoding and how that was chosen.

    ``how`` is ``bom``, ``http`` (Content-Type header), ``meta``, ``utf-8`` (valid UTF-8,
    nothing declared) or ``detected`` (charset-normalizer).
    """

    text: str
    encoding: str
    how: str

    def describe(self) -> str:
        return f"{self.encoding} ({self.how})"


def read_limited(stream: BinaryIO, *, where: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Read ``stream`` whole, but refuse it after ``limit + 1`` bytes instead of reading on."""
    data = stream.read(limit + 1)
    refuse_oversized(len(data), where=where, limit=limit)
    return data


def read_article_file(path: Path, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of an article file, refused by its size before it is read when too large."""
    try:
        refuse_oversized(path.stat().st_size, where=str(path), limit=limit)
        with path.open("rb") as stream:
            return read_limited(stream, where=str(path), limit=limit)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(f"cannot read the file: {reason}", where=str(path)) from error


def refuse_oversized(size: int, *, where: str, limit: int = MAX_INPUT_BYTES) -> None:
    """Raise InputError when an input of ``size`` bytes is over ``limit``."""
    if size > limit:
        raise InputError(
            f"input larger than the {_mib(limit)} MiB limit for one article", where=where
        )


def gunzip_limited(data: bytes, *, where: str, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Decompress gzip ``data`` (all members), refusing to expand past ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    rest = data
    try:
        while rest:
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            part = inflater.decompress(rest, limit - size + 1)
            size += len(part)
            if size > limit:
                raise InputError(
                    f"gzip data expands past the {_mib(limit)} MiB limit (a gzip bomb?)",
                    where=where,
                )
            if not inflater.eof:
                raise InputError(
                    "truncated gzip data: the compressed stream ends early", where=where
                )
            parts.append(part)
            rest = inflater.unused_data.lstrip(b"\x00")
    except zlib.error as error:
        raise InputError(f"damaged gzip data ({error})", where=where) from error
    return b"".join(parts)


def maybe_gunzip(data: bytes, *, where: str) -> bytes:
    """``data`` decompressed when it starts with the gzip signature, else as it is."""
    return gunzip_limited(data, where=where) if data.startswith(GZIP_MAGIC) else data


def decode_text(data: bytes, *, content_type: str | None = None, where: str) -> DecodedText:
    """Decode ``data`` as text (see the module docstring for the order of evidence).

    Raises InputError for binary data or bytes that fit no text encoding.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return DecodedText(data[len(bom) :].decode(encoding), encoding, "bom")
            except UnicodeDecodeError as error:
                raise InputError(
                    f"the bytes start with a {encoding} byte-order mark but are not {encoding}",
                    where=where,
                ) from error
    refuse_binary(data, where=where)
    declared = ((_http_charset(content_type), "http"), (_meta_charset(data), "meta"))
    for label, how in declared:
        charset = _resolve_label(label) if label else None
        if charset is None:
            continue
        try:
            return DecodedText(data.decode(charset), charset, how)
        except UnicodeDecodeError:
            continue  # the declaration is wrong: let the bytes speak
    try:
        return DecodedText(data.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError(
            "not text: the bytes fit no known text encoding (expected HTML or plain text)",
            where=where,
        )
    return DecodedText(str(best), best.encoding, "detected")


def refuse_binary(data: bytes, *, where: str) -> None:
    """Raise InputError when the first bytes hold control bytes that text never has."""
    sample = data[:BINARY_SAMPLE_BYTES]
    if not sample:
        return
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > BINARY_CONTROL_SHARE * len(sample):
        raise InputError(
            "binary data, not text: expected an HTML page or plain text "
            f"({controls} control bytes in the first {len(sample)})",
            where=where,
        )


def media_type(content_type: str | None) -> str | None:
    """The lower-case media type of a ``Content-Type`` header (``text/html``), or None."""
    if not content_type:
        return None
    return _parse_content_type(content_type).get_content_type()


def _http_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    charset = _parse_content_type(content_type).get_param("charset")
    return charset if isinstance(charset, str) else None


def _parse_content_type(content_type: str) -> Message:
    # The email package parses header parameters (quoting, case) as HTTP does.
    message = Message()
    message["content-type"] = content_type
    return message


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET_RE.search(data[:META_PRESCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def _resolve_label(label: str) -> str | None:
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    return _LABEL_ALIASES.get(name, name)


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:g}"
