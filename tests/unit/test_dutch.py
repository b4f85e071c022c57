"""Figures and file problems written for Dutch readers."""

import pytest

from followup.dutch import file_problem, percent


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
