"""The rendered Current Events Portal HTML, read from ../shared/data/wcep-html.

The expected values below were read by hand from the HTML of 2023-01.html (found by
their source URL); the synthetic pages are written here, with made-up text.
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from dateline.errors import InputError
from dateline.ingest import wcep_html
from dateline.ingest.items import DayItems, NotAnArchiveFileError
from dateline.ingest.wcep_html import (
    NotAPortalHtmlError,
    looks_like_portal_html,
    portal_html,
    read_portal_html,
)
from dateline.ingest.wcep_yaml import CATEGORIES
from dateline.model import EventContent, Source
from tests.conftest import SHARED

JANUARY = SHARED / "data" / "wcep-html" / "2023-01.html"
BENCHMARK_PAGES = SHARED / "data" / "article-extraction-benchmark" / "html"


@pytest.fixture(scope="module")
def january() -> list[DayItems]:
    return read_portal_html(JANUARY)


def _by_url(days: list[DayItems], url: str) -> EventContent:
    (found,) = [e for d in days for e in d.events if any(s.url == url for s in e.sources)]
    return found


def test_january_2023_has_the_counts_its_readme_states(january: list[DayItems]) -> None:
    # data/README.md: 31 days, 334 events, 363 source links. The reader finds exactly
    # these: no bullet repeats a headline within its day, so DayItems.add merges none.
    assert [d.date for d in january] == [date(2023, 1, n) for n in range(1, 32)]
    assert sum(len(d.events) for d in january) == 334
    assert sum(len(e.sources) for d in january for e in d.events) == 363
    assert [s for d in january for s in d.skipped] == []


def test_every_event_is_dated_in_january_2023(january: list[DayItems]) -> None:
    for day in january:
        assert all(e.date == day.date for e in day.events)
        assert date(2023, 1, 1) <= day.date <= date(2023, 1, 31)


def test_every_item_has_a_clean_headline_categories_and_linked_sources(
    january: list[DayItems],
) -> None:
    for event in (e for d in january for e in d.events):
        assert event.headline == " ".join(event.headline.split())
        assert event.category is not None and event.category.lower() in CATEGORIES
        assert event.sources, event.headline
        for source in event.sources:
            assert source.url is not None and source.url.startswith(("http://", "https://"))
            assert f"({source.publisher})" not in event.headline
            assert not source.publisher.startswith("(") and not source.publisher.endswith(")")


def test_each_day_names_its_portal_page(january: list[DayItems]) -> None:
    assert january[0].source == "https://en.wikipedia.org/wiki/Portal:Current_events/2023_January_1"
    assert (
        january[30].source == "https://en.wikipedia.org/wiki/Portal:Current_events/2023_January_31"
    )


@pytest.mark.parametrize(
    ("url", "day", "category", "story", "contexts", "publisher"),
    [
        # Three story headings deep: the innermost is the story.
        (
            "https://www.aljazeera.com/news/2023/1/1/several-feared-dead-in-blast-outside-kabul-military-airport",
            1,
            "Armed conflicts and attacks",
            "2023 Kabul airport bombing",
            ("Islamic State", "Security checkpoint", "Military airport", "Kabul"),
            "Al Jazeera",
        ),
        # Right under its category: no story.
        (
            "https://www.aljazeera.com/news/2023/1/1/stampede-during-new-year-fireworks-kills-at-least-nine-in-uganda",
            1,
            "Disasters and accidents",
            None,
            ("Crowd collapses and crushes", "Concert", "Kampala", "Uganda"),
            "Al Jazeera",
        ),
        # A heading with text around its link; a publisher partly in italics.
        (
            "https://www.bbc.com/news/world-latin-america-64147790",
            3,
            "Armed conflicts and attacks",
            "Aftermath of the 2023 Ciudad Juárez prison attack",
            None,
            "BBC News",
        ),
        (
            "https://www.deccanherald.com/international/world-news-politics/armed-attack-on-mexican-jail-leaves-14-dead-1177101.html",
            1,
            "Armed conflicts and attacks",
            "2023 Ciudad Juárez prison attack",
            None,
            "AFP via Deccan Herald",
        ),
    ],
)
def test_items_read_as_the_page_shows_them(
    january: list[DayItems],
    url: str,
    day: int,
    category: str,
    story: str | None,
    contexts: tuple[str, ...] | None,
    publisher: str,
) -> None:
    event = _by_url(january, url)
    assert event.date == date(2023, 1, day)
    assert (event.category, event.story) == (category, story)
    if contexts is not None:
        assert event.contexts == contexts
    assert event.sources == (Source(publisher, url),)


def test_an_item_keeps_all_its_sources_in_order(january: list[DayItems]) -> None:
    ctv = "https://www.ctvnews.ca/health/coronavirus/canada-to-require-negative-covid-19-test-for-air-travellers-coming-from-china-1.6214110"
    smh = "https://www.smh.com.au/national/covid-test-to-be-required-for-chinese-travellers-20230101-p5c9q0.html"
    event = _by_url(january, ctv)
    assert event.sources == (Source("CTV News", ctv), Source("Sydney Morning Herald", smh))
    assert (event.date, event.category) == (date(2023, 1, 1), "Health and environment")
    assert event.story == "Travel during the COVID-19 pandemic"
    assert event.contexts == ("Australia", "Canada", "China", "COVID-19 test")


def test_red_links_and_links_to_other_wikis_are_no_contexts(january: list[DayItems]) -> None:
    # The bullet opens with a red link followed by a non-printing "[ja]" link.
    url = "https://english.kyodonews.net/news/2023/01/0bccfc853dde-update1-japan-court-orders-govt-to-pay-damages-over-forced-sterilization.html"
    event = _by_url(january, url)
    assert (event.date, event.category, event.story) == (
        date(2023, 1, 23),
        "Law and crime",
        "Eugenics in Japan",
    )
    assert event.contexts == (
        "Government of Japan",
        "Financial compensation",
        "Plaintiff",
        "Japanese yen",
        "United States dollar",
        "Damages",
        "Compulsory sterilization",
        "Desuetude",
        "Eugenic Protection Act of 1948",
    )
    assert "[" not in event.headline and "ja" not in event.headline.split()
    assert event.sources == (Source("Kyodo News", url),)


def test_a_url_that_swallowed_the_opening_parenthesis_is_repaired(
    january: list[DayItems],
) -> None:
    # In the page: href=".../attacker-neutralized/(" with the text "The Times of Israel)".
    fixed = "https://www.timesofisrael.com/2-seriously-wounded-in-another-shooting-attack-in-jerusalem-attacker-neutralized/"
    event = _by_url(january, fixed)
    assert (event.date, event.story) == (date(2023, 1, 28), "Israeli\u2013Palestinian conflict")
    assert event.sources[1] == Source("The Times of Israel", fixed)
    assert event.sources[0].publisher == "Al Jazeera"


def test_text_and_bytes_read_alike() -> None:
    data = JANUARY.read_bytes()
    assert portal_html(data.decode("utf-8"), "x") == portal_html(data, "x")


def test_the_sniff_tells_the_portal_from_other_html() -> None:
    assert looks_like_portal_html(JANUARY.read_bytes()[: wcep_html.SNIFF_BYTES])
    for page in sorted(BENCHMARK_PAGES.glob("*.html.gz"))[:20]:
        assert not looks_like_portal_html(gzip.decompress(page.read_bytes())[:8192]), page
    assert not looks_like_portal_html(b"Date: '2023-01-01'\nSource_URI: Portal:Current events/x\n")


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_news_article_page_is_not_a_portal_page(tmp_path: Path, index: int) -> None:
    page = sorted(BENCHMARK_PAGES.glob("*.html.gz"))[index]
    path = tmp_path / "article.html"
    path.write_bytes(gzip.decompress(page.read_bytes()))
    with pytest.raises(NotAPortalHtmlError, match="no day boxes") as raised:
        read_portal_html(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert isinstance(raised.value, NotAnArchiveFileError)


@pytest.mark.parametrize("fraction", [0.25, 0.5, 0.999])
def test_a_truncated_page_is_refused_in_one_line(tmp_path: Path, fraction: float) -> None:
    data = JANUARY.read_bytes()
    path = tmp_path / "cut.html"
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(InputError, match="cut short") as raised:
        read_portal_html(path)
    assert not isinstance(raised.value, NotAPortalHtmlError)
    assert str(raised.value).startswith(f"{path}: ") and "\n" not in str(raised.value)


def test_a_page_cut_before_its_first_day_is_no_portal_page(tmp_path: Path) -> None:
    data = JANUARY.read_bytes()
    path = tmp_path / "head.html"
    path.write_bytes(data[: data.index(b"current-events-main vevent") - 200])
    with pytest.raises(NotAPortalHtmlError):
        read_portal_html(path)


def test_too_big_and_undecodable_files_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "latin1.html"
    bad.write_bytes(_page(_box("2023-02-27", _item("A caf\xe9 opens."))).encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_portal_html(bad)
    with pytest.raises(InputError, match="cannot be read"):
        read_portal_html(tmp_path / "missing.html")
    monkeypatch.setattr(wcep_html, "MAX_FILE_BYTES", 100_000)
    with pytest.raises(InputError, match="too big"):
        read_portal_html(JANUARY)


# Synthetic pages: the portal's markup around made-up items.


def _item(text: str, *sources: tuple[str, str]) -> str:
    links = " ".join(
        f'<a rel="nofollow" class="external text" href="{u}">{p}</a>' for p, u in sources
    )
    return f"<li>{text} {links}</li>"


def _box(iso: str | None, *items: str, box_id: str = "box", category: str = "Sports") -> str:
    hidden = f'<span style="display:none">(<span class="bday dtstart">{iso}</span>)</span>'
    bullets = "".join(items) or _item(
        "A made-up match ends.", ("(Example News)", "https://example.org/a")
    )
    return (
        f'<div class="current-events"><div id="{box_id}" class="current-events-main vevent">'
        '<div class="current-events-heading"><div class="current-events-title">'
        f'<span class="summary">A day{hidden if iso else ""}</span></div>'
        '<ul class="current-events-navbar"><li><a class="external text" href="https://'
        "en.wikipedia.org/w/index.php?title=Portal:Current_events/2023_February_27&amp;"
        'action=edit">edit</a></li></ul></div>'
        f'<div class="current-events-content description"><p><b>{category}</b></p>'
        f"<ul>{bullets}</ul></div></div></div>"
    )


def _page(*boxes: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="UTF-8"><title>Portal:Current events/'
        f"Test - Wikipedia</title></head><body>{''.join(boxes)}</body></html>"
    )


def test_a_day_with_an_impossible_date_is_skipped_with_a_message() -> None:
    page = _page(
        _box("2023-02-27", box_id="2023_February_27"),
        _box("2023-02-30", box_id="2023_February_30"),
        _box(None, box_id="2023_February_31"),
        _box("2023-03-01", box_id="2023_March_1"),
    )
    days = portal_html(page, "synthetic.html")
    assert [d.date for d in days] == [date(2023, 2, 27), date(2023, 3, 1)]
    assert all(len(d.events) == 1 for d in days)
    first, second = days[0].skipped
    assert (
        first.startswith("synthetic.html: day box '2023_February_30'") and "'2023-02-30'" in first
    )
    assert (
        second.startswith("synthetic.html: day box '2023_February_31'") and "not a date" in second
    )
    assert days[1].skipped == []


def test_a_page_whose_every_day_is_impossible_is_refused() -> None:
    with pytest.raises(InputError, match=r"no day box has a readable date.*2023-13-01"):
        portal_html(_page(_box("2023-13-01")), "synthetic.html")


def test_the_date_comes_from_the_box_id_without_a_date_span() -> None:
    (day,) = portal_html(_page(_box(None, box_id="2023_February_27")), "synthetic.html")
    assert day.date == date(2023, 2, 27)
    assert day.source == "https://en.wikipedia.org/wiki/Portal:Current_events/2023_February_27"


def test_synthetic_bullets_follow_the_documented_rules() -> None:
    heading = (
        '<li><a href="/wiki/Made_up_league" title="Made up league">Made up league</a><ul>'
        + _item(
            'The <a href="/wiki/Team_A" title="Team A">first team</a> wins'
            '<sup class="reference">[1]</sup> at '
            '<a href="/wiki/Stadium_B#North">the north stand</a>'
            ' of a <a href="/wiki/File:X.jpg" title="File:X.jpg">pictured</a> '
            '<a href="/wiki/Category:Things" title="Category:Things">stadium</a>, '
            '<a href="/wiki/Team_A" title="Team A">again</a>.',
            ("(Example <i>News</i>)", "https://example.org/one"),
            ("[2]", "https://www.example.net/two"),
        )
        + "</ul></li>"
    )
    with_sub_bullets = (
        '<li>An item with its own source. <a class="external text" href="https://example.org/3">'
        "(Wire)</a><ul>" + _item("A follow-up.", ("(Wire)", "https://example.org/4")) + "</ul></li>"
    )
    only_a_link = _item("", ("(Wire)", "https://example.org/5"))
    box = _box("2023-02-27", heading, with_sub_bullets, only_a_link, category="Not a category")
    (day,) = portal_html(_page(box), "synthetic.html")
    first, second, third = day.events
    assert first.headline == "The first team wins at the north stand of a pictured stadium, again."
    assert first.story == "Made up league" and first.category is None
    assert first.contexts == ("Team A", "Stadium B")
    assert first.sources == (
        Source("Example News", "https://example.org/one"),
        Source("example.net", "https://www.example.net/two"),
    )
    # An unknown bold heading is read as the top story heading, as the YAML reader does.
    assert (second.headline, second.story) == ("An item with its own source.", "Not a category")
    assert (third.headline, third.story) == ("A follow-up.", "Not a category")
    (skipped,) = day.skipped
    assert skipped.startswith("synthetic.html: 2023-02-27: a bullet under 'Not a category'")
    assert "headline" in skipped
