"""Use cases: a resident corrects their own mobile number or e-mail address on the response
page (`rules/self_service.py`). A new mobile number takes effect only when the code sent to it
comes back; then it is changed as when an agent records it (`services/contact_changes.py`).

The page reveals nothing about the resident, and neither do these answers: another
resident's number, or the number on file, is treated as any other number. Nothing here logs
a number."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules import self_service as rules
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import Channel
from followup.rules.phones import classify_phone
from followup.rules.planning_rules import PlanningRules
from followup.rules.self_service import CorrectionProblem, Verdict
from followup.services.contact_changes import change_contact
from followup.services.pacing import paused_channels
from followup.store import number_checks
from followup.store.follow_ups import lock_open_follow_up
from followup.store.reachability import load_reach
from followup.store.unit_of_work import unit_of_work

ACTOR = "inwoner (antwoordpagina)"


class FollowUpClosed(Exception):
    """The follow-up took its answer: the link no longer changes anything."""


@dataclass(frozen=True, slots=True)
class CodeSettings:
    """What the use cases need of the installation."""

    secret: str
    rules: PlanningRules
    calendar: ContactCalendar


async def request_code(
    sessions: async_sessionmaker[AsyncSession],
    follow_up_id: int,
    raw_number: str,
    now: datetime,
    settings: CodeSettings,
) -> None:
    """Queue an SMS with a new code to the number; a check still waiting is replaced.
    CorrectionProblem says, in Dutch, why nothing was sent."""
    number = rules.check_new_mobile(raw_number)
    if not settings.calendar.is_open(now, settings.rules.message_window):
        # The dialer sends SMS only in the window: a code sent later would have run out.
        raise CorrectionProblem(
            "Wij sturen nu geen sms. Probeer het overdag nog eens, op een werkdag."
        )
    async with unit_of_work(sessions) as uow:
        session = uow.session
        follow_up = await lock_open_follow_up(session, follow_up_id)
        if follow_up is None:
            raise FollowUpClosed
        if Channel.SMS in await paused_channels(session):
            raise CorrectionProblem("Wij kunnen nu geen sms sturen. Probeer het later nog eens.")
        reach = (await load_reach(session, [follow_up.client_id]))[follow_up.client_id]
        if reach.opted_out:
            raise CorrectionProblem(
                "U heeft gezegd dat u geen berichten meer wilt. Daarom sturen wij geen code. "
                "Wilt u toch een nieuw nummer doorgeven? Bel dan het belteam."
            )
        since = now - rules.CODES_PER
        if not rules.may_send_code(await number_checks.codes_since(session, follow_up_id, since)):
            raise CorrectionProblem(
                "U heeft vandaag al te vaak een code gevraagd. Probeer het morgen opnieuw."
            )
        await number_checks.settle(
            session, await number_checks.unsettled_of(session, follow_up_id), "replaced", now
        )
        code = rules.new_code()
        await number_checks.start_check(
            session,
            follow_up_id,
            follow_up.client_id,
            number.e164,
            rules.code_mac(settings.secret, follow_up_id, number.e164, code),
            rules.code_sms(code),
            now,
            now + rules.CODE_VALID,
        )
        await uow.commit()


async def confirm_code(
    sessions: async_sessionmaker[AsyncSession],
    follow_up_id: int,
    given: str,
    now: datetime,
    secret: str,
) -> Verdict | None:
    """What the code did; None when no check waits (never asked, or over already: a form
    sent twice). Only RIGHT changes the resident's number."""
    async with unit_of_work(sessions) as uow:
        session = uow.session
        follow_up = await lock_open_follow_up(session, follow_up_id)
        if follow_up is None:
            raise FollowUpClosed
        pending = await number_checks.pending_check(session, follow_up_id)
        if pending is None:
            return None
        check_id, check = pending
        verdict = rules.judge_code(secret, check, given, now)
        if verdict is Verdict.WRONG:
            await number_checks.count_wrong(session, check_id)
        elif verdict is Verdict.RIGHT:
            await change_contact(
                session, follow_up.client_id, now, phone=classify_phone(check.e164), actor=ACTOR
            )
            await number_checks.settle(session, [check_id], "confirmed", now)
        else:
            await number_checks.settle(session, [check_id], verdict.value, now)
        await uow.commit()
    return verdict


async def correct_email(
    sessions: async_sessionmaker[AsyncSession], follow_up_id: int, raw: str, now: datetime
) -> str:
    """The address as saved; CorrectionProblem when it is not an address."""
    email = rules.check_new_email(raw)
    async with unit_of_work(sessions) as uow:
        follow_up = await lock_open_follow_up(uow.session, follow_up_id)
        if follow_up is None:
            raise FollowUpClosed
        await change_contact(uow.session, follow_up.client_id, now, email=email, actor=ACTOR)
        await uow.commit()
    return email
