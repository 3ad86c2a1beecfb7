"""The per-input step of article ingestion: one input's bytes in, an article or a reason out.

:func:`run_pipeline` is a pure function of a picklable :class:`RawArticle` and returns
picklable data (an :class:`~dateline.ingest.article.ExtractedArticle` or a
:class:`Skipped`), so the same function runs in this process, in a pool of worker
processes (``dateline ingest --jobs N``) or, later, as the map step of a distributed
engine. It never raises for bad input: every problem becomes one line naming the input.
Storing the result is not its job (:mod:`.ingest` does it, one transaction per article).
"""

from __future__ import annotations

from dataclasses import dataclass

from dateline.errors import InputError
from dateline.ingest.article.extract import extract_article
from dateline.ingest.article.model import ExtractedArticle
from dateline.model.article import IngestMethod


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One input, read but not yet understood.

    ``where`` names it in messages and in the stored history (a path, a WARC file and
    record offset such as ``crawl.warc.gz#1234``, or the URL asked for); ``url`` is the
    address the bytes came from when known (after redirects); ``content_type`` is the
    HTTP ``Content-Type`` that came with them, if any.
    """

    data: bytes
    where: str
    method: IngestMethod
    url: str | None = None
    content_type: str | None = None

    @property
    def label(self) -> str:
        """``where``, with the URL when that says more (a WARC record's address)."""
        if self.url is None or self.url == self.where:
            return self.where
        return f"{self.where} ({self.url})"


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that gave no article, and why, in one line that starts with ``where``."""

    where: str
    message: str


PipelineResult = ExtractedArticle | Skipped


def run_pipeline(item: RawArticle) -> PipelineResult:
    """The article in ``item``, or a :class:`Skipped` saying in one line why there is none."""
    try:
        return extract_article(item.data, url=item.url, content_type=item.content_type)
    except InputError as error:
        return Skipped(item.where, _one_line(str(error.located(item.label))))
    except RecursionError:
        # lxml and trafilatura recurse over the tree: a page nested thousands of levels
        # deep (hostile or broken) can exhaust the stack. It is this page's problem only.
        return Skipped(item.where, f"{item.label}: the page is nested too deeply to be read")
    except Exception as error:
        # A parser failing on one odd page must not end an ingest of thousands: the page
        # is skipped with the error named, so that it can be reported and reproduced.
        reason = _one_line(f"{type(error).__name__}: {error}")[:300]
        return Skipped(item.where, f"{item.label}: extraction failed unexpectedly ({reason})")


def _one_line(text: str) -> str:
    return " ".join(text.split())
