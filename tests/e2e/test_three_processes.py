"""Three `followup serve` processes on one PostgreSQL database: one of them at a time runs
the scheduled jobs (it holds the advisory lock of followup/store/leadership.py); when it is
killed, another takes over; no message goes out twice, not even those the killed leader had
in flight; and agents pressing "Volgende inwoner" at once on all three processes never get
the same resident.

The carrier is the simulated one, in a process of its own, shared by all three: it keeps
the first messages but holds back its answers, so the leader dies with them in flight (they
stay `sending`, for the reconciler to ask the carrier about, never to be sent again).
`serve --demo` only for its calendar that is open around the clock, so the test does not
depend on the hour or a holiday: the residents are the test's own, so no demo data is
added."""

import asyncio
import re
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import aiohttp
import asyncpg

from followup.store.engine import create_engine, session_factory
from followup.store.leadership import LOCK_KEY
from tests.support.databases import create_postgres_database, drop_postgres_database, migrate
from tests.support.installation import (
    PASSWORD,
    add_agents,
    browser,
    carrier_got,
    import_residents,
    number,
    sim_carrier,
    until,
)
from tests.support.processes import Running, clean_env, running
from tests.support.rows import add_calls_waiting
from tests.support.staff import post_form, sign_in

LEADS = "this process now runs the scheduled jobs"
FIRST, LATER = range(1, 21), range(21, 31)  # residents messaged by the first leader, the next
AGENTS, CALLS, ROUNDS = 9, 6, 3  # more agents than residents to call: they compete
CARD = re.compile(r"/belwachtrij/inwoners/(\d+)$")
LOCK_HOLDERS = """
    SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
    WHERE d.datname = $1 AND l.locktype = 'advisory' AND l.granted
      AND l.classid = $2 AND l.objid = $3 AND l.objsubid = 1
"""
LEASES = """
    SELECT client_id, leased_to_id FROM follow_ups
    WHERE leased_to_id IS NOT NULL AND lease_until > now()
"""
SMS_ATTEMPTS = """
    SELECT c.client_ref, a.state, a.carrier_sid FROM attempts a
    JOIN follow_ups f ON f.id = a.follow_up_id JOIN clients c ON c.id = f.client_id
    WHERE a.channel = 'sms'
"""


def serve_in(folder: Path, env: dict[str, str]):
    folder.mkdir()
    return running("serve", "--demo", cwd=folder, env=env, log_name="serve.log")


def leading(processes: list[Running]) -> list[int]:
    """Which processes said they run the scheduled jobs."""
    return [n for n, serve in enumerate(processes) if LEADS in serve.log.read_text()]


