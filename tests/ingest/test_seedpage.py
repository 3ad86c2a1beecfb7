"""Reading the seed page format: the seeds themselves, errors, and render/parse round trips."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.errors import InputError
from dateline.ingest.seedpage import DayIndexPage, EventPage, parse_page, split_tags
from dateline.model import (
    ArticleRef,
    Context,
    Event,
    EventArticle,
    EventContent,
    EventEntry,
    RelatedEvent,
    Source,
    Version,
    slug_for_headline,
)
from dateline.model.event import RESERVED_PUBLISHER
from dateline.render.markdown import render_day_index, render_event_page
from tests.conftest import seed_file


def read(number: str) -> EventPage:
    page = parse_page(seed_file(number).read_text(encoding="utf-8"))
    assert isinstance(page, EventPage)
    return page


def test_seed_000() -> None:
    page = read("000")
    assert page.content.date == date(2012, 2, 9)
    assert page.content.headline.startswith("Syrian Army troops continue to pour into Homs")
    assert page.content.summary.endswith("to halt the carnage.")
    assert page.content.sources == (
        Source(
            "Reuters", "http://www.reuters.com/article/2012/02/09/us-syria-idUSTRE80S08620120209"
        ),
    )
    # No Formats line: the slug is made from the headline, and matches 003's link to it.
    assert not page.slug_stated
    assert page.slug.endswith("-protesters-repor")
    assert not page.contexts_stated
    assert page.content.contexts == ("Homs", "Syrian Army", "bombardment")
    assert len(page.related) == 10
    assert page.related[0].contexts == ("Homs", "Syrian Army", "bombardment")
    assert page.related[9].contexts == ("Homs", "bombardment")


def test_seed_001() -> None:
    page = read("001")
    assert page.content.story == "Homs"
    assert page.slug_stated
    assert [s.publisher for s in page.content.sources] == ["Al Jazeera", "BBC"]
    assert page.content.cover_image is not None
    assert page.content.cover_image.endswith("_56561156_013278784-1.jpg")
    labels = [(c.created_at, c.label) for c in page.changes]
    assert labels == [
        (datetime(2017, 8, 25, 3, 34, 27), "First version"),
        (datetime(2017, 8, 27, 3, 34, 36), "Update"),
        (None, "Current version"),
    ]
    assert page.changes[0].slug.startswith("2011-syrian-uprising-pthe-")
    assert page.changes[2].slug == page.slug
    assert page.related[4].headline.startswith("A Russian Air Force")  # leading space trimmed


def test_seed_003_has_three_sources_and_a_cover() -> None:
    page = read("003")
    assert [s.publisher for s in page.content.sources] == ["BBC", "Reuters via MSNBC", "Reuters"]
    assert page.content.cover_image is not None
    assert page.content.contexts == ("Homs", "bombardment")


def test_tags_with_commas_are_matched_whole_against_known_tags() -> None:
    assert split_tags("Paris, Texas, Homs", ("Paris, Texas", "Homs")) == ("Paris, Texas", "Homs")
    assert split_tags("Paris, Texas") == ("Paris", "Texas")


def _mutate(number: str, old: str, new: str) -> str:
    text = seed_file(number).read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def _replace_line(number: str, line: int, new: str) -> str:
    lines = seed_file(number).read_text(encoding="utf-8").splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (
            lambda: _mutate(
                "000",
                "### [2012-02-9](/news/2012/02/9/index.md)",
                "### [2012-02-31](/news/2012/02/31/index.md)",
            ),
            1,
            "date",
            "'2012-02-31' is not a date",
        ),
        (
            lambda: _mutate(
                "000",
                "### [2012-02-9](/news/2012/02/9/index.md)",
                "### [2012-02-9](/news/2012/02/10/index.md)",
            ),
            1,
            "date",
            "links to '/news/2012/02/10/index.md'",
        ),
        (
            lambda: _replace_line("000", 3, "Syrian Army troops"),
            3,
            "headline",
            "expected the headline",
        ),
        (lambda: _replace_line("000", 3, "#   "), 3, "headline", "is empty"),
        (lambda: _mutate("000", "### Source:", "### Sauces:"), 8, None, "expected a section"),
        (lambda: _mutate("000", "1. [Reuters]", "* [Reuters]"), 10, None, "numbered list item"),
        (lambda: _mutate("001", "(First version)", "(Draft)"), 20, None, "unknown version label"),
        (lambda: "just some text\n", 1, "date", "expected the day heading"),
        (lambda: "", 1, "date", "found the end of the page"),
    ],
)
def test_errors_name_the_line_and_what_was_expected(
    text: object,
    line: int,
    field: str | None,
    message: str,
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_page(text())  # type: ignore[operator]
    assert caught.value.line == line
    assert caught.value.field == field
    assert "\n" not in str(caught.value)


# -- round trips over generated events -----------------------------------------------

_words = (
    st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zl", "Zp"]),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
# Summaries: any text but control characters (which the model rejects), with newlines.
_summaries = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]) | st.just("\n"), max_size=200
)
# Any name but the one the page format reserves for the cover image (the model refuses it).
_publishers = _words.filter(lambda p: p.casefold() != RESERVED_PUBLISHER.casefold())
_url = st.from_regex(r"https://[a-z]{1,10}\.org/[a-z0-9_()\-]{0,20}", fullmatch=True)


@st.composite
def contents(draw: st.DrawFn) -> EventContent:
    headline = draw(_words.filter(lambda h: slug_for_headline(h) != ""))
    return EventContent(
        date=draw(st.dates(date(1900, 1, 1), date(2100, 1, 1))),
        headline=headline,
        summary=draw(_summaries),
        story=draw(st.none() | _words),
        category=draw(st.none() | _words),
        contexts=tuple(
            draw(st.lists(_words.filter(lambda t: ", " not in t), max_size=4, unique=True))
        ),
        sources=tuple(draw(st.lists(st.builds(Source, _publishers, st.none() | _url), max_size=3))),
        cover_image=draw(st.none() | _url),
    ).validated()


@st.composite
def events(draw: st.DrawFn) -> Event:
    count = draw(st.integers(1, 3))
    versions = []
    for number in range(1, count + 1):
        content = draw(contents())
        versions.append(
            Version(
                number,
                slug_for_headline(content.headline),
                content,
                created_at=draw(
                    st.none()
                    | st.datetimes(datetime(2000, 1, 1), datetime(2030, 1, 1)).map(
                        lambda d: d.replace(microsecond=0)
                    )
                ),
                editor=draw(st.none() | st.from_regex(r"[a-z]{1,8}", fullmatch=True)),
                note=draw(st.none() | _words),
            )
        )
    return Event(1, tuple(versions))


@given(events())
def test_every_version_page_reads_back_as_that_version(event: Event) -> None:
    for version in event.versions:
        page = parse_page(render_event_page(event, version))
        assert isinstance(page, EventPage)
        assert page.content == version.content
        assert page.slug == version.slug
        assert page.contexts_stated or not version.content.contexts
        if len(page.changes) > 0:
            stated = [(c.slug, c.headline, c.created_at, c.editor, c.note) for c in page.changes]
            assert stated == [
                (v.slug, v.content.headline, v.created_at, v.editor, v.note) for v in event.versions
            ]


_articles = st.lists(
    st.builds(
        ArticleRef,
        id=st.integers(1, 10**6),
        key=st.just("news.example.org/a"),
        url=st.none() | _url,
        title=st.none() | _words,
        publisher=st.none() | _words,
        domain=st.none() | st.just("news.example.org"),
        published=st.none() | st.dates(date(1990, 1, 1), date(2030, 1, 1)),
        representative_id=st.none() | st.integers(1, 10**6),
    ).map(lambda ref: EventArticle(ref, 1.0, "cited", "url-match")),
    max_size=3,
)


@given(events(), st.booleans(), _articles)
def test_a_built_sites_page_reads_back_as_its_export(
    event: Event, retire: bool, articles: list[EventArticle]
) -> None:
    """A site's page adds a retired notice and an Articles list to what an export says:
    both are read (an import leaves them, as it leaves a site's JSON page's), the rest
    reads back as the export's page does."""
    if retire:
        event = Event(event.id, event.versions, frozenset({event.current.number}))
    for version in event.versions:
        site = parse_page(render_event_page(event, version, articles=articles, site=True))
        export = parse_page(render_event_page(event, version))
        assert isinstance(site, EventPage) and isinstance(export, EventPage)
        is_current = version is event.current
        assert site.retired_by == (event.current.number if retire else None)
        assert site.articles == (tuple(a.article.id for a in articles) if is_current else ())
        assert (export.retired_by, export.articles) == (None, ())
        assert replace(site, retired_by=None, articles=()) == export


