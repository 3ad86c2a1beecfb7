"""Benchmark of ``dateline import`` (issue 5): the real portal corpus and a synthetic
1,000,000-event archive, on SQLite and PostgreSQL.

For each case the import runs as its own ``python -m dateline import`` process, as a
user runs it, and the figures are: wall time, events per second, the database size,
the import process's peak memory (``wait4``'s ru_maxrss), and then the latency of
``Store.related`` (p50/p99 over random events and over events carrying the most common
tag) on the archive just imported.

- ``real``: ``../shared/data/wcep-days`` (8,587 day files, 2002-2026) as it is. Its
  events carry no context tags (the scrape lost the links), so related lists are empty
  until ``dateline contexts retag``; their latency is measured anyway.
- ``synthetic``: the archive of ``bench/related.py`` (Zipf-distributed tags, so the
  related lists are realistic), written as Dateline JSON Lines, one file per day (about
  9,100 files), then imported.

Run from the repository root (the files and databases go under ``bench/out/``, removed
afterwards unless ``--keep``; creating files in /tmp was far slower on this machine)::

    .venv/bin/python bench/import.py                          # everything (about 30 min)
    .venv/bin/python bench/import.py --case real --backend sqlite
    .venv/bin/python bench/import.py --case synthetic --events 100000

Figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from related import (  # noqa: E402
    FIRST_DAY,
    NOUNS,
    VERBS,
    database_size,
    latencies,
    machine,
    make_archive,
    summary,
)

from dateline.ingest.records import record_of  # noqa: E402
from dateline.model import EventContent, Source  # noqa: E402
from dateline.store import open_store  # noqa: E402

REAL_CORPUS = ROOT.parent / "shared" / "data" / "wcep-days"
OUT = ROOT / "bench" / "out" / "import"


def write_synthetic(folder: Path, events: int, seed: int) -> int:
    """Write the synthetic archive as one JSON Lines file per day; the count written."""
    archive = make_archive(events, vocabulary=50_000, zipf_s=1.0, seed=seed)
    by_day: dict[int, list[int]] = defaultdict(list)
    for i, day in enumerate(archive.days):
        by_day[int(day)].append(i)
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for offset in sorted(by_day):
        day = FIRST_DAY + timedelta(days=offset)
        lines = []
        for i in by_day[offset]:
            tags = tuple(archive.names[int(r)] for r in archive.tags_of(i))
            words = [tags[0], VERBS[archive.verb_of[i]], NOUNS[archive.noun_of[i]]]
            content = EventContent(
                date=day,
                headline=" ".join([*words, "over", tags[-1], "event", str(i + 1)]),
                summary=archive.summaries[archive.summary_of[i]],
                contexts=tags,
                sources=(Source("Example Wire", f"https://news.example.org/story/{i + 1}"),),
            )
            lines.append(json.dumps(record_of(content), ensure_ascii=False))
        path = folder / f"{day.year}" / f"{day.isoformat()}.jsonl"
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written += len(lines)
    return written


def run_import(url: str, source: Path) -> dict[str, Any]:
    """Run ``dateline import`` in a child process: its wall time, output and peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "dateline", "--db", url, "import", str(source)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    # communicate() has reaped the child; RUSAGE_CHILDREN's ru_maxrss is the largest
    # child so far, so each case runs in a process of its own (see main).
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    if process.returncode not in (0, 2):
        raise SystemExit(f"import failed ({process.returncode}): {stderr.decode()[-2000:]}")
    return {"wall_s": wall, "summary": stdout.decode().strip(), "peak_rss_children": peak}


