"""The Hugo side of ``bench/build.py``: a Hugo site with one Markdown page per event.

Hugo is the yardstick for Dateline's static-site build: a widely used generator that
is known to be fast. To compare like with like, the Hugo site holds the same events as
the Dateline archive (title, date, context tags as Hugo ``tags``, summary as the body)
under the same folder scheme (``content/news/YYYY/MM/D/<slug>.md``), and renders them
with a layout that is minimal but real: every page has a title, a date, its body and
links to its tags; list pages are paginated, 100 entries a page. The site is built
with and without Hugo's taxonomies, because the tag pages are where most of the work
of a tagged archive is (Dateline's context pages are their counterpart).

Also here, because ``bench/build.py`` needs them for Dateline's build too: running a
child process with its own wall time and peak memory (:func:`measured_run`), and counting
the files and bytes of an output folder (:func:`tree_stats`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quiet import set_aside

if TYPE_CHECKING:
    from dateline.model import Version

PAGINATE = 100
"""List entries per page: Hugo's default (10) would make paginator pages dominate."""

FEED_ITEMS = 50
"""Items per RSS feed. Hugo's default is every page, which for the section feed of a
100,000-page archive means a 100,000-item file; Dateline's feeds list recent events."""

CONFIG = """\
baseURL = "http://127.0.0.1:1313/"
languageCode = "en"
title = "Dateline (Hugo yardstick)"
paginate = {paginate}
buildFuture = true
enableRobotsTXT = false
{disable_kinds}
[services.rss]
limit = {feed_items}
"""

BASEOF = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} | {{ site.Title }}</title>
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
"""

SINGLE = """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
{{ .Content }}
<ul class="tags">
{{ range .Params.tags }}
<li><a href="{{ printf "tags/%s/" (urlize .) | relURL }}">{{ . }}</a></li>
{{ end }}
</ul>
</article>
{{ end }}
"""

# The home page lists the latest events; other lists (the news section, the tag index,
# each tag) are paginated, newest first (Hugo's default order for dated pages).
LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ if .IsHome }}
<ul>
{{ range first 50 site.RegularPages }}
<li><time>{{ .Date.Format "2006-01-02" }}</time>
<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>
{{ end }}
</ul>
{{ else }}
<ul>
{{ range .Paginator.Pages }}
<li><time>{{ .Date.Format "2006-01-02" }}</time>
<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>
{{ end }}
</ul>
{{ template "_internal/pagination.html" . }}
{{ end }}
{{ end }}
"""


@dataclass
class TreeStats:
    """What a build left in a folder: file count and bytes, in all and per extension."""

    files: int = 0
    bytes: int = 0
    by_ext: dict[str, int] = field(default_factory=dict)

    def count(self, ext: str) -> int:
        return self.by_ext.get(ext, 0)


def tree_stats(root: Path, skip_dirs: Iterable[str] = ()) -> TreeStats:
    """Count the files under ``root``, leaving out folders named in ``skip_dirs``.

    Dateline keeps its build state in the output folder (``.dateline-build/``); it is
    not published, so it is not output.
    """
    skipped = set(skip_dirs)
    stats = TreeStats()
    extensions: Counter[str] = Counter()
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skipped]
        for name in names:
            stats.files += 1
            stats.bytes += os.lstat(os.path.join(folder, name)).st_size
            extensions[name.rsplit(".", 1)[-1] if "." in name else ""] += 1
    stats.by_ext = dict(extensions.most_common())
    return stats


@dataclass
class ChildRun:
    """One finished child process: exit status, wall time, memory, what it printed.

    Memory is sampled from /proc while the child runs (see :func:`measured_run`):
    ``peak_rss`` is the largest single process's own peak RSS (``VmHWM``), and
    ``peak_pss`` the largest sum of PSS over the child and all its descendants (a build
    that forks workers shares pages between them; PSS charges each page once in all).
    """

    returncode: int
    seconds: float
    peak_rss: int
    peak_pss: int
    stdout: str


