"""Benchmark of the static-site build (``dateline build``), full and incremental, against Hugo.

Builds a synthetic SQLite archive of ``--events`` events (default 100,000) with the
generator of ``bench/related.py`` (Zipf-like context tags, dates 2002-2026), then
measures, each build in a child process of its own (its wall time and memory are those
of a ``dateline build`` run, Python start-up included):

- a full build into an empty folder: pages and files written, per second, output size;
- incremental builds: with nothing changed, after editing the summary of one event
  (a random one, and one carrying the most common tag), and after editing the headline
  of one carrying the most common tag (which other events' related lists show), and of
  the event on the most related lists (the costliest edit), ``--edits`` times each;
- Hugo building the same events as Markdown pages with a minimal layout, with and
  without its tags taxonomy;
- then ``--pairs`` more full builds of each tool (Dateline, and Hugo with its taxonomy)
  in turn, the order swapped each time: this machine's speed drifts by a fifth within
  an hour, so a single build of each can compare a fast hour with a slow one. The
  verdict on speed is the median of the pairs' ratios.

Earlier output in the work folder is set aside and deleted only when the measurements
are done (see ``quiet.set_aside``: on this machine's file system, files created minutes
after a large deletion cost many times more).

Both tools use every core by default (Dateline's full build forks ``jobs`` workers, Hugo
runs goroutines); ``--one-core`` (on by default) also times each held to one core.

Targets: a full build at least as fast as Hugo per HTML page (counted on disk; Hugo's
alias redirects are not pages); an incremental build after one edit in under 2 seconds.
Run from the repository root::

    .venv/bin/python bench/build.py --forced-full --json build.json   # docs/benchmarks.md
    .venv/bin/python bench/build.py --events 5000      # a quick check (a minute or two)
    .venv/bin/python bench/build.py --report hugo.json dateline.json  # re-print, merged

Hugo is Debian's package; when ``hugo`` is not on PATH the script runs
``apt-get install -y hugo`` if it is root (``--no-install``: only say so).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import shlex
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import hugo_site  # noqa: E402
import related  # noqa: E402  (also puts the repository root on sys.path)
from quiet import (  # noqa: E402
    delete_set_aside,
    set_aside,
    settle,
    settled_disk,
    wait_after_deletions,
)

from dateline.store import Store, open_store  # noqa: E402

console = related.console
STATE_DIR = ".dateline-build"
"""Where build_site keeps its state inside the output folder: not output, not counted."""
INCREMENTAL_TARGET_S = 2.0
MIB = 2**20


def _columns() -> tuple[Any, ...]:
    return (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )


# -- the archive ------------------------------------------------------------------------


def load_archive(store: Store, archive: related.Archive) -> float:
    """Insert the synthetic archive with ``Store.bulk_create``; seconds taken."""
    started = time.perf_counter()
    with Progress(*_columns(), console=console) as progress:
        task = progress.add_task("inserting events", total=archive.size)
        inserted = store.bulk_create(
            related.histories(archive, lambda n: progress.update(task, advance=n))
        )
    if inserted != archive.size:
        raise RuntimeError(f"bulk_create inserted {inserted} events, expected {archive.size}")
    related.analyze(store)
    return time.perf_counter() - started


def edit_summary(store: Store, event_id: int, label: str, *, headline: bool = False) -> None:
    """Append a version whose summary gains one sentence (the headline, so the slug, stays).

    With ``headline``, the headline changes instead: a new slug, and a change that other
    events' related lists show, so theirs must be checked and some rewritten.
    """
    event = store.event(event_id)
    if headline:
        changes = {"headline": f"{event.content.headline} ({label})"}
    else:
        changes = {"summary": f"{event.content.summary} Corrected ({label})."}
    content = dataclasses.replace(event.content, **changes)
    result = store.append_version(
        event_id,
        content,
        expected_version=event.current.number,
        editor="bench",
        note=f"build benchmark: {label}",
    )
    if not result.changed:
        raise RuntimeError(f"editing event {event_id} changed nothing")


# -- one Dateline build, in a child process ---------------------------------------------


def run_build(
    db: Path, out: Path, *, full: bool = False, jobs: int | None = None
) -> dict[str, Any]:
    """One ``build_site`` in a child process (bench/build_child.py, which imports what
    ``dateline build`` does and no more); its report plus wall time and memory."""
    with tempfile.NamedTemporaryFile(suffix=".json") as handle:
        command = [sys.executable, str(BENCH / "build_child.py"), str(db), str(out), handle.name]
        if full:
            command.append("--full")
        if jobs is not None:
            command += ["--jobs", str(jobs)]
        idle = settle()  # what earlier builds wrote reaches the disk first
        run = hugo_site.measured_run(command)
        if run.returncode != 0:
            raise RuntimeError(f"the build child failed (exit {run.returncode})")
        figures: dict[str, Any] = json.loads(Path(handle.name).read_text(encoding="utf-8"))
    figures["process_s"] = run.seconds
    figures["idle_before"] = idle
    figures["peak_rss"] = run.peak_rss
    figures["peak_pss"] = run.peak_pss
    return figures


def run_dateline(archive: related.Archive, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Load the archive, build it in full, then incrementally: unchanged and after edits."""
    result: dict[str, Any] = {"sqlite": sqlite3.sqlite_version}
    db = work / "archive.db"
    out = work / "site"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    set_aside(out)
    store = open_store(str(db))
    try:
        result["load_s"] = load_archive(store, archive)
        result["db_bytes"] = related.database_size(store)
        console.print(
            f"archive loaded in {result['load_s']:.1f} s, "
            f"database {result['db_bytes'] / MIB:,.0f} MiB"
        )

        result["full"] = full = full_build(db, out, args.jobs)
        if args.one_core and full["jobs"] != 1:
            # Into a folder of its own, deleted after: the incremental builds use ``out``.
            result["full_one_core"] = full_build(db, work / "site-one-core", 1)
            set_aside(work / "site-one-core")

        if args.forced_full:
            # Same pages, already on disk with the same digests: rendering without writing.
            result["forced_full"] = run_build(db, out, full=True, jobs=args.jobs)
            _say_incremental("full=True over its own output", result["forced_full"])

        rng = np.random.default_rng(args.seed + 1)
        random_ids = [int(i) + 1 for i in rng.choice(archive.size, args.edits, replace=False)]
        carriers = [i for i in (int(c) + 1 for c in archive.events_with(0)) if i not in random_ids]
        common_ids = [int(i) for i in rng.choice(carriers, 2 * args.edits, replace=False)]
        common_ids, headline_ids = common_ids[: args.edits], common_ids[args.edits :]
        busiest, lists = most_listed(out)
        most_listed_ids = [busiest] * args.edits if lists else []
        result["edited"] = {
            "random": random_ids,
            "common": common_ids,
            "common_headline": headline_ids,
            "most_listed_headline": most_listed_ids,
        }
        result["most_listed_lists"] = lists

        runs: dict[str, list[dict[str, Any]]] = {
            "unchanged": [],
            "random": [],
            "common": [],
            "common_headline": [],
            "most_listed_headline": [],
        }
        for _ in range(args.edits):
            runs["unchanged"].append(run_build(db, out))
            _say_incremental("no change", runs["unchanged"][-1])
        cases = (
            ("random", random_ids),
            ("common", common_ids),
            ("common_headline", headline_ids),
            ("most_listed_headline", most_listed_ids),
        )
        for name, ids in cases:
            for k, event_id in enumerate(ids, 1):
                edit_summary(
                    store, event_id, f"{name} edit {k}", headline=name.endswith("headline")
                )
                runs[name].append(run_build(db, out) | {"event_id": event_id})
                _say_incremental(f"edited event {event_id} ({name})", runs[name][-1])
        result["incremental"] = runs
    finally:
        store.close()
    return result


