"""``extract_article``: the bytes of one article (a web page or plain text) to an ExtractedArticle.

The pipeline, each stage in its own module:

1. :mod:`.decode`: size limit, gzip (with a ceiling), binary refusal, charset;
2. HTML (:mod:`.webpage`, trafilatura and htmldate) or plain text (:mod:`.plaintext`),
   by the media type when given, else by sniffing the first characters;
3. :mod:`.trim`: the trailing boilerplate rules of :mod:`.boilerplate`, on both paths;
4. assembly here: lede, language (declared or detected by py3langid), content hash.

It is a pure function of its arguments: no I/O, no global state it changes, picklable
inputs and output, so it can run as it is in worker processes or a distributed engine.
Bad input raises a one-line :class:`~dateline.errors.InputError`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

import py3langid  # type: ignore[import-untyped]

from dateline.errors import InputError
from dateline.ingest.article import boilerplate as rules
from dateline.ingest.article.decode import (
    DecodedText,
    decode_text,
    maybe_gunzip,
    media_type,
    refuse_oversized,
)
from dateline.ingest.article.model import ExtractedArticle
from dateline.ingest.article.plaintext import split_plaintext
from dateline.ingest.article.trim import trim_boilerplate
from dateline.ingest.article.webpage import PageParts, parse_html, read_webpage

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
_HTML_START_RE = re.compile(
    r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|article|p)\b",
    re.I | re.S,
)
_NO_ARTICLE = "no article text found (expected a page with at least {} words of running text)"


def extract_article(
    data: bytes, url: str | None = None, content_type: str | None = None
) -> ExtractedArticle:
    """Main text and metadata of the article in ``data`` (HTML or plain text, maybe gzipped).

    ``url`` is where the bytes came from (used for relative links, the date in the URL
    and as the article's address when the page declares no canonical one);
    ``content_type`` is the HTTP ``Content-Type`` header, if any (its charset is used).

    Raises InputError for input that is too large, a gzip bomb, binary, in an unknown
    encoding, of another media type, or that holds no article text.
    """
    where = url or "article"
    refuse_oversized(len(data), where=where)
    kind = media_type(content_type)
    if kind is not None and kind not in HTML_TYPES | TEXT_TYPES:
        raise InputError(
            f"expected an HTML page or plain text, got {kind!r}", where=where, field="content-type"
        )
    decoded = decode_text(maybe_gunzip(data, where=where), content_type=content_type, where=where)
    is_html = kind in HTML_TYPES if kind is not None else looks_like_html(decoded.text)
    if is_html:
        tree = parse_html(decoded.text)
        if tree is None:
            raise InputError(_NO_ARTICLE.format(rules.MIN_ARTICLE_WORDS), where=where)
        parts = read_webpage(tree, url)
    else:
        parts = _plain_parts(decoded, url)
    return _assemble(parts, decoded, "html" if is_html else "text", where)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` starts like an HTML document (a doctype or a common tag)."""
    return _HTML_START_RE.match(text[:2048]) is not None


def content_hash(text: str) -> str:
    """SHA-256 (hex) of ``text`` normalised: NFKC, case-folded, whitespace runs as one space.

    Two copies of one article then share a hash even when a site re-wrapped its lines,
    changed its case or used compatibility characters (full-width digits, ligatures).
    """
    normalised = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def find_lede(paragraphs: tuple[str, ...], title: str | None) -> str:
    """The first paragraph that is a real sentence (not a byline, caption or the title)."""
    for paragraph in paragraphs:
        if (
            len(paragraph.split()) >= rules.LEDE_MIN_WORDS
            and rules.SENTENCE_END.search(paragraph)
            and paragraph != title
        ):
            return paragraph
    return paragraphs[0]


def detect_language(text: str, declared: str | None) -> str | None:
    """The language of ``text`` by py3langid, or the declared one for a short text."""
    if len(text) < rules.LANGUAGE_MIN_CHARS and declared:
        return declared
    language, _score = py3langid.classify(text[: rules.LANGUAGE_SAMPLE_CHARS])
    return str(language)


def _plain_parts(decoded: DecodedText, url: str | None) -> PageParts:
    plain = split_plaintext(decoded.text)
    return PageParts(
        paragraphs=plain.paragraphs,
        title=plain.title,
        authors=(),
        url=url,
        publisher=None,
        published=plain.published,
        date_method="text" if plain.published else None,
        declared_language=None,
        image_url=None,
    )


def _assemble(parts: PageParts, decoded: DecodedText, kind: str, where: str) -> ExtractedArticle:
    trimmed = trim_boilerplate(parts.paragraphs)
    paragraphs = trimmed.paragraphs
    if parts.title and paragraphs and paragraphs[0] == parts.title:
        paragraphs = paragraphs[1:]
    text = "\n\n".join(paragraphs)
    if len(text.split()) < rules.MIN_ARTICLE_WORDS:
        raise InputError(_NO_ARTICLE.format(rules.MIN_ARTICLE_WORDS), where=where)
    authors = parts.authors
    if not authors and trimmed.author_box_name:
        authors = (trimmed.author_box_name,)
    return ExtractedArticle(
        url=parts.url,
        publisher=parts.publisher,
        domain=_domain(parts.url),
        title=parts.title,
        authors=authors,
        published=parts.published,
        date_method=parts.date_method,
        language=detect_language(text, parts.declared_language),
        lede=find_lede(paragraphs, parts.title),
        text=text,
        image_url=parts.image_url,
        content_hash=content_hash(text),
        source_format="html" if kind == "html" else "text",
        encoding=decoded.describe(),
    )


def _domain(url: str | None) -> str | None:
    """The host of ``url``, lower-case, without a leading ``www.``."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None