def _children() -> dict[int, list[int]]:
    """Every process's children, from /proc (a process may vanish while we read)."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                # The name, in parentheses, may hold spaces: the fields start after it.
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _kib_field(path: str, name: str) -> int:
    """A ``Name:   123 kB`` line of a /proc file, in bytes (0 if the process is gone)."""
    try:
        with open(path, encoding="ascii", errors="replace") as lines:
            for line in lines:
                if line.startswith(name):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0  # the process ended or /proc is unreadable: nothing to count
    return 0


def tree_memory(root: int, *, pss: bool = True) -> tuple[int, int]:
    """PSS summed over ``root`` and its descendants (0 without ``pss``), and their
    largest ``VmHWM``, in bytes."""
    tree = _children()
    total = largest = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        if pss:
            total += _kib_field(f"/proc/{pid}/smaps_rollup", "Pss:")
        largest = max(largest, _kib_field(f"/proc/{pid}/status", "VmHWM:"))
        todo.extend(tree.get(pid, ()))
    return total, largest


def measured_run(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    sample_every: float = 0.2,
    pss_every: float = 1.0,
) -> ChildRun:
    """Run ``command`` and measure it as a whole process tree.

    Memory is sampled from /proc every ``sample_every`` seconds rather than taken from
    ``os.wait4``: the kernel's ``ru_maxrss`` of a child starts at the size of the
    process it was forked from (here the generator, hundreds of MiB), so it would hide
    a smaller child. ``VmHWM`` is a high-water mark, so sampling misses only growth in
    the child's last moments; PSS is a level, so a shorter peak can be missed. A run
    over before the first sample falls back to ``ru_maxrss`` (an upper bound). Stdout
    goes through a file, so a chatty child cannot block on a full pipe while we wait;
    stderr is passed through (progress bars).

    PSS is read every ``pss_every`` seconds only: the kernel walks a process's page
    tables to sum it (``smaps_rollup``), 9-10 ms of CPU for each of a full build's three
    processes and 17 ms for Hugo's one at 1 GiB. Read every 0.2 s, that took a tenth of
    a core from the builds measured, on a machine of two.
    """
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        started = time.perf_counter()
        child = subprocess.Popen(
            list(command), cwd=cwd, env=None if env is None else dict(env), stdout=out
        )
        done = threading.Event()
        peaks = [0, 0]

        def sample() -> None:
            pss_due = 0.0
            while not done.is_set():
                now = time.perf_counter()
                pss, hwm = tree_memory(child.pid, pss=now >= pss_due)
                if now >= pss_due:
                    pss_due = now + pss_every
                peaks[0], peaks[1] = max(peaks[0], pss), max(peaks[1], hwm)
                done.wait(sample_every)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        printed = out.read()
    pss, rss = peaks
    return ChildRun(child.returncode, seconds, rss or usage.ru_maxrss * 1024, pss, printed)


# -- Hugo -----------------------------------------------------------------------------


def find_hugo(install: bool, say: Any) -> str | None:
    """Path of the ``hugo`` binary; installs Debian's package first if allowed.

    Installing needs root and apt-get; without them (or with ``install`` False) this
    says which command to run and returns None, and the Hugo part is skipped.
    """
    found = shutil.which("hugo")
    if found or not install:
        if not found:
            say("hugo is not on PATH: run 'apt-get install -y hugo' (or see gohugo.io)")
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        say("hugo is not on PATH and cannot be installed from here: run (as root)")
        say("  apt-get install -y hugo")
        return None
    say("hugo is not on PATH: installing Debian's package (apt-get install -y hugo)")
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "hugo"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        stdout=subprocess.DEVNULL,
    )
    return shutil.which("hugo")


def hugo_version(hugo: str) -> str:
    return subprocess.run(
        [hugo, "version"], check=True, capture_output=True, text=True
    ).stdout.strip()


def page_markdown(version: Version) -> str:
    """A Hugo content file for one event version: TOML front matter, summary as body.

    JSON string syntax is valid TOML basic-string syntax, so ``json.dumps`` quotes
    titles and tags safely.
    """
    content = version.content
    tags = ", ".join(json.dumps(tag) for tag in content.contexts)
    return (
        "+++\n"
        f"title = {json.dumps(content.headline)}\n"
        f"date = {content.date.isoformat()}\n"
        f"tags = [{tags}]\n"
        "+++\n\n"
        f"{content.summary}\n"
    )


def write_site(root: Path, histories: Iterable[Sequence[Version]]) -> int:
    """Write the layout and one content page per event (its newest version); how many."""
    layouts = root / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    (layouts / "baseof.html").write_text(BASEOF, encoding="utf-8")
    (layouts / "single.html").write_text(SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(LIST, encoding="utf-8")
    content = root / "content"
    made: set[Path] = set()
    pages = 0
    for history in histories:
        version = history[-1]
        day = version.content.date
        folder = content / "news" / f"{day.year:04d}" / f"{day.month:02d}" / str(day.day)
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        (folder / f"{version.slug}.md").write_text(page_markdown(version), encoding="utf-8")
        pages += 1
    return pages


_STATS_ROW = re.compile(r"^\s*([A-Za-z][A-Za-z ]*?)\s*\|\s*(\d+)\s*$")
_TOTAL = re.compile(r"Total in (\d+) ms")


def parse_stats(printed: str) -> dict[str, int]:
    """Hugo's build summary table (``Pages | 110021`` ...) and its ``Total in N ms``."""
    stats = {}
    for line in printed.splitlines():
        if match := _STATS_ROW.match(line):
            stats[match.group(1).lower().replace(" ", "_")] = int(match.group(2))
        elif match := _TOTAL.search(line):
            stats["total_ms"] = int(match.group(1))
    return stats


def build(
    hugo: str, root: Path, *, taxonomies: bool, gomaxprocs: int | None = None
) -> dict[str, Any]:
    """Build the site from scratch once and measure it.

    ``public/`` and ``resources/`` are removed first, so every run renders everything
    (Hugo has no incremental build outside ``hugo server``). ``gomaxprocs`` limits the
    Go scheduler to that many cores, for a per-core comparison with Dateline's build,
    which runs in one Python process.
    """
    disable = "" if taxonomies else 'disableKinds = ["taxonomy", "term"]\n'
    (root / "hugo.toml").write_text(
        CONFIG.format(paginate=PAGINATE, feed_items=FEED_ITEMS, disable_kinds=disable),
        encoding="utf-8",
    )
    for stale in ("public", "resources"):
        set_aside(root / stale)  # deleted after the measurements: see quiet.set_aside
    env = dict(os.environ)
    if gomaxprocs:
        env["GOMAXPROCS"] = str(gomaxprocs)
    run = measured_run([hugo, "--source", str(root)], env=env)
    if run.returncode != 0:
        raise RuntimeError(f"hugo failed (exit {run.returncode}):\n{run.stdout[-2000:]}")
    output = tree_stats(root / "public")
    return {
        "taxonomies": taxonomies,
        "gomaxprocs": gomaxprocs,
        "seconds": run.seconds,
        "peak_rss": run.peak_rss,
        "peak_pss": run.peak_pss,
        "stats": parse_stats(run.stdout),
        "files": output.files,
        "bytes": output.bytes,
        "by_ext": output.by_ext,
        "html_files": output.count("html"),
    }
