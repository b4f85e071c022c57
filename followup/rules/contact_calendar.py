"""Local calendar arithmetic for contacting residents: working days, Dutch public holidays and
contact windows, in the municipality's time zone. Every moment returned is in UTC."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from followup.rules.planning_rules import WEEKDAYS, WindowSpec

# Every window has at least one day and holidays never last a week, so a real window opens well
# within this many days; the bound only turns a planner bug into an error instead of a hang.
_SEARCH_DAYS = 366


def _require_aware(moment: datetime) -> None:
    # A naive datetime would silently be read in the host's zone.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone")


class ContactCalendar:
    always_open = False  # see `AroundTheClock`

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._holidays: dict[int, frozenset[date]] = {}

    def is_holiday(self, d: date) -> bool:
        if d.year not in self._holidays:
            self._holidays[d.year] = frozenset(holidays.Netherlands(years=d.year))
        return d in self._holidays[d.year]

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and not self.is_holiday(d)

    def local_date(self, moment: datetime) -> date:
        _require_aware(moment)
        return moment.astimezone(self.zone).date()

    def at(self, d: date, t: time) -> datetime:
        """Wall-clock `t` on local day `d`; the zone supplies the offset valid on that day."""
        return datetime.combine(d, t, tzinfo=self.zone).astimezone(UTC)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after `d` (so a weekend day + 1 is Monday); for n=0, `d` itself
        when it is a working day, else the next one."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            # The first working day from d on is the first working day after the day before d.
            d, n = d - timedelta(days=1), 1
        for _ in range(n):
            d += timedelta(days=1)
            while not self.is_working_day(d):
                d += timedelta(days=1)
        return d

    def open_on(self, d: date, window: WindowSpec) -> bool:
        return WEEKDAYS[d.weekday()] in window.days and not self.is_holiday(d)

    def is_open(self, moment: datetime, window: WindowSpec) -> bool:
        return self.next_open(moment, window) == moment.astimezone(UTC)

    def next_open(self, moment: datetime, window: WindowSpec) -> datetime:
        """The first moment at or after `moment` inside `window` (end exclusive)."""
        _require_aware(moment)
        moment = moment.astimezone(UTC)
        first_day = self.local_date(moment)
        for offset in range(_SEARCH_DAYS):
            day = first_day + timedelta(days=offset)
            if self.open_on(day, window) and moment < self.at(day, window.end):
                return max(moment, self.at(day, window.start))
        raise ValueError(f"window {window} does not open within {_SEARCH_DAYS} days")


class AroundTheClock(ContactCalendar):
    """The demo's calendar: every day a working day, every window open day and night, so
    whoever tries the service at any hour sees it work. Never used for real residents."""

    always_open = True

    def is_working_day(self, d: date) -> bool:
        return True

    def next_open(self, moment: datetime, window: WindowSpec) -> datetime:
        _require_aware(moment)
        return moment.astimezone(UTC)


def contact_calendar(zone: ZoneInfo, *, demo: bool) -> ContactCalendar:
    return AroundTheClock(zone) if demo else ContactCalendar(zone)
