"""Use case: the reach report (CONTRACT 7): the figures per group and in total, from the
aggregates of `store/reach_queries.py`, of the follow-ups a ReportFilter lets through."""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction, Channel, ReportGrouping
from followup.rules.report_filter import EVERYTHING, ReportFilter
from followup.store.audit import record_audit
from followup.store.reach_queries import reach_figures, wijken
from followup.store.unit_of_work import unit_of_work

# The key of the follow-ups that have no value to group by.
NO_AGENT = "-"
NO_CHANNEL = "none"


@dataclass(frozen=True, slots=True)
class Figures:
    approached: int
    reached: int
    active: int
    with_wij: int
    in_progress: int
    not_active: int
    unreachable: int
    no_answer: int
    invalid_number: int
    no_contact_details: int
    opted_out: int
    open: int

    @property
    def reach_rate(self) -> float:
        return round(self.reached / self.approached, 4) if self.approached else 0.0

    def as_dict(self) -> dict[str, int | float]:
        counts = asdict(self)
        return {
            "approached": counts.pop("approached"),
            "reached": counts.pop("reached"),
            "reach_rate": self.reach_rate,
            **counts,
        }


@dataclass(frozen=True, slots=True)
class Group:
    key: str | int
    figures: Figures

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, **self.figures.as_dict()}


@dataclass(frozen=True, slots=True)
class Report:
    """`rows` sorted by key; `total` counts every follow-up once.

    Grouped by channel, a follow-up counts under every channel it had an attempt on (and
    under "none" when it had none), so the rows need not add up to the total.
    """

    by: ReportGrouping
    rows: tuple[Group, ...]
    total: Figures

    def as_dict(self) -> dict[str, Any]:
        return {
            "by": self.by.value,
            "rows": [row.as_dict() for row in self.rows],
            "total": self.total.as_dict(),
        }


async def reach_report(
    sessions: async_sessionmaker[AsyncSession],
    by: ReportGrouping,
    zone: ZoneInfo,
    filters: ReportFilter = EVERYTHING,
) -> Report:
    return (await _reports(sessions, [by], zone, filters))[by]


async def reach_reports(
    sessions: async_sessionmaker[AsyncSession],
    zone: ZoneInfo,
    filters: ReportFilter = EVERYTHING,
) -> dict[ReportGrouping, Report]:
    """The report in every grouping, in ReportGrouping's order, all from one snapshot: their
    totals are the same."""
    return await _reports(sessions, list(ReportGrouping), zone, filters)


async def known_wijken(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    """The wijken clients live in, in order: to tell a wijk that has no figures (yet) from
    one that does not exist."""
    async with unit_of_work(sessions) as uow:
        return await wijken(uow.session)


async def _reports(
    sessions: async_sessionmaker[AsyncSession],
    groupings: list[ReportGrouping],
    zone: ZoneInfo,
    filters: ReportFilter,
) -> dict[ReportGrouping, Report]:
    async with unit_of_work(sessions) as uow:
        rows, total = await reach_figures(uow.session, groupings, zone, filters)
    return {by: _report(by, rows[by], total) for by in groupings}


def _report(by: ReportGrouping, rows: Sequence[Mapping[str, Any]], total: Any) -> Report:
    groups = (Group(_key(by, row["key"]), _figures(row)) for row in rows)
    return Report(by=by, rows=tuple(sorted(groups, key=lambda g: g.key)), total=_figures(total))


def _key(by: ReportGrouping, raw: Any) -> str | int:
    if raw is None:
        return NO_CHANNEL if by is ReportGrouping.CHANNEL else NO_AGENT
    return raw.value if isinstance(raw, Channel) else raw


def _figures(row: Any) -> Figures:
    return Figures(**{f.name: row[f.name] for f in fields(Figures)})


async def record_export(
    sessions: async_sessionmaker[AsyncSession],
    *,
    by: str,
    kind: str,
    filters: ReportFilter,
    suppress_below: int | None,
    to_file: bool,
    actor: str,
    now: datetime,
) -> None:
    """`followup report` is audited like a download from /bereik: the figures left the
    service, to a file or a terminal, and the command has no signed-in user to trace."""
    async with unit_of_work(sessions) as uow:
        record_audit(
            uow.session,
            now=now,
            actor=actor,
            action=AuditAction.REPORT_EXPORTED,
            detail={
                "by": by,
                "format": kind,
                "from": filters.first_month,
                "to": filters.last_month,
                "wijk": filters.wijk,
                "suppress_below": suppress_below,
                "to_file": to_file,
            },
        )
        await uow.commit()
