"""Benchmark the reach report on PostgreSQL at 1,000,000 follow-ups and 5,000,000 attempts.

Requirement (issue 13): every grouping of the report answers within 500 ms, and the dashboard
page (`/bereik`, every grouping and its own figures) renders within 1 s. Baseline in the same
run on the same database: `SELECT count(*) FROM attempts`. The database (`bench_report`
on the server given, by default) is filled once with set-based SQL and kept: filling takes
minutes, so later runs reuse it and only time (`--refill` fills it again). One JSON line on
stdout; nothing asserts a duration.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import asyncpg
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer
from bench_support import DEFAULT_URL, say

from followup.app import create_app
from followup.demo_data import WIJKEN
from followup.rules.domain import ReportGrouping
from followup.services import reach_report as service
from followup.settings import Settings
from followup.store.engine import create_engine, session_factory
from followup.store.follow_up_facts import BACKFILL
from followup.store.migrate import current_revision, upgrade
from followup.web.cookies import SESSION

LIMIT_MS = 500
PAGE_LIMIT_MS = 1000
SECRET = "r" * 43
# The coordinator the page is rendered for (user :agents + 1), signed in with this token.
TOKEN = "bench-report-coordinator"
DATABASE = "bench_report"
ZONE = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 10, tzinfo=ZONE).astimezone(UTC)
DAYS = 548  # about 18 months of follow-ups
# The twelve wijken of the demo and eight more, of uneven size (see `seed`).
ALL_WIJKEN = (
    *WIJKEN,
    *("Oosterpoort", "Schildersbuurt", "Rivierenbuurt", "Zeeheldenbuurt"),
    *("Hoornse Meer", "Ten Boer", "Haren", "Meerstad"),
)
AGENTS = 15
FILL = (
    """INSERT INTO users (id, email, role, password_hash, created_at)
SELECT i, CASE WHEN i <= :agents THEN 'agent' || i ELSE 'coordinator' || i END
          || '@bench.example',
       CASE WHEN i <= :agents THEN 'agent' ELSE 'coordinator' END, '-', :start
FROM generate_series(1, :agents + 2) AS i""",
    "SELECT setval(pg_get_serial_sequence('users', 'id'), :agents + 2)",
    # One row of independent draws per follow-up (MATERIALIZED, or PostgreSQL merges the
    # random() calls), fixed by setseed. Follow-up i is client i's, from conversation i.
    """CREATE TEMP TABLE draws AS
WITH r AS MATERIALIZED (
    SELECT i, random() AS r_wijk, random() AS r_at, random() AS r_open, random() AS r_reach,
           random() AS r_cat, random() AS r_reason, random() AS r_round, random() AS r_src,
           random() AS r_agent, random() AS r_n1, random() AS r_n2, random() AS r_email
    FROM generate_series(1, :follow_ups) AS i)
SELECT r.*,
       -- Wijk 1 holds about 14% of the residents, wijk 20 about 3%.
       1 + floor(20 * power(r_wijk, 1.5))::int AS wijk_no,
       -- More follow-ups each month as the service grew; planning passes run on weekdays.
       t.at + make_interval(days => CASE extract(isodow FROM t.at) WHEN 6 THEN 2 WHEN 7 THEN 1
                                                                  ELSE 0 END) AS opened_at
FROM r, LATERAL (SELECT CAST(:start AS timestamptz)
                        + make_interval(secs => :days * 86400 * power(r_at, 0.7)) AS at) AS t""",
    # Reach differs per wijk (26% to 70% in Groningen); the rest follows DOMAIN.md's 129:
    # 17 active, 7 WIJ, 11 in progress, 24 not active of 59 reached; 70 unreachable.
    """CREATE TEMP TABLE seed AS
WITH s AS MATERIALIZED (
    SELECT d.*, CAST(:now AS timestamptz) - opened_at < interval '40 days' AND r_open < 0.8
                AS is_open,
           0.24 + 0.42 * ((wijk_no * 7) % 20) / 19.0 AS reach
    FROM draws AS d),
