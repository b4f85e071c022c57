"""The audit trail is a hash chain: `verify` passes on what the application wrote and names
the first record that someone changed, removed, or slipped in by hand, on both databases."""

import asyncio
import json
from datetime import timedelta
from itertools import pairwise

import pytest
import sqlalchemy as sa

from followup.rules.audit_chain import GENESIS, BreakKind, detail_text, link_hash, moment_of
from followup.rules.domain import AuditAction
from followup.services.audit_verify import last_check, verify_and_remember, verify_chain
from followup.store.audit import record_audit
from followup.store.engine import create_engine, session_factory
from followup.store.migrate import upgrade
from followup.store.staff_tables import AuditChainHead, AuditRecord
from tests.support.processes import clean_env, followup
from tests.support.rows import NOW, add_client


async def write(sessions, count: int, *, per_transaction: int = 1, client_id=None) -> None:
    for start in range(0, count, per_transaction):
        async with sessions() as session:
            for n in range(start, min(count, start + per_transaction)):
                record_audit(
                    session,
                    now=NOW + timedelta(seconds=n),
                    actor=f"agent{n % 3}@gemeente.nl",
                    action=AuditAction.CARD_OPENED,
                    client_id=client_id,
                    detail={"n": n, "note": "één", "nested": {"b": 1, "a": [1.5, None]}},
                )
            await session.commit()


async def execute(sessions, statement) -> None:
    async with sessions() as session, session.begin():
        await session.execute(statement)


async def test_what_the_application_writes_verifies(sessions):
    async with sessions() as session, session.begin():
        client_id, _ = await add_client(session, "K-1")
    await write(sessions, 5, client_id=client_id)
    await write(sessions, 6, per_transaction=3)
    report = await verify_chain(sessions, page_size=4)  # pages end inside the chain
    assert (report.whole, report.records, report.head_seq) == (True, 11, 11)
    async with sessions() as session:
        rows = (await session.execute(sa.select(AuditRecord).order_by(AuditRecord.id))).scalars()
        rows = list(rows)
    assert [r.seq for r in rows] == list(range(1, 12))
    assert rows[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(rows))
    assert report.head_hash == rows[-1].hash


async def test_an_empty_chain_is_whole(sessions):
    report = await verify_chain(sessions)
    assert (report.whole, report.records, report.head_hash) == (True, 0, GENESIS)


async def test_a_rolled_back_transaction_leaves_no_record_and_no_gap(sessions):
    await write(sessions, 2)
    async with sessions() as session:
        record_audit(session, now=NOW, actor="a", action=AuditAction.SIGNED_IN)
        await session.rollback()
    await write(sessions, 1)
    report = await verify_chain(sessions)
    assert (report.whole, report.records) == (True, 3)


def _forged(seq: int, prev_hash: str, **fields) -> dict:
    """A record someone makes by hand, hashed as the application would."""
    values = dict(
        at=NOW, actor="hacker", action="signed_in", user_id=None, client_id=None, detail={}
    )
    values.update(fields)
    digest = link_hash(
        prev_hash,
        seq=seq,
        moment=moment_of(values["at"]),
        actor=values["actor"],
        action=values["action"],
        user_id=values["user_id"],
        client_id=values["client_id"],
        detail=detail_text(values["detail"]),
    )
    return dict(values, seq=seq, prev_hash=prev_hash, hash=digest)


async def _hash_of(sessions, seq: int) -> str:
    async with sessions() as session:
        return await session.scalar(sa.select(AuditRecord.hash).where(AuditRecord.seq == seq))


TAMPERING = {
    "detail changed": (
        lambda s: sa.update(AuditRecord).where(AuditRecord.seq == 4).values(detail={"n": 99}),
        BreakKind.CHANGED,
        4,
    ),
    "actor changed": (
        lambda s: sa.update(AuditRecord).where(AuditRecord.seq == 2).values(actor="iemand"),
        BreakKind.CHANGED,
        2,
    ),
    "middle record deleted": (
        lambda s: sa.delete(AuditRecord).where(AuditRecord.seq == 3),
        BreakKind.MISSING,
        4,
    ),
    "last record deleted": (
        lambda s: sa.delete(AuditRecord).where(AuditRecord.seq == 6),
        BreakKind.TAIL_MISSING,
        6,
    ),
}


@pytest.mark.parametrize("tampering", list(TAMPERING))
async def test_tampering_is_found_and_named(sessions, tampering):
    await write(sessions, 6)
    change, kind, seq = TAMPERING[tampering]
    await execute(sessions, change(sessions))
    report = await verify_chain(sessions, page_size=2)
    assert not report.whole
    assert (report.first_broken.kind, report.first_broken.seq) == (kind, seq)


async def test_a_record_put_in_by_hand_is_found_even_with_a_correct_hash(sessions):
    await write(sessions, 3)
    forged = _forged(4, await _hash_of(sessions, 3))
    await execute(sessions, sa.insert(AuditRecord).values(**forged))
    report = await verify_chain(sessions)
    assert (report.first_broken.kind, report.first_broken.seq) == (BreakKind.AFTER_HEAD, 4)


