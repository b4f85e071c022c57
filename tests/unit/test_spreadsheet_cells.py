"""OWASP CSV injection: no cell the service writes is run as a formula by a spreadsheet."""

import pytest

from followup.rules.spreadsheet_cells import formula_like, restore_cell, safe_cell

FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x","y")',
    "+31 6 12345678",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",  # some spreadsheets trim the space first
    "\u00a0=1+1",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_gets_a_leading_apostrophe(text):
    assert formula_like(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Selwerd", "2026-01", "<10", "33,3%", "", " a", "a=b"])
def test_other_text_is_left_alone(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("text", ["-", "=", "+", "@"])
def test_a_single_character_cannot_be_a_formula_and_is_left_alone(text):
    # The report's "no agent" key is "-"; scripts reading the CSV rely on it.
    assert safe_cell(text) == text


@pytest.mark.parametrize("number", [-5, 3, 0.3333, -0.5])
def test_numbers_are_untouched(number):
    assert safe_cell(number) == number
    assert type(safe_cell(number)) is type(number)


@pytest.mark.parametrize("text", [*FORMULAS, "Selwerd", "-", "'quoted'", "'Selwerd", "'", ""])
def test_restore_gives_back_what_safe_cell_was_given(text):
    assert restore_cell(safe_cell(text)) == text


def test_restore_keeps_an_apostrophe_safe_cell_did_not_add():
    assert restore_cell("'Selwerd") == "'Selwerd"
    assert restore_cell("'-") == "'-"