c AS MATERIALIZED (
    SELECT s.*,
           CASE WHEN r_reach >= reach THEN 'unreachable'
                WHEN r_cat < 17 / 59.0 THEN 'active' WHEN r_cat < 24 / 59.0 THEN 'with_wij'
                WHEN r_cat < 35 / 59.0 THEN 'in_progress' ELSE 'not_active' END AS category,
           CASE WHEN r_reach < reach THEN NULL
                WHEN r_reason < 0.58 THEN 'no_answer' WHEN r_reason < 0.80 THEN 'invalid_number'
                WHEN r_reason < 0.93 THEN 'no_contact_details' ELSE 'opted_out' END AS reason
    FROM s),
k AS MATERIALIZED (
    SELECT c.*,
           CASE WHEN is_open
                THEN 1 + (CAST(:now AS timestamptz) - opened_at > interval '21 days')::int
                WHEN reason = 'no_contact_details' THEN 1
                WHEN reason = 'no_answer' THEN 2
                WHEN reason = 'invalid_number' THEN 1 + (r_round >= 0.6)::int
                WHEN reason = 'opted_out' THEN 1 + (r_round >= 0.7)::int
                ELSE 1 + (r_round >= 0.7)::int END AS round_number
    FROM c)
SELECT k.*,
       -- Attempts in round 1 and round 2: about five a follow-up on average.
       CASE WHEN reason = 'no_contact_details' AND NOT is_open THEN 0
            WHEN is_open THEN 1 + floor(r_n1 * 5)::int
            WHEN reason = 'no_answer' THEN 4 + floor(r_n1 * 3)::int
            WHEN reason = 'invalid_number' THEN 1 + floor(r_n1 * 3)::int
            WHEN reason = 'opted_out' THEN 1 + floor(r_n1 * 2)::int
            ELSE 1 + floor(r_n1 * 4)::int END AS in_round_1,
       CASE WHEN round_number = 1 THEN 0
            WHEN is_open THEN 1 + floor(r_n2 * 4)::int
            WHEN reason = 'no_answer' THEN 4 + floor(r_n2 * 3)::int
            WHEN reason IN ('invalid_number', 'opted_out') THEN 1 + floor(r_n2 * 2)::int
            ELSE 1 + floor(r_n2 * 4)::int END AS in_round_2,
       CASE WHEN is_open THEN NULL
            ELSE least(opened_at + CASE WHEN reason = 'no_contact_details' THEN interval '0'
                                        WHEN round_number = 2 THEN interval '38 days'
                                        ELSE interval '9 days' END
                                 + make_interval(hours => floor(r_n2 * 96)::int), :now)
       END AS closed_at
FROM k""",
    "ALTER TABLE seed ADD PRIMARY KEY (i)",
    """INSERT INTO clients (id, client_ref, name, wijk, email, email_status, created_at,
                         updated_at)
SELECT i, 'B' || lpad(i::text, 7, '0'), 'Bewoner ' || i, (CAST(:wijken AS text[]))[wijk_no],
       CASE WHEN r_email < 0.3 AND reason IS DISTINCT FROM 'no_contact_details'
            THEN 'bewoner' || i || '@example.nl' END,
       CASE WHEN r_email < 0.3 AND reason IS DISTINCT FROM 'no_contact_details' THEN 'valid' END,
       opened_at - interval '120 days', opened_at - interval '120 days'
FROM seed""",
    "SELECT setval(pg_get_serial_sequence('clients', 'id'), :follow_ups)",
    """INSERT INTO conversations (id, client_id, conversation_date, follow_up_after_months,
                           initiative, due_on, created_at, updated_at)
SELECT i, i, (opened_at - interval '3 months')::date, 3,
       (ARRAY['municipality', 'client'])[1 + i % 2], opened_at::date,
       opened_at - interval '120 days', opened_at - interval '120 days' FROM seed""",
    "SELECT setval(pg_get_serial_sequence('conversations', 'id'), :follow_ups)",
    # Every resident with contact details has a mobile number (its id is the client's); the
    # ones the carrier proved wrong are marked so.
    """INSERT INTO phone_numbers (id, client_id, label, raw, e164, type, status, invalid_reason,
                           invalid_source, sms_blocked, source, created_at)
