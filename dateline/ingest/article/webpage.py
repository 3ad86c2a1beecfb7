"""An HTML page split into main text and metadata, with trafilatura and htmldate.

trafilatura is the best-measured open-source main-text extractor (its own evaluation
and the article-extraction benchmark in ``bench/extract.py``). Its options were chosen
by measurement on that benchmark (``bench/extract.py --variants``): comments left out
(they are not the article) and ``favor_precision`` (boilerplate costs more than a
missed sentence). The page is parsed once; metadata and text are both read from that
tree (trafilatura copies it before cleaning).

The publication date comes from htmldate in two passes, so that the result says how
reliable it is: first the page's markup only (URL, meta tags, JSON-LD, ``<time>``),
then, only if that finds nothing, its scan of the visible text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement

TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "favor_precision": True,
    "include_tables": True,
    "include_formatting": False,
}
"""The trafilatura configuration chosen by measurement (see the module docstring)."""

DATE_MARKUP_ONLY: dict[str, Any] = {"original_date": True, "extensive_search": False}
_LANGUAGE_META = ('http-equiv="content-language"', 'property="og:locale"', 'name="language"')


@dataclass(frozen=True, slots=True)
class PageParts:
    """What a web page yields before boilerplate trimming and final assembly."""

    paragraphs: tuple[str, ...]
    title: str | None
    authors: tuple[str, ...]
    url: str | None
    publisher: str | None
    published: date | None
    date_method: str | None
    declared_language: str | None
    image_url: str | None


def parse_html(html: str) -> HtmlElement | None:
    """The page's tree, or None when the text can't be parsed as HTML.

    trafilatura rejects a fragment (``<div>...</div>`` alone) as dubious: it is read
    again inside ``<html><body>``.
    """
    tree = trafilatura.load_html(html)
    if tree is None:
        tree = trafilatura.load_html(f"<html><body>{html}</body></html>")
    return tree


def read_webpage(tree: HtmlElement, url: str | None) -> PageParts:
    """Main text (as paragraphs, possibly none) and metadata of the page ``tree``."""
    metadata = trafilatura.extract_metadata(tree, default_url=url, date_config=DATE_MARKUP_ONLY)
    document = trafilatura.bare_extraction(tree, url=url, **TRAFILATURA_OPTIONS)
    text = document.text if document is not None and not isinstance(document, dict) else None
    page_url = _absolute(url, metadata.url) or url
    published, method = _date(metadata.date, "htmldate:markup")
    if published is None:
        found = find_date(tree, extensive_search=True, original_date=True, url=page_url)
        published, method = _date(found, "htmldate:text")
    return PageParts(
        paragraphs=tuple((text or "").split("\n")),
        title=metadata.title or None,
        authors=split_authors(metadata.author),
        url=page_url,
        publisher=metadata.sitename or None,
        published=published,
        date_method=method,
        declared_language=declared_language(tree),
        image_url=_absolute(page_url, metadata.image),
    )


def split_authors(author: str | None) -> tuple[str, ...]:
    """trafilatura joins several authors with ``;``."""
    if not author:
        return ()
    return tuple(name.strip() for name in author.split(";") if name.strip())


def declared_language(tree: HtmlElement) -> str | None:
    """The primary language subtag the page declares (``<html lang>``, meta tags), lower-case."""
    candidates: list[str | None] = [tree.get("lang"), tree.get("xml:lang")]
    for selector in _LANGUAGE_META:
        element = tree.find(f".//meta[@{selector}]")
        if element is not None:
            candidates.append(element.get("content"))
    for value in candidates:
        if value and value.strip():
            primary = value.strip().replace("_", "-").split("-")[0].split(",")[0].strip().lower()
            if primary.isalpha() and 2 <= len(primary) <= 3:
                return primary
    return None


def _date(found: str | None, method: str) -> tuple[date | None, str | None]:
    return (date.fromisoformat(found), method) if found else (None, None)


def _absolute(base: str | None, link: str | None) -> str | None:
    """``link`` made absolute against ``base``; None unless it ends up an http(s) URL."""
    if not link:
        return None
    absolute = urljoin(base, link) if base else link
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None
