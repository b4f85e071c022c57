"""Benchmark the agent console on PostgreSQL, each part beside a baseline in the same run.

a) Fifty agents press "Volgende inwoner" at the same moment (50 concurrent `next_resident`
   calls, separate agents, 10,000 residents due): each gets another resident; latency p95
   (requirement: under 50 ms). Baseline: 50 concurrent `SELECT 1` through the same engine.
b) A card with 200 timeline entries, GET through the app (requirement: under 100 ms).
   Baseline: the sign-in page (a template, no database) through the same client.
c) Open console pages (queue pages and cards): statements a second the database receives
   with 200 open pages, against 1 open page (requirement: a constant few).

One JSON line on stdout; nothing asserts a duration.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from aiohttp import TCPConnector
from aiohttp.test_utils import TestClient, TestServer
from bench_support import DEFAULT_URL, say, scratch_database

from followup.app import create_app
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import Role
from followup.rules.planning_rules import PlanningRules
from followup.services.next_resident import next_resident
from followup.settings import Settings
from followup.store.engine import create_engine, session_factory
from followup.store.migrate import upgrade
from followup.store.users import SignedIn
from followup.web.cookies import SESSION

ZONE = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 10, tzinfo=ZONE).astimezone(UTC)  # a Monday, calls allowed
SECRET = "b" * 43
AGENTS = 100  # 50 press "Volgende inwoner"; 100 have a queue page and a card open
PRESSING = 50
ROUNDS = 5
REQUESTS = 50
TIMELINE = 200  # entries on the big card: half attempts, half text messages
FILL = (
    """INSERT INTO clients (id, client_ref, name, wijk, created_at, updated_at)
SELECT i, 'K' || lpad(i::text, 6, '0'), 'Inwoner ' || i, 'Centrum', :created, :created
FROM generate_series(1, :residents + 1) AS i""",
    "SELECT setval(pg_get_serial_sequence('clients', 'id'), :residents + 1)",
    """INSERT INTO conversations (client_id, conversation_date, follow_up_after_months,
                           initiative, due_on, created_at, updated_at)
SELECT id, CAST(:created AS date), 3, 'municipality', CAST(:created AS date) + 90, :created,
       :created FROM clients""",
    """INSERT INTO follow_ups (client_id, conversation_id, state, round_number, opened_at)
SELECT client_id, id, 'open', 1, :created FROM conversations""",
    """INSERT INTO phone_numbers (client_id, label, raw, e164, type, status, sms_blocked, source,
                           created_at)
SELECT id, 'primary', '06-' || (20000000 + id), '+316' || (20000000 + id), 'mobile', 'valid',
       false, 'import', :created FROM clients""",
    # Every resident but the last has a call due, the longest waiting first.
    """INSERT INTO attempts (follow_up_id, channel, purpose, state, due_at, tries, created_at)
SELECT id, 'call', 'call', 'queued', t.now - make_interval(mins => client_id), 0, t.now
FROM follow_ups, (SELECT CAST(:now AS timestamptz) AS now) AS t
WHERE client_id <= :residents""",
    # The last resident's history: calls and texts that went out, and texts that came in.
    """INSERT INTO attempts (follow_up_id, channel, purpose, state, due_at, sent_at,
                      finished_at, carrier_sid, carrier_status, duration_seconds, tries,
                      created_at)
SELECT f.id, CASE WHEN i % 2 = 0 THEN 'call' ELSE 'sms' END, 'call',
       CASE WHEN i % 3 = 0 THEN 'failed' ELSE 'delivered' END, t.at, t.at,
       t.at + interval '2 minutes', 'CA' || lpad(i::text, 32, '0'),
       CASE WHEN i % 2 = 0 THEN 'completed' ELSE 'delivered' END, 60 + i, 1, t.at
FROM follow_ups AS f, generate_series(1, :history) AS i,
     LATERAL (SELECT CAST(:created AS timestamptz) + make_interval(hours => i) AS at) AS t
WHERE f.client_id = :residents + 1""",
    """INSERT INTO sms_messages (direction, client_id, from_number, to_number, body,
                          needs_review, created_at)
SELECT CASE WHEN i % 2 = 0 THEN 'inbound' ELSE 'outbound' END, :residents + 1, '+31620000000',
       '+3197010', 'Bericht nummer ' || i, false, t.at
FROM generate_series(1, :history) AS i,
     LATERAL (SELECT CAST(:created AS timestamptz) + make_interval(hours => i, mins => 30)
              AS at) AS t""",
    """INSERT INTO users (email, role, password_hash, phone, created_at)
SELECT 'agent' || i || '@bench.example', 'agent', '-', '06' || (11110000 + i), :created
FROM generate_series(1, :agents) AS i""",
    # Each agent signed in: the cookie's token is 'bench-token-<id>', the table keeps its hash.
    """INSERT INTO sign_in_sessions (token_hash, user_id, created_at, last_seen_at, expires_at)
SELECT encode(sha256(('bench-token-' || id)::bytea), 'hex'), id, :now, :now,
       CAST(:now AS timestamptz) + interval '8 hours'
