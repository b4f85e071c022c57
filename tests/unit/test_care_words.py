"""The care words as tables: what a coordinator's list becomes (and which lists are refused
with a Dutch message), and which messages hold one of the words."""

import pytest

from followup.rules.care_words import (
    DEFAULT_CARE_WORDS,
    MAX_LENGTH,
    MAX_TEXT,
    MAX_WORDS,
    CareWordsProblem,
    care_word_in,
    parse_care_words,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("schulden", ("schulden",)),
        ("Schulden\nHONGER\n", ("schulden", "honger")),
        ("schulden, honger; geweld", ("schulden", "honger", "geweld")),
        ("  niet   meer  leven \n", ("niet meer leven",)),
        ("schulden\nSchulden\n\n", ("schulden",)),
        ("\r\nsuïcide\r\n", ("suïcide",)),
        ("sui\u0308cide", ("suïcide",)),  # the ï typed as i and a separate mark: one spelling
    ],
)
def test_a_list_as_the_coordinator_types_it(text, expected):
    assert parse_care_words(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "De lijst is leeg"),
        ("  \n , ;\n", "De lijst is leeg"),
        ("x" * (MAX_LENGTH + 1), "te lang"),
        ("?!", "geen woord"),
        ("\n".join(f"woord{n}" for n in range(MAX_WORDS + 1)), "te veel woorden"),
        # Refused before it is read: the web server's loop is not kept busy by a huge form.
        ("a\n" * (MAX_TEXT // 2 + 1), "De lijst is te lang"),
    ],
)
def test_refused_lists(text, message):
    with pytest.raises(CareWordsProblem, match=message) as refused:
        parse_care_words(text)
    assert str(refused.value).endswith("Er is niets veranderd.")


WORDS = ("geweld", "schulden", "niet meer leven", "suïcide")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Er is geweld thuis", True),
        ("GEWELD", True),
        ("ik heb schulden.", True),
        ("Ik wil niet meer  leven", True),  # a phrase, whatever the spaces
        ("Ik wil niet\nmeer leven", True),
        ("Ik denk aan sui\u0308cide", True),  # however the ï was typed
        ("Het gaat geweldig!", False),  # whole words only
        ("schuldeneiser", False),
        ("ik wil niet meer", False),
        ("", False),
    ],
)
def test_which_messages_hold_a_care_word(body, expected):
    assert care_word_in(body, WORDS) is expected


def test_no_words_flag_nothing_and_the_defaults_are_a_valid_list():
    assert care_word_in("geweld", ()) is False
    assert parse_care_words("\n".join(DEFAULT_CARE_WORDS)) == DEFAULT_CARE_WORDS
