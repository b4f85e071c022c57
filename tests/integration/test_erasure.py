"""Erasure through the whole loop with the simulated carrier: residents imported, texted, and
answering from their (simulated) phones; then erased by `purge` or `erase`. The reach report
stays the same to the unit, no name, number, address or body is left of an erased resident,
and an opt-out still holds when the same number comes back with a new client number."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import sqlalchemy as sa

from followup.rules.domain import FollowUpState, OutcomeCategory, UnreachableReason
from followup.services.client_export import ExportError, export_client
from followup.services.erasure import ErasureError, erase_client, purge
from followup.services.reach_report import known_wijken, reach_reports
from followup.store.client_export import client_rows
from followup.store.staff_tables import AuditRecord
from followup.store.tables import (
    CallAnswerCount,
    CarrierEvent,
    Client,
    FollowUp,
    Outcome,
    SmsMessage,
)
from tests.support.carrier import MONDAY, eventually, outbound_world
from tests.support.files import row

ZONE = ZoneInfo("Europe/Amsterdam")
LATER = datetime(2029, 1, 8, 10, 0, tzinfo=ZONE)  # a Monday more than 24 months on
# (client number, name, phone as imported, E.164, e-mail, what the resident answers)
RESIDENTS = (
    ("A", "Anna de Vries", "06-12345671", "+31612345671", "anna@example.nl", "1"),
    ("B", "Bert Bakker", "06-12345672", "+31612345672", "bert@example.nl", "STOP"),
    ("C", "Carla Smit", "06-12345673", "+31612345673", "", "ik bel zelf wel"),
    ("D", "Dirk Mulder", "06-12345674", "+31612345674", "", None),
)


async def answer(world, number: str, text: str) -> None:
    async with aiohttp.ClientSession() as http:
        answered = await http.post(
            f"{world.sim_url}/sim/phone/{number}/antwoord",
            data={"antwoord": text},
            allow_redirects=False,
        )
    assert answered.status == 303


async def texts_to(world, number: str) -> int:
    return sum(1 for m in await world.received("messages") if m["to"] == number)


async def lived(world, tmp_path) -> None:
    """Every resident texted; A, B and C answer (C in words an agent must read), D does not."""
    await world.load(
        [
            row(ref, name=name, phone=phone, email=email)
            for ref, name, phone, _, email, _ in RESIDENTS
        ],
        tmp_path,
    )
    await world.plan()
    assert (await world.dispatch()).sent == len(RESIDENTS)
    for _, _, _, e164, _, text in RESIDENTS:
        if text is not None:
            await answer(world, e164, text)

    async def answered():
        """All three replies in, and the carrier's status callbacks for every text sent."""
        async with world.sessions() as session:
            inbound = await session.scalar(
                sa.select(sa.func.count()).where(SmsMessage.direction == "inbound")
            )
            reported = await session.scalar(
                sa.select(sa.func.count(sa.distinct(CarrierEvent.attempt_id)))
            )
        return inbound == 3 and reported == len(RESIDENTS)

    assert await eventually(answered)


async def figures(sessions) -> tuple:
    async with sessions() as session:
        counts = (
            await session.execute(sa.select(CallAnswerCount).order_by(CallAnswerCount.wijk))
        ).all()
    return await reach_reports(sessions, ZONE), await known_wijken(sessions), counts


async def held_about(sessions, ref_or_id: str | int) -> str:
    """Everything stored about a client, as one text to search."""
    async with sessions() as session:
        client_id = ref_or_id
        if isinstance(ref_or_id, str):
            client_id = await session.scalar(
                sa.select(Client.id).where(Client.client_ref == ref_or_id)
            )
        return json.dumps(await client_rows(session, client_id), default=str)


async def client_ids(sessions) -> dict[str, int]:
    async with sessions() as session:
        return dict((await session.execute(sa.select(Client.client_ref, Client.id))).all())


def personal(resident: tuple) -> list[str]:
    _, name, phone, e164, email, text = resident
    return [v for v in (name, phone, e164, e164[1:], email, text) if v and len(v) > 2]


