"""Benchmark of related events (issue 2) on a large synthetic archive, SQLite and PostgreSQL.

Builds an archive of ``--events`` events (default 1,000,000) whose context tags follow a
Zipf-like popularity (a few tags are each on well over 5% of the events), then measures
the latency of ``Store.related`` (the in-memory inverted index of
``dateline/store/related.py``) and, for comparison, of the same ranking done by one SQL
``GROUP BY`` query, over random events and over events that carry the most common tag.

Run from the repository root::

    .venv/bin/python bench/related.py --sql-queries 300    # the figures in docs/benchmarks.md
    .venv/bin/python bench/related.py --events 20000 --backend sqlite   # a quick check

With ``--backend both`` each backend runs in its own child process, so that the peak
RSS reported for one does not include the other. PostgreSQL is a throwaway server
started with ``tests/support/postgres.py``. Figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dateline.model import EventContent, Source, Version  # noqa: E402
from dateline.store import Store, open_store, ranking  # noqa: E402

console = Console(stderr=True)

FIRST_DAY = date(2002, 1, 1)
LAST_DAY = date(2026, 12, 31)
TAGS_PER_EVENT = (1, 2, 3, 4, 5, 6)
TAGS_PER_EVENT_P = (0.12, 0.22, 0.25, 0.20, 0.13, 0.08)  # mean 3.3


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# 20 syllables: four of them name 160,000 distinct tags.
SYLLABLES = _words("ka ro mi ta ne sul bar do lin ve has pra go tel mun ri sa zen al qu")
VERBS = _words("condemns reports announces denies rejects approves delays opens closes seizes")
NOUNS = _words("talks strike ceasefire election protest deal report vote sanctions offensive")
WORDS = _words(
    "the government said on monday that officials would meet again after talks broke "
    "down over the weekend while observers reported clashes near the border and aid "
    "groups warned of shortages in several towns"
)

SQL_COUNT_ONLY = """
SELECT other.event_id, count(*) AS shared
FROM event_contexts AS mine
JOIN event_contexts AS other ON other.context_id = mine.context_id
WHERE mine.event_id = :event_id AND other.event_id <> :event_id
GROUP BY other.event_id
ORDER BY shared DESC, other.event_id DESC
LIMIT :limit
"""
"""Counting only, ties by id: cheaper, but *not* the required order (no date)."""


# -- the synthetic archive --------------------------------------------------------------


@dataclass
class Archive:
    """The synthetic archive as arrays: event i (0-based) becomes event id i + 1."""

    days: np.ndarray  # day offset from FIRST_DAY, per event
    starts: np.ndarray  # event i's tag ranks are ranks[starts[i]:starts[i + 1]]
    ranks: np.ndarray  # tag popularity ranks (0 = most common), deduplicated per event
    names: list[str]  # tag name by rank
    summaries: list[str]
    summary_of: np.ndarray
    verb_of: np.ndarray
    noun_of: np.ndarray

    @property
    def size(self) -> int:
        return len(self.days)

    def tags_of(self, i: int) -> np.ndarray:
        return self.ranks[self.starts[i] : self.starts[i + 1]]

    def share(self, rank: int) -> float:
        """Fraction of the events that carry the tag of this popularity rank."""
        return float(np.count_nonzero(self.ranks == rank)) / self.size

    def events_with(self, rank: int) -> np.ndarray:
        """0-based indexes of the events carrying the tag of this rank."""
        at = np.flatnonzero(self.ranks == rank)
        return np.searchsorted(self.starts, at, side="right") - 1


def tag_name(k: int) -> str:
    """A pronounceable, unique tag name for index k (four base-20 syllables)."""
    parts = []
    for _ in range(4):
        k, digit = divmod(k, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts).capitalize()


def make_archive(n: int, vocabulary: int, zipf_s: float, seed: int) -> Archive:
    """Draw the archive deterministically from ``seed``."""
    rng = np.random.default_rng(seed)
    span = (LAST_DAY - FIRST_DAY).days + 1
    days = rng.integers(0, span, size=n)
    counts = rng.choice(TAGS_PER_EVENT, size=n, p=TAGS_PER_EVENT_P)
    weights = 1.0 / np.arange(1, vocabulary + 1, dtype=np.float64) ** zipf_s
    draws = rng.choice(vocabulary, size=int(counts.sum()), p=weights / weights.sum())
    # Drop a tag drawn twice for the same event (keeps the first): sort by (event, tag).
    owner = np.repeat(np.arange(n), counts)
    order = np.lexsort((draws, owner))
    owner, draws = owner[order], draws[order]
    keep = np.ones(len(draws), dtype=bool)
    keep[1:] = (owner[1:] != owner[:-1]) | (draws[1:] != draws[:-1])
    owner, draws = owner[keep], draws[keep]
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=starts[1:])
    # Tag names are shuffled over ranks so that popularity is not alphabetical.
    names = [tag_name(int(k)) for k in rng.permutation(vocabulary)]
    summaries = [
        " ".join(rng.choice(WORDS, size=int(rng.integers(30, 70)))).capitalize() + "."
        for _ in range(1000)
    ]
    return Archive(
        days=days,
        starts=starts,
        ranks=draws,
        names=names,
        summaries=summaries,
        summary_of=rng.integers(0, len(summaries), size=n),
        verb_of=rng.integers(0, len(VERBS), size=n),
        noun_of=rng.integers(0, len(NOUNS), size=n),
    )


def histories(archive: Archive, advance: Callable[[int], None]) -> Iterator[list[Version]]:
    """One single-version history per event, in id order; ``advance`` reports progress."""
    days = [FIRST_DAY + timedelta(days=int(d)) for d in range(int(archive.days.max()) + 1)]
    for i in range(archive.size):
        tags = tuple(archive.names[int(r)] for r in archive.tags_of(i))
        verb, noun = VERBS[archive.verb_of[i]], NOUNS[archive.noun_of[i]]
        words = [tags[0], verb, noun, "over", tags[-1], "event", str(i + 1)]
        content = EventContent(
            date=days[archive.days[i]],
            headline=" ".join(words),
            summary=archive.summaries[archive.summary_of[i]],
            contexts=tags,
            sources=(Source("Example Wire", f"https://news.example.org/story/{i + 1}"),),
        )
        yield [Version(number=1, slug="-".join(words).lower(), content=content)]
        if (i + 1) % 1000 == 0 or i + 1 == archive.size:
            advance(1000 if (i + 1) % 1000 == 0 else (i + 1) % 1000)


# -- measuring --------------------------------------------------------------------------


def current_rss() -> int:
    """Resident set size of this process now, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    """Peak resident set size of this process, in bytes (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def latencies(ids: Sequence[int], run: Callable[[int], object], warmup: int = 20) -> list[float]:
    """Milliseconds per call of ``run(id)`` for each id, after a few unmeasured calls."""
    for event_id in ids[:warmup]:
        run(event_id)
    times = []
    for event_id in ids:
        started = time.perf_counter()
        run(event_id)
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    values = np.asarray(times)
    return {
        "n": len(values),
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "p99": float(np.percentile(values, 99)),
        "max": float(values.max()),
        "mean": float(values.mean()),
    }


def database_size(store: Store) -> int:
    """Bytes of data in the database (SQLite: pages in use, whether in the file or WAL)."""
    with store.engine.connect() as conn:
        if store.backend == "postgresql":
            query = "SELECT pg_database_size(current_database())"
        else:
            query = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        return int(conn.execute(sa.text(query)).scalar_one())


def analyze(store: Store) -> None:
    """Give the query planner statistics (PostgreSQL: and the visibility map, for
    index-only scans). The harness server runs without autovacuum, so do it by hand."""
    statement = "VACUUM ANALYZE" if store.backend == "postgresql" else "ANALYZE"
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(statement))


def run_backend(args: argparse.Namespace, backend: str) -> dict[str, Any]:
    """Build the archive on ``backend``, measure, and return the figures."""
    result: dict[str, Any] = {"backend": backend, "events": args.events}
    started = time.perf_counter()
    archive = make_archive(args.events, args.vocabulary, args.zipf_s, args.seed)
    result["generate_s"] = time.perf_counter() - started
    shares = [archive.share(rank) for rank in range(5)]
    result["top5_share"] = shares
    result["tag_links"] = len(archive.ranks)
    result["tags_used"] = len(np.unique(archive.ranks))
    console.print(
        f"[bold]{backend}[/]: {archive.size:,} events, {len(archive.ranks):,} event-tag links, "
        f"{result['tags_used']:,} distinct tags; top 5 tags on "
        + ", ".join(f"{s:.1%}" for s in shares)
        + " of the events"
    )

    server = None
    temp_dir = None
    sqlite_path = None
    if backend == "postgresql":
        from tests.support import postgres

        # The harness is tuned for tiny test databases (32MB); give the bench a modest,
        # production-like buffer cache instead. Nothing else is changed.
        postgres.SERVER_SETTINGS["shared_buffers"] = args.pg_shared_buffers
        server = postgres.start_postgres_server()
        url = server.create_database("bench")
    elif args.db:
        sqlite_path = Path(args.db)
        url = str(sqlite_path)
    else:
        if args.out:
            folder = Path(args.out)
            folder.mkdir(parents=True, exist_ok=True)
        else:
            temp_dir = tempfile.mkdtemp(prefix="dateline-bench-")
            folder = Path(temp_dir)
        sqlite_path = folder / f"related-{args.events}-{args.seed}.db"
        for stale in (sqlite_path, Path(f"{sqlite_path}-wal"), Path(f"{sqlite_path}-shm")):
            stale.unlink(missing_ok=True)
        url = str(sqlite_path)
    store = open_store(url)
    try:
        if backend == "postgresql":
            with store.engine.connect() as conn:
                result["server"] = conn.execute(sa.text("SELECT version()")).scalar_one()
                result["shared_buffers"] = conn.execute(sa.text("SHOW shared_buffers")).scalar()
                result["work_mem"] = conn.execute(sa.text("SHOW work_mem")).scalar()
        else:
            result["server"] = f"SQLite {sqlite3.sqlite_version}"
        measure(store, archive, args, result)
    finally:
        store.close()
        if server is not None:
            server.stop()
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
    result["peak_rss"] = peak_rss()
    return result


def measure(
    store: Store,
    archive: Archive,
    args: argparse.Namespace,
    result: dict[str, Any],
) -> None:
    # -- build ---------------------------------------------------------------------
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    started = time.perf_counter()
    if args.db and store.backend == "sqlite":
        console.print(f"measuring the archive already in {args.db} (made with the same seed)")
    else:
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(f"inserting ({store.backend})", total=archive.size, rate="")

            def advance(count: int) -> None:
                done = progress.tasks[0].completed + count
                rate = done / (time.perf_counter() - started)
                progress.update(task, advance=count, rate=f"{rate:,.0f} events/s")

            inserted = store.bulk_create(histories(archive, advance))
        assert inserted == archive.size, (inserted, archive.size)
    result["build_s"] = None if args.db else time.perf_counter() - started
    with store.engine.connect() as conn:
        low, high = conn.execute(sa.text("SELECT min(id), max(id) FROM events")).one()
    assert (low, high) == (1, archive.size), f"unexpected event ids {low}..{high}"
    started = time.perf_counter()
    analyze(store)
    result["analyze_s"] = time.perf_counter() - started
    result["db_bytes"] = database_size(store)
    built = (
        "reused"
        if result["build_s"] is None
        else f"built in {result['build_s']:.1f} s "
        f"({archive.size / result['build_s']:,.0f} events/s)"
    )
    console.print(
        f"{built}, analyze {result['analyze_s']:.1f} s, "
        f"database {result['db_bytes'] / 2**20:,.0f} MiB"
    )

    # -- the query sets ----------------------------------------------------------------
    rng = np.random.default_rng(args.seed + 1)
    random_ids = [int(i) + 1 for i in rng.integers(0, archive.size, size=args.queries)]
    carriers = archive.events_with(0)
    picked = rng.choice(carriers, size=min(args.common_queries, len(carriers)), replace=False)
    common_ids = [int(i) + 1 for i in picked]
    sets = {"random": random_ids, "common": common_ids}

    # -- the index: loaded up front, as exports and servers do ---------------------------
    rss_before = current_rss()
    started = time.perf_counter()
    store.load_related_index()
    result["index_load_s"] = time.perf_counter() - started
    result["index_rss_bytes"] = current_rss() - rss_before
    console.print(
        f"index loaded by load_related_index() in {result['index_load_s']:.2f} s, "
        f"RSS +{result['index_rss_bytes'] / 2**20:,.0f} MiB"
    )

    timings: dict[str, dict[str, dict[str, float]]] = {}
    for name, ids in sets.items():
        times = latencies(ids, store.related)
        timings.setdefault("index", {})[name] = summary(times)
        console.print(f"store.related, {name}: {_brief(timings['index'][name])}")

    # The in-memory ranking alone (private API: skipped if related.py changes shape).
    index = store._related() if hasattr(store, "_related") else None
    if index is not None and hasattr(index, "_best") and hasattr(index, "_tags_of"):
        for name, ids in sets.items():
            times = latencies(ids, lambda i: index._best(i, index._tags_of(i), 10))
            timings.setdefault("index_ranking", {})[name] = summary(times)
            console.print(f"index ranking only, {name}: {_brief(timings['index_ranking'][name])}")

    # -- plain SQL ----------------------------------------------------------------------
    def sql(query: str) -> Callable[[int], list[Any]]:
        statement = sa.text(query)

        def run(event_id: int) -> list[Any]:
            with store.engine.connect() as conn:
                params = {"event_id": event_id, "limit": 10}
                return list(conn.execute(statement, params).all())

        return run

    # The full ranking in one SQL query is the store's own (what its first lookups use,
    # before the index is loaded): ranking.best_by_sql, ids in rank order.
    def sql_related(event_id: int) -> list[int]:
        return list(ranking.best_by_sql(store.engine, event_id, 10))

    # Same answers? Compare the ordered ids for a sample of both sets.
    checked = agreed = 0
    for ids in sets.values():
        for event_id in ids[: args.check]:
            checked += 1
            mine = [r.event_id for r in store.related(event_id)]
            agreed += mine == sql_related(event_id)
    result["agreement"] = [agreed, checked]
    console.print(f"store.related and the SQL query agree on {agreed} of {checked} events")

    for label, run in (("sql", sql_related), ("sql_count", sql(SQL_COUNT_ONLY))):
        if label == "sql_count" and args.skip_count_only:
            continue
        for name, ids in sets.items():
            sample = ids[: args.sql_queries] if args.sql_queries else ids
            timings.setdefault(label, {})[name] = summary(latencies(sample, run))
            console.print(f"{label}, {name}: {_brief(timings[label][name])}")
    result["timings"] = timings


def _brief(stats: dict[str, float]) -> str:
    return (
        f"n={stats['n']} p50 {stats['p50']:.2f} ms, p95 {stats['p95']:.2f} ms, "
        f"p99 {stats['p99']:.2f} ms, max {stats['max']:.2f} ms"
    )


# -- reporting --------------------------------------------------------------------------

QUERY_LABELS = {
    "index": "`store.related` (numpy index)",
    "index_ranking": "index ranking alone (in memory, no SQL)",
    "sql": "SQL `GROUP BY`, full ranking (the store's own query)",
    "sql_count": "SQL `GROUP BY`, counts only (no date order)",
}
SET_LABELS = {"random": "random events", "common": "events with the top tag"}


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| backend | events | build | events/s | database | index load | index RSS | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        build = "(reused)" if r["build_s"] is None else f"{r['build_s']:.0f} s"
        rate = "" if r["build_s"] is None else f"{r['events'] / r['build_s']:,.0f}"
        lines.append(
            f"| {r['backend']} | {r['events']:,} | {build} "
            f"| {rate} | {r['db_bytes'] / 2**20:,.0f} MiB "
            f"| {r['index_load_s']:.1f} s | {r['index_rss_bytes'] / 2**20:,.0f} MiB "
            f"| {r['peak_rss'] / 2**20:,.0f} MiB |"
        )
    lines += [
        "",
        "| backend | query | events queried | n | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for key, label in QUERY_LABELS.items():
            for name, set_label in SET_LABELS.items():
                stats = r["timings"].get(key, {}).get(name)
                if stats is None:
                    continue
                lines.append(
                    f"| {r['backend']} | {label} | {set_label} | {stats['n']} "
                    f"| {stats['p50']:.2f} | {stats['p95']:.2f} | {stats['p99']:.2f} "
                    f"| {stats['max']:.2f} |"
                )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="archive size")
    parser.add_argument(
        "--queries", type=int, default=2000, help="random events to query (default 2000)"
    )
    parser.add_argument(
        "--common-queries",
        type=int,
        default=500,
        help="events carrying the most common tag to query (default 500)",
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seed", type=int, default=2, help="random seed (default 2)")
    parser.add_argument(
        "--out", help="folder for the SQLite database (default: a temporary folder, removed)"
    )
    parser.add_argument(
        "--db",
        help="SQLite only: measure this archive, made earlier by the same generator with "
        "the same --events, --seed, --vocabulary and --zipf-s (e.g. bench/search.py's), "
        "instead of building one (the build figures are then left out)",
    )
    parser.add_argument("--vocabulary", type=int, default=50_000, help="distinct tags")
    parser.add_argument(
        "--zipf-s", type=float, default=1.0, help="Zipf exponent of tag popularity (default 1)"
    )
    parser.add_argument(
        "--sql-queries",
        type=int,
        default=0,
        help="query only the first N events of each set with SQL (default: all)",
    )
    parser.add_argument(
        "--skip-count-only", action="store_true", help="skip the counts-only SQL variant"
    )
    parser.add_argument(
        "--check", type=int, default=100, help="events per set whose results are compared"
    )
    parser.add_argument(
        "--pg-shared-buffers", default="256MB", help="PostgreSQL shared_buffers (256MB)"
    )
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB RAM, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"SQLAlchemy {sa.__version__}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    started = time.perf_counter()
    if args.backend == "both":
        results = []
        for backend in ("sqlite", "postgresql"):
            with tempfile.NamedTemporaryFile(suffix=".json") as handle:
                child = [*_without_backend(argv), "--backend", backend, "--result-file"]
                subprocess.run(
                    [sys.executable, str(Path(__file__).resolve()), *child, handle.name],
                    check=True,
                )
                results.append(json.loads(Path(handle.name).read_text()))
    else:
        results = [run_backend(args, args.backend)]
        if args.result_file:
            Path(args.result_file).write_text(json.dumps(results[0]))
            return 0
    print()
    print(f"Machine: {machine()}")
    for r in results:
        print(f"{r['backend']}: {r['server']}")
        agreed, checked = r["agreement"]
        print(f"  results of store.related and SQL agree on {agreed}/{checked} events")
        print("  top 5 tags on " + ", ".join(f"{s:.1%}" for s in r["top5_share"]) + " of events")
    print()
    print(markdown(results))
    print(f"\nTotal run time: {time.perf_counter() - started:.0f} s")
    return 0


def _without_backend(argv: list[str]) -> list[str]:
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--backend":
            skip = True
        elif not arg.startswith("--backend="):
            out.append(arg)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
