"""`--suppress-below N`: small counts hidden, the rates that would give them back, and
whatever a subtraction would give them back from (complementary suppression)."""

import pytest

from followup.rules.report_suppression import (
    LINE_SUMS,
    Hidden,
    parse_threshold,
    suppress_lines,
)

REASONS = ("no_answer", "invalid_number", "no_contact_details", "opted_out")
OUTCOMES = ("active", "with_wij", "in_progress", "not_active")


def line(**counts: int) -> dict[str, int | float]:
    """A report line whose sums add up: the outcomes and reasons given, 20 each otherwise."""
    figures = {name: counts.get(name, 20) for name in (*OUTCOMES, *REASONS)}
    reached = sum(figures[name] for name in OUTCOMES)
    unreachable = sum(figures[name] for name in REASONS)
    open_ = counts.get("open", 20)
    approached = reached + unreachable + open_
    return {
        "approached": approached,
        "reached": reached,
        "reach_rate": round(reached / approached, 4),
        **figures,
        "unreachable": unreachable,
        "open": open_,
    }


def total(*lines: dict) -> dict:
    summed = {name: sum(line[name] for line in lines) for name in lines[0]}
    return {**summed, "reach_rate": round(summed["reached"] / summed["approached"], 4)}


def hidden(shown: dict) -> set[str]:
    return {name for name, value in shown.items() if isinstance(value, Hidden)}


def no_sum_gives_one_back(lines: list[dict], last_is_total: bool) -> bool:
    """No sum of the report has exactly one hidden member: nothing hidden can be worked out
    by one subtraction."""
    sums = [[(i, s), *((i, p) for p in parts)] for i in range(len(lines)) for s, parts in LINE_SUMS]
    if last_is_total:
        last = len(lines) - 1
        sums += [[(last, n), *((i, n) for i in range(last))] for n in lines[0] if n != "reach_rate"]
    return all(sum(isinstance(lines[i][name], Hidden) for i, name in cells) != 1 for cells in sums)


def test_without_a_threshold_everything_shows():
    lines = [line(), line()]
    assert suppress_lines(lines, None, last_is_total=False) == lines


@pytest.mark.parametrize(("count", "is_hidden"), [(9, True), (10, False)])
def test_a_count_of_n_minus_1_is_hidden_and_a_count_of_n_shows(count, is_hidden):
    [shown] = suppress_lines([line(active=count)], 10, last_is_total=False)
    assert (shown["active"] == Hidden(10)) is is_hidden
    if is_hidden:
        assert str(shown["active"]) == "<10"


def test_a_small_count_takes_another_of_its_sum_with_it_shown_as_x():
    [shown] = suppress_lines([line(open=3)], 5, last_is_total=False)
    assert shown["open"] == Hidden(5) and str(shown["open"]) == "<5"
    # approached = reached + unreachable + open: the smallest other one goes too.
    assert any(str(shown[name]) == "x" for name in ("approached", "reached", "unreachable"))
    assert no_sum_gives_one_back([shown], False)


def test_a_small_count_in_a_row_hides_its_column_partner_when_rows_make_the_total():
    a, b = line(active=2), line(active=30)
    rows_and_total = suppress_lines([a, b, total(a, b)], 5, last_is_total=True)
    assert no_sum_gives_one_back(rows_and_total, True)
    column = [shown["active"] for shown in rows_and_total]
    assert sum(isinstance(value, Hidden) for value in column) >= 2


def test_rows_that_overlap_leave_the_total_alone():
    a, b = line(active=2), line(active=30)
    *_, shown_total = suppress_lines([a, b, total(a, b)], 5, last_is_total=False)
    assert hidden(shown_total) == set()


def test_the_rate_is_empty_when_a_count_it_comes_from_is_hidden():
    [shown] = suppress_lines(
        [line(active=1, with_wij=1, in_progress=1, not_active=1)], 5, last_is_total=False
    )
    assert isinstance(shown["reached"], Hidden) and shown["reach_rate"] is None


def test_the_rate_shows_when_both_its_counts_show():
    [shown] = suppress_lines([line()], 5, last_is_total=False)
    assert shown["reach_rate"] == 0.4444  # 80 of 180


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("10", 10), (" 5 ", 5)])
def test_threshold_is_a_positive_whole_number(text, expected):
    assert parse_threshold(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [("0", "1 of meer"), ("-3", "1 of meer"), ("2.5", "heel getal"), ("tien", "heel getal")],
)
def test_other_thresholds_are_refused_in_dutch(text, words):
    with pytest.raises(ValueError, match=words):
        parse_threshold(text)


def test_suppression_refuses_a_threshold_below_1():
    with pytest.raises(ValueError):
        suppress_lines([line()], 0, last_is_total=False)