async def test_purge_erases_closed_residents_whole_and_the_report_stays_the_same(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await lived(world, tmp_path)
        ids = await client_ids(world.sessions)
        before = await figures(world.sessions)

        result = await purge(world.sessions, now=LATER, months=24, actor="test")

        assert (result.residents, result.opt_outs_kept) == (2, 1)  # A and B closed; C, D open
        assert await figures(world.sessions) == before
        for resident in RESIDENTS[:2]:
            held = await held_about(world.sessions, ids[resident[0]])
            assert not [value for value in personal(resident) if value in held]
        for resident in RESIDENTS[2:]:  # still being followed up: untouched
            held = await held_about(world.sessions, resident[0])
            assert all(value in held for value in personal(resident)[:2])
        async with world.sessions() as session:
            refs = set(await session.scalars(sa.select(Client.client_ref)))
            audits = (
                await session.execute(
                    sa.select(AuditRecord.action, AuditRecord.client_id, AuditRecord.detail).where(
                        AuditRecord.action.in_(["residents_erased", "retention_purged"])
                    )
                )
            ).all()
        assert {"C", "D"} <= refs and not {"A", "B"} & refs
        assert [(a, c) for a, c, _ in audits] == [
            ("residents_erased", None),
            ("retention_purged", None),
        ]
        assert audits[0].detail == {"residents": 2, "follow_ups": 2}

        # Run again: nothing left to do, and still the same figures.
        again = await purge(world.sessions, now=LATER, months=24, actor="test")
        assert again.residents == 0
        assert await figures(world.sessions) == before


async def test_an_opt_out_holds_after_erasure_for_a_new_client_with_the_same_number(
    db_url, tmp_path
):
    async with outbound_world(db_url, tmp_path) as world:
        await lived(world, tmp_path)
        bert = RESIDENTS[1]
        erased = await erase_client(world.sessions, client_ref="B", now=MONDAY, actor="test")
        assert erased.opt_out_kept and not erased.closed_open_follow_up
        sent_before = await texts_to(world, bert[3])

        # Bert comes back under a new client number, with a new e-mail address too.
        await world.load([row("B2", name="B. Bakker", phone=bert[2])], tmp_path)
        await world.plan(LATER)
        await world.dispatch(LATER)

        assert await texts_to(world, bert[3]) == sent_before
        async with world.sessions() as session:
            closed = (
                await session.execute(
                    sa.select(FollowUp.state, Outcome.category, Outcome.reason)
                    .join(Client)
                    .join(Outcome, Outcome.follow_up_id == FollowUp.id)
                    .where(Client.client_ref == "B2")
                )
            ).one()
        assert tuple(closed) == (
            FollowUpState.CLOSED,
            OutcomeCategory.UNREACHABLE,
            UnreachableReason.OPTED_OUT,
        )


async def test_erasing_a_resident_without_an_opt_out_keeps_no_digest(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await lived(world, tmp_path)
        dirk = RESIDENTS[3]
        erased = await erase_client(world.sessions, client_ref="D", now=MONDAY, actor="test")
        # D's follow-up was open: it closes as opted out, and the report counts it so.
        assert erased.closed_open_follow_up and not erased.opt_out_kept
        reports = await reach_reports(world.sessions, ZONE)
        total = next(iter(reports.values())).total
        assert (total.open, total.opted_out) == (1, 2)  # C is open; B and D opted out

        await world.load([row("D2", phone=dirk[2])], tmp_path)
        await world.plan(LATER)
        await world.dispatch(LATER)
        assert await texts_to(world, dirk[3]) == 2  # the first text, and now D2's


async def test_erase_and_export_refuse_an_unknown_client_and_change_nothing(sessions):
    with pytest.raises(ErasureError, match="bestaat niet"):
        await erase_client(sessions, client_ref="X", now=MONDAY, actor="test")
    with pytest.raises(ExportError, match="bestaat niet"):
        await export_client(sessions, client_ref="X", now=MONDAY, actor="test")
    async with sessions() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(AuditRecord)) == 0


async def test_export_holds_everything_about_the_resident_and_is_audited(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await lived(world, tmp_path)
        carla = RESIDENTS[2]
        exported = await export_client(world.sessions, client_ref="C", now=MONDAY, actor="ops")
        tables = exported["tables"]
        assert tables["clients"][0]["name"] == carla[1]
        assert tables["phone_numbers"][0]["e164"] == carla[3]
        bodies = {m["direction"]: m["body"] for m in tables["sms_messages"]}
        assert bodies["inbound"] == carla[5] and bodies["outbound"]
        assert len(tables["follow_ups"]) == len(tables["rounds"]) == 1
        assert tables["attempts"] and tables["carrier_events"]
        async with world.sessions() as session:
            audit = (
                await session.execute(
                    sa.select(AuditRecord.actor, AuditRecord.client_id).where(
                        AuditRecord.action == "client_exported"
                    )
                )
            ).one()
        assert tuple(audit) == ("ops", tables["clients"][0]["id"])
        # An erased resident is no longer found by their old number.
        await erase_client(world.sessions, client_ref="C", now=MONDAY, actor="test")
        with pytest.raises(ExportError):
            await export_client(world.sessions, client_ref="C", now=MONDAY, actor="ops")
