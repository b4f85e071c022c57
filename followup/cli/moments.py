"""`--now` for commands that act at a moment: ISO 8601, local time when no offset is given."""

from datetime import datetime
from zoneinfo import ZoneInfo

from followup.cli.runtime import Refused
from followup.clock import utc_now


def parse_now(text: str | None, zone: ZoneInfo) -> datetime:
    if text is None:
        return utc_now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Refused(
            f"--now {text!r} is geen tijdstip in ISO 8601, "
            "bijvoorbeeld 2026-11-23T09:00 of 2026-11-23T09:00+01:00"
        ) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
