"""The vocabulary: names, aliases where a source says so, and the rules that drop the rest."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from dateline.errors import InputError
from dateline.ingest.wcep_html import read_portal_html
from dateline.ingest.wikitimes import EventLinks, load_wikitimes, wikitimes_links
from dateline.nlp.vocabulary import (
    Link,
    build_vocabulary,
    portal_html_links,
    read_portal_html_links,
    vocabulary_from_counts,
    wiki_title,
    wikitimes_entity_links,
)
from tests.conftest import SHARED

PORTAL_PAGE = SHARED / "data" / "wcep-html" / "2023-01.html"
WIKITIMES = SHARED / "data" / "wikitimes" / "wikitimes_CEP_2015-09.json"


def links(*pairs: tuple[str, str]) -> list[Link]:
    return [Link(text, context) for text, context in pairs]


def test_every_name_is_a_form_of_itself() -> None:
    vocabulary = build_vocabulary(["Homs", "bombardment"], [])
    assert vocabulary.forms == {"Homs": "Homs", "bombardment": "bombardment"}
    assert vocabulary.aliases() == {}
    assert vocabulary.contexts == {"Homs", "bombardment"}


def test_a_link_text_becomes_an_alias_of_its_target_and_the_target_a_name() -> None:
    vocabulary = build_vocabulary([], links(("Blue Army", "Blue Armed Forces")))
    assert vocabulary.forms == {
        "Blue Army": "Blue Armed Forces",
        "Blue Armed Forces": "Blue Armed Forces",
    }
    assert vocabulary.aliases() == {"Blue Army": "Blue Armed Forces"}


def test_a_text_differing_from_its_target_only_in_case_is_the_name_itself() -> None:
    vocabulary = build_vocabulary([], links(("air strike", "Air strike")))
    assert vocabulary.forms == {"Air strike": "Air strike"}


@pytest.mark.parametrize(
    "text",
    [
        "the country",  # generic words only
        "Two soldiers",  # a number and a generic word
        "$",  # no letters
        "Bo",  # too short, and not an acronym
        "ongoing",  # lower case, shares no word with the name
        "mass",  # one lower-case word for a longer name
        "x" * 201,  # a sentence, not a name
    ],
)
def test_texts_that_name_nothing_on_their_own_are_no_aliases(text: str) -> None:
    vocabulary = build_vocabulary([], links((text, "Mass shooting in Blueland")))
    assert vocabulary.aliases() == {}


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("UN", "United Nations"),  # an acronym
        ("civilians", "Civilian"),  # a lower-case word of the name, inflected
        ("Kremlin", "Government of Russia"),  # capitalised: a name, no shared word needed
        ("Blue soldiers", "Blue Armed Forces"),  # one word not generic is enough
    ],
)
def test_aliases_the_rules_keep(text: str, context: str) -> None:
    assert build_vocabulary([], links((text, context))).aliases() == {text: context}


def test_a_name_wins_over_another_contexts_alias() -> None:
    seen = links(("Russia", "Russian Armed Forces"), ("Russia", "Russian Armed Forces"))
    vocabulary = build_vocabulary({"Russia": 1}, seen)
    assert vocabulary.forms["Russia"] == "Russia"


def test_an_alias_goes_to_the_context_with_most_of_its_sightings_or_to_none() -> None:
    dominant = [*links(("Reds", "Red Party")) * 3, *links(("Reds", "Red Army"))]
    assert build_vocabulary([], dominant).forms["Reds"] == "Red Party"
    split = [*links(("Reds", "Red Party")) * 2, *links(("Reds", "Red Army")) * 2]
    assert "Reds" not in build_vocabulary([], split).forms


def test_names_differing_in_case_become_one_form_for_the_most_used() -> None:
    vocabulary = vocabulary_from_counts({"bombardment": 5, "Bombardment": 2}, {})
    assert vocabulary.forms == {"bombardment": "bombardment"}


def test_a_title_answers_to_its_name_without_the_disambiguator() -> None:
    vocabulary = build_vocabulary(["Chihuahua (state)", "Wales", "Wales (town)"], [])
    assert vocabulary.forms["Chihuahua"] == "Chihuahua (state)"
    assert vocabulary.forms["Wales"] == "Wales"  # another context's own name
    two = build_vocabulary(["Georgia (country)", "Georgia (U.S. state)"], [])
    assert "Georgia" not in two.forms  # two titles, neither dominant


def test_the_same_input_builds_the_same_vocabulary() -> None:
    seen = links(("Reds", "Red Party"), ("Reds", "Red Army"), ("Blue Army", "Blue Armed Forces"))
    assert build_vocabulary(["Homs"], seen) == build_vocabulary(["Homs"], list(reversed(seen)))


# -- reading sightings --------------------------------------------------------------

PAGE = """<html><body>
<div class="current-events-main" id="2020_May_4"><span class="bday">2020-05-04</span>
<div class="current-events-content">
<p><b>Armed conflicts and attacks</b></p>
<ul><li><a href="/wiki/Blue_war" title="Blue war (2019-present)">Blue war</a>
<ul><li><a href="/wiki/Blue_Armed_Forces" title="Blue Armed Forces">Blue troops</a> enter
<a href="/wiki/Red_City" class="new" title="Red City (page does not exist)">Red City</a>
<a href="/wiki/File:Map.png" title="File:Map.png">map</a>
<a class="extiw" href="/wiki/ja:X" title="ja:X">ja</a>
<span class="noprint"><a href="/wiki/Hidden" title="Hidden">hidden</a></span>
<a href="/wiki/Greenland_(country)">the  green
  country</a>.
