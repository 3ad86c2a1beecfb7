"""The tagger finds whole words, leftmost-longest, in any case but acronyms'."""

from __future__ import annotations

import pickle
import re

from hypothesis import given
from hypothesis import strategies as st

from dateline.nlp.tagger import Tagger, is_acronym, match_key

VOCABULARY = {
    "Blue Army": "Blue Armed Forces",
    "Blue": "Blueland",
    "Blue Army Command": "Blue Command",
    "Army": "Army",
    "Iran": "Iran",
    "UN": "United Nations",
    "air strike": "Airstrike",
    "Legionnaires' disease": "Legionnaires' disease",
    "US$": "United States dollar",
    "#MeToo movement": "MeToo movement",
}


def tag(text: str) -> tuple[str, ...]:
    return Tagger(VOCABULARY).tag(text)


def test_contexts_come_in_text_order_once_each() -> None:
    assert tag("Army units leave Iran; the Army returns to Iran") == ("Army", "Iran")
    assert tag("Iran and the Army") == ("Iran", "Army")


def test_only_whole_words_are_found() -> None:
    assert tag("Iranian officials and Bluebirds") == ()
    assert tag("Iran's army, Iran-backed, (Iran)") == ("Iran", "Army")
    assert tag("UNESCO and UNHCR") == ()


def test_the_longest_match_at_the_leftmost_place_wins() -> None:
    assert tag("the Blue Army Command said") == ("Blue Command",)
    assert tag("the Blue Army said") == ("Blue Armed Forces",)
    assert tag("Blue troops and an Army") == ("Blueland", "Army")


def test_a_longer_form_that_is_not_a_whole_word_gives_way_to_shorter_ones() -> None:
    # "Blue Army" ends inside "Armyworm": "Blue" is what the text names.
    assert tag("Blue Armyworm plague") == ("Blueland",)


def test_case_is_ignored_except_in_acronyms() -> None:
    assert tag("an AIR STRIKE and an Air strike") == ("Airstrike",)
    assert tag("the un-named UN envoy") == ("United Nations",)
    assert tag("they told us un") == ()
    assert is_acronym("UN") and is_acronym("US$") and is_acronym("COVID-19")
    assert not is_acronym("Un") and not is_acronym("U")
    assert match_key("UN") != match_key("Un") and match_key("Blue ARMY") == "blue army"


def test_typographic_variants_match_their_plain_forms() -> None:
    assert tag("a Legionnaires\u2019 disease outbreak") == ("Legionnaires' disease",)


def test_forms_edged_with_symbols_need_no_word_boundary_there() -> None:
    assert tag("paid 5 US$5 billion") == ("United States dollar",)
    assert tag("the #MeToo movement") == ("MeToo movement",)


def test_matches_give_the_text_as_written_and_its_place() -> None:
    text = "The BLUE army moves"
    (match,) = Tagger(VOCABULARY).matches(text)
    assert (match.start, match.end, match.surface) == (4, 13, "BLUE army")
    assert text[match.start : match.end] == match.surface


def test_texts_are_tagged_apart_so_no_form_spans_two() -> None:
    tagger = Tagger(VOCABULARY)
    assert tagger.tag_all(["troops of Blue", "Army Command"]) == ("Blueland", "Army")
    assert tagger.tag_all(["Iran", "", "Blue"]) == ("Iran", "Blueland")


def test_an_empty_vocabulary_tags_nothing() -> None:
    assert Tagger({}).tag("Blue Army") == ()
    assert Tagger({"   ": "Nothing"}).tag("Blue Army") == ()


def test_a_tagger_pickles_and_tags_alike() -> None:
    tagger = Tagger(VOCABULARY)
    again = pickle.loads(pickle.dumps(tagger))
    assert again.forms == VOCABULARY and len(again) == len(VOCABULARY)
    text = "the Blue Army Command met the UN in Iran"
    assert again.matches(text) == tagger.matches(text)


# -- against a slow reference: every place, every form, leftmost-longest -----------

WORDS = ("ab", "abc", "b", "ba", "cab", "Ab", "AB")


def reference(forms: dict[str, str], text: str) -> tuple[str, ...]:
    """Regular expressions at every position: the longest whole-word form, leftmost (an
    acronym first when an acronym and a word of the same letters both match)."""
    found = []
    position = 0
    while position < len(text):
        best = None
        for form, context in sorted(forms.items(), key=lambda item: not is_acronym(item[0])):
            pattern = r"(?<!\w)" + re.escape(form) + r"(?!\w)"
            flags = 0 if is_acronym(form) else re.IGNORECASE
            match = re.compile(pattern, flags).match(text, position)
            if match and (best is None or match.end() > best[0]):
                best = (match.end(), context)
        if best is None:
            position += 1
        else:
            found.append(best[1])
            position = best[0]
    return tuple(dict.fromkeys(found))


forms_strategy = st.dictionaries(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
    st.sampled_from(["P", "Q", "R", "S"]),
    max_size=6,
)
text_strategy = st.lists(st.sampled_from([*WORDS, "AB", "x", ",", "-"]), max_size=12).map(" ".join)


@given(forms_strategy, text_strategy)
def test_the_tagger_agrees_with_a_slow_reference(forms: dict[str, str], text: str) -> None:
    # Two forms differing only in case would be one key: the vocabulary never has such.
    keys = [match_key(f) for f in forms]
    if len(set(keys)) < len(keys):
        return
    assert Tagger(forms).tag(text) == reference(forms, text)
