"""Plain data: events, versions, contexts, the URL scheme and slugs. No I/O."""

from dateline.model.event import (
    Context,
    Event,
    EventContent,
    RelatedEvent,
    Source,
    Version,
    validate_editor,
    validate_note,
)
from dateline.model.paths import PagePath, day_label, day_path, event_path, parse_page_path
from dateline.model.slugs import context_slug, is_valid_slug, slug_for_headline

__all__ = [
    "Context",
    "Event",
    "EventContent",
    "PagePath",
    "RelatedEvent",
    "Source",
    "Version",
    "context_slug",
    "day_label",
    "day_path",
    "event_path",
    "is_valid_slug",
    "parse_page_path",
    "slug_for_headline",
    "validate_editor",
    "validate_note",
]