def most_listed(out: Path) -> tuple[int, int]:
    """The event on the most related lists, as the build recorded them, and how many:
    its new headline rewrites the pages of all those events, the costliest edit for an
    incremental build (a random draw of edited events may miss it: with ``--edits 2``
    one event on 212 lists took 3.0 s where the five of ``--edits 5`` took 1.7 s)."""
    with sqlite3.connect(out / STATE_DIR / "state.sqlite") as db:
        row = db.execute(
            "SELECT m.value, count(*) FROM related r, json_each(r.members) m "
            "GROUP BY m.value ORDER BY count(*) DESC, m.value LIMIT 1"
        ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)  # (0, 0): no related list at all


def full_build(db: Path, out: Path, jobs: int | None) -> dict[str, Any]:
    """A full build into an empty folder, and what it left there."""
    set_aside(out)
    probe, waited = _settled_disk(out.parent)
    full = run_build(db, out, jobs=jobs)
    full.update(file_creation_us=probe, disk_wait_s=waited)
    output = hugo_site.tree_stats(out, skip_dirs=[STATE_DIR])
    state = hugo_site.tree_stats(out / STATE_DIR)
    full.update(
        files=output.files,
        bytes=output.bytes,
        by_ext=output.by_ext,
        html_files=output.count("html"),
        state_bytes=state.bytes,
        html_kinds=html_kinds(out),
    )
    console.print(
        f"dateline full build, {_processes(full['jobs'])}: {full['pages_written']:,} files "
        f"written in {full['process_s']:.1f} s ({full['build_site_s']:.1f} s in build_site), "
        f"{output.count('html'):,} HTML pages, {output.bytes / MIB:,.0f} MiB, "
        f"peak memory {_memory(full)}; {_cpu(full)}"
    )
    return full