def test_a_malformed_articles_entry_names_its_line() -> None:
    day = date(2012, 2, 9)
    text = render_event_page(
        Event(1, (Version(1, "headline", EventContent(day, "Headline", "Text.")),)),
        articles=[EventArticle(ArticleRef(4, "k", None, "Title", "Wire", None, None), 1, "", "")],
        site=True,
    )
    assert parse_page(text).articles == (4,)  # type: ignore[union-attr]
    broken = text.replace("/articles/4.md", "/news/2012/02/9/x.md")
    with pytest.raises(InputError) as caught:
        parse_page(broken)
    assert caught.value.field == "articles"
    assert (
        caught.value.line
        == broken.splitlines().index(
            next(line for line in broken.splitlines() if "/news/2012/02/9/x.md" in line)
        )
        + 1
    )


@given(events(), st.lists(contents(), max_size=4))
def test_related_entries_read_back(event: Event, others: list[EventContent]) -> None:
    related = [
        RelatedEvent(
            i,
            c.date,
            slug_for_headline(c.headline),
            c.headline,
            event.content.contexts[:2] or ("x",),
        )
        for i, c in enumerate(others, 2)
    ]
    page = parse_page(render_event_page(event, related=related))
    assert isinstance(page, EventPage)
    assert [(r.date, r.slug, r.headline) for r in page.related] == [
        (r.date, r.slug, r.headline) for r in related
    ]


