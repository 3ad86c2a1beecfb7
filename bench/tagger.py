"""Benchmark of the context tagger on real linked data: links hidden, text tagged, tags compared.

Datasets: the rendered Current Events Portal page of January 2023
(``../shared/data/wcep-html/2023-01.html``: 334 items, their links as
:mod:`dateline.ingest.wcep_html` reads them) and the WikiTimes export of September 2015
(``../shared/data/wikitimes/wikitimes_CEP_2015-09.json``: 428 events, their entities).

Protocol (:mod:`dateline.nlp.evaluation`): each event's headline is tagged with no
links; its tags are compared with the articles it really links. Precision = tags found
that are among the real links / tags found; recall = real links found / real links;
both summed over events. The vocabulary holds the seed pages' tags and:

- ``same``: the whole dataset's links (upper bound: the event's own links are in it);
- ``days``: the links of the even days for the odd days and the other way round (no
  event's own links; the honest setting, pinned by tests/nlp/test_tagger_quality.py);
- ``cross``: the other dataset's links.

Speed: texts tagged per second on one core with the vocabulary of both datasets and
the seeds (best of ``--rounds`` passes), and the time to build the automaton;
``--padding N`` adds N made-up forms to the vocabulary, to see both at an archive's
scale.

Run from the repository root::

    .venv/bin/python bench/tagger.py
    .venv/bin/python bench/tagger.py --rounds 5 --padding 200000 --json tagger.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import string
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dateline.nlp.evaluation import (  # noqa: E402
    SETTINGS,
    Dataset,
    evaluate,
    portal_html_dataset,
    seed_contexts,
    wikitimes_dataset,
)
from dateline.nlp.tagger import Tagger  # noqa: E402
from dateline.nlp.vocabulary import build_vocabulary  # noqa: E402

SHARED = Path(os.environ.get("DATELINE_SHARED", ROOT.parent / "shared"))
PORTAL_PAGE = SHARED / "data" / "wcep-html" / "2023-01.html"
WIKITIMES = SHARED / "data" / "wikitimes" / "wikitimes_CEP_2015-09.json"


@dataclass(frozen=True)
class Row:
    dataset: str
    setting: str
    events: int
    links: int
    tags: int
    correct: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class Speed:
    forms: int
    build_seconds: float
    texts_per_second: float


def quality(datasets: Sequence[Dataset], seeds: Sequence[str]) -> list[Row]:
    rows = []
    for dataset in datasets:
        other = next(d for d in datasets if d is not dataset)
        for setting in SETTINGS:
            score = evaluate(dataset, setting, seeds=seeds, other=other)
            rows.append(
                Row(
                    dataset.name,
                    setting,
                    len(dataset.items),
                    score.expected,
                    score.found,
                    score.correct,
                    round(score.precision, 3),
                    round(score.recall, 3),
                    round(score.f1, 3),
                )
            )
    return rows


def speed(datasets: Sequence[Dataset], seeds: Sequence[str], rounds: int, padding: int) -> Speed:
    forms = dict(build_vocabulary(seeds, [k for d in datasets for k in d.links]).forms)
    chance = random.Random(0)
    for _ in range(padding):
        words = ("".join(chance.choices(string.ascii_lowercase, k=7)) for _ in range(2))
        name = " ".join(words).title()
        forms[name] = name
    started = time.perf_counter()
    tagger = Tagger(forms)
    build = time.perf_counter() - started
    texts = [item.text for d in datasets for item in d.items]
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for text in texts:
            tagger.tag(text)
        best = min(best, time.perf_counter() - started)
    return Speed(len(forms), round(build, 3), round(len(texts) / best))


def markdown_table(rows: Sequence[Row]) -> str:
    lines = [
        "| dataset | setting | events | links | tags | correct | precision | recall | F1 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r.dataset} | {r.setting} | {r.events} | {r.links} | {r.tags} | {r.correct} "
        f"| {r.precision:.3f} | {r.recall:.3f} | {r.f1:.3f} |"
        for r in rows
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed passes (best kept)")
    parser.add_argument("--padding", type=int, default=0, help="made-up forms added for speed")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    datasets = [portal_html_dataset(PORTAL_PAGE), wikitimes_dataset(WIKITIMES)]
    seeds = seed_contexts(SHARED / "seeds")
    rows = quality(datasets, seeds)
    timing = speed(datasets, seeds, args.rounds, args.padding)
    print(markdown_table(rows))
    print(
        f"\n{timing.texts_per_second:,} texts/s with {timing.forms:,} forms "
        f"(automaton built in {timing.build_seconds:.3f} s), Python {platform.python_version()}"
    )
    if args.json:
        report = {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "quality": [asdict(row) for row in rows],
            "speed": asdict(timing),
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
