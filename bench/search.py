"""Benchmark of full-text search engines at 1,000,000 events (issue 4): the one Dateline
uses (tantivy, ``dateline/search/index.py``) against SQLite FTS5 and PostgreSQL's GIN
tsvector, on the same synthetic archive and the same queries.

The archive is ``bench/related.py``'s (headline, summary, Zipf-distributed tags), with
one of two kinds of summary text (``--text``):

- ``fixed``: 30-70 words drawn from a fixed list of 35, so every summary holds most of
  them and most queries match a large share of the archive (the worst case);
- ``portal``: real news text, each summary one of the ~162,000 items of the Wikipedia
  Current Events Portal in ``../shared/data/wcep-days`` (read at run time, never stored
  here), drawn at random.

Queries are 1-3 words drawn from the words the texts use: with ``fixed``, tag names,
verbs, nouns and summary words; with ``portal``, consecutive content words (English
stop words left out, as a person searching would) of a random portal item. Half start
with one of the 200 most common tags. Every word is required (AND), top 10 by each
engine's ranking (tantivy BM25, FTS5 bm25(), ts_rank_cd). Each engine answers the same
queries; the figures are latencies in one process, after a warm-up.

Run from the repository root (SQLite and the index go under bench/out/search/)::

    .venv/bin/python bench/search.py                        # 1,000,000 events, all engines
    .venv/bin/python bench/search.py --events 100000 --engines tantivy,fts5
    .venv/bin/python bench/search.py --text portal --engines tantivy

Figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from related import (  # noqa: E402
    NOUNS,
    VERBS,
    WORDS,
    histories,
    latencies,
    machine,
    make_archive,
    summary,
)

from dateline.search import SearchIndex  # noqa: E402
from dateline.store import Store, open_store  # noqa: E402

OUT = ROOT / "bench" / "out" / "search"
PORTAL_DAYS = ROOT.parent / "shared" / "data" / "wcep-days"
TEXTS = ("fixed", "portal")

FTS5_SETUP = [
    "DROP TABLE IF EXISTS event_text",
    "CREATE VIRTUAL TABLE event_text USING fts5(headline, summary, contexts, "
    "tokenize='porter unicode61')",
    """INSERT INTO event_text(rowid, headline, summary, contexts)
       SELECT e.id, v.headline, v.summary, coalesce(
           (SELECT group_concat(c.name, ' ') FROM event_contexts ec
            JOIN contexts c ON c.id = ec.context_id WHERE ec.event_id = e.id), '')
       FROM events e JOIN versions v ON v.event_id = e.id AND v.number = e.current_version""",
]
FTS5_QUERY = (
    "SELECT rowid FROM event_text WHERE event_text MATCH :q "
    "ORDER BY bm25(event_text, 2.0, 1.0, 1.5) LIMIT 10"
)
PG_SETUP = [
    # Statistics first: without them (a freshly loaded archive) the planner read every
    # context for each event's tag names, a plan of hours for 1,000,000 events.
    "ANALYZE",
    "DROP TABLE IF EXISTS event_text",
    """CREATE TABLE event_text AS
       SELECT e.id, to_tsvector('english', v.headline || ' ' || v.summary || ' ' || coalesce(
           (SELECT string_agg(c.name, ' ') FROM event_contexts ec
            JOIN contexts c ON c.id = ec.context_id WHERE ec.event_id = e.id), '')) AS doc
       FROM events e JOIN versions v ON v.event_id = e.id AND v.number = e.current_version""",
    "CREATE INDEX event_text_doc ON event_text USING gin(doc)",
    "ANALYZE event_text",
]
PG_QUERY = (
    "SELECT id FROM event_text, plainto_tsquery('english', :q) query "
    "WHERE doc @@ query ORDER BY ts_rank_cd(doc, query) DESC LIMIT 10"
)


def portal_items() -> list[str]:
    """Every item of the portal's day pages, without its "(Publisher)" ending."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    items = []
    for path in sorted(PORTAL_DAYS.glob("*/*/*.yaml")):
        page = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        for bullets in (page.get("Intelligence_Payload") or {}).values():
            for text in bullets or ():
                if isinstance(text, str) and text.strip():
                    items.append(re.sub(r"\s*\([^()]*\)\s*$", "", text.strip()))
    if not items:
        raise SystemExit(f"no portal items under {PORTAL_DAYS}")
    return items


def archive_for(events: int, seed: int, text: str) -> Any:
    """``bench/related.py``'s archive with ``text`` summaries (see the module's docstring)."""
    archive = make_archive(events, 50_000, 1.0, seed)
    if text == "fixed":
        return archive
    items = portal_items()
    rng = np.random.default_rng(seed + 7)
    return dataclasses.replace(
        archive, summaries=items, summary_of=rng.integers(0, len(items), size=events)
    )


def archive_path(events: int, text: str) -> Path:
    """Where the archive's SQLite file is kept (the ``fixed`` one under its old name)."""
    return OUT / (f"archive-{events}.db" if text == "fixed" else f"archive-{events}-{text}.db")


