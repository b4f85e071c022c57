"""The reach report's SQL (CONTRACT 7): aggregates over follow-ups, one row per group, never
one per follow-up. The population is every row of `follow_ups`: a follow-up exists only once
it is due and has entered round 1 (those closed at once for lack of contact details
included), so clients not yet due count nowhere."""

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import FollowUpState, OutcomeCategory, ReportGrouping, UnreachableReason
from followup.rules.report_filter import ReportFilter, month_begins
from followup.store.follow_up_facts import CHANNEL_BITS
from followup.store.staff_tables import User
from followup.store.tables import FollowUp
from followup.store.types import UTCDateTime

# The figures of a group, in the order of `Figures`.
FIGURES = (
    "approached",
    "reached",
    *(c.value for c in OutcomeCategory),
    *(r.value for r in UnreachableReason),
    "open",
)


async def reach_figures(
    session: AsyncSession,
    groupings: Sequence[ReportGrouping],
    zone: ZoneInfo,
    filters: ReportFilter,
) -> tuple[dict[ReportGrouping, Sequence[Mapping[str, Any]]], Mapping[str, Any]]:
    """For each grouping one row of figures per group (its `key` None for follow-ups without
    a value to group by), and the total, of the follow-ups `filters` lets through, all read
    from one snapshot."""
    await _snapshot(session)
    where = population(filters, zone)

    counted = {
        by: await _figures(session, (await _keyed(session, by, zone)).where(*where))
        for by in groupings
    }
    # Counted by their key as kept (the set of channels tried, not each channel), the groups of
    # every grouping partition the follow-ups and add up to the total.
    total = _sum(counted[groupings[0]])
    return {by: await _labelled(session, by, rows) for by, rows in counted.items()}, total


async def _labelled(
    session: AsyncSession, by: ReportGrouping, rows: Sequence[Mapping[str, Any]]
) -> Sequence[Mapping[str, Any]]:
    """The groups as the report shows them: months as "YYYY-MM", agents by e-mail address, and
    a row per channel, where a follow-up tried by SMS and by phone counts in both."""
    if by is ReportGrouping.MONTH:
        return [{**row, "key": _month_label(row["key"])} for row in rows]
    if by is ReportGrouping.AGENT:
        return await _agent_emails(session, rows)
    if by is ReportGrouping.CHANNEL:
        return _by_channel(rows)
    return rows


def _walk(name: str, table: str) -> str:
    """Each wijk of `table` once, found by walking its index on wijk from one wijk to the next:
    a handful of look-ups instead of reading every row."""
    return (
        f"{name}(wijk) AS (SELECT min(wijk) FROM {table}"
        f" UNION ALL SELECT (SELECT min(wijk) FROM {table} WHERE wijk > {name}.wijk) FROM {name}"
        f" WHERE {name}.wijk IS NOT NULL)"
    )


# A follow-up counts in the wijk it was done in, which its client may have left since.
_WIJKEN = sa.text(
    f"WITH RECURSIVE {_walk('c', 'clients')}, {_walk('f', 'follow_ups')}"
    " SELECT wijk FROM c WHERE wijk IS NOT NULL"
    " UNION SELECT wijk FROM f WHERE wijk IS NOT NULL ORDER BY 1"
)


async def wijken(session: AsyncSession) -> list[str]:
    """Every wijk a client lives in or a follow-up was done in, in order."""
    return list((await session.execute(_WIJKEN)).scalars())


