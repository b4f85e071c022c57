"""Carrying out what a failed attempt leads to (`rules.attempt_failures` decides): the next
try queued, the number or address flagged, an opt-out recorded, another channel taking over,
and the follow-up closed when nothing is left to reach the resident by.

Works inside the caller's transaction, after the caller has written the attempt itself.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.attempt_failures import FailureDecision, FlagKind, Recovery, fallback
from followup.rules.domain import OptOutSource
from followup.store.attempt_queue import queue_follow_on
from followup.store.contact_flags import flag_email, flag_number
from followup.store.follow_ups import client_of
from followup.store.opt_outs import record_opt_out
from followup.store.planning_queries import close_uncontactable
from followup.store.reachability import load_reach


async def carry_out(
    session: AsyncSession, decision: FailureDecision, now: datetime, recovery: Recovery
) -> None:
    failed = decision.attempt
    if decision.follow_on is not None:
        await queue_follow_on(session, failed, decision.follow_on, now)
    if not decision.contact_lost:
        return
    client_id = await client_of(session, failed.follow_up_id)
    if decision.opted_out:
        await record_opt_out(session, client_id, OptOutSource.CARRIER, now)
    else:
        flag = decision.flag
        if flag is not None and flag.kind is FlagKind.WRONG_EMAIL:
            await flag_email(session, client_id, flag)
        elif flag is not None and failed.phone_number_id is not None:
            await flag_number(session, failed.phone_number_id, flag, now)
        reach = (await load_reach(session, [client_id]))[client_id]
        if (instead := fallback(failed.purpose, reach, now, recovery)) is not None:
            await queue_follow_on(session, failed, instead, now)
    await close_uncontactable(session, now, [failed.follow_up_id])
