"""`followup dispatch` as real processes against the simulated carrier: what it prints, how
it refuses, a worker killed between the carrier's answer and its commit, and four workers
on one queue."""

import asyncio
import json
import signal
from datetime import datetime, timedelta

import sqlalchemy as sa

from followup.rules.domain import AttemptState
from followup.store.staff_tables import User
from followup.store.tables import Attempt, SmsMessage
from tests.support.carrier import MONDAY, UNLIMITED, World, outbound_world
from tests.support.files import row, write_csv
from tests.support.processes import FOLLOWUP, clean_env, followup, refusing_port

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


async def start_dispatch(world: World, now: datetime, cwd, as_json: bool = True, **extra: str):
    return await asyncio.create_subprocess_exec(
        str(FOLLOWUP),
        "dispatch",
        "--now",
        now.isoformat(),
        *(["--json"] if as_json else []),
        cwd=cwd,
        env=worker_env(world, **extra),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finished(process) -> dict:
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return json.loads(out)


async def test_a_pass_prints_what_it_did_in_dutch(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("A", phone="06-12345678"), row("B", phone="06-12340000")], tmp_path)
        await world.plan()
        process = await asyncio.create_subprocess_exec(
            str(FOLLOWUP),
            "dispatch",
            "--now",
            "2026-11-23T10:00",
            cwd=tmp_path,
            env=worker_env(world),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        assert "verstuurd:                 1" in out.decode()
        assert "mislukt:                   1" in out.decode()
        # Phone numbers never reach the log.
        assert "12345678" not in err.decode() and "12340000" not in err.decode()


async def test_wrong_credentials_exit_2_with_what_to_check(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("A", phone="06-12345678")], tmp_path)
        await world.plan()
        process = await start_dispatch(
            world, MONDAY, tmp_path, FOLLOWUP_TWILIO_AUTH_TOKEN="verkeerd"
        )
        out, err = await process.communicate()
        assert process.returncode == 2
        assert out == b""
        assert "versturen is gestopt" in err.decode()
        assert "FOLLOWUP_TWILIO_AUTH_TOKEN" in err.decode()
        [attempt] = await all_attempts(world)
        assert (attempt.state, attempt.tries) == (AttemptState.QUEUED, 0)


async def test_an_agents_phone_rings_first(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("A", phone="050-3671234")], tmp_path)  # a landline: calls only
        await world.plan()
        env = worker_env(world)
        process = await asyncio.create_subprocess_exec(
            str(FOLLOWUP),
            "user",
            "add",
            "agent@gemeente.example",
            "--role",
            "agent",
            "--phone",
            "06 1111 2222",
            cwd=tmp_path,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        await process.communicate(b"een lang wachtwoord\n")
        assert process.returncode == 0
        async with world.sessions() as session, session.begin():
            agent_id = await session.scalar(sa.select(User.id))
            await session.execute(sa.update(Attempt).values(agent_id=agent_id))
        summary = await finished(
            await start_dispatch(world, MONDAY + timedelta(days=1, hours=1), tmp_path)
        )
        assert summary["sent"] == 1
        assert (await world.received("calls"))[0]["to"] == "+31611112222"


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


def test_without_a_carrier_address_the_simulated_carrier_runs_inside(db_url, tmp_path):
    env = clean_env(db_url)
    path = write_csv(tmp_path / "c.csv", [row("A", phone="06-12345678")])
    assert followup("import", str(path), cwd=tmp_path, env=env).returncode == 0
    assert followup("plan", "--now", "2026-11-23T10:00", cwd=tmp_path, env=env).returncode == 0
    result = followup("dispatch", "--now", "2026-11-23T10:00", "--json", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sent"] == 1


def test_a_now_that_is_not_iso_8601_exits_2(db_url, tmp_path):
    result = followup("dispatch", "--now", "morgen", cwd=tmp_path, env=clean_env(db_url))
    assert result.returncode == 2
    assert "ISO 8601" in result.stderr


async def test_a_mail_server_that_is_down_exits_1_saying_what_waits(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        emails = [row(f"E{i}", phone="", email=f"inwoner{i}@example.nl") for i in range(3)]
        await world.load(emails, tmp_path)
        await world.plan()
        with refusing_port() as port:
            smtp = f"smtp://127.0.0.1:{port}"
            process = await start_dispatch(
                world, MONDAY, tmp_path, as_json=False, FOLLOWUP_SMTP_URL=smtp
            )
            out, err = await asyncio.wait_for(process.communicate(), timeout=120)
            assert process.returncode == 1, err.decode()
            assert "wacht op de provider:      3" in out.decode()
            assert (
                "De mailserver is sinds 10:00 niet bereikbaar. "
                "3 e-mails wachten en gaan vanzelf weg als hij weer werkt."
            ) in out.decode()
            assert "inwoner" not in err.decode()  # no address in the log
            json_run = await start_dispatch(world, MONDAY, tmp_path, FOLLOWUP_SMTP_URL=smtp)
            out, err = await asyncio.wait_for(json_run.communicate(), timeout=120)
        assert json_run.returncode == 1, err.decode()
        [outage] = json.loads(out)["outages"]
        assert outage == {
            "channel": "email",
            "failing_since": "2026-11-23T09:00:00+00:00",
            "last_error_kind": "unreachable",
            "waiting": 3,
        }
        attempts = [a for i in range(3) for a in await world.attempts(f"E{i}")]
        assert {(a.state, a.tries) for a in attempts} == {(AttemptState.QUEUED, 0)}