SELECT i, i, 'primary', '06-' || (20000000 + i), '+316' || (20000000 + i), 'mobile',
       CASE WHEN reason = 'invalid_number' THEN 'invalid' ELSE 'valid' END,
       CASE WHEN reason = 'invalid_number' THEN 'carrier' END,
       CASE WHEN reason = 'invalid_number' THEN 'carrier_error' END,
       false, 'import', opened_at - interval '120 days'
FROM seed WHERE reason IS DISTINCT FROM 'no_contact_details' OR is_open""",
    "SELECT setval(pg_get_serial_sequence('phone_numbers', 'id'), :follow_ups)",
    """INSERT INTO follow_ups (id, client_id, conversation_id, state, round_number, opened_at,
                        closed_at)
SELECT i, i, i, CASE WHEN is_open THEN 'open' ELSE 'closed' END, round_number, opened_at,
       closed_at FROM seed""",
    "SELECT setval(pg_get_serial_sequence('follow_ups', 'id'), :follow_ups)",
    # Round 1 of follow-up i has id i, round 2 has id i + :follow_ups.
    """INSERT INTO rounds (id, follow_up_id, number, opened_at, closes_at, closed_at)
SELECT r.id, i, r.number, r.opened, r.opened + interval '14 days',
       CASE WHEN r.number < round_number OR NOT is_open THEN coalesce(closed_at, :now) END
FROM seed,
     LATERAL (VALUES (i, 1, opened_at),
                     (i + :follow_ups, 2, opened_at + interval '21 days')) AS r (id, number, opened)
WHERE r.number <= round_number AND in_round_1 > 0""",
    "SELECT setval(pg_get_serial_sequence('rounds', 'id'), 2 * :follow_ups)",
    # The ladder per round: SMS, call, call, e-mail, call, SMS; one in ten steps a call
    # instead. Due on weekdays between 09:00 and 20:00; a follow-up still open has its last
    # attempt queued.
    """INSERT INTO attempts (follow_up_id, round_id, step, channel, purpose, state,
                      phone_number_id, to_address, agent_id, due_at, tries, sent_at,
                      finished_at, carrier_sid, carrier_status, duration_seconds,
                      cancelled_reason, created_at)
WITH a AS (
    SELECT s.i, s.is_open, s.opened_at, n.k, n.k = s.in_round_1 + s.in_round_2 AS last,
           CASE WHEN n.k <= s.in_round_1 THEN 1 ELSE 2 END AS number,
           CASE WHEN n.k <= s.in_round_1 THEN n.k ELSE n.k - s.in_round_1 END AS step,
           random() AS r_state, random() AS r_hour, random() AS r_day, random() AS r_swap
    FROM seed AS s, generate_series(1, s.in_round_1 + s.in_round_2) AS n (k)),
b AS (
    SELECT a.*,
           CASE WHEN r_swap < 0.1 THEN 'call'
                ELSE (ARRAY['sms', 'call', 'call', 'email', 'call', 'sms'])[1 + (step - 1) % 6]
           END AS channel,
           -- Two steps a week, round 2 three weeks after round 1, any weekday.
           date_trunc('week', opened_at)
               + make_interval(weeks => (number - 1) * 3 + (step - 1) / 2,
                               days => floor(r_day * 5)::int) AS day
    FROM a),
c AS (
    SELECT b.*,
           day + make_interval(days => CASE WHEN day < date_trunc('day', opened_at) THEN 7
                                            ELSE 0 END,
                               hours => 8 + floor(r_hour * 11)::int,
                               mins => floor(r_hour * 660)::int % 60) AS due_at,
           CASE WHEN is_open AND last THEN 'queued'
                WHEN channel = 'call' THEN CASE WHEN r_state < 0.22 THEN 'answered'
                                                WHEN r_state < 0.92 THEN 'failed'
                                                ELSE 'cancelled' END
                WHEN channel = 'sms' THEN CASE WHEN r_state < 0.9 THEN 'delivered'
                                               ELSE 'failed' END
                ELSE CASE WHEN r_state < 0.93 THEN 'sent' ELSE 'failed' END END AS state
    FROM b)
