"""Benchmark of article text extraction on real pages: Dateline against the tools it builds on.

Runs ``extract_article`` (``dateline/ingest/article``) on the 181 pages of the
article-extraction benchmark (``../shared/data/article-extraction-benchmark``: real
article pages and the true ``articleBody`` of each), and, side by side, trafilatura
(default settings), readability-lxml and jusText run directly. Every tool gets the same
decompressed bytes and the page's URL. The score is the benchmark's own
(:mod:`dateline.ingest.article.scoring`: precision, recall and F1 over 4-token
shingles, averaged over pages); speed is pages per second on one core, parsing
included, the best of ``--rounds`` passes after a warm-up.

Targets (issue: article ingestion): Dateline's F1 at least that of the best of the
others, at no less than half the speed of trafilatura's default. The F1 reached is
pinned by ``tests/ingest/article/test_quality_gate.py``.

Run from the repository root::

    .venv/bin/python bench/extract.py --rounds 3 --json extract.json   # docs/benchmarks.md
    .venv/bin/python bench/extract.py --variants     # also the trafilatura settings tried

readability-lxml returns HTML: its text is read block by block, so that paragraphs
don't run into each other. jusText is given its English stop list (most pages are
English; it has no language detection of its own).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import justext  # type: ignore[import-untyped]
import lxml.html
import trafilatura
from readability import Document  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dateline.errors import InputError  # noqa: E402
from dateline.ingest.article import extract_article  # noqa: E402
from dateline.ingest.article.scoring import overlap, score  # noqa: E402

SHARED = Path(os.environ.get("DATELINE_SHARED", ROOT.parent / "shared"))
DEFAULT_DATA = SHARED / "data" / "article-extraction-benchmark"
WARM_UP_PAGES = 5
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "td"}
    | {"th", "br", "section", "article", "figcaption"}
)

Extractor = Callable[[bytes, str], str]


@dataclass(frozen=True)
class Page:
    key: str
    url: str
    html: bytes
    true_text: str


@dataclass(frozen=True)
class Result:
    tool: str
    precision: float
    recall: float
    f1: float
    pages_per_second: float
    empty: int


def load_pages(folder: Path) -> list[Page]:
    """The benchmark's pages (decompressed) with their true article text, in key order."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page(
            key,
            entry["url"],
            gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()),
            entry.get("articleBody", ""),
        )
        for key, entry in sorted(truth.items())
    ]


def dateline(html: bytes, url: str) -> str:
    try:
        return extract_article(html, url=url).text
    except InputError:
        return ""


def trafilatura_with(**options: Any) -> Extractor:
    def run(html: bytes, url: str) -> str:
        return trafilatura.extract(html, url=url, **options) or ""

    return run


def readability_lxml(html: bytes, url: str) -> str:
    summary = Document(html, url=url).summary(html_partial=True)
    tree = lxml.html.fromstring(summary)
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    return "".join(str(text) for text in tree.itertext())


_ENGLISH = justext.get_stoplist("English")


def jus_text(html: bytes, url: str) -> str:
    paragraphs = justext.justext(html, _ENGLISH)
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


TOOLS: dict[str, Extractor] = {
    "dateline": dateline,
    "trafilatura (default)": trafilatura_with(),
    "readability-lxml": readability_lxml,
    "justext": jus_text,
}

# The trafilatura settings tried when choosing Dateline's (dateline/ingest/article/webpage.py).
VARIANTS: dict[str, Extractor] = {
    "trafilatura fast": trafilatura_with(fast=True),
    "trafilatura favor_precision": trafilatura_with(favor_precision=True),
    "trafilatura favor_recall": trafilatura_with(favor_recall=True),
    "trafilatura no tables": trafilatura_with(include_tables=False),
    "trafilatura no comments": trafilatura_with(include_comments=False),
    "trafilatura no comments, fast": trafilatura_with(include_comments=False, fast=True),
    "trafilatura no comments, favor_recall": trafilatura_with(
        include_comments=False, favor_recall=True
    ),
    "trafilatura no comments, favor_precision": trafilatura_with(
        include_comments=False, favor_precision=True
    ),
    "trafilatura no comments, favor_precision, fast": trafilatura_with(
        include_comments=False, favor_precision=True, fast=True
    ),
    "trafilatura no comments, favor_precision, no tables": trafilatura_with(
        include_comments=False, favor_precision=True, include_tables=False
    ),
    "trafilatura no comments, favor_precision, formatting": trafilatura_with(
        include_comments=False, favor_precision=True, include_formatting=True
    ),
    "trafilatura no comments, favor_precision, deduplicate": trafilatura_with(
        include_comments=False, favor_precision=True, deduplicate=True
    ),
}


def measure(name: str, extractor: Extractor, pages: Sequence[Page], rounds: int) -> Result:
    """Score one extractor on every page; speed is the best of ``rounds`` timed passes."""
    for page in pages[:WARM_UP_PAGES]:
        extractor(page.html, page.url)
    best = float("inf")
    texts: list[str] = []
    for _ in range(rounds):
        started = time.perf_counter()
        texts = [extractor(page.html, page.url) for page in pages]
        best = min(best, time.perf_counter() - started)
    result = score(overlap(page.true_text, text) for page, text in zip(pages, texts, strict=True))
    return Result(
        name,
        result.precision,
        result.recall,
        result.f1,
        len(pages) / best,
        sum(1 for text in texts if not text.strip()),
    )


def markdown_table(results: Sequence[Result]) -> str:
    lines = [
        "| tool | precision | recall | F1 | pages/s | empty |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r.tool} | {r.precision:.3f} | {r.recall:.3f} | {r.f1:.3f} "
        f"| {r.pages_per_second:.1f} | {r.empty} |"
        for r in results
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark folder")
    parser.add_argument("--rounds", type=int, default=1, help="timed passes per tool (best kept)")
    parser.add_argument("--variants", action="store_true", help="also the trafilatura settings")
    parser.add_argument("--tools", nargs="*", help="only these tools (names as in the table)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pages = load_pages(args.data)
    tools = {**TOOLS, **(VARIANTS if args.variants else {})}
    if args.tools:
        tools = {name: tools[name] for name in args.tools}
    results = []
    for name, extractor in tools.items():
        results.append(measure(name, extractor, pages, args.rounds))
        print(f"{name}: done", file=sys.stderr, flush=True)
    print(f"{len(pages)} pages of {args.data.name}, Python {platform.python_version()}\n")
    print(markdown_table(results))
    if args.json:
        report = {
            "pages": len(pages),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "versions": {
                "trafilatura": trafilatura.__version__,
            },
            "results": [asdict(result) for result in results],
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
