"""How often the rewording rule takes two different items of one day for one item.

Every pair of items of the same day in the ``wcep-days`` corpus is a pair of different
items (the scrape lists each once; a headline repeated under two headings is already
merged by the reader), so any pair :func:`dateline.ingest.rewording.same_item` accepts
is a false match. Run from the repository root (about a minute)::

    .venv/bin/python bench/rewording.py [--data ../shared/data/wcep-days] [--show 20]

The figure is quoted in the docstring of ``dateline/ingest/rewording.py`` and in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dateline.ingest.rewording import same_item
from dateline.ingest.wcep_yaml import read_portal_day

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wcep-days"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the wcep-days folder")
    parser.add_argument("--show", type=int, default=20, help="false matches to print")
    args = parser.parse_args()
    pairs = 0
    false: list[tuple[float, str, str, str]] = []
    for path in sorted(args.data.rglob("*.yaml")):
        headlines = [e.headline for e in read_portal_day(path).events]
        for i, first in enumerate(headlines):
            for second in headlines[i + 1 :]:
                pairs += 1
                score = same_item(first, second)
                if score is not None:
                    false.append((score, path.stem, first, second))
    print(f"{pairs:,} same-day pairs of different items, {len(false)} taken for one item")
    for score, day, first, second in sorted(false, reverse=True)[: args.show]:
        print(f"  {score:5.1f} {day} | {first[:100]} | {second[:100]}")


if __name__ == "__main__":
    main()