def _cpu(run: dict[str, Any]) -> str:
    """CPU seconds and the load around a build (absent from results of older runs)."""
    if "cpu_user_s" not in run:
        return "CPU time not measured"
    disk = (
        f"; a file took {run['file_creation_us']:.0f} us to create just before"
        if "file_creation_us" in run
        else ""
    )
    return (
        f"CPU {run['cpu_user_s']:,.1f} s user + {run['cpu_sys_s']:,.1f} s system, "
        f"load average {run['load_before']:.1f} before, {run['load_after']:.1f} after{disk}"
    )


def _processes(jobs: int) -> str:
    return "1 process" if jobs == 1 else f"{jobs} processes"


def html_kinds(out: Path) -> dict[str, int]:
    """Dateline's HTML pages by kind (see dateline/model/paths.py), to set beside Hugo's.

    Hugo renders one page per event plus list pages; Dateline's list pages (days,
    months, years, tags and their years) are as many again, so "per page" needs saying
    which pages.
    """
    kinds: dict[str, int] = {}
    for page in out.rglob("*.html"):
        parts = page.relative_to(out).parts
        if parts[0] == STATE_DIR:
            continue
        if parts[0] == "news":
            depth = len(parts) - 1  # news/YYYY/MM/D/x.html has depth 4
            level = {2: "year", 3: "month"}.get(depth, "day")
            kind = f"news {level} index" if page.name == "index.html" else "event"
        elif parts[0] == "context":
            kind = "context year" if len(parts) > 2 else "context"
        elif parts[0] == "story":
            kind = "story"
        else:
            kind = "other"
        kinds[kind] = kinds.get(kind, 0) + 1
    return dict(sorted(kinds.items(), key=lambda item: -item[1]))


def _say_incremental(what: str, run: dict[str, Any]) -> None:
    console.print(
        f"incremental, {what}: {run['pages_written']:,} written, "
        f"{run['pages_unchanged']:,} unchanged, {run['pages_removed']:,} removed in "
        f"{run['process_s']:.2f} s ({run['build_site_s']:.2f} s in build_site)"
    )


# -- Hugo -------------------------------------------------------------------------------