class LockWatch:
    """Samples how many sessions hold the leader's lock, all the time the test runs."""

    def __init__(self, dsn: str, database: str) -> None:
        self._dsn = dsn
        self._query = (LOCK_HOLDERS, database, LOCK_KEY >> 32, LOCK_KEY & 0xFFFFFFFF)
        self.seen: Counter[int] = Counter()  # how often each number of holders was seen
        self._stop = asyncio.Event()

    async def run(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        try:
            while not self._stop.is_set():
                self.seen[await connection.fetchval(*self._query)] += 1
                await asyncio.sleep(0.1)
        finally:
            await connection.close()

    def stop(self) -> None:
        self._stop.set()


async def sim_control(web: aiohttp.ClientSession, sim: Running, path: str, **body) -> dict:
    async with web.post(sim.base + path, json=body) as response:
        return await response.json()


async def held_all(web: aiohttp.ClientSession, sim: Running) -> bool:
    async with web.get(sim.base + "/sim/held") as response:
        return (await response.json())["held"] == len(FIRST)


async def later_sent(database: asyncpg.Connection) -> list[asyncpg.Record]:
    """The SMS attempts once every later one is recorded as sent; else nothing."""
    attempts = await database.fetch(SMS_ATTEMPTS)
    later = {f"R{n}" for n in LATER}
    done = {a["client_ref"] for a in attempts if a["state"] in ("sent", "delivered")}
    return attempts if later <= done else []


async def leading_now(processes: list[Running]) -> bool:
    return bool(leading(processes))


async def press_next(agent: aiohttp.ClientSession) -> int | None:
    """ "Volgende inwoner": the resident the agent now holds, or None (nobody left)."""
    answer = await post_form(agent, "/belwachtrij/volgende")
    assert answer.status == 303
    taken = CARD.search(answer.headers["Location"])
    return int(taken[1]) if taken else None


async def agents_compete(
    processes: list[Running], agents: dict[str, int], database: asyncpg.Connection
) -> None:
    """Every agent presses at once, each signed in on one of the processes, a few rounds;
    after each round nobody holds a resident another agent holds."""
    browsers = [browser(processes[n % len(processes)].base) for n in range(len(agents))]
    try:
        for page, email in zip(browsers, agents, strict=True):
            assert (await sign_in(page, email, PASSWORD)).status == 303
        ids = list(agents.values())
        for _ in range(ROUNDS):
            taken = await asyncio.gather(*(press_next(page) for page in browsers))
            holding = {agent: client for agent, client in zip(ids, taken, strict=True) if client}
            assert len(set(holding.values())) == len(holding)
            leases = await database.fetch(LEASES)
            assert {row["leased_to_id"]: row["client_id"] for row in leases} == holding
            assert len(leases) == len(holding)
        assert holding  # somebody got someone: the queue was really there to take
    finally:
        await asyncio.gather(*(page.close() for page in browsers))


async def test_three_processes_one_leader_no_message_twice_no_resident_twice(
    postgres_server, tmp_path
):
    database = create_postgres_database(postgres_server, "followup_three")
    url = database.render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        migrate(url)
        sessions = session_factory(engine)
        await import_residents(sessions, tmp_path, FIRST)
        async with sessions() as session, session.begin():
            await add_calls_waiting(session, CALLS, prefix="B")
        agents = await add_agents(sessions, AGENTS)
        env = clean_env(
            url, FOLLOWUP_PLAN_INTERVAL_SECONDS="10", FOLLOWUP_DISPATCH_INTERVAL_SECONDS="1"
        )
        dsn = url.replace("+asyncpg", "")
        observer = await asyncpg.connect(dsn)
        watch = LockWatch(dsn, database.database)
        watching = asyncio.create_task(watch.run())
        try:
            async with aiohttp.ClientSession() as web:
                with ExitStack() as stack:
                    sim = stack.enter_context(sim_carrier(tmp_path, env))
                    env["FOLLOWUP_TWILIO_API_BASE"] = sim.base
                    await sim_control(web, sim, "/sim/hold", hold=True)
                    # Started together, as a deployment starts them; each in a folder (and
                    # a log) of its own.
                    processes = await asyncio.gather(
                        *(
                            asyncio.to_thread(
                                stack.enter_context, serve_in(tmp_path / f"serve{n}", env)
                            )
                            for n in range(3)
                        )
                    )

                    # The leader sends the first messages; the carrier holds its answers back.
                    await until(lambda: held_all(web, sim), "the first messages in flight")
                    [leader] = leading(processes)
                    # Planned while the leader is stuck, or after it died: sent by the next.
                    await import_residents(sessions, tmp_path, LATER)
                    await agents_compete(processes, agents, observer)

                    processes[leader].process.kill()
                    processes[leader].process.wait()
                    survivors = [serve for n, serve in enumerate(processes) if n != leader]
                    await until(lambda: leading_now(survivors), "another process leads")
                    assert len(leading(survivors)) == 1

                    await sim_control(web, sim, "/sim/hold", hold=False)
                    # Recorded as sent, which is after the carrier has them.
                    attempts = await until(lambda: later_sent(observer), "the later ones sent")
                    got = await carrier_got(web, sim)
        finally:
            watch.stop()
            await watching
            await observer.close()
    finally:
        await engine.dispose()
        drop_postgres_database(postgres_server, database)

    assert max(watch.seen) == 1  # never two holders of the lock at once
    # Every resident got one message: those in flight when the leader died too.
    assert Counter(m["to"] for m in got) == {number(n): 1 for n in (*FIRST, *LATER)}
    sids = {m["sid"] for m in got}
    by_ref = {a["client_ref"]: a for a in attempts}
    assert len(attempts) == len(by_ref) == len(FIRST) + len(LATER)  # one attempt each
    for n in FIRST:  # the killed leader's: never sent again; `sending` is for the reconciler,
        # unless the carrier's callbacks (naming the attempt) came before it died
        attempt = by_ref[f"R{n}"]
        assert attempt["state"] in ("sending", "sent", "delivered")
        assert attempt["carrier_sid"] in sids | {None}
    for n in LATER:
        assert by_ref[f"R{n}"]["state"] in ("sent", "delivered")
        assert by_ref[f"R{n}"]["carrier_sid"] in sids