def test_day_indexes_are_recognised() -> None:
    day = date(2012, 2, 9)
    entry = EventEntry(
        1, day, "shelling-of-homs", "Shelling of Homs", contexts=(Context("Homs", "homs"),)
    )
    page = parse_page(render_day_index(day, [entry]))
    assert isinstance(page, DayIndexPage)
    assert page.date == day
    assert [e.slug for e in page.entries] == ["shelling-of-homs"]


def test_summary_lines_that_look_like_markup_round_trip() -> None:
    summary = "# not a heading\n\\# a backslash and a hash\n\\\\ two backslashes\n### nor this"
    content = EventContent(date(2012, 2, 9), "Headline", summary)
    page = parse_page(render_event_page(Event(1, (Version(1, "headline", content),))))
    assert isinstance(page, EventPage)
    assert page.content.summary == summary


@pytest.mark.parametrize("publisher", ["](", "A [b](c", "\\](", "x]\\(y"])
def test_a_publisher_without_a_url_reads_back_whatever_its_brackets(publisher: str) -> None:
    """Its name is escaped, so a "](" in it is text, not a broken link (found by
    hypothesis: a publisher named "](")."""
    content = EventContent(date(2012, 2, 9), "Headline", sources=(Source(publisher),))
    page = parse_page(render_event_page(Event(1, (Version(1, "headline", content),))))
    assert isinstance(page, EventPage)
    assert page.content.sources == (Source(publisher),)


def test_a_broken_source_link_is_still_an_error() -> None:
    with pytest.raises(InputError, match="expected '\\[Publisher\\]\\(URL\\)'"):
        parse_page(_mutate("000", "1. [Reuters](http://", "1. [Reuters](http:// "))


def test_a_bad_source_url_names_its_line() -> None:
    text = _mutate("000", "1. [Reuters](http://", "1. [Reuters](ftp://")
    with pytest.raises(InputError, match="expected http:// or https://") as caught:
        parse_page(text)
    assert (caught.value.line, caught.value.field) == (10, "sources[1].url")
