"""Benchmark one planning pass on PostgreSQL against single INSERT … SELECT baselines.

Requirement: one pass over 400,000 clients, 100,000 of them due, within 10 s. Baselines in the
same run on the same database, rolled back: one INSERT … SELECT of the follow-ups the pass opens
(before the pass), one of as many attempts as it queued (after).

Then the pass that queues the calls (issue 15): every opening text marked delivered, a pass a
few minutes later queues each round's first call, once with fixed call times and once with
learned ones (answer counts for every wijk's weekday hours on record), twice each in turns,
each on the same rows (the calls it queued deleted again), the fastest counting.
Requirement: learned call times add under a second. One JSON line on stdout.
"""

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from random import Random
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from bench_support import DEFAULT_URL, say, scratch_database
from sqlalchemy import event

from followup.demo_data import WIJKEN
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.planning_rules import PlanningRules
from followup.services.planning import PlanResult, run_planning_pass
from followup.store.engine import create_engine, session_factory
from followup.store.migrate import upgrade

LIMIT_SECONDS = 10
CALL_TIMES_LIMIT_SECONDS = 1
# (first words, seconds) of each statement, to show where a pass spends its time.
STATEMENTS: list[tuple[str, float]] = []
ZONE = ZoneInfo("Europe/Amsterdam")
# A Monday 10:00 in Amsterdam, no holiday: every window of the default ladder is open.
NOW = datetime(2026, 11, 23, 10, tzinfo=ZONE).astimezone(UTC)
TODAY = NOW.astimezone(ZONE).date()
FILLED = ("clients", "conversations", "phone_numbers", "opt_outs")
FILL = (
    # Independent draws per client (MATERIALIZED, or PostgreSQL merges the random() calls), fixed
    # by setseed. Exactly `due` clients fell due in the last 60 days, the others do in 180.
    """CREATE TEMP TABLE seed AS
WITH r AS MATERIALIZED (
    SELECT i, random() AS r_phone, random() AS r_alt, random() AS r_email, random() AS r_pref,
           random() AS r_opt, random() AS r_due
    FROM generate_series(1, :clients) AS i)
SELECT *, CAST(:today AS date) + CASE WHEN row_number() OVER (ORDER BY r_due) <= :due
                                      THEN -(i % 60) ELSE 1 + i % 180 END AS due_on FROM r""",
    f"""INSERT INTO clients (id, client_ref, name, wijk, email, email_status, preferred_channel,
                         created_at, updated_at)
SELECT i, 'B' || lpad(i::text, 7, '0'), 'Bewoner ' || i,
       (CAST(:wijken AS text[]))[1 + i % {len(WIJKEN)}],
       CASE WHEN r_email < 0.32 THEN 'bewoner' || i || '@example.nl' END,
       CASE WHEN r_email < 0.30 THEN 'valid' WHEN r_email < 0.32 THEN 'invalid' END,
       CASE WHEN r_pref < 0.15 THEN 'call' WHEN r_pref < 0.25 THEN 'sms'
            WHEN r_pref < 0.30 THEN 'email' END,
       :created, :created
FROM seed""",
    "SELECT setval(pg_get_serial_sequence('clients', 'id'), :clients)",
    """INSERT INTO conversations (client_id, conversation_date, follow_up_after_months,
                           initiative, due_on, created_at, updated_at)
SELECT i, (due_on - interval '3 months')::date, 3, (ARRAY['municipality', 'client'])[1 + i % 2],
       due_on, :created, :created FROM seed""",
    # Primary numbers: 74% valid mobile, 1% mobile the carrier proved wrong, 12% valid fixed
    # line, 6% invalid at import, 7% none. Then a fixed line for 15% of the mobile holders.
    """INSERT INTO phone_numbers (client_id, label, raw, e164, type, status, invalid_reason,
                           invalid_source, sms_blocked, source, created_at)
SELECT i, 'primary', k.raw || (k.base + i), k.e164 || (k.base + i), k.type, k.status, k.reason,
       k.proof, r_alt > 0.99, 'import', :created
FROM seed JOIN (VALUES
    (0.00, 0.74, '06-', '+316', 20000000, 'mobile', 'valid', NULL, NULL),
    (0.74, 0.75, '06-', '+316', 20000000, 'mobile', 'invalid', 'carrier', 'carrier_error'),
    (0.75, 0.87, '050-', '+3150', 3000000, 'fixed_line', 'valid', NULL, NULL),
    (0.87, 0.93, '06-', NULL, 0, 'unknown', 'invalid', 'invalid_number', 'import')
) AS k (lo, hi, raw, e164, base, type, status, reason, proof) ON r_phone >= lo AND r_phone < hi""",
    """INSERT INTO phone_numbers (client_id, label, raw, e164, type, status, sms_blocked, source,
                           created_at)
SELECT i, 'alternate', '050-' || (6000000 + i), '+3150' || (6000000 + i), 'fixed_line', 'valid',
       false, 'import', :created FROM seed WHERE r_phone < 0.74 AND r_alt < 0.15""",
    # 1% opted out and still do; 0.25% opted out once and lifted it.
    """INSERT INTO opt_outs (client_id, source, created_at, lifted_at, lifted_source)
SELECT i, 'sms', :created, CASE WHEN r_opt >= 0.01 THEN CAST(:created AS timestamptz) END,
       CASE WHEN r_opt >= 0.01 THEN 'agent' END FROM seed WHERE r_opt < 0.0125""",
)
# Into a copy of follow_ups with its indexes, checks and foreign keys, so that follow_ups itself
# stays as a fresh installation has it: empty and never analyzed.
BASELINE_FOLLOW_UPS = (
    "CREATE TABLE bench_follow_ups (LIKE follow_ups INCLUDING ALL)",
    """ALTER TABLE bench_follow_ups ADD FOREIGN KEY (client_id) REFERENCES clients,
    ADD FOREIGN KEY (conversation_id) REFERENCES conversations,
    ADD FOREIGN KEY (assigned_agent_id) REFERENCES users""",
    """INSERT INTO bench_follow_ups (client_id, conversation_id, state, round_number, opened_at,
                              next_round_at)
SELECT client_id, id, 'open', 0, now(), now() FROM conversations WHERE due_on <= :today""",
)
# The queued attempts once more under other step numbers: same table, indexes and keys.
BASELINE_ATTEMPTS = """
INSERT INTO attempts (follow_up_id, round_id, step, channel, purpose, state, due_at, tries,
                      created_at)
SELECT follow_up_id, round_id, step + 100, channel, purpose, state, due_at, tries, created_at
FROM attempts WHERE created_at = :now"""
# Every opening text went out, so each round is ready for its first call.
OPENINGS_DELIVERED = """UPDATE attempts SET state = 'delivered', sent_at = :now, finished_at = :now
WHERE state = 'queued'"""
CALL_HOURS = "SELECT count(DISTINCT due_at) FROM attempts WHERE created_at = :later"
UNQUEUE = "DELETE FROM attempts WHERE created_at = :later"
# Twelve months of calls: every wijk answered best at an hour of its own (9 to 19), about 45%
# there and 15% to 30% at the other hours, 40 calls per month, wijk, weekday and hour.
ANSWER_COUNTS = """INSERT INTO call_answer_counts (opened_month, wijk, weekday, hour, calls,
                                               answered)
SELECT to_char(date '2025-11-01' + m * interval '1 month', 'YYYY-MM'), w.wijk, d, h, 40,
       CASE WHEN h = 9 + w.n % 11 THEN 18 ELSE 6 + (w.n * 7 + d * 3 + h) % 7 END
FROM unnest(CAST(:wijken AS text[])) WITH ORDINALITY AS w (wijk, n),
     generate_series(0, 11) m, generate_series(0, 4) d, generate_series(9, 19) h"""


