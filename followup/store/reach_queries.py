"""The reach report's SQL (CONTRACT 7): aggregates over follow-ups, one row per group, never
one per follow-up. The population is every row of `follow_ups`: a follow-up exists only once
it is due and has entered round 1 (those closed at once for lack of contact details
included), so clients not yet due count nowhere."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import FollowUpState, OutcomeCategory, ReportGrouping, UnreachableReason
from followup.store.staff_tables import User
from followup.store.tables import Attempt, Client, FollowUp, Outcome


async def reach_figures(
    session: AsyncSession, by: ReportGrouping, zone: ZoneInfo
) -> tuple[Sequence[Mapping[str, Any]], Mapping[str, Any]]:
    """One row of figures per group (its `key` None for follow-ups without a value to group
    by), and the total, read from one snapshot."""
    await _snapshot(session)
    key, statement = await _grouped(session, by, zone)
    rows = (await session.execute(statement.group_by(key))).mappings().all()
    total = (await session.execute(_figures_query())).mappings().one()
    return rows, total


async def _snapshot(session: AsyncSession) -> None:
    """Read every query from one snapshot, so the rows and the total agree while the planner
    writes. A SQLite session is one transaction already; PostgreSQL needs to be asked."""
    if session.bind.dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    # COUNT(CASE ...) rather than SUM(CASE ...): portable too, and 0 instead of NULL
    # when there are no rows at all.
    return sa.func.count(sa.case((condition, 1)))


def _figures_query(*key: sa.ColumnElement[Any]) -> sa.Select[Any]:
    # An outcome can be recorded (an SMS reply, say) before the next planning pass closes its
    # follow-up; until then it counts as open only, so the categories plus `open` always add
    # up to `approached`.
    closed = FollowUp.state == FollowUpState.CLOSED
    category = Outcome.category
    return (
        sa.select(
            *key,
            sa.func.count(FollowUp.id).label("approached"),
            _count_where(closed & (category != OutcomeCategory.UNREACHABLE)).label("reached"),
            *(_count_where(closed & (category == c)).label(c.value) for c in OutcomeCategory),
            *(
                _count_where(closed & (Outcome.reason == r)).label(r.value)
                for r in UnreachableReason
            ),
            _count_where(FollowUp.state == FollowUpState.OPEN).label("open"),
        )
        .select_from(FollowUp)
        .outerjoin(Outcome, Outcome.follow_up_id == FollowUp.id)
    )


async def _grouped(
    session: AsyncSession, by: ReportGrouping, zone: ZoneInfo
) -> tuple[sa.ColumnElement[Any], sa.Select[Any]]:
    """The group key and the aggregate query to group by it.

    Keys are plain columns: PostgreSQL would not match a SELECT expression holding bound
    parameters to the same expression in GROUP BY, so computed keys come from a subquery.
    """
    if by is ReportGrouping.WIJK:
        return Client.wijk, _figures_query(Client.wijk.label("key")).join(
            Client, Client.id == FollowUp.client_id
        )
    if by is ReportGrouping.ROUND:
        return FollowUp.round_number, _figures_query(FollowUp.round_number.label("key"))
    if by is ReportGrouping.AGENT:
        return User.email, _figures_query(User.email.label("key")).outerjoin(
            User, User.id == Outcome.recorded_by_id
        )
    if by is ReportGrouping.CHANNEL:
        channels = sa.select(Attempt.follow_up_id, Attempt.channel).distinct().subquery()
        return channels.c.channel, _figures_query(channels.c.channel.label("key")).outerjoin(
            channels, channels.c.follow_up_id == FollowUp.id
        )
    months = (
        sa.select(FollowUp.id, (await _local_month(session, zone)).label("month"))
        .select_from(FollowUp)
        .subquery()
    )
    return months.c.month, _figures_query(months.c.month.label("key")).join(
        months, months.c.id == FollowUp.id
    )


async def _local_month(session: AsyncSession, zone: ZoneInfo) -> sa.ColumnElement[str | None]:
    """opened_at's local month "YYYY-MM" as a CASE over the UTC instants where local months
    begin, from the first follow-up's month to the last one's.

    Exact in any zone (DST, half-hour offsets) and the same SQL on SQLite, which has no time
    zone data, and PostgreSQL; the CASE has one branch per month, not per follow-up.
    """
    span = sa.select(sa.func.min(FollowUp.opened_at), sa.func.max(FollowUp.opened_at))
    first, last = (await session.execute(span)).one()
    if first is None:
        return sa.null()
    start, end = first.astimezone(zone), last.astimezone(zone)
    year, month = start.year, start.month
    branches = []
    while (year, month) <= (end.year, end.month):
        label = f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        begins = datetime(year, month, 1, tzinfo=zone).astimezone(UTC)
        branches.append((FollowUp.opened_at < begins, label))
    return sa.case(*branches)
