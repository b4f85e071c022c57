"""The dashboard's own figures, beside the reach report's: each an aggregate with one row per
group, never one per follow-up, for the follow-ups the filter chooses
(`reach_queries.population`)."""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import FollowUpState, OutcomeCategory, OutcomeSource
from followup.store.tables import CallAnswerCount, FollowUp


async def reached_through(
    session: AsyncSession, where: Sequence[sa.ColumnElement[bool]]
) -> dict[OutcomeSource, int]:
    """Reached follow-ups per channel their outcome came through (an SMS reply, the response
    page, an agent, the back office), from the facts the follow-up keeps."""
    query = (
        sa.select(FollowUp.outcome_source, sa.func.count())
        .where(
            FollowUp.state == FollowUpState.CLOSED,
            FollowUp.outcome_category != OutcomeCategory.UNREACHABLE,
            *where,
        )
        .group_by(FollowUp.outcome_source)
    )
    return {source: count for source, count in await session.execute(query)}


async def open_by_step(
    session: AsyncSession, where: Sequence[sa.ColumnElement[bool]]
) -> list[tuple[int, int | None, int]]:
    """Open follow-ups per (round, ladder step): the last step of their running round that went
    out (None: nothing has gone out in it yet), as each follow-up keeps it. Rows as (round,
    step, count), in order; without filters from the partial index of open follow-ups alone."""
    query = (
        sa.select(FollowUp.round_number, FollowUp.step_sent, sa.func.count())
        .where(FollowUp.state == FollowUpState.OPEN, *where)
        .group_by(FollowUp.round_number, FollowUp.step_sent)
    )
    rows = [(number, step, count) for number, step, count in await session.execute(query)]
    return sorted(rows, key=lambda row: (row[0], -1 if row[1] is None else row[1]))


async def answer_counts(
    session: AsyncSession, first_month: str | None, last_month: str | None, wijk: str | None
) -> list[tuple[int, int, int, int]]:
    """Calls placed and answered per local (weekday, hour), from the counts table: rows as
    (weekday, hour, calls, answered)."""
    counts = CallAnswerCount
    conditions = []
    if first_month:
        conditions.append(counts.opened_month >= first_month)
    if last_month:
        conditions.append(counts.opened_month <= last_month)
    if wijk is not None:
        conditions.append(counts.wijk == wijk)
    query = (
        sa.select(
            counts.weekday, counts.hour, sa.func.sum(counts.calls), sa.func.sum(counts.answered)
        )
        .where(*conditions)
        .group_by(counts.weekday, counts.hour)
        .order_by(counts.weekday, counts.hour)
    )
    return [tuple(row) for row in await session.execute(query)]
