from datetime import date

import pytest

from followup.services.pacing import WijkTurn
from followup.web.pacing_pages import expected_start

MONDAY, NEXT, LATER = date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 23)


def turn(waiting=5, held=False, schedule=(), beyond=0) -> WijkTurn:
    return WijkTurn("Oost", waiting, 0, held, 10, False, list(schedule), beyond)


@pytest.mark.parametrize(
    ("wijk", "text"),
    [
        (turn(waiting=0), "niemand wacht"),
        (turn(held=True, beyond=5), "pas na vrijgeven"),
        (turn(beyond=5), "niemand: 0 per week"),
        (turn(schedule=[(MONDAY, 5)]), "deze week"),
        (turn(schedule=[(NEXT, 3), (LATER, 2)]), "volgende week tot en met week van 23 maart"),
        (
            turn(schedule=[(MONDAY, 1)], beyond=4),
            "vanaf deze week; de laatste pas over meer dan een jaar",
        ),
    ],
)
def test_when_a_wijk_is_expected_to_begin_in_a_few_words(wijk, text):
    assert expected_start(wijk, MONDAY) == text
