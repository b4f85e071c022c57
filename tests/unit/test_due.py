from datetime import date, timedelta

import pytest

from followup.rules.domain import Initiative
from followup.rules.due import add_months, due_date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(date(2026, 1, 15), 1, date(2026, 2, 15), id="plain"),
        pytest.param(date(2026, 1, 31), 1, date(2026, 2, 28), id="31jan-to-28feb"),
        pytest.param(date(2028, 1, 31), 1, date(2028, 2, 29), id="31jan-to-29feb-leap"),
        pytest.param(date(2025, 8, 31), 6, date(2026, 2, 28), id="31aug-plus-6"),
        pytest.param(date(2027, 8, 31), 6, date(2028, 2, 29), id="31aug-plus-6-leap"),
        pytest.param(date(2026, 3, 31), 1, date(2026, 4, 30), id="31mar-to-30apr"),
        pytest.param(date(2026, 1, 30), 1, date(2026, 2, 28), id="30jan-to-28feb"),
        pytest.param(date(2026, 11, 15), 3, date(2027, 2, 15), id="year-wrap"),
        pytest.param(date(2026, 11, 30), 3, date(2027, 2, 28), id="year-wrap-clamped"),
        pytest.param(date(2026, 12, 1), 1, date(2027, 1, 1), id="december-to-january"),
        pytest.param(date(2026, 5, 20), 24, date(2028, 5, 20), id="24-months"),
        pytest.param(date(2026, 2, 28), 24, date(2028, 2, 28), id="24-months-from-28feb"),
        pytest.param(date(2028, 2, 29), 12, date(2029, 2, 28), id="leap-day-plus-year"),
        pytest.param(date(2026, 2, 28), 1, date(2026, 3, 28), id="28feb-does-not-jump"),
        pytest.param(date(2026, 6, 10), 0, date(2026, 6, 10), id="zero"),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("conversation", "months", "initiative", "expected"),
    [
        pytest.param(
            date(2026, 1, 31), 1, Initiative.MUNICIPALITY, date(2026, 2, 28), id="municipality"
        ),
        pytest.param(
            date(2026, 1, 31),
            1,
            Initiative.CLIENT,
            date(2026, 2, 28) + timedelta(days=28),
            id="client-after-clamp",
        ),
        pytest.param(date(2026, 1, 31), 1, Initiative.CLIENT, date(2026, 3, 28), id="client"),
        pytest.param(
            date(2026, 10, 15), 3, Initiative.CLIENT, date(2027, 2, 12), id="client-year-wrap"
        ),
        pytest.param(
            date(2026, 4, 1), 3, Initiative.MUNICIPALITY, date(2026, 7, 1), id="default-term"
        ),
    ],
)
def test_due_date(conversation, months, initiative, expected):
    assert due_date(conversation, months, initiative) == expected


@pytest.mark.parametrize("months", [1, 3, 6, 12, 24], ids=lambda m: f"{m}-months")
def test_client_initiative_is_exactly_28_days_later(months):
    conversation = date(2026, 8, 31)
    municipality = due_date(conversation, months, Initiative.MUNICIPALITY)
    client = due_date(conversation, months, Initiative.CLIENT)
    assert municipality == add_months(conversation, months)
    assert client - municipality == timedelta(days=28)
