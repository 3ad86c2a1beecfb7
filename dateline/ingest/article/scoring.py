"""Scoring extracted text against the true article text, as the extraction benchmark does.

The same method as scrapinghub/article-extraction-benchmark's ``evaluate.py``, so that
figures compare with those published for it: texts are cut into ``\\w+`` tokens, the
tokens into overlapping 4-token shingles, and the two multisets of shingles are
compared (true positives are the shingles both have, as many times as both have them).
Each page's counts are normalised to sum to 1, so long pages weigh no more than short
ones; precision and recall are the means over pages (precision over pages where
something was extracted, recall over pages that have a true text) and F1 is computed
from those two means. Used by ``bench/extract.py`` and by the quality gate test.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE_SIZE = 4
_TOKEN_RE = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Overlap:
    """One page's shingle counts, normalised to sum to 1 (all zero when both texts are empty)."""

    true_positive: float
    false_positive: float
    false_negative: float


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """The multiset of ``size``-token shingles of ``text`` (one short shingle for a short text)."""
    tokens = _TOKEN_RE.findall(text)
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)))


def overlap(true: str, predicted: str) -> Overlap:
    """How the shingles of ``predicted`` match those of ``true``."""
    expected, found = shingles(true), shingles(predicted)
    counts = (
        sum((expected & found).values()),
        sum((found - expected).values()),
        sum((expected - found).values()),
    )
    total = sum(counts)
    if total:
        return Overlap(*(count / total for count in counts))
    return Overlap(0.0, 0.0, 0.0)


def score(overlaps: Iterable[Overlap]) -> Score:
    """Mean precision and recall over pages, and their F1 (the benchmark's aggregation)."""
    precisions: list[float] = []
    recalls: list[float] = []
    for page in overlaps:
        tp, fp, fn = page.true_positive, page.false_positive, page.false_negative
        perfect = fp == fn == 0
        if tp + fp > 0:
            precisions.append(1.0 if perfect else tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(1.0 if perfect else tp / (tp + fn))
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)
