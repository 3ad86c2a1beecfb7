"""A search request's latency in process: through the whole ASGI app, without HTTP.

``bench/serve.py`` measures searches through uvicorn, from wrk, where on this virtual
machine a server waiting for its next request is woken for it when the hypervisor
lets it (docs/benchmarks.md, serving). This calls the app directly, one search after another,
and times each request and the part of it spent in the search index, so that a change
to the search path can be measured apart from the machine's network and scheduling.

Run from the repository root, after ``bench/serve.py`` (whose server database and
searches it reads)::

    .venv/bin/python bench/search_request.py                 # 1,500 searches, 3 runs
    .venv/bin/python bench/search_request.py --db other.db --searches 500

Figures are in docs/benchmarks.md (serving).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATELINE_SECRET_KEY", "bench-" + "x" * 32)  # the app's session key

from dateline.search import SearchIndex  # noqa: E402
from dateline.web.app import create_app  # noqa: E402

SERVE = ROOT / "bench" / "out" / "serve"
WARM_UP = 200
"""Searches made first and not counted (the index's and the database's pages read in)."""


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1e3

    return f"p50 {at(0.5):.2f} ms, p90 {at(0.9):.2f} ms, p99 {at(0.99):.2f} ms"


async def request(app: Any, path: str) -> None:
    """One GET of ``path`` through the app, as uvicorn would make it."""
    route, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000")],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    if sent[0]["status"] != 200:
        raise SystemExit(f"{path}: answered {sent[0]['status']}")


async def run(app: Any, paths: list[str]) -> tuple[list[float], list[float]]:
    """Each request's time, and the time of its call to the search index."""
    in_index: list[float] = []
    search = SearchIndex.search

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return search(*args, **kwargs)
        finally:
            in_index.append(time.perf_counter() - started)

    SearchIndex.search = timed  # type: ignore[method-assign]
    try:
        whole = []
        for path in paths:
            started = time.perf_counter()
            await request(app, path)
            whole.append(time.perf_counter() - started)
    finally:
        SearchIndex.search = search  # type: ignore[method-assign]
    return whole, in_index


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=SERVE / "serving.db")
    parser.add_argument(
        "--paths", type=Path, default=SERVE / "search.paths", help="one search address a line"
    )
    parser.add_argument("--searches", type=int, default=1500, help="counted, per run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.db.exists() or not args.paths.exists():
        raise SystemExit(f"{args.db} or {args.paths} is missing: run bench/serve.py first")
    paths = args.paths.read_text(encoding="utf-8").split()
    if len(paths) < WARM_UP + args.searches:
        raise SystemExit(
            f"{args.paths} has {len(paths)} searches; need {WARM_UP} more than --searches"
        )
    app = create_app(str(args.db))
    async with app.router.lifespan_context(app):
        await run(app, paths[:WARM_UP])
        p50s = []
        for number in range(1, args.runs + 1):
            whole, in_index = await run(app, paths[WARM_UP : WARM_UP + args.searches])
            p50s.append(statistics.median(whole) * 1e3)
            print(
                f"run {number}: request {percentiles(whole)}; in the index {percentiles(in_index)}"
            )
    medians = ", ".join(f"{p50:.2f}" for p50 in p50s)
    print(f"{args.searches} searches a run; request p50 per run: {medians} ms")


if __name__ == "__main__":
    asyncio.run(main())
