"""PostgreSQL restarted, and then stopped for a few seconds, while `followup serve` takes the
carrier's callbacks and inbound SMS and an agent keeps the queue open: with nobody touching
it, the service answers again, stores what comes in, and sends what is planned after the
database came back; and every callback it acknowledged with 200 is in the database.

Callbacks answered otherwise while the database was away are allowed: the carrier retries
status callbacks. The server is the test's own cluster (tests/support/own_postgres.py), the
carrier the simulated one in a process of its own. `serve --demo` only for its calendar that
is open around the clock, so the test does not depend on the hour or a holiday: the
residents are the test's own, imported first, so no demo data is added."""

import asyncio
import re
from collections import Counter
from http import HTTPStatus
from pathlib import Path

import aiohttp
import asyncpg

from followup.store.engine import create_engine, session_factory
from tests.support.carrier_load import NO_ANSWER, CarrierLoad
from tests.support.databases import create_postgres_database, migrate
from tests.support.installation import (
    PASSWORD,
    add_agents,
    answers,
    browser,
    import_residents,
    sent_to,
    sim_carrier,
    until,
)
from tests.support.own_postgres import OwnPostgres
from tests.support.processes import clean_env, serving
from tests.support.staff import sign_in

OUTAGE_SECONDS = 6  # how long the database is away; the service is not told
MORE = 50  # callbacks acknowledged between two steps: the service is taking them again
FIRST, LATER = range(1, 6), range(6, 11)  # residents imported before and after the faults
ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (?P<level>[A-Z]+) ", re.MULTILINE)


async def spool_applied(folder: Path) -> bool:
    """Nothing left in the spool, and nothing it could not apply."""
    return not any(folder.glob("*")) if folder.exists() else True


async def keep_looking(agent: aiohttp.ClientSession, stop: asyncio.Event) -> Counter[int]:
    """An agent with the queue open, reloading it now and then: the statuses it got."""
    seen: Counter[int] = Counter()
    while not stop.is_set():
        try:
            async with agent.get("/belwachtrij", allow_redirects=False) as response:
                seen[response.status] += 1
        except aiohttp.ClientError:
            seen[NO_ANSWER] += 1
        await asyncio.sleep(0.5)
    return seen


def failure_lines(log: Path) -> tuple[int, int]:
    """(tracebacks, entries at ERROR level) in a text-format log."""
    text = log.read_text()
    errors = sum(1 for entry in ENTRY.finditer(text) if entry["level"] == "ERROR")
    return text.count("Traceback (most recent call last)"), errors


async def test_serve_rides_out_a_restart_and_a_stop_of_postgres(
    own_postgres: OwnPostgres, tmp_path
):
    url = create_postgres_database(own_postgres.server).render_as_string(hide_password=False)
    migrate(url)
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        await import_residents(sessions, tmp_path, FIRST)
        [agent_email] = await add_agents(sessions, 1)
        env = clean_env(
            url, FOLLOWUP_PLAN_INTERVAL_SECONDS="10", FOLLOWUP_DISPATCH_INTERVAL_SECONDS="1"
        )
        with sim_carrier(tmp_path, env) as sim:
            env["FOLLOWUP_TWILIO_API_BASE"] = sim.base
            with serving("--demo", cwd=tmp_path, env=env) as base:
                async with browser(base) as agent, aiohttp.ClientSession() as web:
                    load = CarrierLoad(base)

                    async def healthy_and_taking(more_than: int) -> bool:
                        taking = load.acknowledged > more_than
                        return taking and await answers(web, base + "/healthz")

                    await until(
                        lambda: sent_to(web, sim, FIRST), "the first residents' messages sent"
                    )
                    assert (await sign_in(agent, agent_email, PASSWORD)).status == 303
                    loading = asyncio.create_task(load.run())
                    looking = asyncio.create_task(keep_looking(agent, done := asyncio.Event()))
                    try:
                        await until(lambda: healthy_and_taking(MORE), "the load taken")

                        await asyncio.to_thread(own_postgres.restart)
                        taken = load.acknowledged
                        await until(lambda: healthy_and_taking(taken + MORE), "after the restart")

                        await asyncio.to_thread(own_postgres.stop)
                        await asyncio.sleep(OUTAGE_SECONDS)
                        await asyncio.to_thread(own_postgres.start)
                        taken = load.acknowledged
                        await until(lambda: healthy_and_taking(taken + MORE), "after the stop")
                        assert await answers(agent, "/belwachtrij")

                        # Imported after the outage: planned and sent by the service itself.
                        await import_residents(sessions, tmp_path, LATER)
                        await until(
                            lambda: sent_to(web, sim, LATER), "the later residents' messages sent"
                        )
                    finally:
                        load.stop()
                        done.set()
                        await loading
                        looked = await looking
                    # Callbacks answered 200 while the database was away wait in the spool:
                    # the service applies them itself once it is back.
                    await until(lambda: spool_applied(tmp_path / "spool"), "the spool applied")
    finally:
        await engine.dispose()

    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        events = await connection.fetch("SELECT sid, status FROM carrier_events")
        messages = await connection.fetch("SELECT carrier_sid FROM sms_messages")
    finally:
        await connection.close()
    assert load.statuses <= {(e["sid"], e["status"]) for e in events}
    assert load.sms <= {m["carrier_sid"] for m in messages}
    assert load.acknowledged > 3 * MORE  # the load was real
    assert looked[200] and HTTPStatus.SEE_OTHER not in looked  # never sent to sign in again

    # Callbacks and inbound SMS were all acknowledged, the outage's through the spool; the
    # outage logged a line per kind of failure, not a traceback per failed request.
    assert set(load.answers) == {200}, load.answers
    tracebacks, errors = failure_lines(tmp_path / "serve.log")
    assert tracebacks == 0 and errors <= 20, (tracebacks, errors)
