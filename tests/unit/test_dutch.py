"""Figures and file problems written for Dutch readers."""

from datetime import time

import pytest

from followup.dutch import file_problem, percent, window_text
from followup.rules.planning_rules import WindowSpec


@pytest.mark.parametrize(
    "rate, text", [(0.0, "0,0%"), (0.61, "61,0%"), (1.0, "100,0%"), (0.12345, "12,3%")]
)
def test_percent_uses_a_decimal_comma(rate, text):
    assert percent(rate) == text


@pytest.mark.parametrize(
    "error, words",
    [
        (FileNotFoundError(2, "No such file"), "bestaat niet"),
        (PermissionError(13, "Permission denied"), "geen toestemming"),
        (IsADirectoryError(21, "Is a directory"), "een map"),
        (OSError(28, "No space left on device"), "niet te gebruiken"),
    ],
)
def test_file_problems_are_told_in_dutch(error, words):
    message = file_problem(error)
    assert words in message
    assert error.strerror not in message


@pytest.mark.parametrize(
    ("days", "start", "end", "text"),
    [
        (
            ["mon", "tue", "wed", "thu", "fri", "sat"],
            time(9),
            time(20),
            "maandag tot en met zaterdag van 9.00 tot 20.00 uur",
        ),
        (["fri", "mon"], time(8, 30), time(12), "maandag en vrijdag van 8.30 tot 12.00 uur"),
        (["wed"], time(9), time(17), "woensdag van 9.00 tot 17.00 uur"),
        (
            ["mon", "wed", "thu"],
            time(9),
            time(17),
            "maandag, woensdag en donderdag van 9.00 tot 17.00 uur",
        ),
    ],
)
def test_contact_window_in_words(days, start, end, text):
    assert window_text(WindowSpec(days=days, start=start, end=end)) == text
