"""The quality floor of the tagger, measured on real linked data with the links hidden.

The protocol is :mod:`dateline.nlp.evaluation`'s; ``bench/tagger.py`` prints the
figures. The floors are the values reached (December 2026) less about 0.03, so that a
change to the matcher or the vocabulary rules that loses quality fails here. The
``days`` setting is the honest one (no event's own links are in its vocabulary);
``same`` is the upper bound (does the matcher find what the text names?); ``cross``
learns from a source eight years away.
"""

from __future__ import annotations

import pytest

from dateline.nlp.evaluation import (
    Dataset,
    evaluate,
    portal_html_dataset,
    seed_contexts,
    wikitimes_dataset,
)
from tests.conftest import SEEDS, SHARED

FLOORS = {
    # (dataset, setting): (precision, recall); reached: see bench/tagger.py
    ("portal", "same"): (0.90, 0.82),  # 0.933, 0.856
    ("portal", "days"): (0.66, 0.18),  # 0.695, 0.210
    ("portal", "cross"): (0.65, 0.13),  # 0.686, 0.160
    ("wikitimes", "same"): (0.84, 0.67),  # 0.874, 0.703
    ("wikitimes", "days"): (0.70, 0.24),  # 0.739, 0.267
    ("wikitimes", "cross"): (0.47, 0.17),  # 0.508, 0.198
}


@pytest.fixture(scope="module")
def datasets() -> dict[str, Dataset]:
    return {
        "portal": portal_html_dataset(SHARED / "data" / "wcep-html" / "2023-01.html"),
        "wikitimes": wikitimes_dataset(
            SHARED / "data" / "wikitimes" / "wikitimes_CEP_2015-09.json"
        ),
    }


@pytest.mark.parametrize(("name", "setting"), sorted(FLOORS))
def test_precision_and_recall_stay_above_their_floors(
    datasets: dict[str, Dataset], name: str, setting: str
) -> None:
    other = datasets["wikitimes" if name == "portal" else "portal"]
    result = evaluate(datasets[name], setting, seeds=seed_contexts(SEEDS), other=other)
    precision, recall = FLOORS[name, setting]
    assert result.expected > 1000  # the real links were read
    assert result.precision >= precision, f"precision {result.precision:.3f}"
    assert result.recall >= recall, f"recall {result.recall:.3f}"