async def fill(engine, clients: int, due: int) -> None:
    params = {"clients": clients, "due": due, "wijken": list(WIJKEN), "today": TODAY}
    params["created"] = NOW - timedelta(days=365)
    async with engine.begin() as conn:
        await conn.execute(sa.text("SELECT setseed(0.2026)"))
        for statement in FILL:
            used = {k: v for k, v in params.items() if f":{k}" in statement}
            await conn.execute(sa.text(statement), used)
    # The planner's own tables stay never analyzed, as after `db upgrade` (see the docs).
    await vacuum(engine, *FILLED)


async def vacuum(engine, *tables: str) -> None:
    async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        await conn.execute(sa.text(f"VACUUM ANALYZE {', '.join(tables)}"))


async def rolled_back(engine, *statements: str, **params) -> tuple[float, int]:
    """Seconds and rows of the last statement, in a transaction that is rolled back."""
    *setup, statement = statements
    async with engine.connect() as conn:
        transaction = await conn.begin()
        for ddl in setup:
            await conn.execute(sa.text(ddl))
        start = time.perf_counter()
        rows = (await conn.execute(sa.text(statement), params)).rowcount
        seconds = time.perf_counter() - start
        await transaction.rollback()
    return seconds, rows


def _counts(result: PlanResult) -> dict:
    return {k: v for k, v in result.summary().items() if type(v) is int}


