"""Mobile numbers residents gave on the response page, waiting for their code; and the one
SMS that carries the code, queued like an agent's SMS but addressed to the new number."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import AttemptPurpose, AttemptState, Channel
from followup.rules.self_service import PendingCheck
from followup.store.rounds import latest_round_of
from followup.store.tables import Attempt, NumberCheck, SmsMessage

UNSENT = (AttemptState.QUEUED,)
CODE_BLANKED = "(code voor een nieuw nummer, gewist)"


async def codes_since(session: AsyncSession, follow_up_id: int, since: datetime) -> int:
    """How many codes this follow-up was sent after `since`, whatever became of them."""
    return await session.scalar(
        sa.select(sa.func.count()).where(
            NumberCheck.follow_up_id == follow_up_id, NumberCheck.created_at > since
        )
    )


async def pending_check(
    session: AsyncSession, follow_up_id: int
) -> tuple[int, PendingCheck] | None:
    """The follow-up's check still waiting for its code (the caller holds the follow-up's
    lock, so two requests do not both count a wrong code)."""
    row = (
        await session.execute(
            sa.select(
                NumberCheck.id,
                NumberCheck.e164,
                NumberCheck.code_mac,
                NumberCheck.wrong_codes,
                NumberCheck.expires_at,
            )
            .where(NumberCheck.follow_up_id == follow_up_id, NumberCheck.settled_at.is_(None))
            .order_by(NumberCheck.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    return row.id, PendingCheck(
        follow_up_id, row.e164, row.code_mac, row.wrong_codes, row.expires_at
    )


async def start_check(
    session: AsyncSession,
    follow_up_id: int,
    client_id: int,
    e164: str,
    code_mac: str,
    text: str,
    now: datetime,
    expires_at: datetime,
) -> int:
    """The check, and the SMS with its code to the new number, due now. The attempt carries
    its own address and no number of the resident's (`rules/targeting.py`), and no agent."""
    attempt_id = await session.scalar(
        sa.insert(Attempt)
        .values(
            follow_up_id=follow_up_id,
            round_id=latest_round_of(follow_up_id).scalar_subquery(),
            channel=Channel.SMS,
            purpose=AttemptPurpose.AGENT_MESSAGE,
            state=AttemptState.QUEUED,
            to_address=e164,
            due_at=now,
            tries=0,
            message=text,
            created_at=now,
        )
        .returning(Attempt.id)
    )
    return await session.scalar(
        sa.insert(NumberCheck)
        .values(
            follow_up_id=follow_up_id,
            client_id=client_id,
            e164=e164,
            code_mac=code_mac,
            attempt_id=attempt_id,
            wrong_codes=0,
            created_at=now,
            expires_at=expires_at,
        )
        .returning(NumberCheck.id)
    )


async def count_wrong(session: AsyncSession, check_id: int) -> None:
    await session.execute(
        sa.update(NumberCheck)
        .where(NumberCheck.id == check_id)
        .values(wrong_codes=NumberCheck.wrong_codes + 1)
    )


async def settle(session: AsyncSession, check_ids: list[int], result: str, now: datetime) -> None:
    """Over: the number and the code's MAC are blanked, a code SMS not sent yet is
    cancelled (a code that can no longer be used need not go out), and the code's text is
    blanked wherever it was kept, so staff never read a code."""
    if not check_ids:
        return
    code_sms = sa.select(NumberCheck.attempt_id).where(NumberCheck.id.in_(check_ids))
    await session.execute(
        sa.update(Attempt)
        .where(Attempt.id.in_(code_sms), Attempt.state.in_(UNSENT))
        .values(state=AttemptState.CANCELLED, cancelled_reason="code_not_needed", finished_at=now)
    )
    await session.execute(
        sa.update(Attempt).where(Attempt.id.in_(code_sms)).values(message=CODE_BLANKED)
    )
    await session.execute(
        sa.update(SmsMessage).where(SmsMessage.attempt_id.in_(code_sms)).values(body=CODE_BLANKED)
    )
    await session.execute(
        sa.update(NumberCheck)
        .where(NumberCheck.id.in_(check_ids), NumberCheck.settled_at.is_(None))
        .values(e164=None, code_mac=None, settled_at=now, result=result)
    )


async def unsettled_of(session: AsyncSession, follow_up_id: int) -> list[int]:
    return list(
        await session.scalars(
            sa.select(NumberCheck.id).where(
                NumberCheck.follow_up_id == follow_up_id, NumberCheck.settled_at.is_(None)
            )
        )
    )
