"""Which follow-ups the reach report counts: those that opened in a range of local months,
of one wijk. The checks live here so the CLI and the dashboard refuse the same input."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# Years 1900-2999: wide enough for any follow-up, and the month after the last one exists.
_MONTH = re.compile(r"(19|2\d)\d{2}-(0[1-9]|1[0-2])")


class ReportFilterError(ValueError):
    """A filter the report cannot use. `field` names it (first_month, last_month or wijk);
    the message (Dutch) says what is wrong without naming it, so each caller can put its
    own name for the field in front."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """Months are "YYYY-MM", the local month in which a follow-up opened, both inclusive;
    None leaves that side open. Raises ReportFilterError when built from bad input."""

    first_month: str | None = None
    last_month: str | None = None
    wijk: str | None = None

    def __post_init__(self) -> None:
        for field in ("first_month", "last_month"):
            month = getattr(self, field)
            if month is not None and not _MONTH.fullmatch(month):
                raise ReportFilterError(
                    field,
                    f"{month!r} is geen maand: schrijf jaar en maand als JJJJ-MM, "
                    "bijvoorbeeld 2026-01",
                )
        if self.first_month and self.last_month and self.first_month > self.last_month:
            raise ReportFilterError(
                "last_month", f"{self.last_month} ligt vóór de beginmaand {self.first_month}"
            )
        if self.wijk is not None and not self.wijk.strip():
            raise ReportFilterError("wijk", "is leeg: geef de naam van een wijk")

    def opened_from(self, zone: ZoneInfo) -> datetime | None:
        """The UTC instant at which the first month begins locally."""
        if self.first_month is None:
            return None
        year, month = _year_month(self.first_month)
        return month_begins(year, month, zone)

    def opened_before(self, zone: ZoneInfo) -> datetime | None:
        """The UTC instant at which the month after the last month begins locally."""
        if self.last_month is None:
            return None
        year, month = _year_month(self.last_month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return month_begins(year, month, zone)


EVERYTHING = ReportFilter()


def month_begins(year: int, month: int, zone: ZoneInfo) -> datetime:
    """The UTC instant at which a local month begins: exact across DST changes."""
    return datetime(year, month, 1, tzinfo=zone).astimezone(UTC)


def _year_month(month: str) -> tuple[int, int]:
    year, number = month.split("-")
    return int(year), int(number)