async def timed_pass(engine) -> tuple[float, dict, list]:
    STATEMENTS.clear()
    start = time.perf_counter()
    result = await run_planning_pass(
        session_factory(engine), now=NOW, rules=PlanningRules(), calendar=ContactCalendar(ZONE)
    )
    return time.perf_counter() - start, _counts(result), list(STATEMENTS)


async def calls_passes(engine) -> dict:
    """The pass that queues the first calls, with fixed and with learned call times: each run
    on the same rows (the calls it queued deleted again and the table vacuumed)."""
    async with engine.begin() as conn:
        await conn.execute(sa.text(OPENINGS_DELIVERED), {"now": NOW})
        await conn.execute(sa.text(ANSWER_COUNTS), {"wijken": list(WIJKEN)})
    later, fastest, queued = NOW + timedelta(minutes=5), {}, {}
    for call_times in ("fixed", "learned") * 2:
        await vacuum(engine, "attempts", "call_answer_counts")
        STATEMENTS.clear()
        start = time.perf_counter()
        result = await run_planning_pass(
            session_factory(engine),
            now=later,
            rules=PlanningRules(call_times=call_times),
            calendar=ContactCalendar(ZONE),
            rng=Random(1),
        )
        seconds = time.perf_counter() - start
        say(f"calls pass, {call_times} call times: {seconds:.2f} s, {_counts(result)}")
        slowest = [statement for statement in STATEMENTS if statement[1] > 0.1]
        fastest[call_times] = min(seconds, fastest.get(call_times, seconds))
        queued[call_times] = result.attempts_queued
        async with engine.begin() as conn:
            hours = await conn.scalar(sa.text(CALL_HOURS), {"later": later})
            await conn.execute(sa.text(UNQUEUE), {"later": later})
        say(f"  {hours} different due moments; {slowest}")
    assert queued["fixed"] == queued["learned"], queued
    added = fastest["learned"] - fastest["fixed"]
    return {
        "calls_queued": queued["learned"],
        "calls_pass_fixed_seconds": round(fastest["fixed"], 2),
        "calls_pass_learned_seconds": round(fastest["learned"], 2),
        "call_times_added_seconds": round(added, 2),
        "call_times_within_limit": added < CALL_TIMES_LIMIT_SECONDS,
    }


@event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _before(conn, *_):
    conn.info["bench_start"] = time.perf_counter()


@event.listens_for(sa.engine.Engine, "after_cursor_execute")
def _after(conn, cursor, statement, *_):
    spent = round(time.perf_counter() - conn.info["bench_start"], 3)
    STATEMENTS.append((" ".join(statement.split()[:3]), spent))


async def bench(url: str, clients: int, due: int) -> dict:
    engine = create_engine(url, connect_args={"server_settings": {"application_name": "bench"}})
    try:
        await upgrade(engine)
        start = time.perf_counter()
        await fill(engine, clients, due)
        say(f"filled {clients} clients, {due} due, in {time.perf_counter() - start:.1f} s")
        base_fu, rows = await rolled_back(engine, *BASELINE_FOLLOW_UPS, today=TODAY)
        say(f"baseline: {rows} follow-ups in {base_fu:.2f} s (rolled back)")
        seconds, counts, statements = await timed_pass(engine)
        say(f"pass: {seconds:.2f} s, {counts}")
        say("\n".join(f"  {spent:7.3f} s  {label}" for label, spent in statements))
        second, again, _ = await timed_pass(engine)
        say(f"second pass: {second:.2f} s, {again}")
        assert not any(again.values()), f"the second pass changed something: {again}"
        base_att, rows = await rolled_back(engine, BASELINE_ATTEMPTS, now=NOW)
        say(f"baseline: {rows} attempts in {base_att:.2f} s (rolled back)")
        calls = await calls_passes(engine)
    finally:
        await engine.dispose()
    return {
        "pass_seconds": round(seconds, 2),
        "second_pass_seconds": round(second, 2),
        "baseline_follow_ups_insert_seconds": round(base_fu, 2),
        "baseline_attempts_insert_seconds": round(base_att, 2),
        "ratio_to_follow_ups_baseline": round(seconds / base_fu, 1),
        "ratio_to_attempts_baseline": round(seconds / base_att, 1),
        "counts": counts,
        "statement_seconds": statements,
        "limit_seconds": LIMIT_SECONDS,
        "within_limit": seconds < LIMIT_SECONDS,
    } | calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=400_000)
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_URL, help="the server")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    with scratch_database(args.postgres, keep=args.keep) as url:
        figures = asyncio.run(bench(url, args.clients, args.due))
    print(json.dumps({"benchmark": "plan", "clients": args.clients, "due": args.due} | figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
