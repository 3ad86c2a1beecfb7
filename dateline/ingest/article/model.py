"""What extraction makes of one article page: plain, immutable, picklable data.

Extraction is meant to run in worker processes (or a distributed engine) later, so its
result holds only standard types: strings, a tuple, a :class:`datetime.date`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

SourceFormat = Literal["html", "text"]


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """One article: its main text and what the page says about it.

    ``url`` is the canonical address when the page declares one, otherwise the address
    it was fetched from (``None`` for a file without either). ``date_method`` says how
    ``published`` was found, because a date from the page's markup is more trustworthy
    than one guessed from its text:

    - ``"htmldate:markup"``: htmldate, from the URL, meta tags, JSON-LD or ``<time>``
      elements (the original publication date is preferred to an update);
    - ``"htmldate:text"``: htmldate's scan of the visible text of a web page;
    - ``"text"``: a date on the first lines of a plain-text article.

    ``text`` is the main text, paragraphs separated by a blank line; ``lede`` is its
    first real paragraph. ``content_hash`` is the SHA-256 of the normalised text (see
    :func:`dateline.ingest.article.extract.content_hash`), the same for two copies of
    an article that differ only in spacing, case or Unicode compatibility forms.
    ``encoding`` says which encoding the bytes were read with and how it was chosen
    (``"utf-8 (bom)"``, ``"windows-1251 (meta)"``...).
    """

    url: str | None
    publisher: str | None
    domain: str | None
    title: str | None
    authors: tuple[str, ...]
    published: date | None
    date_method: str | None
    language: str | None
    lede: str
    text: str
    image_url: str | None
    content_hash: str
    source_format: SourceFormat
    encoding: str
