"""Articles as plain data: the URL key, validation, versions and links."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.errors import InputError
from dateline.model import (
    Article,
    ArticleContent,
    ArticleVersion,
    Ingestion,
    article_key,
    article_url_key,
)
from dateline.model.article import validate_link

HASH = "0" * 64
CONTENT = ArticleContent(
    url="https://example.org/a",
    publisher="Example",
    domain="example.org",
    title="A title",
    authors=("Ann",),
    published=date(2020, 1, 2),
    date_method="htmldate:markup",
    language="en",
    lede="First paragraph.",
    text="First paragraph.\n\nSecond paragraph.",
    image_url=None,
    content_hash=HASH,
)
FILE = Ingestion("file", "/tmp/a.html", "html", "utf-8 (utf-8)")


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.Example.org/news/a/", "example.org/news/a"),
        ("http://example.org/news/a#comments", "example.org/news/a"),
        ("https://example.org:443/news/a", "example.org/news/a"),
        ("https://example.org:8080/news/a", "example.org:8080/news/a"),
        ("https://example.org/news/a?utm_source=x&UTM_Medium=y&fbclid=z", "example.org/news/a"),
        ("https://example.org/story?id=7&page=2", "example.org/story?id=7&page=2"),
        ("https://example.org/story?page=2&id=7&utm_campaign=c", "example.org/story?id=7&page=2"),
        ("https://example.org/", "example.org"),
        ("  https://example.org/News/A  ", "example.org/News/A"),  # paths keep their case
        ("https://www2.example.org/a", "www2.example.org/a"),
    ],
)
def test_the_url_key(url: str, key: str) -> None:
    assert article_url_key(url) == key


@given(
    host=st.from_regex(r"[a-z]{1,10}\.(org|com)", fullmatch=True),
    path=st.from_regex(r"(/[a-z0-9-]{1,8}){0,3}", fullmatch=True),
    scheme=st.sampled_from(["http", "https"]),
    www=st.booleans(),
    slash=st.booleans(),
    tracking=st.lists(st.sampled_from(["utm_source=a", "utm_medium=b", "gclid=c"]), max_size=2),
)
def test_every_spelling_of_an_address_has_one_key(
    host: str, path: str, scheme: str, www: bool, slash: bool, tracking: list[str]
) -> None:
    spelt = f"{scheme}://{'www.' if www else ''}{host.upper()}{path}{'/' if slash else ''}"
    if tracking:
        spelt += "?" + "&".join(tracking)
    assert article_url_key(spelt) == article_url_key(f"https://{host}{path}")
    assert article_url_key(spelt).startswith(host)


def test_the_article_key_falls_back_on_where_it_was_read() -> None:
    assert article_key(CONTENT, FILE) == "example.org/a"
    assert article_key(replace(CONTENT, url=None), FILE) == "file:/tmp/a.html"
    warc = Ingestion("warc", "crawl.warc.gz#1234", "html", "utf-8 (http)")
    assert article_key(replace(CONTENT, url=None), warc) == "warc:crawl.warc.gz#1234"


def test_validation_trims_and_names_the_field() -> None:
    content = replace(CONTENT, title="  A title  ", authors=("Ann", " Ann ", "Bo"))
    checked = content.validated()
    assert checked.title == "A title" and checked.authors == ("Ann", "Bo")
    cases: list[tuple[str, object]] = [
        ("title", "two\nlines"),
        ("url", "javascript:alert(1)"),
        ("url", "https://example.org/" + "a" * 2000),
        ("image_url", "not a url"),
        ("text", ""),
        ("text", "bad \x07 bell"),
        ("content_hash", "XYZ"),
        ("authors", ("a\nb",)),
    ]
    for field, value in cases:
        with pytest.raises(InputError) as error:
            replace(CONTENT, **{field: value}).validated()  # type: ignore[arg-type]
        assert error.value.field == field, (field, value)


def test_ingestion_is_checked() -> None:
    assert FILE.validated() == FILE
    with pytest.raises(InputError) as error:
        replace(FILE, source_format="pdf").validated()
    assert error.value.field == "source_format"
    with pytest.raises(InputError) as error:
        replace(FILE, source=" ").validated()
    assert error.value.field == "source"


def test_an_article_and_its_versions() -> None:
    first = ArticleVersion(1, CONTENT, FILE, datetime(2020, 1, 2), 10, HASH)
    second = replace(first, number=2, content=replace(CONTENT, title="New"))
    article = Article(7, "example.org/a", (first, second))
    assert article.current == second and article.content.title == "New"
    assert article.version(1) == first
    with pytest.raises(LookupError, match="article 7 has no version 3"):
        article.version(3)
    with pytest.raises(ValueError, match="no versions"):
        Article(8, "k", ())
    assert pickle.loads(pickle.dumps(article)) == article


def test_links_are_checked() -> None:
    assert validate_link(1, " cited ", "url-match") == (1.0, "cited", "url-match")
    for score, reason, method, field in [
        (-0.1, "r", "m", "score"),
        (1.01, "r", "m", "score"),
        (0.5, "a\nb", "m", "reason"),
        (0.5, "r", "", "method"),
    ]:
        with pytest.raises(InputError) as error:
            validate_link(score, reason, method)
        assert error.value.field == field
