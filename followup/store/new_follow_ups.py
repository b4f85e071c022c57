"""Opening the follow-ups that are due, with their first round, in a few set-based steps.

The candidates are written to a scratch table first, each with the reason it cannot be
contacted (or none); follow-ups then go in already in round 1, open with a round or closed
with an outcome, so a pass never has to update the rows it has just inserted.

When the week's opening is paced (rules/pacing.py), only the oldest due of each wijk up to
what is left of its limit, and of those the oldest up to what is left of the total, are
candidates: two ROW_NUMBER windows, so the choice is one statement on either database.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import FollowUpState, OutcomeCategory, OutcomeSource
from followup.rules.pacing import Room
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
    sa.Column("wijk", sa.String(100)),
)
# What is left of this week's limit for the wijken `Room` names; other wijken get its default.
ROOM = scratch_table("plan_room", sa.Column("wijk", sa.String(100)), sa.Column("room", sa.Integer))


@dataclass(frozen=True, slots=True)
class Opened:
    follow_ups: int
    rounds: int
    closed: int


def due_conversations(today: date) -> sa.Select:
    """One follow-up per client at a time, for the client's latest conversation that is due:
    client_id, conversation_id, reason (why not contactable, or NULL), wijk, due_on."""
    c = sa.alias(Conversation.__table__, "c")
    newer_due = sa.exists().where(
        Conversation.client_id == c.c.client_id,
        Conversation.conversation_date > c.c.conversation_date,
        Conversation.due_on <= today,
    )
    return (
        sa.select(
            c.c.client_id,
            c.c.id.label("conversation_id"),
            uncontactable_reason().label("reason"),
            Client.wijk,
            c.c.due_on,
        )
        .join(Client, Client.id == c.c.client_id)
        .where(
            c.c.due_on <= today,
            Client.erased_at.is_(None),
            sa.not_(c.c.followed_up),  # no follow-up for it yet (migration 0010)
            ~sa.exists().where(FollowUp.client_id == c.c.client_id, FollowUp.state == OPEN),
            ~newer_due,
        )
    )


def _their_turn(due: sa.Select, room: Room) -> sa.Select:
    """Of `due`, those whose turn it is this week, oldest due first (ties by conversation)."""
    d = due.subquery("due")
    oldest_first = (d.c.due_on, d.c.conversation_id)
    default = sa.cast(sa.literal(room.default, sa.Integer), sa.Integer)
    ranked = (
        sa.select(
            d.c.client_id,
            d.c.conversation_id,
            d.c.reason,
            d.c.wijk,
            d.c.due_on,
            sa.case((ROOM.c.wijk.is_(None), default), else_=ROOM.c.room).label("room"),
            sa.func.row_number().over(partition_by=d.c.wijk, order_by=oldest_first).label("nth"),
        )
        .select_from(d.outerjoin(ROOM, ROOM.c.wijk == d.c.wijk))
        .subquery("ranked")
    )
    in_wijk_room = (
        sa.select(
            ranked.c.client_id,
            ranked.c.conversation_id,
            ranked.c.reason,
            ranked.c.wijk,
            sa.func.row_number()
            .over(order_by=(ranked.c.due_on, ranked.c.conversation_id))
            .label("nth"),
        )
        .where(sa.or_(ranked.c.room.is_(None), ranked.c.nth <= ranked.c.room))
        .subquery("in_wijk_room")
    )
    turn = sa.select(
        in_wijk_room.c.client_id,
        in_wijk_room.c.conversation_id,
        in_wijk_room.c.reason,
        in_wijk_room.c.wijk,
    )
    return turn if room.total is None else turn.where(in_wijk_room.c.nth <= room.total)


async def open_due_follow_ups(
    session: AsyncSession,
    now: datetime,
    today: date,
    round_length: timedelta,
    room: Room | None = None,
) -> Opened:
    """`room`: what is left of this week's limits; None when opening is not paced."""
    due = due_conversations(today)
    if room is None:
        return await _open(
            session, now, round_length, due.with_only_columns(*list(due.selected_columns)[:4])
        )
    async with scratch(session, ROOM):
        if room.named:
            rows = [{"wijk": wijk, "room": left} for wijk, left in room.named.items()]
            await session.execute(sa.insert(ROOM), rows)
        return await _open(session, now, round_length, _their_turn(due, room))


async def _open(
    session: AsyncSession, now: datetime, round_length: timedelta, candidates: sa.Select
) -> Opened:
    stamp = sa.literal(now, UTCDateTime())
    closing = DUE.c.reason.is_not(None)
    async with scratch(session, DUE, candidates):
        inserted = await session.execute(
            insert_select_ignoring_conflicts(
                session,
                FollowUp.__table__,
                # The wijk too: kept as the follow-up's (store/follow_up_facts.py) with the
                # row, not by a trigger writing it a second time.
                [
                    "client_id",
                    "conversation_id",
                    "wijk",
                    "state",
                    "round_number",
                    "opened_at",
                    "closed_at",
                ],
                sa.select(
                    DUE.c.client_id,
                    DUE.c.conversation_id,
                    DUE.c.wijk,
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
