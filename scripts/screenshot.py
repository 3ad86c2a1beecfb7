"""Take the README's screenshot: seed 001's event page as the static site shows it.

Usage (from the repository root, after ``make install system-deps``)::

    .venv/bin/python scripts/screenshot.py                 # writes docs/screenshot.png
    .venv/bin/python scripts/screenshot.py out/event.png

The seeds are imported into a throwaway archive, ``dateline build`` writes the site into
a temporary folder, and Debian's headless Chromium (``/usr/bin/chromium``) photographs
the current version of seed 001's event (the page with the richest history) in a
1280x900 window. It reuses the test suite's helpers (tests/support/), so the picture is
taken exactly the way the browser tests see the site.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/support is not installed: import it from the checkout

from tests.support.browser import (  # noqa: E402
    ChromiumMissingError,
    launch_chromium,
    new_context,
    open_page,
)
from tests.support.links import current_event_page  # noqa: E402
from tests.support.site_server import build_site, serve_folder  # noqa: E402

SEEDS = Path(os.environ.get("DATELINE_SHARED", ROOT.parent / "shared")) / "seeds"
EVENT_SLUG = "the-syrian-government-continues-its-crackdown"
"""Part of the URL of seed 001's event."""
WIDTH, HEIGHT = 1280, 900


def take_screenshot(output: Path, seeds: Path = SEEDS) -> Path:
    """Build the site of ``seeds`` and save the event page's screenshot as ``output``.

    Raises :class:`ChromiumMissingError` without Chromium, :class:`RuntimeError` when a
    ``dateline`` command fails, and :class:`AssertionError` when the page shows an error.
    """
    with tempfile.TemporaryDirectory(prefix="dateline-screenshot-") as folder:
        site = build_site(seeds, Path(folder))
        event = current_event_page(site, EVENT_SLUG)
        with (
            serve_folder(site) as base_url,
            launch_chromium() as browser,
            new_context(browser, width=WIDTH, height=HEIGHT) as context,
        ):
            page, problems = open_page(context, base_url + event.relative_to(site).as_posix())
            problems.assert_clean(f"the page to photograph ({page.url})")
            output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=output)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "output",
        nargs="?",
        type=Path,
        default=ROOT / "docs" / "screenshot.png",
        help="where to save the PNG (default: docs/screenshot.png)",
    )
    parser.add_argument(
        "--seeds", type=Path, default=SEEDS, help=f"the pages to import (default: {SEEDS})"
    )
    args = parser.parse_args(argv)
    try:
        path = take_screenshot(args.output, args.seeds)
    except (ChromiumMissingError, RuntimeError, LookupError, AssertionError) as error:
        print(f"screenshot.py: {error}", file=sys.stderr)
        return 2
    print(f"Saved {WIDTH}x{HEIGHT} screenshot of {EVENT_SLUG}... to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