async def test_a_record_rewritten_with_a_fresh_hash_breaks_the_link_after_it(sessions):
    await write(sessions, 4)
    forged = _forged(2, await _hash_of(sessions, 1), actor="iemand anders")
    await execute(
        sessions,
        sa.update(AuditRecord)
        .where(AuditRecord.seq == 2)
        .values(
            at=NOW, actor=forged["actor"], action=forged["action"], detail={}, hash=forged["hash"]
        ),
    )
    report = await verify_chain(sessions)
    assert (report.first_broken.kind, report.first_broken.seq) == (BreakKind.BROKEN_LINK, 3)


async def test_records_swapped_are_found(sessions):
    await write(sessions, 4)
    # Swap the places (sequence numbers) of records 2 and 3, each keeping its content.
    await execute(sessions, sa.update(AuditRecord).where(AuditRecord.seq == 2).values(seq=-2))
    await execute(sessions, sa.update(AuditRecord).where(AuditRecord.seq == 3).values(seq=2))
    await execute(sessions, sa.update(AuditRecord).where(AuditRecord.seq == -2).values(seq=3))
    report = await verify_chain(sessions)
    assert report.first_broken.seq == 2
    assert report.first_broken.kind in (BreakKind.REORDERED, BreakKind.CHANGED)


async def test_a_lost_head_row_is_started_again_from_the_last_record(sessions):
    await write(sessions, 2)
    await execute(sessions, sa.delete(AuditChainHead))
    await write(sessions, 1)
    report = await verify_chain(sessions)
    assert (report.whole, report.records) == (True, 3)


async def test_the_last_check_is_remembered(sessions):
    await write(sessions, 2)
    await execute(sessions, sa.delete(AuditRecord).where(AuditRecord.seq == 2))
    await verify_and_remember(sessions, NOW)
    remembered = await last_check(sessions)
    assert remembered["whole"] is False
    assert remembered["first_broken"]["kind"] == "tail_missing"
    assert remembered["checked_at"] == NOW.isoformat()


async def test_the_command_says_whole_or_names_the_first_broken_record(sessions, db_url, tmp_path):
    await write(sessions, 3)
    env = clean_env(db_url)
    whole = followup("audit", "verify", "--json", cwd=tmp_path, env=env)
    assert whole.returncode == 0, whole.stderr
    answer = json.loads(whole.stdout)
    assert (answer["whole"], answer["records"], answer["first_broken"]) == (True, 3, None)
    assert answer["head"]["hash"] == await _hash_of(sessions, 3)

    await execute(sessions, sa.update(AuditRecord).where(AuditRecord.seq == 2).values(actor="x"))
    broken = followup("audit", "verify", cwd=tmp_path, env=env)
    assert broken.returncode == 1
    assert "gebroken bij record 2" in broken.stdout
    assert "de inhoud is veranderd" in broken.stdout
    as_json = json.loads(followup("audit", "verify", "--json", cwd=tmp_path, env=env).stdout)
    assert as_json["first_broken"]["kind"] == "changed"
    assert as_json["first_broken"]["seq"] == 2


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_many_writers_at_once_make_one_whole_chain(sessions):
    async with sessions() as session, session.begin():
        client_ids = [(await add_client(session, f"K-{n}"))[0] for n in range(8)]

    async def writer(n: int) -> None:
        for round_ in range(10):
            async with sessions() as session:
                # Other work in the same transaction: a row lock taken before the head's.
                await session.execute(
                    sa.text("UPDATE clients SET wijk = wijk WHERE id = :id"),
                    {"id": client_ids[(n + round_) % len(client_ids)]},
                )
                for k in range(1 + round_ % 3):
                    record_audit(
                        session,
                        now=NOW,
                        actor=f"writer{n}",
                        action=AuditAction.CARD_OPENED,
                        client_id=client_ids[n % len(client_ids)],
                        detail={"round": round_, "k": k},
                    )
                await session.commit()

    await asyncio.gather(*(writer(n) for n in range(16)))
    report = await verify_chain(sessions, page_size=50)
    expected = 16 * sum(1 + r % 3 for r in range(10))
    assert (report.whole, report.records, report.head_seq) == (True, expected, expected)


async def test_records_from_before_the_chain_are_chained_by_the_upgrade(empty_db_url):
    engine = create_engine(empty_db_url)
    try:
        await upgrade(engine, "0010")
        old = sa.table(
            "audit_records",
            *(sa.column(name) for name in ("at", "actor", "action", "detail")),
        )
        async with engine.begin() as connection:
            await connection.execute(
                old.insert(),
                [
                    {
                        "at": NOW.replace(tzinfo=None),
                        "actor": "a",
                        "action": "x",
                        "detail": json.dumps({"n": n}),
                    }
                    for n in (3, 1, 7)
                ],
            )
        await upgrade(engine)
        sessions = session_factory(engine)
        report = await verify_chain(sessions)
        assert (report.whole, report.records, report.head_seq) == (True, 3, 3)
        await write(sessions, 1)
        assert (await verify_chain(sessions)).records == 4
    finally:
        await engine.dispose()
