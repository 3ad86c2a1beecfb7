"""URL keys: two addresses of one article compare equal, two articles never do."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.errors import InputError
from dateline.nlp.urls import TRACKING_PARAMETERS, same_page, url_key, url_keys

ARTICLE = "https://www.example.com/news/2012/02/04/homs-shelling"


@pytest.mark.parametrize(
    "variant",
    [
        "http://www.example.com/news/2012/02/04/homs-shelling",
        "https://example.com/news/2012/02/04/homs-shelling/",
        "HTTPS://WWW.Example.COM:443/news/2012/02/04/homs-shelling",
        "https://m.example.com/news/2012/02/04/homs-shelling",
        "https://www.example.com/news/2012/02/04/homs-shelling#comments",
        "https://www.example.com/news/2012/02/04/homs-shelling?utm_source=twitter&utm_medium=social",
        "https://www.example.com/news/2012/02/04/homs-shelling?fbclid=IwAR0abc",
        "https://www.example.com/news/2012/02/04/homs-shelling?gclid=x&CMP=share_btn_tw",
        "https://www.example.com/news/2012/02/04/homs-shelling/amp",
        "https://www.example.com/news/2012/02/01/../04/homs-shelling",
        "www.example.com/news/2012/02/04/homs-shelling",
        "//example.com/news/2012/02/04/homs-shelling",
    ],
)
def test_addresses_of_one_article_share_a_key(variant: str) -> None:
    assert same_page(variant, ARTICLE)


@pytest.mark.parametrize(
    "other",
    [
        "https://www.example.com/news/2012/02/04/homs-shelling-2",
        "https://www.example.com/News/2012/02/04/homs-shelling",  # paths are case-sensitive
        "https://www.example.org/news/2012/02/04/homs-shelling",
        "https://news.example.com/news/2012/02/04/homs-shelling",
        "https://www.example.com/news/2012/02/04/homs-shelling?id=7",
    ],
)
def test_other_articles_keep_other_keys(other: str) -> None:
    assert not same_page(other, ARTICLE)


def test_a_key_has_no_scheme_and_sorted_meaningful_parameters() -> None:
    key = url_key("http://www.example.com/article.php?p=2&id=17&utm_campaign=x&ref=home")
    assert key == "example.com/article.php?id=17&p=2"


def test_percent_escapes_and_raw_characters_agree() -> None:
    assert same_page("https://example.com/caf%c3%a9", "https://example.com/café")


def test_a_bare_directory_is_its_index_page() -> None:
    assert same_page("https://example.com/news/index.html", "https://example.com/news/")


def test_a_www_host_keeps_its_name_when_nothing_would_be_left() -> None:
    assert url_key("https://www.com/x") == "www.com/x"


@pytest.mark.parametrize(
    "bad", ["mailto:desk@example.com", "ftp://example.com/a", "http://", "javascript:alert(1)", ""]
)
def test_what_is_no_web_address_is_refused_in_one_line(bad: str) -> None:
    with pytest.raises(InputError) as raised:
        url_key(bad)
    assert raised.value.field == "url"
    assert "expected http(s)://host/path" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_url_keys_skips_what_it_cannot_read() -> None:
    keys = url_keys([None, "", "mailto:x@example.com", ARTICLE + "?utm_source=x"])
    assert keys == {url_key(ARTICLE)}


_names = st.sampled_from([*sorted(TRACKING_PARAMETERS), "utm_source", "utm_content", "pk_kwd"])


@given(
    trackers=st.lists(st.tuples(_names, st.text("abc123", min_size=1, max_size=5)), max_size=4),
    slash=st.booleans(),
    fragment=st.text("abcdef", max_size=6),
)
def test_trackers_slashes_and_fragments_never_change_the_key(
    trackers: list[tuple[str, str]], slash: bool, fragment: str
) -> None:
    url = "https://www.example.com/world/story-1" + ("/" if slash else "")
    if trackers:
        url += "?" + "&".join(f"{name}={value}" for name, value in trackers)
    if fragment:
        url += "#" + fragment
    assert url_key(url) == "example.com/world/story-1"