def archive_queries(archive: Any, count: int, seed: int, text: str) -> list[str]:
    """The queries for ``archive`` (see the module's docstring)."""
    if text == "fixed":
        return queries(archive, count, seed)
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # type: ignore[import-untyped]

    rng = np.random.default_rng(seed)
    common_tags = [archive.names[r] for r in range(200)]
    made: list[str] = []
    while len(made) < count:
        item = archive.summaries[int(rng.integers(0, len(archive.summaries)))]
        words = [
            w for w in re.findall(r"[A-Za-z]{3,}", item) if w.lower() not in ENGLISH_STOP_WORDS
        ]
        size = int(rng.integers(1, 4))
        if len(words) < size:
            continue
        at = int(rng.integers(0, len(words) - size + 1))
        chosen = [w.lower() for w in words[at : at + size]]
        if rng.random() < 0.5:
            chosen[0] = str(rng.choice(common_tags))
        made.append(" ".join(chosen))
    return made


def queries(archive: Any, count: int, seed: int) -> list[str]:
    """1-3 word queries from the words the archive's texts use."""
    rng = np.random.default_rng(seed)
    vocabulary = list(VERBS) + list(NOUNS) + list(WORDS)
    common_tags = [archive.names[r] for r in range(200)]
    made = []
    for _ in range(count):
        size = int(rng.integers(1, 4))
        words = [str(rng.choice(vocabulary)) for _ in range(size)]
        if rng.random() < 0.5:
            words[0] = str(rng.choice(common_tags))
        made.append(" ".join(words))
    return made


def timed(label: str, run: Any, texts: list[str]) -> dict[str, Any]:
    times = latencies(list(range(len(texts))), lambda i: run(texts[i]))
    stats = summary(times)
    print(f"{label}: p50 {stats['p50']:.2f} ms, p99 {stats['p99']:.2f} ms, max {stats['max']:.1f}")
    return stats


def bench_tantivy(store: Store, texts: list[str], path: Path) -> dict[str, Any]:
    shutil.rmtree(path, ignore_errors=True)
    index = SearchIndex(store, path)
    started = time.perf_counter()
    count = index.rebuild()
    built = time.perf_counter() - started
    print(f"tantivy: {count:,} events indexed in {built:.0f} s")
    stats = timed("tantivy", lambda q: index.search(q, limit=10, catch_up=False), texts)
    with_catch_up = timed("tantivy + catch-up check", lambda q: index.search(q, limit=10), texts)
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return {"build_s": built, "bytes": size, "latency": stats, "with_catch_up": with_catch_up}


def bench_sql(store: Store, setup: list[str], query: str, texts: list[str], label: str) -> Any:
    started = time.perf_counter()
    with store.engine.begin() as conn:
        for statement in setup:
            conn.execute(sa.text(statement))
    built = time.perf_counter() - started
    print(f"{label}: built in {built:.0f} s")
    statement = sa.text(query)
    prepare = (lambda q: " AND ".join(f'"{w}"' for w in q.split())) if label == "fts5" else str

    def run(text: str) -> list[Any]:
        with store.engine.connect() as conn:
            return list(conn.execute(statement, {"q": prepare(text)}).all())

    return {"build_s": built, "latency": timed(label, run, texts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--engines", default="tantivy,fts5,postgresql")
    parser.add_argument(
        "--text", choices=TEXTS, default="fixed", help="summary text (see above; default fixed)"
    )
    parser.add_argument(
        "--postgres-url",
        help="a PostgreSQL database already holding this archive (a loaded archive, kept "
        "from an earlier run): searched there instead of loading one into a new server, "
        "which takes about 8 minutes at 1,000,000 events",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    engines = set(args.engines.split(","))
    print(machine())
    archive = archive_for(args.events, args.seed, args.text)
    texts = archive_queries(archive, args.queries, args.seed + 1, args.text)
    results: dict[str, Any] = {"events": args.events, "text": args.text, "queries": len(texts)}
    OUT.mkdir(parents=True, exist_ok=True)
    db = archive_path(args.events, args.text)
    if not db.exists():
        store = open_store(str(db))
        started = time.perf_counter()
        store.bulk_create(histories(archive, lambda n: None))
        print(f"archive of {args.events:,} events built in {time.perf_counter() - started:.0f} s")
        store.close()
    store = open_store(str(db))
    try:
        if "tantivy" in engines:
            suffix = "" if args.text == "fixed" else f"-{args.text}"
            results["tantivy"] = bench_tantivy(store, texts, OUT / f"tantivy{suffix}")
        if "fts5" in engines:
            results["fts5"] = bench_sql(store, FTS5_SETUP, FTS5_QUERY, texts, "fts5")
    finally:
        store.close()
    if "postgresql" in engines and args.postgres_url:
        pg = open_store(args.postgres_url)
        results["postgresql"] = bench_sql(pg, PG_SETUP, PG_QUERY, texts, "postgresql")
        pg.close()
    elif "postgresql" in engines:
        from tests.support import postgres

        server = postgres.start_postgres_server()
        try:
            url = server.create_database("bench")
            pg = open_store(url)
            started = time.perf_counter()
            pg.bulk_create(histories(archive, lambda n: None))
            print(f"PostgreSQL archive built in {time.perf_counter() - started:.0f} s")
            results["postgresql"] = bench_sql(pg, PG_SETUP, PG_QUERY, texts, "postgresql")
            pg.close()
        finally:
            server.stop()
    print(json.dumps(results, indent=1))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