<a class="external text" href="https://w.example/1">(Wire)</a></li></ul></li></ul>
</div></div></body></html>"""


def test_portal_links_are_read_with_their_text_day_and_article() -> None:
    found = portal_html_links(PAGE.encode(), "page.html")
    day = date(2020, 5, 4)
    assert found == [
        Link("Blue war", "Blue war (2019-present)", day),
        Link("Blue troops", "Blue Armed Forces", day),
        Link("the green country", "Greenland (country)", day),
    ]


def test_an_unreadable_page_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^page\.html: is not an HTML page"):
        portal_html_links(b"", "page.html")
    missing = tmp_path / "missing.html"
    with pytest.raises(InputError, match=f"^{re.escape(str(missing))}: cannot be read"):
        read_portal_html_links(missing)


def test_the_real_portal_page_shows_every_context_its_reader_finds() -> None:
    found = read_portal_html_links(PORTAL_PAGE)
    titles = {link.context for link in found}
    contexts = {c for day in read_portal_html(PORTAL_PAGE) for e in day.events for c in e.contexts}
    assert contexts and contexts <= titles
    assert len(found) > len(contexts)  # links repeat, and headings link too
    assert all(link.day is not None and link.day.month == 1 for link in found)


def test_wiki_titles_come_from_addresses() -> None:
    assert wiki_title("http://en.wikipedia.org/wiki/Rowan_County,_Kentucky#X") == (
        "Rowan County, Kentucky"
    )
    assert wiki_title("http://en.wikipedia.org/wiki/Op%C3%A9ration_Chammal") == "Opération Chammal"
    assert wiki_title("http://example.org/page") is None


def test_wikitimes_names_damaged_by_the_export_are_not_aliases() -> None:
    event = EventLinks(
        date(2015, 9, 1),
        "headline",
        None,
        [
            ("Otto Prez Molina", "http://en.wikipedia.org/wiki/Otto_P%C3%A9rez_Molina"),
            ("Geography of BlueWest", "http://en.wikipedia.org/wiki/Geography_of_Blue#West"),
            ("Blue Army", "http://en.wikipedia.org/wiki/Blue_Armed_Forces"),
            ("No Address", None),
            ("A category", "http://en.wikipedia.org/wiki/Category:Blue"),
        ],
    )
    assert [(k.text, k.context) for k in wikitimes_entity_links([event])] == [
        ("Otto Pérez Molina", "Otto Pérez Molina"),
        ("Geography of Blue", "Geography of Blue"),
        ("Blue Army", "Blue Armed Forces"),
        ("No Address", "No Address"),
    ]


def test_the_real_wikitimes_export_gives_one_sighting_per_entity() -> None:
    events = wikitimes_links(load_wikitimes(WIKITIMES), str(WIKITIMES))
    found = wikitimes_entity_links(events)
    assert len(found) == sum(len(e.entities) for e in events)
    # Damaged names are read as their titles: no alias is a title stripped of punctuation.
    aliases = build_vocabulary([], found).aliases()
    assert not any(
        "".join(c for c in context if c.isalnum() or c == " ") == alias
        for alias, context in aliases.items()
    )
