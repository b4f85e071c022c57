"""The dashboard's charts as geometry for the SVG macros in `templates/charts.html`: drawn on
the server, no script. Each chart also says in words what it shows (its text alternative);
the numbers themselves are in the table beside it."""

from collections.abc import Sequence
from dataclasses import dataclass

from followup.dutch import percent

WEEKDAYS_NL = ("ma", "di", "wo", "do", "vr", "za", "zo")
WEEKDAY_NAMES_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")

# Horizontal bars: the label column, the longest bar (100%), room for the figure after it.
LABEL_WIDTH, BAR_WIDTH, FIGURE_WIDTH, ROW_HEIGHT = 150, 260, 64, 30
MAX_LABEL = 20


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    figure: str
    y: int
    width: float


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    summary: str
    ticks: list[tuple[float, str]]  # x and label of the 0, 25, 50, 75 and 100% lines
    left: int = LABEL_WIDTH  # where the bars begin


def reach_bars(rows: Sequence[tuple[str, float]]) -> BarChart:
    """One bar per (label, rate between 0 and 1)."""
    bars = [
        Bar(_short(label), percent(rate), i * ROW_HEIGHT, round(rate * BAR_WIDTH, 1))
        for i, (label, rate) in enumerate(rows)
    ]
    summary = "; ".join(f"{label}: {percent(rate)}" for label, rate in rows)
    ticks = [(LABEL_WIDTH + share * BAR_WIDTH, f"{int(share * 100)}%") for share in _QUARTERS]
    return BarChart(
        bars,
        LABEL_WIDTH + BAR_WIDTH + FIGURE_WIDTH,
        len(rows) * ROW_HEIGHT + 24,
        f"Bereik per wijk. {summary}.",
        ticks,
    )


_QUARTERS = (0, 0.25, 0.5, 0.75, 1)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


# Stacked bars: one column per month.
COLUMN_WIDTH, COLUMN_GAP, PLOT_HEIGHT, AXIS_WIDTH = 40, 18, 200, 44
TOP, FOOT = 10, 36  # room for the highest count's label, and for the months
MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


@dataclass(frozen=True, slots=True)
class Segment:
    series: str
    y: float
    height: float
    count: int


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    x: int
    total: int
    segments: list[Segment]

    @property
    def short(self) -> tuple[str, str]:
        """Under the column: "2026-07" as "jul" over "2026"."""
        year, month = self.label.split("-")
        return MONTHS_NL[int(month) - 1], year


@dataclass(frozen=True, slots=True)
class StackedChart:
    columns: list[Column]
    width: int
    height: int
    ticks: list[tuple[float, int]]  # y and count of the horizontal lines
    summary: str
    column_width: int = COLUMN_WIDTH
    left: int = AXIS_WIDTH  # where the plot begins, right of the counts


def stacked_columns(
    columns: Sequence[tuple[str, Sequence[tuple[str, int]]]], describe: dict[str, str]
) -> StackedChart:
    """One column per (label, [(series, count), …]), the first series at the bottom."""
    highest = max((sum(count for _, count in parts) for _, parts in columns), default=0)
    step = _tick_step(highest)
    top = max(step * -(-highest // step), 1)
    scale = PLOT_HEIGHT / top
    drawn = []
    for i, (label, parts) in enumerate(columns):
        y, segments = float(TOP + PLOT_HEIGHT), []
        for series, count in parts:
            if count:
                y -= count * scale
                segments.append(Segment(series, round(y, 1), round(count * scale, 1), count))
        x = AXIS_WIDTH + COLUMN_GAP + i * (COLUMN_WIDTH + COLUMN_GAP)
        drawn.append(Column(label, x, sum(count for _, count in parts), segments))
    ticks = [(TOP + PLOT_HEIGHT - value * scale, value) for value in range(0, top + 1, step)]
    summary = " ".join(
        f"{label}: {sum(c for _, c in parts)} benaderd, "
        + ", ".join(f"{count} {describe[series]}" for series, count in parts if count)
        + "."
        for label, parts in columns
    )
    width = AXIS_WIDTH + COLUMN_GAP + len(columns) * (COLUMN_WIDTH + COLUMN_GAP)
    return StackedChart(drawn, width, TOP + PLOT_HEIGHT + FOOT, ticks, summary)


def _tick_step(highest: int) -> int:
    """A round step that gives four or five lines."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if highest <= step * 5:
            return step
    return 10 ** len(str(highest // 5))


# Heat map: weekdays down, hours across.
CELL_WIDTH, CELL_HEIGHT, DAY_COLUMN, HOUR_ROW = 44, 30, 36, 22
SHADES = 5  # darker is a higher answer rate; the cell's figure says it too


@dataclass(frozen=True, slots=True)
class Cell:
    x: int
    y: int
    shade: int | None  # 0 lightest … SHADES-1 darkest; None: no calls
    figure: str
    title: str


@dataclass(frozen=True, slots=True)
class HeatMap:
    hours: list[tuple[int, int]]  # x and hour of each column
    days: list[tuple[int, str]]  # y and short name of each row
    cells: list[Cell]
    width: int
    height: int
    summary: str


def heat_map(rates: Sequence[tuple[int, int, int, int]]) -> HeatMap:
    """Rows of (weekday, hour, calls, answered); hours from the first to the last with calls."""
    found = {(day, hour): (calls, answered) for day, hour, calls, answered in rates if calls}
    hours = sorted({hour for _, hour in found})
    columns = list(range(hours[0], hours[-1] + 1)) if hours else []
    cells = []
    for day in range(7):
        for i, hour in enumerate(columns):
            calls, answered = found.get((day, hour), (0, 0))
            rate = answered / calls if calls else None
            cells.append(
                Cell(
                    DAY_COLUMN + i * CELL_WIDTH,
                    HOUR_ROW + day * CELL_HEIGHT,
                    None if rate is None else min(int(rate * SHADES), SHADES - 1),
                    "–" if rate is None else f"{round(rate * 100)}%",
                    f"{WEEKDAY_NAMES_NL[day]} {hour}.00 uur: "
                    + (f"{answered} van {calls} opgenomen" if calls else "niet gebeld"),
                )
            )
    return HeatMap(
        [(DAY_COLUMN + i * CELL_WIDTH, hour) for i, hour in enumerate(columns)],
        [(HOUR_ROW + day * CELL_HEIGHT, WEEKDAYS_NL[day]) for day in range(7)],
        cells,
        DAY_COLUMN + len(columns) * CELL_WIDTH,
        HOUR_ROW + 7 * CELL_HEIGHT,
        _heat_summary(found),
    )


def _heat_summary(found: dict[tuple[int, int], tuple[int, int]]) -> str:
    if not found:
        return "Nog geen gesprekken."
    rate = {slot: answered / calls for slot, (calls, answered) in found.items()}
    best, worst = max(rate, key=rate.get), min(rate, key=rate.get)

    def name(slot: tuple[int, int]) -> str:
        return f"{WEEKDAY_NAMES_NL[slot[0]]} {slot[1]}.00 uur ({percent(rate[slot])})"

    return (
        f"Kans dat de inwoner opneemt, per weekdag en uur. Het hoogst op {name(best)}, "
        f"het laagst op {name(worst)}."
    )
