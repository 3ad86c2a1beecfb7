"""Re-tagging the archive once the vocabulary has grown (``dateline contexts retag``).

Each event's current headline and summary are tagged with the vocabulary of the
archive (:func:`~dateline.nlp.vocabulary.vocabulary_from_store`: its context tags and
the link sightings recorded). Tags are only ever added, after those the event has: a
tag set by a link or an editor is never taken away by a tagger. An event that gains a
tag gets a new version noted :data:`RETAG_NOTE`; one that gains none is not touched,
so a second run with the same vocabulary writes nothing.

Stubs (events known only from a link) are skipped: their text is a headline seen on
another page, and their own page, once imported, completes them. Writes are committed
every ``batch_size`` events, so an interrupted run keeps what it did and a rerun goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from dateline.errors import StaleVersionError
from dateline.model.event import MAX_CONTEXTS
from dateline.nlp.vocabulary import Vocabulary, vocabulary_from_store

if TYPE_CHECKING:
    from dateline.model import Version
    from dateline.store import Store

RETAG_NOTE = "contexts retagged"

OnEvent = Callable[[int, tuple[str, ...]], None]
"""Called for every event read: its id and the tags added (empty when none)."""


@dataclass
class RetagReport:
    """What a retag did."""

    contexts: int = 0
    """Contexts in the vocabulary."""
    forms: int = 0
    """Surface forms in the vocabulary (names and aliases)."""
    events: int = 0
    """Events read."""
    retagged: int = 0
    """Events given a new version."""
    tags_added: int = 0
    stubs: int = 0
    """Events skipped because they are known only from a link."""
    stale: int = 0
    """Events edited by someone else during the run: left for the next run."""
    full: int = 0
    """Events that could take no more tags (they have the most an event may have)."""

    def summary(self) -> str:
        """One line for the command to print."""
        line = (
            f"{self.retagged:,} of {self.events:,} events retagged, {self.tags_added:,} tags "
            f"added (vocabulary: {self.contexts:,} contexts, {self.forms:,} forms)"
        )
        skipped = [
            f"{count:,} {what}"
            for count, what in (
                (self.stubs, "known only from a link"),
                (self.stale, "edited meanwhile"),
                (self.full, f"already at {MAX_CONTEXTS} tags"),
            )
            if count
        ]
        return line + (f"; skipped: {', '.join(skipped)}" if skipped else "")


def retag_archive(
    store: Store,
    on_event: OnEvent | None = None,
    *,
    vocabulary: Vocabulary | None = None,
    batch_size: int = 500,
) -> RetagReport:
    """Tag every event of ``store`` again, adding the contexts its text names (see the
    module docstring); ``vocabulary`` defaults to the archive's own."""
    chosen = vocabulary if vocabulary is not None else vocabulary_from_store(store)
    tagger = chosen.tagger()
    report = RetagReport(contexts=len(chosen.contexts), forms=len(chosen.forms))
    versions = store.iter_current_versions()
    while batch := list(islice(versions, batch_size)):
        with store.transaction():
            for event_id, version in batch:
                added = _retag(store, event_id, version, tagger.tag_all, report)
                if on_event is not None:
                    on_event(event_id, added)
    return report


def _retag(
    store: Store,
    event_id: int,
    version: Version,
    tag: Callable[[list[str]], tuple[str, ...]],
    report: RetagReport,
) -> tuple[str, ...]:
    report.events += 1
    if version.partial:
        report.stubs += 1
        return ()
    content = version.content
    new = [c for c in tag([content.headline, content.summary]) if c not in content.contexts]
    room = MAX_CONTEXTS - len(content.contexts)
    if new and room <= 0:
        report.full += 1
        return ()
    added = tuple(new[:room])
    if not added:
        return ()
    try:
        store.add_contexts(event_id, added, note=RETAG_NOTE, expected_version=version.number)
    except StaleVersionError:
        report.stale += 1
        return ()
    report.retagged += 1
    report.tags_added += len(added)
    return added
