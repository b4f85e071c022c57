"""Use cases: pacing. Coordinators set how many follow-ups may open per week (in total and per
wijk), hold and release wijken, and pause and resume channels; they see who waits for a turn
and when it is expected, and the queue per channel.

Stored in app_settings under its own key, so `followup planning set` of an old file leaves
holds and pauses alone. Every process reads it where it acts: the planner once per pass, the
dialer once per batch it claims, the card on each click; so a pause holds from the next batch
on (seconds), and what the carrier already has goes out.
"""

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction, Channel
from followup.rules.pacing import (
    MAX_WIJK_NAME,
    Limit,
    Pacing,
    PacingError,
    Room,
    parse_limit,
    project_openings,
    room_this_week,
    week_of,
    week_start,
)
from followup.services.refusals import QueueRefusal
from followup.store.app_settings import lock_setting, read_setting, write_setting
from followup.store.audit import record_audit
from followup.store.pacing_queries import (
    ChannelQueue,
    channel_queues,
    known_wijken,
    opened_between,
    waiting_residents,
)
from followup.store.unit_of_work import unit_of_work

PACING_KEY = "pacing"
# What the settings are called on the page, so a message names what the coordinator sees.
TOTAL_SETTING = "Nieuwe inwoners per week, in totaal"
PER_WIJK_SETTING = "Nieuwe inwoners per week, per wijk"


def _stored(document: str | None) -> Pacing:
    return Pacing() if document is None else Pacing.model_validate_json(document)


