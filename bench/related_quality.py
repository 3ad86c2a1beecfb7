"""Quality of related events (issue 5): precision@5 against real stories, and the seeds.

What is measured, for the ranking ``Store.related`` ships and for the alternatives
tried (each computed here from the archive's tags and dates):

- **precision@5**: for every event that belongs to a story with at least one other
  event (an event alone in its story has no right answer), the share of its top 5
  related events that belong to the same story, averaged. A list shorter than 5 counts
  its missing places as misses. The ceiling (every place filled from the story while
  the story has events left) is printed too: stories of two events cap their events at
  0.2. The story is never used to rank (that would be measuring with the answer).
- on **WikiTimes** (``wikitimes/wikitimes_CEP_2015-09.json``: 428 events of September
  2015 tagged with their Wikipedia entities, 242 in 90 stories), the dataset of the
  issue; one month, so what a ranking does with time hardly shows there;
- with ``--portal YEAR ...``, on the **Current Events Portal** days of those years (plus
  the seeds and the linked sources of the vocabulary, then ``retag_archive``, as
  ``dateline contexts retag`` does), whose story headings are stories: years of data,
  where time matters. A random sample of ``--queries`` story events is scored.
  It also counts, for every February 2012 event whose headline names Homs, the entries
  of its top 10 that name neither Homs nor Syria in their headline or shared tags.
- **seed lists**: whether the ranking gives the seeds' Related lists (000's ten, 001's
  first five, 003's ten with its one out-of-order group put newest first, as
  tests/render/test_golden_seeds.py compares them), from an archive of the seeds alone.

Run from the repository root::

    .venv/bin/python bench/related_quality.py
    .venv/bin/python bench/related_quality.py --portal 2011 2012 2013 --json quality.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dateline.ingest.importer import import_paths  # noqa: E402
from dateline.ingest.seedpage import EventPage, parse_page  # noqa: E402
from dateline.nlp.retag import retag_archive  # noqa: E402
from dateline.store import Store, open_store  # noqa: E402
from dateline.store.ranking import HORIZON_DAYS  # noqa: E402

SHARED = Path(os.environ.get("DATELINE_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "data"
SEEDS = SHARED / "seeds"
WIKITIMES = DATA / "wikitimes" / "wikitimes_CEP_2015-09.json"
VOCABULARY_SOURCES = (DATA / "wcep-html", DATA / "wikitimes")
"""Linked data whose link sightings make the vocabulary that retagging uses."""
ON_TOPIC = re.compile(r"Homs|Syria", re.IGNORECASE)
"""What a related entry of a Homs event must name (headline or shared tags)."""
K = 5
HOMS_LIST = 10


@dataclass
class Archive:
    """What the rankings read, by event id."""

    tags: dict[int, frozenset[str]]
    day: dict[int, int]
    slug: dict[int, str]
    story: dict[int, str | None]
    headline: dict[int, str]
    postings: dict[str, set[int]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for event_id, tags in self.tags.items():
            for tag in tags:
                self.postings.setdefault(tag, set()).add(event_id)
        total = len(self.day)
        self.idf = {t: math.log(total / len(ids)) for t, ids in self.postings.items()}

    def shared(self, owner: int, other: int) -> frozenset[str]:
        return self.tags[owner] & self.tags[other]

    def ranked(self, owner: int, ranking: Ranking, limit: int) -> list[int]:
        counts: Counter[int] = Counter()
        for tag in self.tags[owner]:
            counts.update(self.postings[tag])
        counts.pop(owner, None)
        return sorted(counts, key=lambda other: ranking(self, owner, other, counts[other]))[:limit]


def read_archive(store: Store) -> Archive:
    events = list(store.iter_events())
    return Archive(
        tags={e.id: frozenset(e.content.contexts) for e in events},
        day={e.id: e.content.date.toordinal() for e in events},
        slug={e.id: e.slug for e in events},
        story={e.id: e.content.story for e in events},
        headline={e.id: e.content.headline for e in events},
    )


# -- the rankings: a sort key of (archive, list's event, candidate, shared tag count) ----

Ranking = Callable[[Archive, int, int, int], tuple[Any, ...]]


def _newest(a: Archive, other: int) -> tuple[Any, ...]:
    return (-a.day[other], a.slug[other], other)


def _apart(a: Archive, owner: int, other: int) -> int:
    return abs(a.day[other] - a.day[owner])


def _tier(a: Archive, owner: int, other: int) -> int:
    apart = _apart(a, owner, other)
    return 0 if apart == 0 else 1 if apart <= HORIZON_DAYS else 2


def _follow_up(a: Archive, owner: int, other: int) -> bool:
    return not 0 <= a.day[other] - a.day[owner] <= 14


def _idf(a: Archive, owner: int, other: int) -> float:
    return sum(a.idf[t] for t in a.shared(owner, other))


BEFORE = "shared tags, newest (before)"
AFTER = f"shared tags, same day, within {HORIZON_DAYS / 365.25:g} years, newest (after)"
RANKINGS: dict[str, Ranking] = {
    BEFORE: lambda a, o, c, n: (-n, *_newest(a, c)),
    AFTER: lambda a, o, c, n: (-n, _tier(a, o, c), *_newest(a, c)),
    "shared tags, same day, newest": lambda a, o, c, n: (-n, a.day[c] != a.day[o], *_newest(a, c)),
    "shared tags, next 14 days, newest": lambda a, o, c, n: (
        -n,
        _follow_up(a, o, c),
        *_newest(a, c),
    ),
    "shared tags, nearest in time": lambda a, o, c, n: (-n, _apart(a, o, c), *_newest(a, c)),
    "shared tags, rarer tags (IDF), newest": lambda a, o, c, n: (
        -n,
        -_idf(a, o, c),
        *_newest(a, c),
    ),
    "IDF-weighted shared tags, newest": lambda a, o, c, n: (-_idf(a, o, c), *_newest(a, c)),
    "IDF-weighted, time decay exp(-days/30)": lambda a, o, c, n: (
        -_idf(a, o, c) * math.exp(-_apart(a, o, c) / 30),
        *_newest(a, c),
    ),
}


# -- measures -------------------------------------------------------------------------


@dataclass(frozen=True)
class Queries:
    ids: list[int]
    ceiling: float


def story_queries(archive: Archive, sample: int | None, seed: int) -> Queries:
    sizes = Counter(s for s in archive.story.values() if s)
    ids = sorted(i for i, s in archive.story.items() if s and sizes[s] >= 2)
    if sample is not None and sample < len(ids):
        ids = sorted(random.Random(seed).sample(ids, sample))
    ceiling = sum(min(K, sizes[archive.story[i] or ""] - 1) / K for i in ids) / len(ids)
    return Queries(ids, ceiling)


def precision(archive: Archive, lists: dict[int, list[int]]) -> float:
    hits = sum(sum(archive.story[o] == archive.story[q] for o in lists[q][:K]) / K for q in lists)
    return hits / len(lists)


def shipped_lists(store: Store, ids: Iterable[int], limit: int) -> dict[int, list[int]]:
    store.load_related_index()
    return {i: [r.event_id for r in store.related(i, limit)] for i in ids}


def homs_queries(archive: Archive) -> list[int]:
    first, last = date(2012, 2, 1).toordinal(), date(2012, 2, 29).toordinal()
    return sorted(
        i for i, d in archive.day.items() if first <= d <= last and "Homs" in archive.headline[i]
    )


def off_topic(archive: Archive, lists: dict[int, list[int]]) -> int:
    def named(owner: int, other: int) -> bool:
        shared = archive.shared(owner, other)
        return bool(ON_TOPIC.search(archive.headline[other])) or any(
            ON_TOPIC.search(t) for t in shared
        )

    return sum(not named(q, o) for q, listed in lists.items() for o in listed)


# -- the seeds --------------------------------------------------------------------------


def seed_page(number: str) -> EventPage:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    page = parse_page(path.read_text(encoding="utf-8"))
    assert isinstance(page, EventPage)
    return page


@dataclass(frozen=True)
class SeedCase:
    archive: Archive
    owner: int
    expected: list[tuple[int, str]]  # (day, slug) in order


def seed_cases(folder: Path) -> list[SeedCase]:
    """000's list (all ten) and 001's first five from the seeds 000, 001, 003; 003's
    ten from 000 and 003 alone, its one out-of-order group put newest first."""
    cases = []
    for numbers, number, limit, normalise in (
        (("000", "001", "003"), "000", 10, False),
        (("000", "001", "003"), "001", 5, False),
        (("000", "003"), "003", 10, True),
    ):
        store = open_store(f"sqlite:///{folder / ('seeds-' + '-'.join(numbers) + '.db')}")
        try:
            import_paths(store, [next(SEEDS.glob(f"{n}_*.txt")) for n in numbers])
            archive = read_archive(store)
            page = seed_page(number)
            event = store.find_event(page.content.date, page.slug)
            assert event is not None
        finally:
            store.close()
        related = list(page.related)[:limit]
        if normalise:
            related.sort(key=lambda r: (-len(r.contexts), -r.date.toordinal()))
        expected = [(r.date.toordinal(), r.slug) for r in related]
        cases.append(SeedCase(archive, event.id, expected))
    return cases


def gives_seed_lists(cases: Sequence[SeedCase], ranking: Ranking) -> bool:
    for case in cases:
        a = case.archive
        got = a.ranked(case.owner, ranking, len(case.expected))
        if [(a.day[i], a.slug[i]) for i in got] != case.expected:
            return False
    return True


# -- datasets ---------------------------------------------------------------------------


@dataclass
class Dataset:
    name: str
    events: int
    queries: Queries
    archive: Archive
    shipped: dict[int, list[int]]
    homs: dict[int, list[int]] | None = None


def wikitimes_dataset(folder: Path) -> Dataset:
    store = open_store(f"sqlite:///{folder / 'wikitimes.db'}")
    try:
        import_paths(store, [WIKITIMES])
        archive = read_archive(store)
        queries = story_queries(archive, None, 0)
        shipped = shipped_lists(store, queries.ids, K)
    finally:
        store.close()
    return Dataset("WikiTimes 2015-09", len(archive.day), queries, archive, shipped)


def portal_dataset(folder: Path, years: Sequence[str], sample: int, seed: int) -> Dataset:
    store = open_store(f"sqlite:///{folder / 'portal.db'}")
    try:
        days = [DATA / "wcep-days" / year for year in years]
        import_paths(store, [SEEDS, *VOCABULARY_SOURCES, *days])
        retag_archive(store)
        archive = read_archive(store)
        queries = story_queries(archive, sample, seed)
        shipped = shipped_lists(store, queries.ids, K)
        homs = shipped_lists(store, homs_queries(archive), HOMS_LIST)
    finally:
        store.close()
    name = f"portal {years[0]}-{years[-1]} (+ seeds, vocabulary sources), retagged"
    return Dataset(name, len(archive.day), queries, archive, shipped, homs)


# -- report -----------------------------------------------------------------------------


def measure(datasets: Sequence[Dataset], cases: Sequence[SeedCase]) -> dict[str, Any]:
    rows = []
    for name, ranking in RANKINGS.items():
        row: dict[str, Any] = {"ranking": name, "seed_lists": gives_seed_lists(cases, ranking)}
        for d in datasets:
            lists = {q: d.archive.ranked(q, ranking, K) for q in d.queries.ids}
            row[d.name] = precision(d.archive, lists)
            if d.homs is not None:
                homs = {q: d.archive.ranked(q, ranking, HOMS_LIST) for q in d.homs}
                row[f"{d.name}: Homs off-topic"] = off_topic(d.archive, homs)
        rows.append(row)
    shipped: dict[str, Any] = {"ranking": "Store.related as shipped", "seed_lists": None}
    for d in datasets:
        shipped[d.name] = precision(d.archive, d.shipped)
        if d.homs is not None:
            shipped[f"{d.name}: Homs off-topic"] = off_topic(d.archive, d.homs)
    rows.append(shipped)
    return {
        "datasets": [
            {
                "name": d.name,
                "events": d.events,
                "queries": len(d.queries.ids),
                "ceiling": d.queries.ceiling,
                "homs_events": None if d.homs is None else len(d.homs),
            }
            for d in datasets
        ],
        "rows": rows,
    }


def markdown(result: dict[str, Any]) -> str:
    datasets = result["datasets"]
    columns = ["seed lists"]
    keys = ["seed_lists"]
    for d in datasets:
        columns.append(f"P@5, {d['name']}")
        keys.append(d["name"])
        if d["homs_events"] is not None:
            columns.append(f"off-topic in top {HOMS_LIST} of {d['homs_events']} Homs events")
            keys.append(f"{d['name']}: Homs off-topic")
    lines = [
        "| ranking | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for row in result["rows"]:
        cells = []
        for key in keys:
            value = row.get(key)
            if isinstance(value, bool):
                cells.append("yes" if value else "no")
            elif isinstance(value, float):
                cells.append(f"{value:.3f}")
            else:
                cells.append("" if value is None else str(value))
        lines.append(f"| {row['ranking']} | " + " | ".join(cells) + " |")
    notes = [
        f"{d['name']}: {d['events']:,} events, {d['queries']:,} story events scored, "
        f"ceiling {d['ceiling']:.3f}"
        for d in datasets
    ]
    return "\n".join([*notes, "", *lines])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--portal", nargs="*", default=[], metavar="YEAR", help="also score portal years"
    )
    parser.add_argument(
        "--queries", type=int, default=1500, help="portal story events scored (default 1500)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the sample")
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    missing = [y for y in args.portal if not (DATA / "wcep-days" / y).is_dir()]
    if missing:
        print(f"error: no portal year folder {DATA / 'wcep-days' / missing[0]}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = seed_cases(folder)
        datasets = [wikitimes_dataset(folder)]
        if args.portal:
            datasets.append(portal_dataset(folder, args.portal, args.queries, args.seed))
        result = measure(datasets, cases)
    result["seconds"] = time.perf_counter() - started
    print(markdown(result))
    print(f"\nTotal run time: {result['seconds']:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
