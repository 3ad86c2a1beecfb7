"""An event page with its related list made anew and put in place of the old one is
byte for byte the page rendered whole with the new list, in every format."""

from __future__ import annotations

from datetime import date

from dateline.ingest.importer import import_paths
from dateline.model import Event, EventContent, RelatedEvent, Source, Version
from dateline.render.markdown import version_path
from dateline.render.related_splice import related_parts, spliced
from dateline.site.pages import day_files, event_files
from dateline.store import Store
from tests.conftest import EVENT_SEEDS, seed_file

# What the markers look like, in every field an event page or its related list shows.
LOOKALIKE = (
    '<section aria-labelledby="related"> ,"related":[ \\n  <related> ### Related: '
    '</section> </article> & "quoted"'
)


def _bytes(content: str | bytes) -> bytes:
    return content.encode() if isinstance(content, str) else content


def _pages(event: Event, related: list[RelatedEvent]) -> dict[str, bytes]:
    files = event_files(event, event.current, related, {}, [])
    return {path.rsplit(".", 1)[1]: _bytes(text) for path, text in files[:4]}


def _variants(related: list[RelatedEvent]) -> list[list[RelatedEvent]]:
    odd = RelatedEvent(99, date(2012, 2, 1), "odd-one", LOOKALIKE, (LOOKALIKE, "Homs"))
    return [
        related,
        related[::-1],
        [],
        related[:1],
        [odd, *related[:3]],
        [r._replace(headline=f"{r.headline} {LOOKALIKE}") for r in related],
    ]


def test_spliced_pages_equal_pages_rendered_whole(store: Store) -> None:
    import_paths(store, [seed_file(n) for n in EVENT_SEEDS])
    hostile = EventContent(
        date(2012, 2, 9),
        f"Headline {LOOKALIKE}",
        f"Summary\n### Related:\n{LOOKALIKE}",
        story=LOOKALIKE,
        contexts=(LOOKALIKE, "Homs"),
        sources=(Source(LOOKALIKE, "https://example.org/a?b=1&c=<2>"),),
    )
    store.create_event(hostile)
    events = [e for e in store.iter_events() if not e.is_stub]
    store.load_related_index()
    checked = 0
    for event in events:
        real = store.related(event.id)
        path = version_path(event, event.current, "")[:-1]
        for before in _variants(real):
            old = _pages(event, before)
            for after in _variants(real):
                new = _pages(event, after)
                for ext, part in related_parts(path, after).items():
                    assert spliced(ext, old[ext], part) == new[ext], (event.id, ext)
                    checked += 1
    assert checked >= len(events) * 36 * 4
    assert any(store.related(e.id) for e in events)


def test_no_place_for_a_list_is_none() -> None:
    day = day_files(date(2012, 2, 9), [])
    pages = {path.rsplit(".", 1)[1]: _bytes(text) for path, text in day}
    event = Event(1, (Version(1, "a-slug", EventContent(date(2012, 2, 9), "A")),))
    parts = related_parts(version_path(event, event.current, "")[:-1], [])
    assert spliced("json", pages["json"], parts["json"]) is None
    assert spliced("xml", pages["xml"], parts["xml"]) is None
    assert spliced("md", b"no blank line before", parts["md"]) is None
    assert spliced("html", b"<p>no article</p>", parts["html"]) is None
    assert spliced("atom", b"", b"") is None