FROM users""",
)


async def fill(engine, residents: int) -> None:
    params = {
        "residents": residents,
        "created": NOW - timedelta(days=60),
        "now": NOW,
        "history": TIMELINE // 2,
        "agents": AGENTS,
    }
    async with engine.begin() as conn:
        for statement in FILL:
            used = {k: v for k, v in params.items() if f":{k}" in statement}
            await conn.execute(sa.text(statement), used)
    async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        await conn.execute(sa.text("VACUUM ANALYZE"))


def figures(seconds: list[float]) -> dict:
    """Milliseconds: median, p95 and the slowest."""
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    return {
        "median_ms": round(statistics.median(ms), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ms[-1], 1),
        "samples": len(ms),
    }


async def timed(work: Awaitable) -> tuple[float, object]:
    start = time.perf_counter()
    result = await work
    return time.perf_counter() - start, result


async def at_once(engine, agents) -> dict:
    """a) Fifty agents press "Volgende inwoner" together, round after round."""
    sessions = session_factory(engine)
    rules, calendar = PlanningRules(), ContactCalendar(ZONE)

    async def select_one():
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    baseline, latencies, all_different = [], [], True
    await asyncio.gather(*(select_one() for _ in range(PRESSING)))  # the pool fills up
    for _ in range(ROUNDS):
        baseline += [s for s, _ in await asyncio.gather(*(timed(select_one()) for _ in agents))]
        pressed = await asyncio.gather(
            *(timed(next_resident(sessions, agent, NOW, rules, calendar)) for agent in agents)
        )
        latencies += [s for s, _ in pressed]
        residents = [lease.client_id for _, lease in pressed]
        all_different &= len(set(residents)) == len(residents)
    say(f"a) {ROUNDS} rounds of {PRESSING} at once, each a different resident: {all_different}")
    return {
        "next_resident": figures(latencies),
        "baseline_select_1": figures(baseline),
        "each_a_different_resident": all_different,
        "pool_size": engine.pool.size(),
    }


async def read_event(stream) -> None:
    while (await asyncio.wait_for(stream.content.readline(), 60)) != b"\n":
        pass


async def console(engine, residents: int) -> dict:
    """b) the big card against the sign-in page; c) statements a second with open pages."""
    settings = Settings(_env_file=None, database_url=engine.url.render_as_string(False))
    app = create_app(settings, secret_key=SECRET, clock=lambda: NOW, engine=engine, jobs=False)
    async with TestClient(TestServer(app), connector=TCPConnector(limit=0)) as web:

        def as_agent(i: int) -> dict:
            return {"Cookie": f"{SESSION}=bench-token-{i}"}

        card = f"/belwachtrij/inwoners/{residents + 1}"
        entries = (await (await web.get(card, headers=as_agent(1))).text()).count("<time ")

        async def get(path: str) -> None:
            answer = await web.get(path, headers=as_agent(1))
            assert answer.status == 200, answer.status
            await answer.read()

        trivial, big = [], []
        for _ in range(REQUESTS):
            trivial.append((await timed(get("/inloggen")))[0])
            big.append((await timed(get(card)))[0])
        say(f"b) card ({entries} timeline entries) {figures(big)}, sign-in page {figures(trivial)}")

        statements: list[float] = []

        def count(*_):
            statements.append(time.monotonic())

        async def per_second(seconds: float) -> float:
            start = len(statements)
            await asyncio.sleep(seconds)
            return round((len(statements) - start) / seconds, 1)

        sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
        rates = {}
        async with AsyncExitStack() as pages:
            opened = 0
            for wanted in (1, 200):
                streams = []
                for page in range(opened, wanted):
                    agent = page // 2 + 1  # each agent: their queue, and a resident's card
                    path = (
                        f"/belwachtrij/inwoners/{agent}/live" if page % 2 else "/belwachtrij/live"
                    )
                    streams.append(
                        await pages.enter_async_context(web.get(path, headers=as_agent(agent)))
                    )
                took, _ = await timed(asyncio.gather(*map(read_event, streams)))
                say(f"c) {wanted} pages open, each with its first fragment after {took:.1f} s")
                opened = wanted
                await asyncio.sleep(1.5)  # the first looks' writes (audits) are done
                rates[wanted] = await per_second(10)
                say(f"c) {wanted} pages open: {rates[wanted]} statements a second")
        sa.event.remove(engine.sync_engine, "before_cursor_execute", count)
    return {
        "card_timeline_entries": entries,
        "card": figures(big),
        "baseline_sign_in_page": figures(trivial),
        "statements_per_second": {"pages_1": rates[1], "pages_200": rates[200]},
    }


async def bench(url: str, residents: int) -> dict:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        start = time.perf_counter()
        await fill(engine, residents)
        say(f"filled {residents} due residents in {time.perf_counter() - start:.1f} s")
        pressing = [
            SignedIn(i, f"agent{i}@bench.example", Role.AGENT, "+31611110000")
            for i in range(AGENTS - PRESSING + 1, AGENTS + 1)
        ]
        result = {"at_once": await at_once(engine, pressing)}
        result |= await console(engine, residents)
    finally:
        await engine.dispose()
    a, b = result["at_once"], result
    result["within_limits"] = {
        "next_resident_p95_under_50_ms": a["next_resident"]["p95_ms"] < 50,
        "card_p95_under_100_ms": b["card"]["p95_ms"] < 100,
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=10_000, help="with a call due")
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_URL, help="the server")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    with scratch_database(args.postgres, keep=args.keep) as url:
        result = asyncio.run(bench(url, args.residents))
    print(json.dumps({"benchmark": "console", "residents": args.residents} | result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
