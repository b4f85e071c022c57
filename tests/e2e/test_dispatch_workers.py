"""`followup dispatch` as real processes against the simulated carrier: a worker killed
between the carrier's answer and its commit, and four workers on one queue."""

import asyncio
import json
import signal
from datetime import datetime, timedelta

import sqlalchemy as sa

from followup.rules.domain import AttemptState
from followup.store.tables import Attempt, SmsMessage
from tests.support.carrier import MONDAY, UNLIMITED, World, outbound_world
from tests.support.files import row
from tests.support.processes import FOLLOWUP, clean_env

WORKERS = 4
CLIENTS = 120


def worker_env(world: World, **extra: str) -> dict[str, str]:
    settings = world.settings
    return clean_env(
        settings.database_url,
        FOLLOWUP_TWILIO_API_BASE=world.sim_url,
        FOLLOWUP_PUBLIC_URL=settings.public_url,
        FOLLOWUP_OUTBOX_DIR=str(settings.outbox_dir),
        FOLLOWUP_MESSAGES_PER_SECOND=str(UNLIMITED),
        **extra,
    )


async def start_dispatch(world: World, now: datetime, cwd, **extra: str):
    return await asyncio.create_subprocess_exec(
        str(FOLLOWUP),
        "dispatch",
        "--now",
        now.isoformat(),
        "--json",
        cwd=cwd,
        env=worker_env(world, **extra),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finished(process) -> dict:
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return json.loads(out)


async def all_attempts(world: World) -> list[Attempt]:
    async with world.sessions() as session:
        return list(await session.scalars(sa.select(Attempt).order_by(Attempt.id)))


async def test_a_worker_killed_before_it_recorded_the_answer_sends_nothing_twice(db_url, tmp_path):
    # No callbacks: only the reconciler can learn what the carrier did.
    async with outbound_world(db_url, tmp_path, sim_callbacks=False) as world:
        await world.load([row("A", phone="06-12345678"), row("B", phone="06-87654321")], tmp_path)
        await world.plan()
        world.sim.hold()  # the carrier takes both messages but keeps its answers back
        worker = await start_dispatch(world, MONDAY, tmp_path)
        await world.sim.wait_held(2, timeout=60)
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
        world.sim.release()
        assert [a.state for a in await all_attempts(world)] == [AttemptState.SENDING] * 2
        assert len(await world.received("messages")) == 2

        summary = await finished(
            await start_dispatch(world, MONDAY + timedelta(minutes=5), tmp_path)
        )
        assert (summary["reconciled"], summary["sent"]) == (2, 0)
        attempts = await all_attempts(world)
        messages = {m["to"]: m["sid"] for m in await world.received("messages")}
        assert len(messages) == 2  # still two: nothing was sent again
        assert {(a.state, a.to_address, a.carrier_sid) for a in attempts} == {
            (AttemptState.SENT, to, sid) for to, sid in messages.items()
        }
        async with world.sessions() as session:
            recorded = set(await session.scalars(sa.select(SmsMessage.carrier_sid)))
        assert recorded == set(messages.values())


async def test_four_workers_send_every_attempt_exactly_once(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        # Numbers ending in 7: every one is delivered by the simulated carrier.
        await world.load([row(str(n), phone=f"06-2{n:06d}7") for n in range(CLIENTS)], tmp_path)
        await world.plan()
        workers = [
            await start_dispatch(world, MONDAY, tmp_path, FOLLOWUP_DISPATCH_BATCH_SIZE="5")
            for _ in range(WORKERS)
        ]
        summaries = await asyncio.gather(*(finished(w) for w in workers))
        assert sum(s["sent"] for s in summaries) == CLIENTS
        assert sum(s["failed"] + s["unsure"] for s in summaries) == 0
        messages = await world.received("messages")
        assert len(messages) == CLIENTS
        assert len({m["to"] for m in messages}) == CLIENTS
        attempts = await all_attempts(world)
        assert len(attempts) == CLIENTS
        assert all(a.state in (AttemptState.SENT, AttemptState.DELIVERED) for a in attempts)
        assert {a.carrier_sid for a in attempts} == {m["sid"] for m in messages}
