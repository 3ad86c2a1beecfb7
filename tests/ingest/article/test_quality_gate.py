"""The pinned quality floor of article extraction on real pages (like trafilatura's eval gate).

Runs ``extract_article`` on every page of the article-extraction benchmark
(``../shared/data/article-extraction-benchmark``: 181 real pages and their true article
text, about 10 s) and fails if precision, recall or F1, scored as that benchmark does,
drop below ``extraction_baseline.json`` (less a tiny tolerance), or if fewer pages get a
title, a date, a publisher or their own domain. ``bench/extract.py`` prints the same
figures next to trafilatura, readability-lxml and jusText.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dateline.ingest.article import ExtractedArticle, extract_article
from dateline.ingest.article.scoring import overlap, score
from tests.conftest import SHARED

BENCHMARK = SHARED / "data" / "article-extraction-benchmark"
BASELINE = json.loads((Path(__file__).parent / "extraction_baseline.json").read_text("utf-8"))


@dataclass(frozen=True)
class Outcome:
    url: str
    true_text: str
    article: ExtractedArticle


@pytest.fixture(scope="module")
def outcomes() -> Iterator[list[Outcome]]:
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    results = []
    for key, entry in sorted(truth.items()):
        html = gzip.decompress((BENCHMARK / "html" / f"{key}.html.gz").read_bytes())
        results.append(
            Outcome(entry["url"], entry["articleBody"], extract_article(html, entry["url"]))
        )
    yield results


def test_every_page_is_read(outcomes: list[Outcome]) -> None:
    assert len(outcomes) == BASELINE["pages"]


def test_text_quality_floor(outcomes: list[Outcome]) -> None:
    result = score(overlap(o.true_text, o.article.text) for o in outcomes)
    floor = BASELINE["tolerance"]
    reached = {"precision": result.precision, "recall": result.recall, "f1": result.f1}
    below = {
        name: f"{value:.4f} < {BASELINE[name]:.4f}"
        for name, value in reached.items()
        if value < BASELINE[name] - floor
    }
    assert not below, f"extraction quality regressed: {below}"


def test_metadata_floor(outcomes: list[Outcome]) -> None:
    def own_domain(o: Outcome) -> bool:
        host = (urlsplit(o.url).hostname or "").removeprefix("www.")
        return o.article.domain == host

    found = {
        "title": sum(1 for o in outcomes if o.article.title),
        "published": sum(1 for o in outcomes if o.article.published and o.article.date_method),
        "publisher": sum(1 for o in outcomes if o.article.publisher),
        "same_domain": sum(1 for o in outcomes if own_domain(o)),
    }
    expected = BASELINE["metadata_pages"]
    assert {k: v for k, v in found.items() if v < expected[k]} == {}
    assert all(o.article.lede in o.article.text for o in outcomes)
