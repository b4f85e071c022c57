"""How figures are written for Dutch readers, on pages and in the CLI alike."""

from datetime import date, time

from followup.rules.planning_rules import WEEKDAYS, WindowSpec

_DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        strict=True,
    )
)

_MONTH_NAMES = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def day_and_month(day: date) -> str:
    """ "9 maart"."""
    return f"{day.day} {_MONTH_NAMES[day.month - 1]}"


def weekday_and_date(day: date) -> str:
    """ "dinsdag 8 december"."""
    return f"{_DAY_NAMES[WEEKDAYS[day.weekday()]]} {day_and_month(day)}"


def percent(rate: float) -> str:
    """0.61 -> "61,0%": Dutch readers expect a decimal comma."""
    return f"{rate * 100:.1f}".replace(".", ",") + "%"


def file_problem(error: OSError) -> str:
    """Why a file could not be read or written, in Dutch rather than the system's English."""
    if isinstance(error, FileNotFoundError):
        return "het bestand of de map bestaat niet"
    if isinstance(error, PermissionError):
        return "u heeft geen toestemming voor dit bestand"
    if isinstance(error, IsADirectoryError):
        return "dit is een map, geen bestand"
    return "het bestand is niet te gebruiken"


def window_text(window: WindowSpec) -> str:
    """ "maandag tot en met zaterdag van 9.00 tot 20.00 uur"."""
    days = sorted(window.days, key=WEEKDAYS.index)
    indexes = [WEEKDAYS.index(day) for day in days]
    if len(days) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        named = f"{_DAY_NAMES[days[0]]} tot en met {_DAY_NAMES[days[-1]]}"
    else:
        names = [_DAY_NAMES[day] for day in days]
        named = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"
    return f"{named} van {clock(window.start)} tot {clock(window.end)} uur"


def clock(moment: time) -> str:
    """ "9.30", the way the municipality writes a time of day."""
    return f"{moment.hour}.{moment.minute:02d}"


def sentence(text: str) -> str:
    """A refusal as the CLI writes it ("het wachtwoord …") as a sentence on a page."""
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")