def run_hugo(archive: related.Archive, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Write the Hugo site for the same events and build it in each configuration."""
    hugo = hugo_site.find_hugo(install=not args.no_install, say=console.print)
    if hugo is None:
        return {"skipped": "hugo is not installed"}
    result: dict[str, Any] = {"version": hugo_site.hugo_version(hugo)}
    root = work / "hugo"
    set_aside(root)
    started = time.perf_counter()
    with Progress(*_columns(), console=console) as progress:
        task = progress.add_task("writing Hugo content", total=archive.size)
        result["content_pages"] = hugo_site.write_site(
            root, related.histories(archive, lambda n: progress.update(task, advance=n))
        )
    result["write_s"] = time.perf_counter() - started
    configurations: list[tuple[bool, int | None]] = [(False, None), (True, None)]
    if args.one_core:
        configurations += [(False, 1), (True, 1)]
    result["runs"] = []
    for taxonomies, cores in configurations:
        console.print(f"hugo: {_hugo_label(taxonomies, cores)} ...")
        idle = settle()
        run = hugo_site.build(hugo, root, taxonomies=taxonomies, gomaxprocs=cores)
        run["idle_before"] = idle
        result["runs"].append(run)
        console.print(
            f"  {html_pages(run):,} HTML pages, {run['files']:,} files in "
            f"{run['seconds']:.1f} s, peak memory {_memory(run)}"
        )
    return result


def run_pairs(work: Path, args: argparse.Namespace, html: int) -> list[dict[str, Any]]:
    """``args.pairs`` pairs of full builds, Dateline's (into a new folder, of the archive
    as the incremental builds left it: as many pages) and Hugo's with its taxonomy, one
    after the other, Hugo first in every other pair. ``html``: Dateline's HTML pages."""
    hugo = hugo_site.find_hugo(install=False, say=console.print)
    if hugo is None:
        return []
    pairs = []
    for k in range(args.pairs):
        pair: dict[str, Any] = {"hugo_first": k % 2 == 1}
        for tool in ("hugo", "dateline") if pair["hugo_first"] else ("dateline", "hugo"):
            if tool == "dateline":
                out = work / f"site-pair-{k + 1}"
                probe, waited = _settled_disk(work)
                run = run_build(work / "archive.db", out, jobs=args.jobs)
                run.update(file_creation_us=probe, disk_wait_s=waited)
                set_aside(out)  # deleted with the rest, after the measurements
                run["html_files"] = html
                pair["dateline"] = run
                console.print(
                    f"pair {k + 1}: dateline full build {run['process_s']:.1f} s "
                    f"({html / run['process_s']:,.0f} HTML pages/s); {_cpu(run)}"
                )
            else:
                idle = settle()
                probe, waited = _settled_disk(work)
                run = hugo_site.build(hugo, work / "hugo", taxonomies=True)
                run.update(idle_before=idle, file_creation_us=probe, disk_wait_s=waited)
                pair["hugo"] = run
                console.print(
                    f"pair {k + 1}: hugo, tags taxonomy {run['seconds']:.1f} s "
                    f"({html_pages(run) / run['seconds']:,.0f} HTML pages/s)"
                )
        pairs.append(pair)
    return pairs


def _settled_disk(folder: Path) -> tuple[float, float]:
    """:func:`quiet.settled_disk`, saying so when it waited."""
    probe, waited = settled_disk(folder)
    if waited >= 1:
        console.print(
            f"waited {waited:.0f} s for the disk to take files at its usual speed "
            f"({probe:.0f} us a file now; see quiet.settled_disk)"
        )
    return probe, waited


def pair_ratio(pair: dict[str, Any]) -> float:
    """Dateline's HTML pages per second over Hugo's, in one pair."""
    dateline, hugo = pair["dateline"], pair["hugo"]
    mine = html_pages(dateline) / dateline["process_s"]
    return mine / (html_pages(hugo) / hugo["seconds"])


def _hugo_label(taxonomies: bool, cores: int | None) -> str:
    label = "tags taxonomy" if taxonomies else "no taxonomies"
    return f"{label}, {'1 core' if cores == 1 else 'all cores'}"


# -- the report -------------------------------------------------------------------------


def _mib(value: float) -> str:
    return f"{value / MIB:,.0f} MiB"


def _memory(run: dict[str, Any]) -> str:
    """Peak PSS of the whole process tree, and the largest single process's peak RSS."""
    pss = f"{run['peak_pss'] / MIB:,.0f}" if "peak_pss" in run else "n/a"
    return f"{pss} / {run['peak_rss'] / MIB:,.0f} MiB"


def html_pages(run: dict[str, Any]) -> int:
    """HTML files that are pages: Hugo's alias redirects (``tags/x/page/1/``) are not."""
    return int(run["html_files"]) - int(run.get("stats", {}).get("aliases", 0))


def _full_row(
    name: str, events: int, html: int, files: int, counted: str, run: dict[str, Any], size: int
) -> str:
    seconds = run["process_s"] if "process_s" in run else run["seconds"]
    return (
        f"| {name} | {html:,} | {files:,} | {counted} | {seconds:,.1f} s "
        f"| {events / seconds:,.0f} | {html / seconds:,.0f} | {files / seconds:,.0f} "
        f"| {_mib(size)} | {_memory(run)} |"
    )