SELECT i, CASE WHEN number = 1 THEN i ELSE i + :follow_ups END, step, channel,
       CASE WHEN step = 1 THEN 'opening' WHEN channel = 'call' THEN 'call' ELSE 'reminder' END,
       state, CASE WHEN channel <> 'email' THEN i END,
       CASE WHEN channel = 'email' THEN 'bewoner' || i || '@example.nl' END,
       CASE WHEN state = 'answered' THEN 1 + floor(:agents * power(r_hour, 1.3))::int END,
       due_at, (state NOT IN ('queued', 'cancelled'))::int,
       CASE WHEN state NOT IN ('queued', 'cancelled') THEN due_at END,
       CASE WHEN state NOT IN ('queued', 'cancelled')
            THEN due_at + make_interval(secs => 30 + floor(r_state * 500)) END,
       CASE WHEN state NOT IN ('queued', 'cancelled') AND channel <> 'email'
            THEN CASE WHEN channel = 'call' THEN 'CA' ELSE 'SM' END
                 || md5(i::text || '-' || number || '-' || step) END,
       CASE WHEN state IN ('queued', 'cancelled') OR channel = 'email' THEN NULL
            WHEN channel = 'sms' THEN CASE WHEN state = 'delivered' THEN 'delivered'
                                           ELSE 'undelivered' END
            WHEN state = 'answered' THEN 'completed'
            WHEN r_state < 0.72 THEN 'no-answer' WHEN r_state < 0.84 THEN 'busy'
            ELSE 'failed' END,
       CASE WHEN state = 'answered' THEN 60 + floor(r_state * 2400)::int END,
       CASE WHEN state = 'cancelled' THEN 'follow_up_closed' END,
       opened_at
FROM c""",
    # Closed follow-ups have their outcome; a few open ones too (an SMS reply the next
    # planning pass has not closed yet). Reached: mostly agents (15, of uneven effort),
    # else the resident's SMS or link, some the back office.
    """INSERT INTO outcomes (follow_up_id, category, reason, source, recorded_by_id,
                      recorded_at)
WITH o AS (
    SELECT i, category, reason, r_agent, coalesce(closed_at, :now) AS at,
           CASE WHEN reason = 'no_answer' OR reason = 'no_contact_details' THEN 'planner'
                WHEN reason = 'invalid_number' THEN CASE WHEN r_src < 0.7 THEN 'dialer'
                                                         ELSE 'agent' END
                WHEN reason = 'opted_out' THEN CASE WHEN r_src < 0.8 THEN 'sms'
                                                    ELSE 'agent' END
                WHEN r_src < 0.62 THEN 'agent' WHEN r_src < 0.82 THEN 'sms'
                WHEN r_src < 0.95 THEN 'email_link' ELSE 'back_office' END AS source
    FROM seed WHERE NOT is_open OR (r_open < 0.005 AND reason IS NULL))
SELECT i, category, reason, source,
       CASE WHEN source = 'agent' THEN 1 + floor(:agents * power(r_agent, 1.3))::int
            WHEN source = 'back_office' THEN :agents + 1 + i % 2 END, at
FROM o""",
    # What each follow-up keeps for the report: the triggers that keep it are off during the
    # fill (replica role), so it is filled in as migration 0009 fills it.
    BACKFILL,
    # The dashboard's answer rates, counted as each call's final status is stored
    # (rules/call_answers.py): one row per local month opened, wijk, local weekday and hour.
    """INSERT INTO call_answer_counts (opened_month, wijk, weekday, hour, calls, answered)
SELECT to_char(f.opened_at AT TIME ZONE :zone, 'YYYY-MM'), f.wijk,
       extract(isodow FROM coalesce(a.sent_at, a.finished_at) AT TIME ZONE :zone) - 1,
       extract(hour FROM coalesce(a.sent_at, a.finished_at) AT TIME ZONE :zone), count(*),
       count(*) FILTER (WHERE a.carrier_status = 'completed'
                          AND coalesce(a.answered_by, 'human') IN ('human', 'unknown'))