def related_latency(url: str, queries: int, seed: int) -> dict[str, Any]:
    """``Store.related`` p50/p99 over random events and events with the top tag."""
    store = open_store(url)
    try:
        count = store.count_events()
        started = time.perf_counter()
        store.load_related_index()
        load_s = time.perf_counter() - started
        rng = np.random.default_rng(seed)
        random_ids = [int(i) for i in rng.integers(1, count + 1, size=queries)]
        result: dict[str, Any] = {"events": count, "index_load_s": load_s}
        result["random"] = summary(latencies(random_ids, store.related))
        top = max(store.contexts(), key=lambda c: c.event_count, default=None)
        if top is not None:
            carriers = [e.id for e in store.entries_with_context(top.slug, latest=queries)]
            result["top_tag"] = top.name
            result["top_tag_events"] = top.event_count
            result["common"] = summary(latencies(carriers[:queries], store.related))
        result["db_bytes"] = database_size(store)
        return result
    finally:
        store.close()


def one_case(case: str, backend: str, args: argparse.Namespace) -> dict[str, Any]:
    work = OUT / f"{case}-{backend}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    server = None
    try:
        if case == "real":
            source = REAL_CORPUS
            files = sum(1 for _ in source.rglob("*.yaml"))
        else:
            source = work / "days"
            started = time.perf_counter()
            written = write_synthetic(source, args.events, args.seed)
            print(f"wrote {written:,} synthetic events in {time.perf_counter() - started:.0f} s")
            files = sum(1 for _ in source.rglob("*.jsonl"))
        if backend == "postgresql":
            from tests.support import postgres

            postgres.SERVER_SETTINGS["shared_buffers"] = args.pg_shared_buffers
            server = postgres.start_postgres_server()
            url = server.create_database("bench")
        else:
            url = f"sqlite:///{work / 'archive.db'}"
        imported = run_import(url, source)
        again = run_import(url, source) if args.again else None
        related = related_latency(url, args.queries, args.seed)
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    result = {
        "case": case,
        "backend": backend,
        "files": files,
        "import": imported,
        "again": again,
        "related": related,
        "events_per_s": related["events"] / imported["wall_s"],
    }
    print(json.dumps(result, indent=1))
    return result


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| case | backend | files | events | import | events/s | rerun | database "
        "| peak RSS | related p50 / p99 (random) | related p50 / p99 (top tag) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rel, again, common = r["related"], r["again"], r["related"].get("common")
        cells = [
            r["case"],
            r["backend"],
            f"{r['files']:,}",
            f"{rel['events']:,}",
            f"{r['import']['wall_s']:.1f} s",
            f"{r['events_per_s']:,.0f}",
            f"{again['wall_s']:.1f} s" if again else "-",
            f"{rel['db_bytes'] / 2**20:,.0f} MiB",
            f"{r['import']['peak_rss_children'] / 2**20:,.0f} MiB",
            f"{rel['random']['p50']:.2f} / {rel['random']['p99']:.2f} ms",
            f"{common['p50']:.2f} / {common['p99']:.2f} ms" if common else "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=("real", "synthetic", "both"), default="both")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--events", type=int, default=1_000_000, help="synthetic archive size")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--queries", type=int, default=2000, help="related queries per set")
    parser.add_argument(
        "--again", action="store_true", help="also time a second import of the same files"
    )
    parser.add_argument("--keep", action="store_true", help="keep the files and databases")
    parser.add_argument("--pg-shared-buffers", default="256MB")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    cases = ("real", "synthetic") if args.case == "both" else (args.case,)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print(machine())
    results = []
    for case in cases:
        for backend in backends:
            # Each case in its own process, so peak RSS figures do not mix.
            if len(cases) * len(backends) > 1:
                out = OUT / f"{case}-{backend}.json"
                OUT.mkdir(parents=True, exist_ok=True)
                command = [sys.executable, __file__, "--case", case, "--backend", backend]
                command += ["--events", str(args.events), "--seed", str(args.seed)]
                command += ["--queries", str(args.queries), "--json", str(out)]
                command += ["--again"] * args.again + ["--keep"] * args.keep
                subprocess.run(command, check=True, env={**os.environ})
                results += json.loads(out.read_text())
            else:
                results.append(one_case(case, backend, args))
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
