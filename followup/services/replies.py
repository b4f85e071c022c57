"""Use case: a resident answers, by SMS or on the response page. The answer is kept, acted
on through the outcome rules of `services/outcomes.py`, and confirmed in one short Dutch
message at most.

An SMS is matched to residents by the number it came from. A number that belongs to nobody
gets a polite answer and changes nothing; a number shared by several residents changes
nothing either, except STOP, which holds for everyone on that number. A resident marked as
needing care (`rules/care.py`) gets no automatic answer: their SMS is kept for a person to
read, and only STOP still acts. So is an unrecognised reply holding one of the team's care
words (`rules/care_words.py`), flagged for an agent to check.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules import sms_replies as texts
from followup.rules.care import MarkedReply, reply_of_marked
from followup.rules.care_words import CARE_WORD, care_word_in
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import OUTCOME_SOURCE, OptOutSource
from followup.rules.planning_rules import DayPart
from followup.rules.sms_replies import Reply, ReplyKind, interpret
from followup.services.call_parts import choose_call_part
from followup.services.care_words import care_words
from followup.services.outcomes import lift_opt_out, opt_out, record_outcome, request_callback
from followup.store import care_signals, sms_messages
from followup.store.follow_ups import is_open, lock_open_follow_up, lock_open_follow_up_of_client
from followup.store.unit_of_work import unit_of_work

MAX_BODY = 1600  # Twilio's longest message
MAX_NUMBER = 32  # the longest From or To kept


@dataclass(frozen=True, slots=True)
class InboundSms:
    sid: str
    from_number: str
    to_number: str
    body: str
    opt_out_type: str | None = None  # set when the carrier handled STOP/START itself


@dataclass(frozen=True, slots=True)
class Handled:
    confirmation: str | None  # what to answer; None: nothing
    needs_review: bool  # an agent reads it and decides


async def receive_sms(
    sessions: async_sessionmaker[AsyncSession],
    sms: InboundSms,
    now: datetime,
    calendar: ContactCalendar,
) -> str | None:
    """Keep and act on an SMS; the confirmation to answer with. A repeated webhook (same
    SID) changes nothing and gets no second confirmation. `calendar` places the calls of a
    resident who chooses a part of the day."""
    reply = interpret(sms.body, sms.opt_out_type)
    async with unit_of_work(sessions) as uow:
        session = uow.session
        senders = await sms_messages.holders_of(session, sms.from_number)
        one = senders[0] if len(senders) == 1 else None
        # A reply the grammar does not know, holding one of the team's care words: from a
        # resident or from a number we do not know (someone may have a new phone).
        alarming = reply.kind is ReplyKind.OTHER and care_word_in(
            sms.body, await care_words(session)
        )
        message_id = await sms_messages.record_inbound(
            session,
            sid=sms.sid,
            sender=one,
            from_number=sms.from_number[:MAX_NUMBER],
            to_number=sms.to_number[:MAX_NUMBER],
            body=sms.body[:MAX_BODY],
            interpretation=CARE_WORD if alarming else reply.kind.value,
            now=now,
        )
        if message_id is None:
            return None
        marked = await care_signals.marked_among(session, [s.client_id for s in senders])
        if alarming or (marked and reply_of_marked(reply.kind) is MarkedReply.REVIEW):
            # A care word, or marked as needing care: a person reads it, and answers it
            # themselves; nothing is done or answered automatically.
            handled = Handled(None, needs_review=True)
        elif not senders:
            handled = Handled(texts.UNKNOWN_SENDER, needs_review=False)
        elif reply.kind is ReplyKind.OPT_OUT:
            for sender in senders:
                await opt_out(
                    session,
                    sender.client_id,
                    now,
                    source=OptOutSource.SMS,
                    sms_message_id=message_id,
                )
            handled = Handled(texts.OPTED_OUT, needs_review=False)
        elif one is None:
            handled = Handled(texts.READ_BY_AGENT, needs_review=True)
        elif reply.kind is ReplyKind.CALL_PART:
            handled = await _call_part(session, one.client_id, reply.part, now, calendar)
        else:
            handled = await apply_reply(session, one.client_id, reply, now, OptOutSource.SMS)
        if handled.needs_review:
            await sms_messages.mark_for_review(session, message_id)
        await uow.commit()
    # The carrier already confirmed a STOP or START it handled itself: one answer only. A
    # resident marked as needing care gets no automatic answer at all.
    return None if sms.opt_out_type or marked else handled.confirmation


async def _call_part(
    session: AsyncSession,
    client_id: int,
    part: DayPart,
    now: datetime,
    calendar: ContactCalendar,
) -> Handled:
    """Kept while a follow-up runs; without one no call comes (answered, opted out, never
    asked), so promising a time would be wrong: a person reads it."""
    if await lock_open_follow_up_of_client(session, client_id) is None:
        return Handled(texts.READ_BY_AGENT, needs_review=True)
    return Handled(await choose_call_part(session, client_id, part, now, calendar), False)


async def apply_reply(
    session: AsyncSession,
    client_id: int,
    reply: Reply,
    now: datetime,
    source: OptOutSource,
    user_id: int | None = None,  # the agent who read it and decided, if one did
) -> Handled:
    if reply.kind is ReplyKind.OPT_OUT:
        await opt_out(session, client_id, now, source=source, user_id=user_id)
        return Handled(texts.OPTED_OUT, needs_review=False)
    if reply.kind is ReplyKind.OPT_IN:
        lifted = await lift_opt_out(session, client_id, now, source=source)
        return Handled(
            texts.STILL_OPTED_OUT if lifted is False else texts.OPTED_IN, needs_review=False
        )
    follow_up = await lock_open_follow_up_of_client(session, client_id)
    if reply.kind is ReplyKind.OTHER or follow_up is None:
        # Nothing to record it on (answered before, or never asked): a person looks at it.
        return Handled(texts.READ_BY_AGENT, needs_review=True)
    if reply.kind is ReplyKind.CALL_ME:
        await request_callback(session, follow_up, now)
        return Handled(texts.CALL_COMING, needs_review=False)
    await record_outcome(
        session, follow_up.id, reply.category, now, source=OUTCOME_SOURCE[source], user_id=user_id
    )
    return Handled(texts.outcome_thanks(reply.category), needs_review=False)


async def link_is_open(sessions: async_sessionmaker[AsyncSession], follow_up_id: int) -> bool:
    """Whether the response page may still take an answer for this follow-up."""
    async with unit_of_work(sessions) as uow:
        return await is_open(uow.session, follow_up_id)


async def answer_by_link(
    sessions: async_sessionmaker[AsyncSession], follow_up_id: int, reply: Reply, now: datetime
) -> str | None:
    """An answer on the response page, recorded like an SMS answer: what to tell the resident,
    None when the follow-up took its answer already (a page sent twice, an old link)."""
    async with unit_of_work(sessions) as uow:
        follow_up = await lock_open_follow_up(uow.session, follow_up_id)
        if follow_up is None:
            return None
        marked = await care_signals.marked_among(uow.session, [follow_up.client_id])
        if marked and reply_of_marked(reply.kind) is MarkedReply.REVIEW:
            # The named colleague gets in touch: no outcome and no callback from the page.
            return texts.COLLEAGUE_GETS_IN_TOUCH
        handled = await apply_reply(
            uow.session, follow_up.client_id, reply, now, OptOutSource.EMAIL_LINK
        )
        await uow.commit()
        return handled.confirmation


async def call_part_by_link(
    sessions: async_sessionmaker[AsyncSession],
    follow_up_id: int,
    part: DayPart,
    now: datetime,
    calendar: ContactCalendar,
) -> str | None:
    """A part of the day chosen on the response page: what to tell the resident, None when
    the follow-up has closed (an old link)."""
    async with unit_of_work(sessions) as uow:
        follow_up = await lock_open_follow_up(uow.session, follow_up_id)
        if follow_up is None:
            return None
        if await care_signals.marked_among(uow.session, [follow_up.client_id]):
            return texts.COLLEAGUE_GETS_IN_TOUCH  # no more calls from the team
        chosen = await choose_call_part(uow.session, follow_up.client_id, part, now, calendar)
        await uow.commit()
        return chosen
