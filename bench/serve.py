"""Load benchmark of ``dateline serve`` (issue 4) at 1,000,000 events, next to datasette.

Measured with wrk (Debian's ``wrk``: 2 threads, 32 connections, 20 s each, the
addresses of ``--pages`` distinct events picked at random beforehand, 300,000 by default,
each wrk thread walking its own half of the list, so that no request of a run repeats
another and the server's page cache never answers; each run waits until the CPUs were
90% idle over 2 s, see :func:`wait_quiet`; each run reports the share of the CPUs'
time the hypervisor took meanwhile, see :func:`quiet.steal_share`):

- an event's JSON page (``/news/YYYY/MM/D/<slug>.json``) and HTML page;
- the API's event JSON (``/api/events/<id>``);
- a search (``/api/search?q=...``, 1-3 words from the archive's vocabulary), under the
  same load and again from one connection (a search's own latency, no queue), in
  ``--search-runs`` runs;
- datasette serving the same SQLite file, one row of ``events`` as JSON by random id
  (``/archive/events/<id>.json``), measured the same way. Both servers run side by side
  and the event JSON page is measured against datasette in ``--rounds`` rounds (3 by
  default: datasette, then dateline, on the same share of the events, a share per
  round): this machine's speed drifts within minutes, so each round's ratio compares
  runs a minute apart, and the median ratio is the result. A first round warms both
  servers up (each one's first run after start), on its own share, and is not counted;

then 50 concurrent writers for 30 seconds (``PUT /api/events/<id>`` with ``If-Match``,
each writer on a random one of 200 events, so writers collide): the writes accepted,
the 412s, and whether the database holds exactly one new version per accepted write.

Run from the repository root (the archive is built once under bench/out/serve/; the
archive of bench/search.py is reused when it exists)::

    .venv/bin/python bench/serve.py                    # 1,000,000 events
    .venv/bin/python bench/serve.py --text portal      # summaries of real portal text
    .venv/bin/python bench/serve.py --events 20000 --seconds 5

Needs ``wrk`` (``apt-get install wrk``, done by scripts/system-deps.sh) and datasette
(the ``bench`` extra: ``pip install -e '.[bench]'``). Figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from quiet import cpu_counters, steal_share, wait_quiet  # noqa: E402
from related import histories, machine  # noqa: E402
from search import TEXTS, archive_for, archive_path, archive_queries  # noqa: E402

from dateline.model import event_path  # noqa: E402
from dateline.store import open_store  # noqa: E402

OUT = ROOT / "bench" / "out" / "serve"
WRK_SCRIPT = """
-- Each thread walks its own share of the list, in order (the list is in random order):
-- no request of a run repeats another. Drawing with math.random made every thread ask
-- the same sequence (LuaJIT seeds each thread's state alike), so with 2 threads half the
-- requests repeated the other thread's, and the page cache answered many of them.
local threads = %d
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local made = 0
function setup(thread)
  thread:set("first", made * math.floor(#paths / threads))
  made = made + 1
end
local sent = 0
request = function()
  sent = sent + 1
  return wrk.format("GET", paths[(first + sent - 1) %% #paths + 1])
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def archive_db(events: int, seed: int, text: str) -> Path:
    """The synthetic archive's SQLite file (bench/search.py's when it is there)."""
    shared = archive_path(events, text)
    if shared.exists():
        return shared
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / shared.name
    if not db.exists():
        store = open_store(str(db))
        store.bulk_create(histories(archive_for(events, seed, text), lambda n: None))
        store.close()
    return db


def wait_for(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer in {timeout:.0f} s")


def wrk(
    base: str, paths: list[str], seconds: int, label: str, connections: int = 32
) -> dict[str, Any]:
    idle = wait_quiet()
    load = os.getloadavg()[0]  # a busy machine shows here
    listing = OUT / f"{label}.paths"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    script = OUT / f"{label}.lua"
    threads = min(2, connections)
    script.write_text(WRK_SCRIPT % (threads, listing), encoding="utf-8")
    counters = cpu_counters()
    done = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    steal = steal_share(counters, cpu_counters())
    text = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text)[1])  # type: ignore[index]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    made = int(re.search(r"(\d+) requests in", text)[1])  # type: ignore[index]
    result = {
        "connections": connections,
        "load_before": round(load, 2),
        "idle_before": round(idle, 2),
        "steal": round(steal, 3),
        "requests_per_s": rate,
        "p99_ms": float(p99[1]) * unit[p99[2]] if p99 else None,
        "non_2xx": int(errors[1]) if errors else 0,
        "requests": made,
        # True when a thread may have gone past its share into requests already made
        # (expected for the searches' short list, which no cache answers)
        "may_repeat": made > len(paths) // threads,
    }
    print(
        f"{label} ({connections} connections): {rate:,.0f} requests/s, p99 {result['p99_ms']} "
        f"ms, non-2xx {result['non_2xx']} (load average {load:.2f}, {idle:.0%} idle before, "
        f"{steal:.0%} of the CPUs' time stolen during the run)"
    )
    return result


def start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start a server in its own session, its output going to ``log``."""
    with log.open("wb") as output:
        return subprocess.Popen(
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


async def writers(base: str, token: str, ids: list[int], count: int, seconds: int) -> Any:
    """``count`` writers editing random events of ``ids`` for ``seconds``."""
    accepted = stale = other = 0
    deadline = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    async def one(client: httpx.AsyncClient, rng: random.Random) -> None:
        nonlocal accepted, stale, other
        while time.monotonic() < deadline:
            event_id = rng.choice(ids)
            got = await client.get(f"/api/events/{event_id}")
            etag = got.headers.get("etag", "")
            body = got.json()
            content = {
                "date": body["date"]["date"] if isinstance(body["date"], dict) else body["date"],
                "headline": body["headline"],
                "summary": f"edited by a benchmark writer at {time.time():.6f}",
                "note": "bench/serve.py",
            }
            put = await client.put(
                f"/api/events/{event_id}", json=content, headers={**headers, "If-Match": etag}
            )
            if put.status_code == 200:
                accepted += 1
            elif put.status_code == 412:
                stale += 1
            else:
                other += 1

    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        await asyncio.gather(*(one(client, random.Random(i)) for i in range(count)))
    return accepted, stale, other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=20, help="per wrk run")
    parser.add_argument(
        "--pages",
        type=int,
        default=300_000,
        help="distinct events requested (default 300,000: no request of a run repeats, "
        "so the server's page cache never answers)",
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument(
        "--search-runs",
        type=int,
        default=3,
        help="runs of the one-connection search (default 3; the median p99 is shown)",
    )
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--write-seconds", type=int, default=30)
    parser.add_argument("--skip-datasette", action="store_true")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of datasette then the event JSON page, each on its own share of the "
        "events (default 3): this machine's speed drifts within minutes, so each ratio "
        "compares runs a minute apart, and the median ratio is reported",
    )
    parser.add_argument(
        "--text",
        choices=TEXTS,
        default="fixed",
        help="the archive's summary text, as bench/search.py's --text (default fixed)",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(machine())
    OUT.mkdir(parents=True, exist_ok=True)
    source = archive_db(args.events, args.seed, args.text)
    db = OUT / "serving.db"  # a copy: the write test changes it
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(f"{db}.search", ignore_errors=True)  # a copy of another run's archive
    shutil.copyfile(source, db)
    os.sync()  # the copy's 1.4 GB written out now, not during the first runs
    rng = random.Random(args.seed)
    store = open_store(str(db))
    count = store.count_events()
    sample = rng.sample(range(1, count + 1), min(args.pages, count))  # distinct, random order
    events = {e.id: e for e in store.events(sorted(set(sample)))}
    page_of = {i: event_path(e.content.date, e.slug, "json") for i, e in events.items()}
    pages = [page_of[i] for i in sample if i in page_of]
    html = [p[: -len(".json")] + ".html" for p in pages]
    parts = args.rounds + 1  # the first share warms both servers up, unmeasured
    shares = [
        sample[n * len(sample) // parts : (n + 1) * len(sample) // parts] for n in range(parts)
    ]  # no event is asked for in two rounds: the page cache never answers
    api = [f"/api/events/{i}" for i in sample]
    archive = archive_for(args.events, args.seed, args.text)
    searches = [
        "/api/search?" + httpx.QueryParams(q=q).__str__()
        for q in archive_queries(archive, 2000, 3, args.text)
    ]
    store.close()
    results: dict[str, Any] = {"events": count, "workers": args.workers, "text": args.text}

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    token = (
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dateline",
                "--db",
                str(db),
                "token",
                "create",
                "--name",
                "bench",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .split()[-1]
    )
    server = start(
        [sys.executable, "-m", "dateline", "--db", str(db), "serve", "--port", str(port),
         "--workers", str(args.workers)],
        OUT / "dateline-serve.log",
    )  # fmt: skip
    # Both servers run side by side, each measured in turn (datasette reads the archive
    # as copied; it is stopped before the writers change it). Started last, so that
    # nothing between its start and the ``finally`` below can leave it running.
    datasette = None
    if not args.skip_datasette:
        datasette_base = f"http://127.0.0.1:{free_port()}"
        datasette = start(
            [str(Path(sys.executable).parent / "datasette"), "serve", str(db), "--port",
             datasette_base.rsplit(":", 1)[1], "--setting", "default_cache_ttl", "0"],
            OUT / "datasette.log",
        )  # fmt: skip

    try:
        wait_for(f"{base}/api/contexts?limit=1", timeout=600)
        httpx.get(f"{base}/api/search?q=warmup", timeout=600)  # builds the search index
        rounds = []
        for n, share in enumerate(shares):
            measured: dict[str, Any] = {}
            if datasette is not None:
                wait_for(f"{datasette_base}/-/versions.json")
                rows = [f"/{db.stem}/events/{i}.json" for i in share]
                measured["datasette_row_json"] = wrk(
                    datasette_base, rows, args.seconds, f"datasette-{n or 'warm-up'}"
                )
            share_pages = [page_of[i] for i in share if i in page_of]
            measured["event_json_page"] = wrk(
                base, share_pages, args.seconds, f"event-json-{n or 'warm-up'}"
            )
            if n == 0:  # a warm-up: each server's first run after start, not counted
                results["warm_up"] = measured
                continue
            if datasette is not None:
                measured["ratio"] = round(
                    measured["event_json_page"]["requests_per_s"]
                    / measured["datasette_row_json"]["requests_per_s"],
                    2,
                )
                print(f"round {n}: event JSON page / datasette {measured['ratio']:.2f}x")
            rounds.append(measured)
        results["rounds"] = rounds
        if datasette is not None:
            stop(datasette)
            datasette = None
        results["event_html_page"] = wrk(base, html, args.seconds, "event-html")
        results["api_event"] = wrk(base, api, args.seconds, "api-event")
        results["search"] = wrk(base, searches, args.seconds, "search")
        # One client at a time: the latency of a search itself, not of a queue of 32;
        # several runs, since one run's p99 is as much the hypervisor's (see quiet.py).
        alone = [
            wrk(base, searches, args.seconds, "search", connections=1)
            for _ in range(args.search_runs)
        ]
        results["search_alone"] = alone
        p99s = [run["p99_ms"] for run in alone]
        print(f"search alone, p99 per run: {p99s} ms (median {statistics.median(p99s)} ms)")
        with sa.create_engine(f"sqlite:///{db}").connect() as conn:
            before = conn.execute(sa.text("SELECT count(*) FROM versions")).scalar_one()
        ids = sorted(rng.sample(range(1, count + 1), 200))
        accepted, stale, other = asyncio.run(
            writers(base, token, ids, args.writers, args.write_seconds)
        )
    finally:
        stop(server)
        if datasette is not None:
            stop(datasette)
    with sa.create_engine(f"sqlite:///{db}").connect() as conn:
        after = conn.execute(sa.text("SELECT count(*) FROM versions")).scalar_one()
    results["writes"] = {
        "writers": args.writers,
        "seconds": args.write_seconds,
        "accepted": accepted,
        "412": stale,
        "other": other,
        "new_versions": after - before,
        "no_write_lost": after - before == accepted,
    }
    print(f"writes: {results['writes']}")

    ratios = [r["ratio"] for r in results["rounds"] if "ratio" in r]
    if ratios:
        results["event_json_page_per_datasette"] = round(statistics.median(ratios), 2)
        print(f"event JSON page / datasette: {ratios} (median {statistics.median(ratios):.2f}x)")
    print(json.dumps(results, indent=1))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
