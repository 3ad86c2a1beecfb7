"""How what a page says about an event is merged into what is stored (pure functions).

The rules are chosen so that importing the same pages in any order gives the same
archive:

* A version is identified by its date and slug. Two accounts of one version combine:
  a complete account beats a partial one (a link seen on another page); two partial
  accounts keep the union of their context tags, sorted, because a ``Related:`` entry
  lists shared tags in the *linking* page's order, so the linked event's own order is
  unknown; two complete accounts must agree.
* A page's ``Changes:`` list gives the sequence of versions. It must extend the stored
  sequence or be a prefix of it; a stub (an event known only from links) takes the
  page's sequence.
* A page whose current version differs from the stored current version records an
  edit (a new version); one that contradicts an earlier stored version is a conflict,
  because history is never rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from dateline.errors import ConflictError
from dateline.ingest.seedpage import EventPage, PageLink
from dateline.model import EventContent, Version


@dataclass(frozen=True, slots=True)
class MergePlan:
    """The history to store, and optionally an edit to record on top of it."""

    history: list[Version]
    edit: EventContent | None = None


def page_versions(page: EventPage) -> tuple[list[Version] | None, Version]:
    """The version sequence a page states (None without a Changes list) and its own version."""
    own = Version(
        number=page.version or 1, slug=page.slug, content=page.content, partial=page.partial
    )
    if not page.changes:
        return None, own
    sequence = [link_version(i, link) for i, link in enumerate(page.changes, 1)]
    position = _own_position(page, sequence)
    entry = sequence[position]
    sequence[position] = replace(
        own, number=entry.number, created_at=entry.created_at, editor=entry.editor, note=entry.note
    )
    return sequence, sequence[position]


def link_version(number: int, link: PageLink) -> Version:
    """The partial version a link describes."""
    content = EventContent(
        date=link.date,
        headline=link.headline,
        contexts=tuple(sorted(set(link.contexts), key=_tag_key)),
    )
    return Version(
        number=number,
        slug=link.slug,
        content=content,
        created_at=link.created_at,
        editor=link.editor,
        note=link.note,
        partial=True,
    )


def merge_page(stored: Sequence[Version], page: EventPage) -> MergePlan:
    """The history after importing ``page`` for an event stored as ``stored`` (may be empty)."""
    sequence, own = page_versions(page)
    if sequence is None:
        if not stored:
            return MergePlan([replace(own, number=1)])
        at = _find(stored, own)
        if at is None:
            raise ConflictError(f"the page for {own.slug} matches no stored version")
        return _merge_into(list(stored), at, own)
    if not stored:
        return MergePlan(sequence)
    merged = _align(list(stored), sequence)
    # Positions survive alignment, and the page's Changes list says which one it is.
    return _merge_into(merged, own.number - 1, own)


def merge_link(stored: Sequence[Version], link: PageLink) -> list[Version]:
    """The history after seeing a link to this event (a Related entry) on another page."""
    mention = link_version(1, link)
    if not stored:
        return [mention]
    at = _find(stored, mention)
    if at is None:
        return list(stored)  # a link to a slug this event never had: nothing to learn
    history = list(stored)
    history[at] = combine(history[at], replace(mention, number=history[at].number))
    return history


def combine(a: Version, b: Version) -> Version:
    """One account of a version from two (same number, date and slug); order does not matter."""
    if a.partial and not b.partial:
        a, b = b, a
    if not a.partial and b.partial:
        return _fill_metadata(a, b)
    if not a.partial and not b.partial:
        if a.content != b.content:
            raise ConflictError(f"version {a.number} ({a.slug}) is stored with other content")
        return _fill_metadata(a, b)
    tags = tuple(sorted(set(a.content.contexts) | set(b.content.contexts), key=_tag_key))
    headline = min(a.content.headline, b.content.headline)
    merged = _fill_metadata(a, b)
    return replace(merged, content=replace(a.content, headline=headline, contexts=tags))


def _fill_metadata(a: Version, b: Version) -> Version:
    """``a`` with the when/who/why it lacks taken from ``b`` (the smaller when both differ)."""
    return replace(
        a,
        created_at=_pick(a.created_at, b.created_at),
        editor=_pick(a.editor, b.editor),
        note=_pick(a.note, b.note),
    )


def _pick(x: Any, y: Any) -> Any:
    """The known one of two values; the smaller if both are known (so order never matters)."""
    if x is None or y is None:
        return x if y is None else y
    return min(x, y)


def _merge_into(history: list[Version], at: int, own: Version) -> MergePlan:
    own = replace(own, number=history[at].number)
    try:
        history[at] = combine(history[at], own)
    except ConflictError:
        if at != len(history) - 1:
            raise ConflictError(
                f"the page gives version {own.number} ({own.slug}) other content than the "
                "stored one, and stored versions are never rewritten"
            ) from None
        return MergePlan(history, edit=own.content)
    return MergePlan(history)


def _align(stored: list[Version], sequence: list[Version]) -> list[Version]:
    """Merge two version sequences of one event position by position."""
    keys_stored = [_key(v) for v in stored]
    keys_page = [_key(v) for v in sequence]
    if all(v.partial for v in stored) and len(stored) == 1 and keys_stored[0] in keys_page:
        base = list(sequence)  # a stub: the page knows the real history
        at = keys_page.index(keys_stored[0])
        base[at] = combine(base[at], replace(stored[0], number=base[at].number))
        return base
    if keys_page[: len(keys_stored)] == keys_stored:
        longer, shorter = sequence, stored
    elif keys_stored[: len(keys_page)] == keys_page:
        longer, shorter = stored, sequence
    else:
        raise ConflictError(
            "the page's Changes list ("
            + ", ".join(v.slug[:40] for v in sequence)
            + ") does not continue the stored history ("
            + ", ".join(v.slug[:40] for v in stored)
            + ")"
        )
    merged = list(longer)
    for i, version in enumerate(shorter):
        merged[i] = combine(merged[i], version)
    return merged


def _own_position(page: EventPage, sequence: list[Version]) -> int:
    if page.version is not None and page.version <= len(sequence):
        candidate = sequence[page.version - 1]
        if candidate.slug == page.slug:
            return page.version - 1
    matches = [
        i
        for i, v in enumerate(sequence)
        if v.slug == page.slug and v.content.date == page.content.date
    ]
    if matches:
        return matches[-1]
    by_headline = [i for i, v in enumerate(sequence) if v.content.headline == page.content.headline]
    if by_headline:
        return by_headline[-1]
    raise ConflictError(f"the page's own address ({page.slug}) is not in its Changes list")


def _find(history: Sequence[Version], version: Version) -> int | None:
    """Index of the newest version with the same date and slug."""
    key = _key(version)
    for i in range(len(history) - 1, -1, -1):
        if _key(history[i]) == key:
            return i
    return None


def _key(version: Version) -> tuple[object, str]:
    return (version.content.date, version.slug)


def _tag_key(tag: str) -> tuple[str, str]:
    return (tag.casefold(), tag)
