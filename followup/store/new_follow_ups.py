"""Opening the follow-ups that are due, with their first round, in a few set-based steps.

The candidates are written to a scratch table first, each with the reason it cannot be
contacted (or none); follow-ups then go in already in round 1, open with a round or closed
with an outcome, so a pass never has to update the rows it has just inserted.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import FollowUpState, OutcomeCategory, OutcomeSource
from followup.store.planning_queries import uncontactable_reason
from followup.store.rows import insert_select_ignoring_conflicts
from followup.store.scratch import scratch, scratch_table
from followup.store.tables import Client, Conversation, FollowUp, Outcome, Round
from followup.store.types import UTCDateTime

OPEN, CLOSED = FollowUpState.OPEN.value, FollowUpState.CLOSED.value

DUE = scratch_table(
    "plan_due",
    sa.Column("client_id", sa.Integer),
    sa.Column("conversation_id", sa.Integer),
    sa.Column("reason", sa.String(32)),
)


@dataclass(frozen=True, slots=True)
class Opened:
    follow_ups: int
    rounds: int
    closed: int


def _due_conversations(today: date) -> sa.Select:
    """One follow-up per client at a time, for the client's latest conversation that is due."""
    c = sa.alias(Conversation.__table__, "c")
    newer_due = sa.exists().where(
        Conversation.client_id == c.c.client_id,
        Conversation.conversation_date > c.c.conversation_date,
        Conversation.due_on <= today,
    )
    return (
        sa.select(c.c.client_id, c.c.id, uncontactable_reason())
        .join(Client, Client.id == c.c.client_id)
        .where(
            c.c.due_on <= today,
            Client.erased_at.is_(None),
            ~sa.exists().where(FollowUp.conversation_id == c.c.id),
            ~sa.exists().where(FollowUp.client_id == c.c.client_id, FollowUp.state == OPEN),
            ~newer_due,
        )
    )


async def open_due_follow_ups(
    session: AsyncSession, now: datetime, today: date, round_length: timedelta
) -> Opened:
    stamp = sa.literal(now, UTCDateTime())
    closing = DUE.c.reason.is_not(None)
    async with scratch(session, DUE, _due_conversations(today)):
        inserted = await session.execute(
            insert_select_ignoring_conflicts(
                session,
                FollowUp.__table__,
                ["client_id", "conversation_id", "state", "round_number", "opened_at", "closed_at"],
                sa.select(
                    DUE.c.client_id,
                    DUE.c.conversation_id,
                    sa.case((closing, CLOSED), else_=OPEN),
                    sa.literal(1),
                    stamp,
                    sa.case((closing, stamp), else_=sa.null()),
                ),
            )
        )
        ours = sa.and_(
            FollowUp.conversation_id == DUE.c.conversation_id, FollowUp.opened_at == stamp
        )
        closed = await session.execute(
            insert_select_ignoring_conflicts(
                session,
                Outcome.__table__,
                ["follow_up_id", "category", "reason", "source", "recorded_at"],
                sa.select(
                    FollowUp.id,
                    sa.literal(OutcomeCategory.UNREACHABLE.value),
                    DUE.c.reason,
                    sa.literal(OutcomeSource.PLANNER.value),
                    stamp,
                )
                .select_from(DUE)
                .join(FollowUp, ours)
                .where(closing),
            )
        )
        rounds = await session.execute(
            insert_select_ignoring_conflicts(
                session,
                Round.__table__,
                ["follow_up_id", "number", "opened_at", "closes_at"],
                sa.select(
                    FollowUp.id, sa.literal(1), stamp, sa.literal(now + round_length, UTCDateTime())
                )
                .select_from(DUE)
                .join(FollowUp, ours)
                .where(~closing, FollowUp.state == OPEN),
            )
        )
    return Opened(inserted.rowcount, rounds.rowcount, closed.rowcount)
