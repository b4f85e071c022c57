"""The retention period's bounds, its cutoff in calendar months, and the opt-out digest."""

from datetime import UTC, datetime

import pytest

from followup.rules.erasure import (
    RetentionError,
    contact_digest,
    retention_cutoff,
    retention_months,
)


@pytest.mark.parametrize(("given", "months"), [("12", 12), ("24", 24), (" 36 ", 36), (12, 12)])
def test_a_whole_number_from_the_legal_minimum_is_a_period(given, months):
    assert retention_months(given) == months


@pytest.mark.parametrize("given", ["11", "0", "-24", "12.5", "twee", "", "1e2"])
def test_anything_else_is_refused_in_dutch_naming_the_option(given):
    with pytest.raises(RetentionError, match="--older-than"):
        retention_months(given)


@pytest.mark.parametrize(
    ("now", "months", "cutoff"),
    [
        (datetime(2026, 12, 3, 14, 0, tzinfo=UTC), 24, datetime(2024, 12, 3, 14, 0, tzinfo=UTC)),
        # A day past the target month's end lands on its last day.
        (datetime(2025, 3, 31, 1, 0, tzinfo=UTC), 13, datetime(2024, 2, 29, 1, 0, tzinfo=UTC)),
    ],
)
def test_the_cutoff_is_calendar_months_back(now, months, cutoff):
    assert retention_cutoff(now, months) == cutoff


def test_a_digest_depends_on_the_pepper_and_ignores_an_addresss_case():
    phone = contact_digest("pepper", "phone", "+31612345678")
    assert phone != contact_digest("other", "phone", "+31612345678")
    assert "31612345678" not in phone and len(phone) == 64
    assert contact_digest("p", "email", " Anna@Example.NL") == contact_digest(
        "p", "email", "anna@example.nl"
    )