def _spread(values: Sequence[float], fmt: Callable[[float], str]) -> str:
    return f"{fmt(statistics.median(values))} / {fmt(max(values))}"


def markdown(results: dict[str, Any]) -> str:
    """The report: how the archive was made, full builds side by side, incremental builds."""
    lines = [
        f"Machine: {results['machine']}",
        *(f"Command: `{command}`" for command in results["commands"]),
        "",
        f"Archive: {results['events']:,} events, {results['tag_links']:,} event-tag links, "
        f"{results['tags_used']:,} distinct tags (the most common on "
        f"{results['top_tag_share']:.1%} of events), seed {results['seed']}.",
    ]
    dateline = results.get("dateline")
    hugo: dict[str, Any] = results.get("hugo") or {}
    if hugo and "version" in hugo:
        lines.append(f"Hugo: `{hugo['version']}`")
    elif hugo:
        lines.append(f"Hugo: skipped ({hugo.get('skipped', 'no result')}).")
    lines += [
        "",
        "| build | HTML pages | files | counted by the tool | wall | events/s | HTML pages/s "
        "| files/s | output | peak memory (PSS all / RSS largest) |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    events = results["events"]
    if dateline:
        for key in ("full", "full_one_core"):
            if key in dateline:
                full = dateline[key]
                lines.append(
                    _full_row(
                        f"Dateline, full, empty folder, {_processes(full['jobs'])}",
                        events,
                        html_pages(full),
                        full["files"],
                        f"{full['pages_written']:,} written",
                        full,
                        full["bytes"],
                    )
                )
        if "forced_full" in dateline:
            forced, full = dateline["forced_full"], dateline["full"]
            lines.append(
                _full_row(
                    f"Dateline, `full=True` over its own output, {_processes(forced['jobs'])}",
                    events,
                    html_pages(full),
                    full["files"],
                    f"{forced['pages_written']:,} written, {forced['pages_unchanged']:,} unchanged",
                    forced,
                    full["bytes"],
                )
            )
    for run in hugo.get("runs", []):
        stats = run["stats"]
        counted = (
            f"{stats.get('pages', 0):,} pages + {stats.get('paginator_pages', 0):,} paginator"
            f" + {stats.get('aliases', 0):,} aliases"
        )
        lines.append(
            _full_row(
                f"Hugo, {_hugo_label(run['taxonomies'], run['gomaxprocs'])}",
                hugo["content_pages"],
                html_pages(run),
                run["files"],
                counted,
                run,
                run["bytes"],
            )
        )
    if dateline:
        kinds = dateline["full"]["html_kinds"]
        lines += [
            "",
            "Dateline's HTML pages (each also as .md, .json and .xml): "
            + ", ".join(f"{count:,} {kind}" for kind, count in kinds.items())
            + f". In build_site: {dateline['full']['build_site_s']:,.1f} s.",
        ]
        lines += [
            f"Dateline, full, {_processes(dateline[key]['jobs'])}: {_cpu(dateline[key])}."
            for key in ("full", "full_one_core", "forced_full")
            if key in dateline
        ]
        lines += [
            "",
            "| incremental build (Dateline) | runs | wall, median / max | build_site, median / max "
            "| files written, median / max |",
            "|---|---:|---:|---:|---:|",
        ]
        labels = {
            "unchanged": "nothing changed",
            "random": "one random event's summary edited",
            "common": "summary of an event with the most common tag edited",
            "common_headline": "headline of an event with the most common tag edited",
            "most_listed_headline": "headline of the event on the most related lists "
            f"({dateline.get('most_listed_lists', 0):,}) edited",
        }
        for key, label in labels.items():
            runs = dateline["incremental"].get(key, [])
            if not runs:
                continue
            lines.append(
                f"| {label} | {len(runs)} "
                f"| {_spread([r['process_s'] for r in runs], lambda v: f'{v:.2f} s')} "
                f"| {_spread([r['build_site_s'] for r in runs], lambda v: f'{v:.2f} s')} "
                f"| {_spread([r['pages_written'] for r in runs], lambda v: f'{v:,.0f}')} |"
            )
    pairs = results.get("pairs") or []
    if pairs:
        lines += [
            "",
            "| pair (full builds in turn) | Dateline wall | Dateline HTML pages/s "
            "| Hugo, tags taxonomy, wall | Hugo HTML pages/s | ratio |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for k, pair in enumerate(pairs, 1):
            mine, theirs = pair["dateline"], pair["hugo"]
            first = "Hugo first" if pair["hugo_first"] else "Dateline first"
            lines.append(
                f"| {k} ({first}) | {mine['process_s']:.1f} s "
                f"| {html_pages(mine) / mine['process_s']:,.0f} | {theirs['seconds']:.1f} s "
                f"| {html_pages(theirs) / theirs['seconds']:,.0f} | {pair_ratio(pair):.2f}x |"
            )
    lines += ["", *verdicts(results)]
    return "\n".join(lines)


def verdicts(results: dict[str, Any]) -> list[str]:
    """The two targets, each with the figures it was judged on."""
    dateline, hugo = results.get("dateline"), results.get("hugo") or {}
    if not dateline:
        return []
    builds = {False: dateline["full"], True: dateline.get("full_one_core", dateline["full"])}
    lines = []
    for run in hugo.get("runs", []):
        # All cores against all cores, one against one (a jobs=1 build serves for both).
        full = builds[bool(run["gomaxprocs"])]
        if bool(run["gomaxprocs"]) != (full["jobs"] == 1):
            continue
        mine = html_pages(full) / full["process_s"]
        theirs = html_pages(run) / run["seconds"]
        verdict = "met" if mine >= theirs else "not met"
        lines.append(
            f"- Full build, {_processes(full['jobs'])}, vs Hugo "
            f"({_hugo_label(run['taxonomies'], run['gomaxprocs'])}): "
            f"{mine:,.0f} vs {theirs:,.0f} HTML pages/s ({mine / theirs:.2f}x): {verdict}."
        )
    pairs = results.get("pairs") or []
    if pairs:
        ratios = [pair_ratio(pair) for pair in pairs]
        median = statistics.median(ratios)
        lines.append(
            f"- Full build vs Hugo (tags taxonomy), {len(pairs)} pairs built in turn: "
            f"{median:.2f}x at the median ({min(ratios):.2f}x-{max(ratios):.2f}x): "
            f"{'met' if median >= 1 else 'not met'}."
        )
    edits = [
        r["process_s"]
        for key in ("random", "common", "common_headline", "most_listed_headline")
        for r in dateline["incremental"].get(key, [])
    ]
    if edits:
        worst = max(edits)
        verdict = "met" if worst < INCREMENTAL_TARGET_S else "not met"
        lines.append(
            f"- Incremental build after one edit under {INCREMENTAL_TARGET_S:.0f} s: slowest "
            f"of {len(edits)} was {worst:.2f} s (whole process): {verdict}."
        )
    return lines


def machine() -> str:
    return f"{related.machine()}, {platform.platform(terse=True)}, SQLite {sqlite3.sqlite_version}"


# -- command line -----------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Example: .venv/bin/python bench/build.py --events 5000 --json build.json",
    )
    parser.add_argument(
        "--events", type=int, default=100_000, help="archive size (default 100,000)"
    )
    parser.add_argument("--seed", type=int, default=2, help="random seed (default 2)")
    parser.add_argument(
        "--vocabulary", type=int, default=50_000, help="distinct tags to draw from (50,000)"
    )
    parser.add_argument(
        "--zipf-s", type=float, default=1.0, help="Zipf exponent of tag popularity (default 1)"
    )
    parser.add_argument(
        "--edits",
        type=int,
        default=5,
        help="incremental builds per case: unchanged, random edit, common-tag summary and "
        "headline edits, headline of the event on the most related lists (default 5)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        help="folder for the database, the site and the Hugo site, kept afterwards "
        "(default: a temporary folder, removed)",
    )
    parser.add_argument(
        "--forced-full",
        action="store_true",
        help="after the first build, also time build_site(full=True) over its output: every "
        "page rendered, only changed ones written (render cost without the writing)",
    )
    parser.add_argument("--skip-dateline", action="store_true", help="only build with Hugo")
    parser.add_argument("--skip-hugo", action="store_true", help="only build with Dateline")
    parser.add_argument(
        "--no-install",
        action="store_true",
        help="do not apt-get install hugo when it is missing (say so and skip it)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        help="processes for Dateline's full builds (default: build_site's, one per CPU)",
    )
    parser.add_argument(
        "--one-core",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time each tool's full build on one core: Dateline with jobs=1 (into a "
        "second folder, deleted after), Hugo with GOMAXPROCS=1 (default: on)",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=3,
        help="after the runs above, this many more full builds of each tool in turn, the "
        "order swapped each time (the speed verdict is their median ratio; default 3)",
    )
    parser.add_argument("--json", type=Path, help="also write the raw results to this file")
    parser.add_argument(
        "--report",
        nargs="+",
        type=Path,
        metavar="JSON",
        help="only print the report of saved --json results (several are merged, e.g. a "
        "--skip-dateline and a --skip-hugo run)",
    )
    args = parser.parse_args(argv)
    if args.events < 2 * args.edits + 1:
        parser.error(f"--events must be more than twice --edits, got {args.events}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report:
        print(markdown(merged(args.report)))
        return 0
    if not args.skip_dateline:
        try:
            import dateline.site.build  # noqa: F401
        except ImportError as error:
            console.print(f"[red]dateline.site.build is not importable ({error})[/]")
            return 2
    started = time.perf_counter()
    archive = related.make_archive(args.events, args.vocabulary, args.zipf_s, args.seed)
    results: dict[str, Any] = {
        "commands": [shlex.join([".venv/bin/python", "bench/build.py", *sys.argv[1:]])],
        "machine": machine(),
        "events": archive.size,
        "seed": args.seed,
        "tag_links": len(archive.ranks),
        "tags_used": len(np.unique(archive.ranks)),
        "top_tag_share": archive.share(0),
    }
    console.print(
        f"{archive.size:,} events, {results['tag_links']:,} event-tag links, "
        f"{results['tags_used']:,} distinct tags; the most common on "
        f"{results['top_tag_share']:.1%} of events"
    )
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        work, temporary = args.work, None
    else:
        temporary = tempfile.mkdtemp(prefix="dateline-build-bench-")
        work = Path(temporary)
    waited = wait_after_deletions(work)
    if waited:
        console.print(f"waited {waited:.0f} s after the last run's deletions (see quiet.set_aside)")
    try:
        if not args.skip_dateline:
            results["dateline"] = run_dateline(archive, work, args)
            save(results, args.json)
        if not args.skip_hugo:
            results["hugo"] = run_hugo(archive, work, args)
            save(results, args.json)
        if args.pairs and "dateline" in results and results.get("hugo", {}).get("runs"):
            html = html_pages(results["dateline"]["full"])
            results["pairs"] = run_pairs(work, args, html)
            save(results, args.json)
    finally:
        # Only now: deleting the output of earlier runs slows the creation of files for
        # minutes on this machine's file system (quiet.set_aside).
        console.print("deleting the output of earlier runs, set aside ...")
        delete_set_aside(work)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    results["total_s"] = time.perf_counter() - started
    print()
    print(markdown(results))
    print(f"\nTotal run time: {results['total_s']:.0f} s")
    save(results, args.json)
    return 0


def merged(paths: Sequence[Path]) -> dict[str, Any]:
    """Saved ``--json`` results as one: e.g. a Hugo-only and a Dateline-only run.

    Later files add their commands, and their Dateline or Hugo part if they have one;
    the archive figures must agree (same ``--events`` and seed).
    """
    results: dict[str, Any] = {}
    for path in paths:
        part = json.loads(path.read_text(encoding="utf-8"))
        if not results:
            results = part
            continue
        for key in ("events", "seed", "tag_links"):
            if part[key] != results[key]:
                raise SystemExit(f"{path}: {key} is {part[key]}, not {results[key]}")
        results["commands"] = results["commands"] + part["commands"]
        results.update({key: part[key] for key in ("dateline", "hugo") if key in part})
    return results


def save(results: dict[str, Any], path: Path | None) -> None:
    """Write the raw results so far: a long run that fails late still leaves its figures."""
    if path is not None:
        path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
