"""Use case: the coordinators' reach dashboard (`/bereik`) and its downloads: the reach
report's figures for a period and wijk, with what only the page shows beside them (reach by
round, through which channel residents answered, the open follow-ups by ladder step, the
answer rates of calls by weekday and hour)."""

import asyncio
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction, OutcomeSource, ReportGrouping
from followup.rules.report_filter import ReportFilterError
from followup.services.reach_report import Report, ReportFilter, known_wijken, reach_reports
from followup.services.report_files import spreadsheet_csv, workbook
from followup.store import dashboard_queries as q
from followup.store.audit import record_audit
from followup.store.reach_queries import population
from followup.store.reach_queries import wijken as wijken_of
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn

# The page's names for the filters, to put in front of ReportFilter's own messages.
FIELD_NAMES_NL = {"first_month": "Van", "last_month": "Tot en met", "wijk": "Wijk"}


class FilterProblem(Exception):
    """A filter the page cannot use; the message is Dutch and names the field."""

    def __init__(self, message: str, wijken: list[str]) -> None:
        super().__init__(message)
        self.wijken = wijken


@dataclass(frozen=True, slots=True)
class RoundReach:
    """Reached by the end of a round, counting those reached in earlier rounds too."""

    number: int
    reached: int
    approached: int

    @property
    def rate(self) -> float:
        return round(self.reached / self.approached, 4) if self.approached else 0.0


@dataclass(frozen=True, slots=True)
class AnswerRate:
    weekday: int  # 0 is Monday
    hour: int
    calls: int
    answered: int

    @property
    def rate(self) -> float:
        return round(self.answered / self.calls, 4) if self.calls else 0.0


@dataclass(frozen=True, slots=True)
class OpenAtStep:
    round_number: int
    step: int | None  # the ladder's index of the last step that went out; None: none yet
    count: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    filters: ReportFilter
    wijken: list[str]
    reports: dict[ReportGrouping, Report]
    rounds: list[RoundReach]
    reached_through: dict[OutcomeSource, int]
    open_steps: list[OpenAtStep]
    answers: list[AnswerRate]

    @property
    def by_wijk(self) -> Report:
        return self.reports[ReportGrouping.WIJK]

    @property
    def empty(self) -> bool:
        return self.by_wijk.total.approached == 0


class FileKind(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


async def chosen_filters(
    sessions: async_sessionmaker[AsyncSession],
    first_month: str | None,
    last_month: str | None,
    wijk: str | None,
) -> ReportFilter:
    """The filters as the page's form sent them (None: an empty field), checked as the CLI
    checks them; FilterProblem names what is wrong and lists the wijken to choose from."""
    wijken = await known_wijken(sessions)
    try:
        filters = ReportFilter(first_month, last_month, wijk)
    except ReportFilterError as error:
        raise FilterProblem(f"{FIELD_NAMES_NL[error.field]}: {error}.", wijken) from None
    if wijk is not None and wijk not in wijken:
        raise FilterProblem(
            f"Er is geen wijk '{wijk}'. Kies een van de wijken uit de lijst.", wijken
        )
    return filters


async def reach_dashboard(
    sessions: async_sessionmaker[AsyncSession],
    zone: ZoneInfo,
    filters: ReportFilter,
) -> Dashboard:
    # The report's groupings on one connection, the page's own figures on another.
    reports, (wijken, through, steps, answers) = await asyncio.gather(
        reach_reports(sessions, zone, filters), _own_figures(sessions, zone, filters)
    )
    return Dashboard(
        filters=filters,
        wijken=wijken,
        reports=reports,
        rounds=_by_round(reports[ReportGrouping.ROUND]),
        reached_through=through,
        open_steps=[OpenAtStep(*row) for row in steps],
        answers=[AnswerRate(*row) for row in answers],
    )


async def _own_figures(
    sessions: async_sessionmaker[AsyncSession], zone: ZoneInfo, filters: ReportFilter
) -> tuple[list[str], dict[OutcomeSource, int], list, list]:
    where = population(filters, zone)
    async with unit_of_work(sessions) as uow:
        return (
            await wijken_of(uow.session),
            await q.reached_through(uow.session, where),
            await q.open_by_step(uow.session, where),
            await q.answer_counts(
                uow.session, filters.first_month, filters.last_month, filters.wijk
            ),
        )


async def report_file(
    sessions: async_sessionmaker[AsyncSession],
    zone: ZoneInfo,
    filters: ReportFilter,
    kind: FileKind,
    editor: SignedIn,
    now: datetime,
    suppress_below: int | None = None,
) -> bytes:
    """The reach report in every grouping, as the page shows it, small counts hidden below
    `suppress_below` (None: none); the download is audited."""
    reports = list((await reach_reports(sessions, zone, filters)).values())
    if kind is FileKind.XLSX:
        about = _about(filters, suppress_below, now.astimezone(zone))
        content = workbook(reports, suppress_below=suppress_below, about=about)
    else:
        content = spreadsheet_csv(reports, suppress_below=suppress_below)
    async with unit_of_work(sessions) as uow:
        record_audit(
            uow.session,
            now=now,
            actor=editor.email,
            action=AuditAction.REPORT_DOWNLOADED,
            user_id=editor.id,
            detail={
                "format": kind.value,
                "from": filters.first_month,
                "to": filters.last_month,
                "wijk": filters.wijk,
                "suppress_below": suppress_below,
            },
        )
        await uow.commit()
    return content


def _about(
    filters: ReportFilter, suppress_below: int | None, made: datetime
) -> list[tuple[str, str]]:
    """What a downloaded workbook holds, in words, on its first sheet."""
    first, last = filters.first_month, filters.last_month
    period = (
        f"{first or 'het begin'} tot en met {last or 'nu'}" if first or last else "alle maanden"
    )
    return [
        ("Bereik van het nabellen", "de cijfers van de pagina Bereik"),
        ("Maanden (waarin het nabellen begon)", period),
        ("Wijk", filters.wijk or "alle wijken"),
        (
            "Kleine aantallen",
            f"verborgen: onder {suppress_below} staat '<{suppress_below}', een getal waarmee "
            "je dat kunt terugrekenen staat 'x'"
            if suppress_below
            else "getoond",
        ),
        ("Gemaakt op", f"{made:%d-%m-%Y %H:%M}"),
    ]


def _by_round(report: Report) -> list[RoundReach]:
    """Reach after each round: a follow-up counts under the last round it entered, so those
    reached by the end of round n are the reached of rounds 1 to n."""
    approached, reached, rounds = report.total.approached, 0, []
    for row in report.rows:
        reached += row.figures.reached
        rounds.append(RoundReach(int(row.key), reached, approached))
    return rounds
