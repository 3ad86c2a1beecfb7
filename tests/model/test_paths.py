from __future__ import annotations

from datetime import date

import pytest

from dateline.errors import InputError
from dateline.model import day_label, day_path, event_path, parse_page_path


def test_the_archive_url_scheme() -> None:
    day = date(2012, 2, 9)
    assert day_label(day) == "2012-02-9"
    assert day_path(day) == "/news/2012/02/9/index.md"
    assert event_path(day, "a-b", "json") == "/news/2012/02/9/a-b.json"
    assert event_path(day, "a-b", version=2) == "/news/2012/02/9/a-b.v2.md"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/news/2012/02/9/a-b.md", (date(2012, 2, 9), "a-b", "md", None)),
        ("news/2012/02/9/a-b.v3.html", (date(2012, 2, 9), "a-b", "html", 3)),
        ("https://example.org/news/2011/11/8/x.json?utm=1", (date(2011, 11, 8), "x", "json", None)),
        ("/news/2012/02/9/index.xml", (date(2012, 2, 9), "index", "xml", None)),
    ],
)
def test_page_paths_are_read_back(text: str, expected: tuple[object, ...]) -> None:
    path = parse_page_path(text)
    assert (path.date, path.slug, path.ext, path.version) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/news/2012/02/31/x.md", "names a day that does not exist"),
        ("/news/2012/2/9/x.md", "expected /news/YYYY/MM/D/<slug>.md"),
        ("/news/2012/02/9/../../etc/passwd.md", "expected /news/YYYY/MM/D/<slug>.md"),
        ("/elsewhere/x.md", "expected /news/YYYY/MM/D/<slug>.md"),
    ],
)
def test_bad_paths_say_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_page_path(text)
