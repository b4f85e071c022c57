"""A storm of status callbacks through the real webhooks, on SQLite and PostgreSQL: several
statuses per message and call, 30% of them twice, all shuffled and many at once. Every
attempt must end in the highest-ranked status it was told, with one event per (SID,
status): none lost, none twice, and one new attempt for each transient failure."""

import asyncio
import random
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from dialer.sim.replay import Verdict, replay, sid_for, sign, verdict
from followup.rules.domain import AttemptPurpose, AttemptState, CarrierResource, Channel
from followup.settings import SIM_AUTH_TOKEN, Settings
from followup.store.tables import Attempt, CarrierEvent
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up, add_phone
from tests.support.webhooks import Clock, app_for

PUBLIC = "https://nabellen.gemeente.example"
CALLBACKS = 2_000
DUPLICATES = 0.3
AT_ONCE = 32


async def add_attempts(sessions, count: int) -> list[tuple[int, CarrierResource]]:
    """Sent attempts with their SIDs, each of a resident of its own: every third a call."""
    made = []
    async with sessions() as session, session.begin():
        for i in range(count):
            client_id, conversation_id = await add_client(session, ref=f"R{i}")
            follow_up = await add_follow_up(
                session, client_id, conversation_id, round_number=1, opened_at=NOW
            )
            number = await add_phone(session, client_id, f"+3161{i:07d}")
            call = i % 3 == 0
            attempt = await add_attempt(
                session,
                follow_up.id,
                channel=Channel.CALL if call else Channel.SMS,
                purpose=AttemptPurpose.CALL if call else AttemptPurpose.OPENING,
                phone_number_id=number.id,
                to_address=number.e164,
            )
            resource = CarrierResource.CALL if call else CarrierResource.MESSAGE
            attempt.carrier_sid = sid_for(attempt.id, resource)
            made.append((attempt.id, resource))
    return made


async def stored(sessions, ids: list[int]) -> tuple[list, list, list]:
    async with sessions() as session:
        attempts = await session.execute(
            sa.select(Attempt.id, Attempt.carrier_status, Attempt.state).where(Attempt.id.in_(ids))
        )
        events = await session.execute(
            sa.select(CarrierEvent.sid, CarrierEvent.status)
            .join(Attempt, Attempt.carrier_sid == CarrierEvent.sid)
            .where(Attempt.id.in_(ids))
        )
        retries = await session.scalars(
            sa.select(Attempt.replaces_id).where(Attempt.replaces_id.in_(ids))
        )
        return [tuple(r) for r in attempts], [tuple(r) for r in events], list(retries)


async def test_a_storm_of_callbacks_leaves_every_attempt_in_its_best_status(
    sessions, db_url, aiohttp_client
):
    attempts = await add_attempts(sessions, 500)
    plan = replay(attempts, CALLBACKS, DUPLICATES, random.Random(7))
    settings = Settings(_env_file=None, database_url=db_url, public_url=PUBLIC)
    clock = Clock(datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/Amsterdam")))
    client = await aiohttp_client(app_for(settings, sessions, clock))
    gate = asyncio.Semaphore(AT_ONCE)

    async def post(callback) -> int:
        signed = sign(callback, PUBLIC, SIM_AUTH_TOKEN)
        async with gate:
            response = await client.post(signed.path_qs, data=signed.body, headers=signed.headers)
            return response.status

    answers = Counter(await asyncio.gather(*(post(c) for c in plan.callbacks)))
    assert answers == {200: CALLBACKS}
    found = verdict(plan, *await stored(sessions, sorted(plan.expected)))
    assert found == Verdict(0, 0, 0, 0, 0)
    # The storm holds what makes it hard: repeats, failures and their retries.
    assert plan.duplicates == CALLBACKS * DUPLICATES
    states = Counter(state for _, state in plan.expected.values())
    assert states[AttemptState.FAILED] > 10 and states[AttemptState.DELIVERED] > 100
    assert states[AttemptState.ANSWERED] > 10 and len(plan.retried) > 5