FROM attempts AS a JOIN follow_ups AS f ON f.id = a.follow_up_id
WHERE a.channel = 'call'
  AND a.carrier_status IN ('completed', 'busy', 'no-answer', 'failed', 'canceled')
GROUP BY 1, 2, 3, 4""",
)


def server_url(url: str, database: str) -> str:
    return (
        urlsplit(url.replace("postgresql+asyncpg://", "postgresql://", 1))
        ._replace(path=f"/{database}")
        .geturl()
    )


async def prepare_database(url: str, refill: bool) -> bool:
    """Create the benchmark's database if need be; whether it must be filled."""
    admin = await asyncpg.connect(server_url(url, "postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE)
        if exists and refill:
            await admin.execute(f'DROP DATABASE "{DATABASE}" WITH (FORCE)')
        if not exists or refill:
            await admin.execute(f'CREATE DATABASE "{DATABASE}"')
            return True
    finally:
        await admin.close()
    bench = await asyncpg.connect(server_url(url, DATABASE))
    try:
        filled = await bench.fetchval("SELECT to_regclass('follow_ups') IS NOT NULL")
        return not filled or not await bench.fetchval("SELECT EXISTS (SELECT FROM follow_ups)")
    finally:
        await bench.close()


async def fill(engine, follow_ups: int) -> None:
    params = {
        "follow_ups": follow_ups,
        "agents": AGENTS,
        "wijken": list(ALL_WIJKEN),
        "now": NOW,
        "start": NOW - timedelta(days=DAYS),
        "days": DAYS,
        "zone": ZONE.key,
    }
    async with engine.begin() as conn:
        await conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
        # The rows are consistent by construction: no per-row foreign-key triggers (20
        # million look-ups for the attempts alone). Unique keys and checks still hold.
        await conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        await conn.execute(sa.text("SET LOCAL work_mem = '64MB'"))
        await conn.execute(sa.text("SELECT setseed(0.2026)"))
        for statement in FILL:
            used = {k: v for k, v in params.items() if f":{k}" in statement}
            start = time.perf_counter()
            await conn.execute(sa.text(statement), used)
            say(f"  {time.perf_counter() - start:6.1f} s  {' '.join(statement.split()[:3])}")
    async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        await conn.execute(sa.text("VACUUM ANALYZE"))


TOKEN_HASH = "encode(sha256(convert_to(:token, 'UTF8')), 'hex')"
SIGN_IN = (
    f"DELETE FROM sign_in_sessions WHERE token_hash = {TOKEN_HASH}",
    f"""INSERT INTO sign_in_sessions (token_hash, user_id, created_at, last_seen_at, expires_at)
VALUES ({TOKEN_HASH}, :agents + 1, :now, :now,
        CAST(:now AS timestamptz) + interval '8 hours')""",
)


async def page(engine, runs: int) -> dict:
    """The dashboard `/bereik` rendered through the app in-process for a signed-in
    coordinator: every grouping of the report, the page's own figures and the template."""
    async with engine.begin() as conn:
        for statement in SIGN_IN:
            await conn.execute(sa.text(statement), {"token": TOKEN, "agents": AGENTS, "now": NOW})
    settings = Settings(_env_file=None, database_url=engine.url.render_as_string(False))
    app = create_app(settings, secret_key=SECRET, clock=lambda: NOW, engine=engine, jobs=False)
    timings = {}
    async with TestClient(TestServer(app)) as web:
        for name, query in (
            ("all", ""),
            ("wijk_filter", f"?wijk={ALL_WIJKEN[0]}"),
            ("period_filter", "?van=2026-01&tot=2026-06"),
        ):

            async def get(query: str = query) -> None:
                answer = await web.get(f"/bereik{query}", headers={"Cookie": f"{SESSION}={TOKEN}"})
                assert answer.status == 200, answer.status
                await answer.read()

            timings[name] = await timed(get, runs)
            say(f"page /bereik, {name}: {timings[name]}")
    return timings


def figures(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"median_ms": round(statistics.median(ms), 1), "max_ms": round(max(ms), 1)}


async def timed(work: Callable[[], Awaitable], runs: int) -> dict:
    await work()  # warm: the first run reads the pages into the cache
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        await work()
        seconds.append(time.perf_counter() - start)
    return figures(seconds)


def report_filters() -> dict[str, object]:
    """The filters to time, once the service has them (issue 13's `ReportFilter`)."""
    make = getattr(service, "ReportFilter", None)
    if make is None:
        return {}
    return {
        "wijk": make(wijk=ALL_WIJKEN[0]),
        "period": make(first_month="2026-01", last_month="2026-06"),
    }


async def bench(
    url: str, runs: int, refill: bool, follow_ups: int, groupings: list, pages: bool
) -> dict:
    engine = create_engine(url)
    try:
        must_fill = await prepare_database(url, refill)
        before = await current_revision(engine)
        await upgrade(engine)
        if must_fill:
            start = time.perf_counter()
            await fill(engine, follow_ups)
            say(f"filled in {time.perf_counter() - start:.1f} s")
        elif before != await current_revision(engine):
            # A migration that rewrote rows leaves the old versions behind; without a vacuum
            # PostgreSQL cannot answer from an index alone.
            async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
                await conn.execute(sa.text("VACUUM ANALYZE"))
        async with engine.connect() as conn:
            counts = {
                table: (await conn.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar()
                for table in ("follow_ups", "attempts", "outcomes", "clients", "rounds")
            }
        say(f"counts: {counts}")

        async def baseline() -> None:
            async with engine.connect() as conn:
                await conn.execute(sa.text("SELECT count(*) FROM attempts"))

        sessions = session_factory(engine)
        result = {"baseline_count_attempts": await timed(baseline, runs)}
        say(f"baseline count(*) attempts: {result['baseline_count_attempts']}")
        timings = {}
        for by in groupings:
            timings[by.value] = await timed(
                lambda by=by: service.reach_report(sessions, by, ZONE), runs
            )
            say(f"{by.value}: {timings[by.value]}")
        result["groupings"] = timings
        for name, filters in report_filters().items():
            filtered = {}
            for by in groupings:
                filtered[by.value] = await timed(
                    lambda by=by, filters=filters: service.reach_report(
                        sessions, by, ZONE, filters
                    ),
                    runs,
                )
                say(f"{name} filter, {by.value}: {filtered[by.value]}")
            result[f"groupings_{name}_filter"] = filtered
        if pages:
            result["page"] = await page(engine, runs)
    finally:
        await engine.dispose()
    slowest = max(
        f["max_ms"] for key, g in result.items() if key.startswith("groupings") for f in g.values()
    )
    limits = {"slowest_grouping_ms": slowest, "limit_ms": LIMIT_MS}
    within = slowest < LIMIT_MS
    if pages:
        slowest_page = max(f["max_ms"] for f in result["page"].values())
        limits |= {"slowest_page_ms": slowest_page, "page_limit_ms": PAGE_LIMIT_MS}
        within = within and slowest_page < PAGE_LIMIT_MS
    return {"counts": counts, "runs": runs} | result | limits | {"within_limit": within}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_URL, help="the server")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each query")
    parser.add_argument("--follow-ups", type=int, default=1_000_000)
    parser.add_argument("--refill", action="store_true", help="drop the database and fill again")
    parser.add_argument(
        "--by", type=ReportGrouping, nargs="+", default=list(ReportGrouping), help="groupings"
    )
    parser.add_argument(
        "--no-page", action="store_true", help="do not time the dashboard page (/bereik)"
    )
    args = parser.parse_args()
    url = urlsplit(args.postgres)._replace(scheme="postgresql+asyncpg", path=f"/{DATABASE}")
    result = asyncio.run(
        bench(url.geturl(), args.runs, args.refill, args.follow_ups, args.by, not args.no_page)
    )
    print(json.dumps({"benchmark": "report", "database": DATABASE} | result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
