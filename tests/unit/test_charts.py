"""The dashboard's charts: geometry that follows the figures, and words that say the same."""

from followup.web.charts import BAR_WIDTH, PLOT_HEIGHT, TOP, heat_map, reach_bars, stacked_columns


def test_bars_are_as_long_as_the_rate_and_long_names_are_cut():
    chart = reach_bars([("Selwerd", 0.5), ("Een wijk met een heel lange naam", 1.0)])
    assert [bar.width for bar in chart.bars] == [BAR_WIDTH / 2, BAR_WIDTH]
    assert [bar.figure for bar in chart.bars] == ["50,0%", "100,0%"]
    assert chart.bars[1].label == "Een wijk met een he…"
    assert (
        chart.summary
        == "Bereik per wijk. Selwerd: 50,0%; Een wijk met een heel lange naam: 100,0%."
    )


def test_stacked_columns_put_the_first_series_at_the_bottom_on_a_round_scale():
    chart = stacked_columns(
        [("2026-03", [("active", 3), ("open", 0), ("unreachable", 7)])],
        {"active": "actief", "open": "open", "unreachable": "niet bereikt"},
    )
    (column,) = chart.columns
    assert column.total == 10
    active, unreachable = column.segments  # nothing drawn for a count of 0
    assert (active.series, active.y + active.height) == ("active", TOP + PLOT_HEIGHT)
    assert unreachable.y == TOP  # the scale's top is 10: the column fills the plot
    assert [value for _, value in chart.ticks] == [0, 2, 4, 6, 8, 10]
    assert chart.summary == "2026-03: 10 benaderd, 3 actief, 7 niet bereikt."


def test_the_heat_map_spans_the_hours_called_and_shades_by_answer_rate():
    chart = heat_map([(0, 9, 4, 1), (4, 11, 2, 2)])
    assert [hour for _, hour in chart.hours] == [9, 10, 11]
    assert len(chart.cells) == 7 * 3
    shades = {(cell.x, cell.y): (cell.shade, cell.figure) for cell in chart.cells}
    assert shades[(chart.hours[0][0], chart.days[0][0])] == (1, "25%")
    assert shades[(chart.hours[2][0], chart.days[4][0])] == (4, "100%")
    assert shades[(chart.hours[1][0], chart.days[0][0])] == (None, "–")
    assert "Het hoogst op vrijdag 11.00 uur (100,0%)" in chart.summary
    assert "het laagst op maandag 9.00 uur (25,0%)" in chart.summary


def test_no_calls_is_an_empty_heat_map():
    assert heat_map([]).cells == [] and heat_map([]).summary == "Nog geen gesprekken."
