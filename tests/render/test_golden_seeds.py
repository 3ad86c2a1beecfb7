"""The seed pages are the golden pages of the Markdown renderer.

Each seed is imported, then its event is rendered *from the store* with the related
list the store computes, and compared with the seed text. Where Dateline's canonical
form deliberately differs from a seed, the seed is normalised here, one commented
rule at a time; nothing else may differ.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from dateline.ingest.importer import import_paths
from dateline.ingest.merge import link_version
from dateline.ingest.seedpage import EventPage, parse_page
from dateline.model import Event, RelatedEvent, Version
from dateline.render.markdown import formats_line, render_event_page, version_path
from dateline.store import Store
from tests.conftest import seed_file


def normalise_seed(seed: str, rendered_contexts: list[str], own_path: str) -> str:
    """The seed as Dateline's canonical form writes it."""
    lines = seed.splitlines()
    # 1. 001 starts with an empty line; pages start with their first line.
    while lines and not lines[0].strip():
        lines.pop(0)
    # 2. 000 and 003 have no Formats line; every canonical page has one.
    if not lines[0].startswith("Formats:"):
        lines[:0] = [formats_line(own_path.removesuffix(".md")), ""]
    # 3. "### Source:" (000, 003) and "### Sources:" (001) are one section: "Sources:".
    lines = ["### Sources:" if line == "### Source:" else line for line in lines]
    # 4. Seeds repeat the last number for the cover image and the current version
    #    ("2. [BBC]", "2. [Cover Image]"); canonical lists count 1, 2, 3.
    out, counter = [], 0
    for line in lines:
        if re.match(r"^\d+\. ", line):
            counter += 1
            line = re.sub(r"^\d+\. ", f"{counter}. ", line)
        elif line.startswith("### "):
            counter = 0
        out.append(line)
    lines = out
    # 5. A related headline with a leading space ("[ A Russian Air Force...") is
    #    stored trimmed: outer spaces are not part of a headline.
    lines = [re.sub(r"^(\d+\. )\[ +", r"\1[", line) for line in lines]
    # 6. The seeds show an event's own tags only through its Related entries;
    #    canonical pages also state them, in a Contexts section before the sources.
    at = lines.index("### Sources:")
    lines[at:at] = ["### Contexts:", "", *(f"- {c}" for c in rendered_contexts), ""]
    return "\n".join(lines) + "\n"


def _read_seed(number: str) -> tuple[str, EventPage]:
    text = seed_file(number).read_text(encoding="utf-8")
    page = parse_page(text)
    assert isinstance(page, EventPage)
    return text, page


def _render_from_store(store: Store, page: EventPage, limit: int) -> tuple[str, str]:
    event = store.find_event(page.content.date, page.slug)
    assert event is not None
    rendered = render_event_page(event, related=store.related(event.id, limit))
    return rendered, version_path(event, event.current)


@pytest.mark.parametrize("number", ["000", "001"])
def test_seed_renders_back_from_the_archive(store: Store, number: str) -> None:
    import_paths(store, [seed_file(n) for n in ("000", "001", "003")])
    seed, page = _read_seed(number)
    # 001 lists five related events; the archive page shows as many as the seed does.
    rendered, own = _render_from_store(store, page, limit=len(page.related))
    assert rendered == normalise_seed(seed, list(page.content.contexts), own)


def test_seed_003_renders_back_from_the_archive_it_was_made_from(store: Store) -> None:
    # 003 was generated before the 2017-10-18 event (known here only from 001's list)
    # entered the original archive, so its Related list cannot contain it: the archive
    # it is compared with is built from 000 and 003 alone.
    import_paths(store, [seed_file("000"), seed_file("003")])
    seed, page = _read_seed("003")
    rendered, own = _render_from_store(store, page, limit=10)
    expected = normalise_seed(seed, list(page.content.contexts), own)
    # 7. 003 lists its five "Homs, bombardment" events out of date order (02-09, 02-08,
    #    02-15, 02-13, 02-10); Dateline ranks newest first within a group, as 000 does.
    lines = expected.splitlines()
    start = lines.index("### Related:") + 2
    entries = lines[start:]
    ranked = sorted(entries, key=lambda e: (-_shared_count(e), _days_before_2100(e)))
    moved = {e.split(" _Context: ")[1] for e, r in zip(entries, ranked, strict=True) if e != r}
    assert moved == {"Homs, bombardment_"}, "only that group is out of order in the seed"
    lines[start:] = [re.sub(r"^\d+\. ", f"{n}. ", e) for n, e in enumerate(ranked, 1)]
    assert rendered == "\n".join(lines) + "\n"


def _shared_count(entry: str) -> int:
    return len(entry.rsplit("_Context: ", 1)[1].split(", "))


def _days_before_2100(entry: str) -> int:
    match = re.search(r"\(/news/(\d{4})/(\d{2})/(\d{1,2})/", entry)
    assert match
    return (date(2100, 1, 1) - date(int(match[1]), int(match[2]), int(match[3]))).days


def test_rendering_a_parsed_seed_gives_the_seed_without_a_store() -> None:
    """Parser and renderer alone: a seed read and written back, with 001's own list."""
    seed, page = _read_seed("001")
    versions = []
    for i, change in enumerate(page.changes, 1):
        if change.slug == page.slug:
            versions.append(Version(i, page.slug, page.content, change.created_at))
        else:
            versions.append(link_version(i, change))
    event = Event(1, tuple(versions))
    related = [RelatedEvent(0, r.date, r.slug, r.headline, r.contexts) for r in page.related]
    rendered = render_event_page(event, related=related)
    own = version_path(event, event.current)
    expected = normalise_seed(seed, list(page.content.contexts), own)
    # The earlier versions are partial (only their headline is known), which the
    # Changes list does not show: the page is the same.
    assert rendered == expected
    assert event.current.content.date == date(2011, 11, 8)