def population(filters: ReportFilter, zone: ZoneInfo) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of the follow-ups counted: opened in the local months asked for (as
    UTC instants, so an index on opened_at serves), done in the wijk asked for (the client's
    wijk when the follow-up opened)."""
    where: list[sa.ColumnElement[bool]] = []
    if (opened_from := filters.opened_from(zone)) is not None:
        where.append(FollowUp.opened_at >= opened_from)
    if (opened_before := filters.opened_before(zone)) is not None:
        where.append(FollowUp.opened_at < opened_before)
    if filters.wijk is not None:
        where.append(FollowUp.wijk == filters.wijk)
    return where


async def _snapshot(session: AsyncSession) -> None:
    """Read every query from one snapshot, so the rows and the total agree while the planner
    writes. A SQLite session is one transaction already; PostgreSQL needs to be asked."""
    if session.bind.dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        # Room to join a million follow-ups to their outcomes in memory: at the default
        # 4 MB the hash join spills to disk in 16 batches. Compiling these few statements
        # (JIT) takes longer than it saves.
        await session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
        await session.execute(sa.text("SET LOCAL jit = off"))


def _sum(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    return {name: sum(row[name] for row in rows) for name in FIGURES}


async def _figures(session: AsyncSession, keyed: sa.Select[Any]) -> Sequence[Mapping[str, Any]]:
    """The figures per key of `keyed` (one row per follow-up: key, state, category, reason).
    Follow-ups are counted per combination first and the few combinations are then folded
    into figures: one CASE per figure per combination instead of per follow-up."""
    each = keyed.subquery()
    columns = (each.c.key, each.c.state, each.c.category, each.c.reason)
    counted = sa.select(*columns, sa.func.count().label("n")).group_by(*columns).subquery()
    # An outcome can be recorded (an SMS reply, say) before the next planning pass closes its
    # follow-up; until then it counts as open only, so the categories plus `open` always add
    # up to `approached`.
    closed = counted.c.state == FollowUpState.CLOSED
    category = counted.c.category

    def count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.cast(sa.func.sum(sa.case((condition, counted.c.n), else_=0)), sa.BigInteger)

    statement = sa.select(
        counted.c.key,
        sa.cast(sa.func.sum(counted.c.n), sa.BigInteger).label("approached"),
        count_where(closed & (category != OutcomeCategory.UNREACHABLE)).label("reached"),
        *(count_where(closed & (category == c)).label(c.value) for c in OutcomeCategory),
        *(count_where(closed & (counted.c.reason == r)).label(r.value) for r in UnreachableReason),
        count_where(counted.c.state == FollowUpState.OPEN).label("open"),
    ).group_by(counted.c.key)
    return (await session.execute(statement)).mappings().all()


async def _keyed(session: AsyncSession, by: ReportGrouping, zone: ZoneInfo) -> sa.Select[Any]:
    """One row per follow-up: its key, state and outcome, all kept on the follow-up itself
    (store/follow_up_facts.py), so no other table is read but the few months."""
    outcome = (
        FollowUp.state,
        FollowUp.outcome_category.label("category"),
        FollowUp.outcome_reason.label("reason"),
    )
    if by is ReportGrouping.MONTH:
        months = await _local_months(session, zone)
        if months is None:  # nothing opened yet
            return sa.select(sa.null().label("key"), *outcome)
        in_month = (FollowUp.opened_at >= months.c.begins) & (FollowUp.opened_at < months.c.ends)
        return sa.select(months.c.number.label("key"), *outcome).join(months, in_month)
    key = {
        ReportGrouping.WIJK: FollowUp.wijk,
        ReportGrouping.ROUND: FollowUp.round_number,
        ReportGrouping.AGENT: FollowUp.outcome_by_id,
        ReportGrouping.CHANNEL: FollowUp.channels,
    }[by]
    return sa.select(key.label("key"), *outcome)


async def _agent_emails(
    session: AsyncSession, rows: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Rows keyed by the recorder's user id, keyed by their e-mail address instead."""
    ids = [row["key"] for row in rows if row["key"] is not None]
    found = await session.execute(sa.select(User.id, User.email).where(User.id.in_(ids)))
    emails = dict(found.all())
    return [{**row, "key": emails.get(row["key"])} for row in rows]


def _by_channel(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows keyed by the set of channels tried (a bit each) as rows per channel: a follow-up
    counts under each channel it was tried on, and under None when it was tried on none."""
    per_channel: dict[str | None, dict[str, int]] = {}
    for row in rows:
        tried = [c.value for c, bit in CHANNEL_BITS.items() if row["key"] & bit] or [None]
        for channel in tried:
            figures = per_channel.setdefault(channel, dict.fromkeys(FIGURES, 0))
            for name in FIGURES:
                figures[name] += row[name]
    return [{"key": channel, **figures} for channel, figures in per_channel.items()]


async def _local_months(session: AsyncSession, zone: ZoneInfo) -> sa.Subquery | None:
    """The local months from the first follow-up's to the last one's: the number YYYYMM
    (`_month_label` makes it "YYYY-MM") and the UTC instants where the month begins and ends.

    Exact in any zone (DST, half-hour offsets) and the same SQL on SQLite, which has no time
    zone data, and PostgreSQL. Joined on opened_at, each month is a range of the index on
    opened_at, read in order; a CASE per follow-up would be evaluated and hashed a million
    times. A number, not text: PostgreSQL hashes numbers, where it would sort texts.
    """
    span = sa.select(sa.func.min(FollowUp.opened_at), sa.func.max(FollowUp.opened_at))
    first, last = (await session.execute(span)).one()
    if first is None:
        return None
    start, end = first.astimezone(zone), last.astimezone(zone)
    year, month = start.year, start.month
    months = []
    while (year, month) <= (end.year, end.month):
        begins, number = month_begins(year, month, zone), year * 100 + month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        months.append(
            sa.select(
                sa.literal(number, sa.Integer).label("number"),
                sa.literal(begins, UTCDateTime()).label("begins"),
                sa.literal(month_begins(year, month, zone), UTCDateTime()).label("ends"),
            )
        )
    return sa.union_all(*months).subquery("months")


def _month_label(number: int | None) -> str | None:
    return None if number is None else f"{number // 100:04d}-{number % 100:02d}"
