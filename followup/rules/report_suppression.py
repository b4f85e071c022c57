"""Small numbers hidden in figures that leave the team (`--suppress-below N`).

A count under N is shown as "<N", zero included: "nobody in this wijk" tells as much as
"one". A rate is hidden when a count it is computed from is hidden, since the rate and the
other count would give it back: reach_rate = reached / approached.

The figures add up (approached = reached + unreachable + open, reached = the four outcomes,
unreachable = the four reasons, and down each column the rows make the total when they
partition the follow-ups), so one hidden cell in a sum could be worked back out by a
subtraction. Complementary suppression: wherever a sum has exactly one hidden member, its
smallest other member is hidden too, until no sum has exactly one.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

RATE_INPUTS = {"reach_rate": ("approached", "reached")}
# Within a line: each sum, then what it is the sum of.
LINE_SUMS = (
    ("approached", ("reached", "unreachable", "open")),
    ("reached", ("active", "with_wij", "in_progress", "not_active")),
    ("unreachable", ("no_answer", "invalid_number", "no_contact_details", "opted_out")),
)


@dataclass(frozen=True, slots=True)
class Hidden:
    """A count under the threshold, shown as "<N"; or, not `small`, a count hidden so that a
    small one cannot be worked back out, shown as "x"."""

    below: int
    small: bool = True

    def __str__(self) -> str:
        return f"<{self.below}" if self.small else "x"


# A figure as shown: the number, Hidden for a small count, None for a rate left empty.
Shown = int | float | Hidden | None


def parse_threshold(text: str) -> int:
    """N from the command line or a form: a whole number of at least 1 (Dutch ValueError)."""
    try:
        threshold = int(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is geen heel getal") from None
    if threshold < 1:
        raise ValueError("moet 1 of meer zijn")
    return threshold


def suppress_lines(
    lines: Sequence[Mapping[str, int | float]], below: int | None, *, last_is_total: bool
) -> list[dict[str, Shown]]:
    """Every line of a report as shown, the total last. `last_is_total`: the other lines add
    up to it (they partition the follow-ups), so its columns are sums too."""
    if below is None:
        return [dict(line) for line in lines]
    if below < 1:
        raise ValueError("the threshold is a whole number of at least 1")
    counts = [name for name in lines[0] if name not in RATE_INPUTS]
    hidden = {(i, name) for i, line in enumerate(lines) for name in counts if line[name] < below}
    sums = [
        [(i, total), *((i, part) for part in parts)]
        for i in range(len(lines))
        for total, parts in LINE_SUMS
    ]
    if last_is_total and len(lines) > 1:
        last = len(lines) - 1
        sums += [[(last, name), *((i, name) for i in range(last))] for name in counts]
    changed = True
    while changed:
        changed = False
        for cells in sums:
            if sum(cell in hidden for cell in cells) == 1:
                shown = [cell for cell in cells if cell not in hidden]
                hidden.add(min(shown, key=lambda cell: lines[cell[0]][cell[1]]))
                changed = True

    def shown(i: int, name: str, value: int | float) -> Shown:
        if name in RATE_INPUTS:
            return None if any((i, count) in hidden for count in RATE_INPUTS[name]) else value
        return Hidden(below, small=value < below) if (i, name) in hidden else value

    return [
        {name: shown(i, name, value) for name, value in line.items()}
        for i, line in enumerate(lines)
    ]
