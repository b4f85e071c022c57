"""When a follow-up is due: the agreed term after the conversation, in calendar months."""

import calendar
from datetime import date, timedelta

from followup.rules.domain import Initiative

CLIENT_INITIATIVE_GRACE = timedelta(weeks=4)


def add_months(day: date, months: int) -> date:
    """Calendar months; a day past the target month's end lands on its last day
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(conversation_date: date, months: int, initiative: Initiative) -> date:
    """The day the municipality takes the first step; a client who said they would get in
    touch themselves gets four more weeks to do so."""
    due = add_months(conversation_date, months)
    if initiative is Initiative.CLIENT:
        due += CLIENT_INITIATIVE_GRACE
    return due
