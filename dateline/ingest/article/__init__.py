"""Article ingestion, first part: the text and metadata of one article page.

``extract_article(data, url=None, content_type=None)`` turns the bytes of a web page or
a plain-text article into an :class:`ExtractedArticle` (main text, title, authors, date
and how it was found, language, lede, cover image, content hash). Storage is not here.
The stages are in :mod:`.decode`, :mod:`.webpage`, :mod:`.plaintext`, :mod:`.trim` and
:mod:`.extract`; the heuristics, as data, in :mod:`.boilerplate`. Its quality on real
pages is measured by ``bench/extract.py`` and pinned by
``tests/ingest/article/test_quality_gate.py``.
"""

from __future__ import annotations

from dateline.ingest.article.decode import (
    MAX_DECOMPRESSED_BYTES,
    MAX_INPUT_BYTES,
    read_article_file,
    read_limited,
)
from dateline.ingest.article.extract import content_hash, extract_article
from dateline.ingest.article.model import ExtractedArticle

__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "MAX_INPUT_BYTES",
    "ExtractedArticle",
    "content_hash",
    "extract_article",
    "read_article_file",
    "read_limited",
]
