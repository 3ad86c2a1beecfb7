"""What some parts of a full site build's pages cost, in one process, CPU microseconds.

A whole build's time swings by 10% or more from one run to the next on this machine,
more than most single changes to it save; this script times the parts one at a time,
on the 100,000-event archive of ``bench/build.py``, each item once, as a build's worker
meets it (so what a build keeps, it keeps cold at first):

- the XML of 8,000 event pages, their related entries' parts kept as a build keeps them;
- the XML of every sixth tag's page, its events' entries made beforehand, as a build's
  event tasks make them;
- the list entries of every fourth event (``entry_parts``: its entry in four formats);
- the Atom feeds of every other tag, their entries kept as a build keeps them;
- the pages of 40 tags of 100-999 events (a tag page and its year pages, four formats).

Run from two checkouts to compare them: ``--tree`` puts the other checkout first on the
import path. A digest of everything made says whether both made the same bytes.

Usage: ``python bench/render_parts.py [--db bench/out/build/archive.db] [--tree PATH]``
(``bench/build.py`` makes the archive).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import sys
import time
from collections import Counter, defaultdict
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="bench/out/build/archive.db", help="the archive")
    parser.add_argument("--tree", help="a checkout of Dateline to measure instead of this one")
    args = parser.parse_args()
    if args.tree:
        sys.path.insert(0, args.tree)
    results = measure(args.db)
    print(args.tree or "this checkout")
    for name, value in results.items():
        print(f"  {name}: {value}")


def measure(db: str) -> dict[str, Any]:
    # Imported here: after --tree has put the checkout to measure first.
    from dateline.render import xml_format
    from dateline.render.atom import feed_entries_kept, render_atom
    from dateline.render.listed import ListedEntry, listing_from
    from dateline.render.listed_parts import entry_parts
    from dateline.render.views import context_view, context_years, event_view, feed_view
    from dateline.site.build import CONTEXT_FEED_SIZE, _latest
    from dateline.store import open_store

    store = open_store(db)
    contexts = store.contexts(include_unused=True)
    slugs = {c.name: c.slug for c in contexts}
    entries = store.all_entries()
    store.load_related_index(listing={e.id: (e.slug, e.headline) for e in entries})
    by_context: dict[str, list[Any]] = defaultdict(list)
    for entry in entries:
        for context in entry.contexts:
            by_context[context.slug].append(entry)
    ids = [e.id for e in entries][1::5][:8000]
    related = store.related_many(ids, 10)
    event_views = [event_view(e, e.current, related[e.id], slugs) for e in store.events(ids)]
    digest = hashlib.sha1()
    gc.collect()
    gc.freeze()  # as a build does with what it loaded
    gc.disable()
    found: dict[str, Any] = {}

    with xml_format.related_parts_kept({}):
        started = time.process_time()
        made = [xml_format.render_xml(view) for view in event_views]
        found["event page XML, us"] = _per(started, len(made))
    digest.update(b"".join(made))

    started = time.process_time()
    book = {e.id: ListedEntry(e.id, entry_parts(e)) for e in entries[::4]}
    found["list entry parts, us an event"] = _per(started, len(book))
    book.update((e.id, ListedEntry(e.id, entry_parts(e))) for e in entries if e.id not in book)

    with listing_from(book):
        tag_views = [
            context_view(
                c, by_context[c.slug], day_counts=Counter(e.date for e in by_context[c.slug])
            )
            for c in contexts[::6]
        ]
        started = time.process_time()
        made = [xml_format.render_xml(view) for view in tag_views]
        found["tag page XML, us"] = _per(started, len(made))
        digest.update(b"".join(made))

        chosen = [c for c in contexts if 100 <= len(by_context[c.slug]) < 1000][:40]
        started = time.process_time()
        pages = 0
        for context in chosen:
            files = _tag_pages(context, by_context[context.slug], context_view, context_years)
            pages += len(files)
            digest.update(b"".join(d if isinstance(d, bytes) else d.encode() for _, d in files))
        found["tags of 100-999 events, ms a tag (four formats)"] = round(
            (time.process_time() - started) / len(chosen) * 1e3, 2
        )
        found["  files a tag"] = pages / len(chosen)

    with feed_entries_kept({}):
        started = time.process_time()
        feeds = []
        for context in contexts[::2]:
            path = f"/context/{context.slug}.atom"
            view = feed_view(
                f"Dateline: {context.name}",
                path,
                path.removesuffix(".atom"),
                _latest(by_context[context.slug], CONTEXT_FEED_SIZE),
            )
            feeds.append(render_atom(view, base_url="http://127.0.0.1:8000"))
        found["tag feed, us"] = _per(started, len(feeds))
    digest.update(b"".join(feeds))
    found["digest of all made"] = digest.hexdigest()[:12]
    return found


def _tag_pages(
    context: Any, tagged: list[Any], context_view: Any, context_years: Any
) -> list[tuple[str, str | bytes]]:
    """A tag's page and its year pages in four formats, as a full build makes them."""
    from dateline.site.pages import list_files

    counts = Counter(e.date for e in tagged)
    files = list(list_files(context_view(context, tagged, day_counts=counts)))
    years = sorted(set(context_years(counts)))
    of_year: dict[int, list[Any]] = defaultdict(list)
    for entry in tagged:
        of_year[entry.date.year].append(entry)
    counts_of_year: dict[int, dict[Any, int]] = defaultdict(dict)
    for day, n in counts.items():
        counts_of_year[day.year][day] = n
    for year in years:
        view = context_view(
            context, of_year[year], year=year, day_counts=counts_of_year[year], years=years
        )
        files += list_files(view)
    return files


def _per(started: float, count: int) -> float:
    return round((time.process_time() - started) / count * 1e6, 1)


if __name__ == "__main__":
    main()
