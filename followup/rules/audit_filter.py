"""What an admin asks of the audit trail: a period, a kind of action, who did it, which
resident. Parsed from a page's query; a wrong value is refused with a Dutch sentence."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followup.rules.domain import AuditAction

MAX_TEXT = 254


class AuditFilterError(ValueError):
    """The message is Dutch, for the admin who typed the value."""


@dataclass(frozen=True, slots=True)
class AuditFilter:
    first_day: date | None = None
    last_day: date | None = None
    action: AuditAction | None = None
    actor: str | None = None
    client_ref: str | None = None

    def since(self, zone: ZoneInfo) -> datetime | None:
        return _start(self.first_day, zone)

    def until(self, zone: ZoneInfo) -> datetime | None:
        """The first moment after the period (the last day counts whole)."""
        return _start(self.last_day + timedelta(days=1), zone) if self.last_day else None

    def as_query(self) -> dict[str, str]:
        """The filter as the page's query (for links to the next page)."""
        values = {
            "van": self.first_day.isoformat() if self.first_day else "",
            "tot": self.last_day.isoformat() if self.last_day else "",
            "actie": self.action.value if self.action else "",
            "wie": self.actor or "",
            "klantnummer": self.client_ref or "",
        }
        return {name: value for name, value in values.items() if value}


def _start(day: date | None, zone: ZoneInfo) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=zone) if day else None


def parse_filter(query: Mapping[str, str]) -> AuditFilter:
    first, last = _day(query, "van", "Vanaf"), _day(query, "tot", "Tot en met")
    if first and last and first > last:
        raise AuditFilterError("De datum 'Vanaf' ligt na de datum 'Tot en met'.")
    action_text = query.get("actie", "").strip()
    try:
        action = AuditAction(action_text) if action_text else None
    except ValueError:
        raise AuditFilterError("Kies een soort handeling uit de lijst.") from None
    return AuditFilter(
        first, last, action, _text(query, "wie", lower=True), _text(query, "klantnummer")
    )


def _day(query: Mapping[str, str], name: str, label: str) -> date | None:
    text = query.get(name, "").strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise AuditFilterError(f"'{label}' is geen datum. Schrijf de datum als dd-mm-jjjj.")


def _text(query: Mapping[str, str], name: str, *, lower: bool = False) -> str | None:
    text = query.get(name, "").strip()[:MAX_TEXT]
    return (text.lower() if lower else text) or None


def parse_cursor(text: str) -> int | None:
    """`voor=N` on the page: records before sequence number N (the next, older page)."""
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise AuditFilterError("Deze pagina bestaat niet. Begin opnieuw bij de nieuwste records.")
    return int(text)
