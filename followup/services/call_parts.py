"""Use case: a resident chooses the part of the day to be called in, by SMS (OCHTEND,
MIDDAG, AVOND) or on the response page. The choice holds for every call from then on, the
calls already waiting included (`rules/call_parts.py`). Works inside the caller's
transaction."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.call_parts import chosen_text, moved_call
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.planning_rules import DayPart
from followup.services.planning_settings import rules_in
from followup.store.call_parts import keep_call_part


async def choose_call_part(
    session: AsyncSession,
    client_id: int,
    part: DayPart,
    now: datetime,
    calendar: ContactCalendar,
) -> str:
    """Keep the choice and move the waiting calls: the confirmation, which says when."""
    rules = await rules_in(session)
    await keep_call_part(
        session, client_id, part, lambda due: moved_call(due, part, rules, calendar, now), now
    )
    return chosen_text(part, rules)
