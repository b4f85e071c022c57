"""Who a purge erases and how: only residents whose every follow-up closed before the period,
whole or not at all, a batch at a time, so a purge stopped after any batch is finished by
running it again; a dry run only counts."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from followup.app import create_app
from followup.rules.domain import FollowUpState, OutcomeCategory
from followup.rules.erasure import retention_cutoff
from followup.scheduling import purge_job
from followup.services.erasure import purge
from followup.settings import Settings
from followup.store.client_export import client_rows
from followup.store.engine import create_engine, session_factory
from followup.store.leadership import Leadership
from followup.store.staff_tables import AuditRecord
from followup.store.tables import Client, FollowUp, Outcome
from tests.support.rows import NOW, add_client, add_follow_up, add_phone

ACTIVE = (OutcomeCategory.ACTIVE, None)
# Residents' follow-ups close at NOW (tests.support.rows): 24 months on, they are due.
PURGE_AT = NOW + timedelta(days=2 * 366)


async def residents(sessions, count: int, *, state=FollowUpState.CLOSED) -> list[int]:
    ids = []
    async with sessions() as session, session.begin():
        for n in range(count):
            client_id, conversation_id = await add_client(session, f"R{n}")
            await add_phone(session, client_id, f"+3161234{n:04d}")
            outcome = ACTIVE if state is FollowUpState.CLOSED else None
            follow_up = await add_follow_up(
                session, client_id, conversation_id, round_number=1, opened_at=NOW, outcome=outcome
            )
            if outcome:
                await session.execute(
                    sa.update(Outcome)
                    .where(Outcome.follow_up_id == follow_up.id)
                    .values(note=f"notitie over R{n}")
                )
            ids.append(client_id)
    return ids


async def whole_or_untouched(sessions, client_ids: list[int]) -> int:
    """How many of these residents are erased; fails on one erased only in part."""
    erased = 0
    async with sessions() as session:
        for client_id in client_ids:
            held = json.dumps(await client_rows(session, client_id), default=str)
            client = held.split('"phone_numbers"')[0]
            traces = ['"Inwoner"', '"+3161234', '"notitie over R']
            present = [trace in held for trace in traces]
            if '"erased_at": null' in client:
                assert all(present), f"client {client_id} is half-erased"
            else:
                assert not any(present), f"client {client_id} is half-erased"
                erased += 1
    return erased


async def test_a_purge_stopped_after_a_batch_is_finished_by_running_it_again(sessions):
    ids = await residents(sessions, 5)

    first = await purge(sessions, now=PURGE_AT, months=24, actor="test", batch=2, limit=2)

    assert (first.residents, first.left) == (2, 3)
    assert await whole_or_untouched(sessions, ids) == 2
    second = await purge(sessions, now=PURGE_AT, months=24, actor="test", batch=2)
    assert (second.residents, second.left) == (3, 0)
    assert await whole_or_untouched(sessions, ids) == 5
    async with sessions() as session:
        batches = list(
            await session.scalars(
                sa.select(AuditRecord.detail)
                .where(AuditRecord.action == "residents_erased")
                .order_by(AuditRecord.id)
            )
        )
    assert [batch["residents"] for batch in batches] == [2, 2, 1]


async def test_a_dry_run_counts_and_changes_nothing(sessions):
    ids = await residents(sessions, 3)

    counted = await purge(sessions, now=PURGE_AT, months=24, actor="test", dry_run=True)

    assert (counted.residents, counted.follow_ups, counted.dry_run) == (3, 3, True)
    assert await whole_or_untouched(sessions, ids) == 0
    async with sessions() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(AuditRecord)) == 0


@pytest.mark.parametrize(
    ("after_close", "erased"),
    [(timedelta(0), 0), (timedelta(seconds=-1), 0), (timedelta(seconds=1), 1)],
)
async def test_only_follow_ups_closed_before_the_period_are_erased(sessions, after_close, erased):
    """The period ends `after_close` after the follow-up closed: erased only once past it."""
    ids = await residents(sessions, 1)
    now = NOW + (NOW - retention_cutoff(NOW, 12)) + after_close
    assert retention_cutoff(now, 12) == NOW + after_close

    result = await purge(sessions, now=now, months=12, actor="test")

    assert result.residents == erased
    assert await whole_or_untouched(sessions, ids) == erased


async def test_a_resident_still_followed_up_is_not_purged(sessions):
    closed = await residents(sessions, 1)
    async with sessions() as session, session.begin():
        # One being followed up now.
        client_id, conversation_id = await add_client(session, "open")
        await add_follow_up(session, client_id, conversation_id, round_number=1, opened_at=NOW)
        # One whose conversation still waits for its follow-up.
        waiting, _ = await add_client(session, "waiting")

    result = await purge(sessions, now=PURGE_AT, months=24, actor="test")

    assert result.residents == 1
    async with sessions() as session:
        kept = set(await session.scalars(sa.select(Client.id).where(Client.erased_at.is_(None))))
        open_ = await session.scalar(
            sa.select(sa.func.count()).where(FollowUp.state == FollowUpState.OPEN)
        )
    assert kept == {client_id, waiting} and closed[0] not in kept and open_ == 1


async def test_the_scheduler_purges_with_the_configured_period(db_url, aiohttp_client):
    engine = create_engine(db_url)
    ids = await residents(session_factory(engine), 2)
    settings = Settings(_env_file=None, database_url=db_url, retention_months=24)
    app = create_app(settings, secret_key="k", engine=engine, clock=lambda: PURGE_AT, jobs=False)
    await aiohttp_client(app)
    leadership = Leadership(engine)
    try:
        await purge_job(app, leadership)
        assert await whole_or_untouched(session_factory(engine), ids) == 2
        async with session_factory(engine)() as session:
            run = (
                await session.execute(
                    sa.select(AuditRecord.actor, AuditRecord.detail).where(
                        AuditRecord.action == "retention_purged"
                    )
                )
            ).one()
    finally:
        await leadership.release()
        await engine.dispose()
    assert run.actor == "scheduler"
    assert (run.detail["older_than_months"], run.detail["residents"]) == (24, 2)
