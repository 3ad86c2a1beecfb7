from __future__ import annotations

from datetime import date

import pytest

from dateline.errors import InputError
from dateline.model import EventContent, Source, validate_editor, validate_note

DAY = date(2012, 2, 9)


def test_validation_trims_and_deduplicates() -> None:
    content = EventContent(DAY, "  Homs shelled  ", " text ", contexts=("Homs", "Homs", "Syria"))
    checked = content.validated()
    assert checked.headline == "Homs shelled"
    assert checked.summary == "text"
    assert checked.contexts == ("Homs", "Syria")


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        (EventContent(DAY, "   "), "headline", "must not be empty"),
        (EventContent(DAY, "a\nb"), "headline", "single line"),
        (EventContent(DAY, "h", contexts=("",)), "contexts", "empty"),
        (EventContent(DAY, "h", sources=(Source(""),)), "sources[1]", "publisher"),
        (
            EventContent(DAY, "h", sources=(Source("BBC", "javascript:alert(1)"),)),
            "sources[1].url",
            "expected http:// or https://",
        ),
        (EventContent(DAY, "h", cover_image="ftp://x"), "cover_image", "web address"),
        (EventContent(DAY, "bell\x07"), "headline", r"control character U\+0007"),
        (EventContent(DAY, "h", "a\x0bb"), "summary", r"control character U\+000B"),
        (
            EventContent(DAY, "h", sources=(Source("cover image", "https://x.org/a.jpg"),)),
            "sources[1].publisher",
            "names the cover image in event pages",
        ),
    ],
)
def test_invalid_fields_are_named(content: EventContent, field: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        content.validated()
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_editor_and_note_are_single_lines() -> None:
    assert validate_editor(" ann ") == "ann"
    assert validate_editor("") is None
    with pytest.raises(InputError, match="':'"):
        validate_editor("ann: x")
    with pytest.raises(InputError, match="single line"):
        validate_note("a\nb")