def _document(pacing: Pacing) -> str:
    return json.dumps(pacing.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


async def stored_pacing(session: AsyncSession) -> Pacing:
    return _stored(await read_setting(session, PACING_KEY))


async def load_pacing(sessions: async_sessionmaker[AsyncSession]) -> Pacing:
    async with unit_of_work(sessions) as uow:
        return await stored_pacing(uow.session)


async def _opened_this_week(session: AsyncSession, today: date, zone: ZoneInfo) -> dict[str, int]:
    start = week_start(today, zone)
    return await opened_between(session, start, week_start(today + timedelta(days=7), zone))


async def room_now(
    session: AsyncSession, now: datetime, today: date, zone: ZoneInfo
) -> Room | None:
    """What is left of this week's limits, for the planner; None when nothing is paced.

    The setting stays locked until the pass commits: a second pass at the same time (the
    CLI's beside the scheduler's) waits, then counts what the first one opened, so two passes
    never open a week's room twice over."""
    pacing = _stored(await lock_setting(session, PACING_KEY, _document(Pacing()), now))
    if not pacing.paces:
        return None
    return room_this_week(pacing, await _opened_this_week(session, today, zone))


async def paused_channels(session: AsyncSession) -> frozenset[Channel]:
    return (await stored_pacing(session)).paused_channels


# Changes -------------------------------------------------------------------------------------


async def refuse_when_paused(session: AsyncSession, channel: Channel, refusal: str) -> None:
    """A coordinator paused the channel (a carrier incident, say): the console starts nothing
    on it, and says so (`refusal`, a code of services/refusals.py)."""
    if channel in await paused_channels(session):
        raise QueueRefusal(refusal)


async def _change(
    sessions: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    actor: str,
    action: AuditAction,
    change: Callable[[Pacing], dict[str, Any]],
    detail: dict[str, Any],
    wijk: str | None = None,
    user_id: int | None = None,
) -> None:
    """Applies `change` (the settings it gives new values) to the stored pacing under a lock,
    and audits it; nothing is written when nothing changes. `wijk`, when given, must exist."""
    async with unit_of_work(sessions) as uow:
        before = _stored(await lock_setting(uow.session, PACING_KEY, _document(Pacing()), now))
        if wijk is not None:
            known = await known_wijken(uow.session) | before.held_wijken | set(before.wijk_limits)
            if wijk not in known:
                raise PacingError(f"Wijk: er is geen wijk '{wijk[:MAX_WIJK_NAME]}'.")
        changed = change(before)
        after = Pacing.model_validate({**before.model_dump(), **changed})
        if after == before:
            return
        await write_setting(uow.session, PACING_KEY, _document(after), now)
        was = before.model_dump(mode="json", include=set(changed))
        record_audit(
            uow.session,
            now=now,
            actor=actor,
            action=action,
            user_id=user_id,
            detail={**detail, "before": was},
        )
        await uow.commit()


async def set_limits(
    sessions: async_sessionmaker[AsyncSession],
    *,
    total: str,
    per_wijk: str,
    now: datetime,
    actor: str,
    user_id: int | None = None,
) -> None:
    """The week's limits as typed in the form: empty means no limit."""
    weekly_total = parse_limit(total, TOTAL_SETTING)
    weekly_per_wijk = parse_limit(per_wijk, PER_WIJK_SETTING)
    await _change(
        sessions,
        now=now,
        actor=actor,
        user_id=user_id,
        action=AuditAction.PACING_LIMITS_CHANGED,
        change=lambda _: {"weekly_total": weekly_total, "weekly_per_wijk": weekly_per_wijk},
        detail={"weekly_total": weekly_total, "weekly_per_wijk": weekly_per_wijk},
    )


async def set_wijk_limit(
    sessions: async_sessionmaker[AsyncSession],
    wijk: str,
    limit: str,
    *,
    now: datetime,
    actor: str,
    user_id: int | None = None,
) -> None:
    """A wijk's own weekly limit; empty: the limit per wijk applies again."""
    own = parse_limit(limit, f"Nieuwe inwoners per week in {wijk[:MAX_WIJK_NAME]}")

    def change(before: Pacing) -> dict[str, Any]:
        limits = {w: n for w, n in before.wijk_limits.items() if w != wijk}
        return {"wijk_limits": limits if own is None else {**limits, wijk: own}}

    await _change(
        sessions,
        now=now,
        actor=actor,
        user_id=user_id,
        action=AuditAction.PACING_LIMITS_CHANGED,
        change=change,
        detail={"wijk": wijk, "weekly": own},
        wijk=wijk,
    )


def _member(setting: str, member: Any, present: bool) -> Callable[[Pacing], dict[str, Any]]:
    """A change that puts `member` in, or takes it out of, the set `setting`."""

    def change(before: Pacing) -> dict[str, Any]:
        members = getattr(before, setting)
        return {setting: members | {member} if present else members - {member}}

    return change


async def hold_wijk(
    sessions: async_sessionmaker[AsyncSession],
    wijk: str,
    *,
    held: bool,
    now: datetime,
    actor: str,
    user_id: int | None = None,
) -> None:
    """A held wijk opens no new follow-ups; those already open go on."""
    await _change(
        sessions,
        now=now,
        actor=actor,
        user_id=user_id,
        action=AuditAction.WIJK_HELD if held else AuditAction.WIJK_RELEASED,
        change=_member("held_wijken", wijk, held),
        detail={"wijk": wijk},
        wijk=wijk,
    )


def parse_channel(text: str) -> Channel:
    try:
        return Channel(text)
    except ValueError:
        raise PacingError("Kanaal: kies bellen, sms of e-mail.") from None


async def pause_channel(
    sessions: async_sessionmaker[AsyncSession],
    channel: str,
    *,
    paused: bool,
    now: datetime,
    actor: str,
    user_id: int | None = None,
) -> None:
    """A paused channel's attempts stay queued and go out after it resumes (in their window)."""
    chosen = parse_channel(channel)
    await _change(
        sessions,
        now=now,
        actor=actor,
        user_id=user_id,
        action=AuditAction.CHANNEL_PAUSED if paused else AuditAction.CHANNEL_RESUMED,
        change=_member("paused_channels", chosen, paused),
        detail={"channel": chosen.value},
    )


# Views ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WijkTurn:
    """One wijk's due residents that wait for their turn."""

    wijk: str
    waiting: int  # due now, no follow-up yet
    opened_this_week: int
    held: bool
    limit: Limit  # this wijk's weekly limit; None: none
    own_limit: bool  # set for this wijk, not the limit per wijk
    schedule: list[tuple[date, int]]  # (Monday of the week, how many expected to open then)
    beyond: int  # not expected within a year: held, a limit of 0, or a long queue

    @property
    def last_week(self) -> date | None:
        """The week the last one waiting is expected to open; None if none wait or some never."""
        return self.schedule[-1][0] if self.schedule and not self.beyond else None


@dataclass(frozen=True, slots=True)
class Turns:
    this_week: date  # its Monday
    weekly_total: Limit
    weekly_per_wijk: Limit
    opened_this_week: int
    wijken: list[WijkTurn]  # every wijk with residents, held or with a limit of its own

    @property
    def waiting(self) -> int:
        return sum(w.waiting for w in self.wijken)


async def _turns(session: AsyncSession, pacing: Pacing, today: date, zone: ZoneInfo) -> Turns:
    opened = await _opened_this_week(session, today, zone)
    waiting = await waiting_residents(session, today)
    projection = project_openings(waiting, pacing, opened, week_of(today))
    per_wijk = Counter()
    for w in waiting:
        per_wijk[w.wijk] += w.count
    names = await known_wijken(session) | pacing.held_wijken | set(pacing.wijk_limits)
    wijken = [
        WijkTurn(
            wijk=wijk,
            waiting=per_wijk[wijk],
            opened_this_week=opened.get(wijk, 0),
            held=wijk in pacing.held_wijken,
            limit=pacing.wijk_limit(wijk),
            own_limit=wijk in pacing.wijk_limits,
            schedule=list(projection.weeks.get(wijk, [])),
            beyond=projection.beyond.get(wijk, 0),
        )
        for wijk in sorted(names, key=str.casefold)
    ]
    return Turns(
        week_of(today),
        pacing.weekly_total,
        pacing.weekly_per_wijk,
        sum(opened.values()),
        wijken,
    )


async def waiting_for_turn(
    sessions: async_sessionmaker[AsyncSession], today: date, zone: ZoneInfo
) -> Turns:
    """Per wijk: how many due residents wait, whether the wijk is held, and when they are
    expected to open, week by week. For the dashboard and the pacing page."""
    async with unit_of_work(sessions) as uow:
        return await _turns(uow.session, await stored_pacing(uow.session), today, zone)


@dataclass(frozen=True, slots=True)
class Tempo:
    pacing: Pacing
    turns: Turns
    queues: dict[Channel, ChannelQueue]


async def tempo_overview(
    sessions: async_sessionmaker[AsyncSession], now: datetime, zone: ZoneInfo
) -> Tempo:
    """Everything the pacing page shows, read in one transaction."""
    async with unit_of_work(sessions) as uow:
        pacing = await stored_pacing(uow.session)
        today = now.astimezone(zone).date()
        turns = await _turns(uow.session, pacing, today, zone)
        return Tempo(pacing, turns, await channel_queues(uow.session, now))
