"""Outages of the outside world: a mail server or carrier that is down holds the attempts
(no try of the resident's is used up), is probed one attempt at a time, is reported, and
when it works again the held attempts go, each exactly once."""

import asyncio
import json
import socket
import urllib.request
from dataclasses import replace
from datetime import timedelta

import aiohttp

from dialer.sim import Fault, FaultKind, SimCarrier, running_sim
from followup.rules.domain import AttemptState, Channel
from tests.support.carrier import MONDAY, outbound_world
from tests.support.files import row
from tests.support.smtp import HangingSmtp, smtp_server

SECOND = timedelta(seconds=1)


def by_email(n: int) -> list[list[str]]:
    return [row(f"E{i}", phone="", email=f"inwoner{i}@example.nl") for i in range(n)]


async def states(world, refs) -> list[tuple[AttemptState, int]]:
    return [(a.state, a.tries) for ref in refs for a in await world.attempts(ref)]


async def healthz(world) -> dict:
    url = f"{world.settings.public_url}/healthz"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200  # degraded, not taken out of the load balancer
        return await response.json()


async def test_a_mail_server_that_greets_and_hangs_sends_nothing_and_holds_the_emails(
    db_url, tmp_path
):
    server = HangingSmtp("greeting")
    async with (
        server as url,
        outbound_world(db_url, tmp_path, smtp_url=url, carrier_timeout_seconds=0.5) as world,
    ):
        await world.load(by_email(4), tmp_path)
        await world.plan()
        summary = await world.dispatch()
        assert (summary.sent, summary.failed, summary.unsure, summary.held) == (0, 0, 0, 4)
        [outage] = summary.outages
        assert (outage.channel, outage.failing_since, outage.waiting) == (
            Channel.EMAIL,
            MONDAY,
            4,
        )
        refs = [f"E{i}" for i in range(4)]
        assert await states(world, refs) == [(AttemptState.QUEUED, 0)] * 4
        connections = server.connections
        # Until the first probe is due nothing is tried; then one e-mail, not all four.
        assert (await world.dispatch(MONDAY + 5 * SECOND)).held == 0
        assert server.connections == connections
        summary = await world.dispatch(MONDAY + 20 * SECOND)
        assert (summary.sent, summary.held) == (0, 1)
        assert server.connections == connections + 1
        assert await states(world, refs) == [(AttemptState.QUEUED, 0)] * 4
        assert (await healthz(world))["email"] == "failing since 2026-11-23T09:00:00+00:00"


async def test_a_closed_mail_port_holds_the_emails_until_the_server_is_back(db_url, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        url = f"smtp://127.0.0.1:{sock.getsockname()[1]}"
        async with outbound_world(db_url, tmp_path, smtp_url=url) as world:
            await world.load(by_email(3), tmp_path)
            await world.plan()
            summary = await world.dispatch()
            assert (summary.sent, summary.failed, summary.held) == (0, 0, 3)
            health = await healthz(world)
            assert (health["status"], health["sms"]) == ("degraded", "ok")
            with smtp_server(sock) as (_, mailbox):
                # The probe goes through, and the rest follow in the same pass.
                summary = await world.dispatch(MONDAY + timedelta(minutes=1))
                assert (summary.sent, summary.outages) == (3, [])
                assert len(mailbox.messages) == 3
            refs = ["E0", "E1", "E2"]
            assert await states(world, refs) == [(AttemptState.SENT, 1)] * 3
            assert await healthz(world) == {
                "status": "ok",
                "database": "ok",
                "call": "ok",
                "sms": "ok",
                "email": "ok",
            }


async def test_a_carrier_failing_with_5xx_for_minutes_loses_nothing_and_sends_nothing_twice(
    db_url, tmp_path
):
    async with outbound_world(db_url, tmp_path, sim_callbacks=False) as world:
        refs = [f"S{i}" for i in range(5)]
        await world.load([row(ref, phone=f"06-1234567{i}") for i, ref in enumerate(refs)], tmp_path)
        await world.plan()
        world.sim.add_fault(Fault(FaultKind.HTTP_500, count=6))
        summary = await world.dispatch()
        assert (summary.sent, summary.unsure) == (0, 5)
        assert (await healthz(world))["status"] == "degraded"
        minutes = [5, 6, 7, 10, 15]
        for minute in minutes:
            await world.dispatch(MONDAY + timedelta(minutes=minute))
        messages = await world.received("messages")
        assert sorted(m["to"] for m in messages) == sorted(f"+3161234567{i}" for i in range(5))
        # Each was tried once as far as the resident is concerned: the outage took no try.
        assert await states(world, refs) == [(AttemptState.SENT, 1)] * 5
        assert (await healthz(world))["status"] == "ok"


async def test_a_backlog_held_by_an_outage_is_not_sent_after_the_window_closes(db_url, tmp_path):
    evening = MONDAY.replace(hour=19, minute=50)  # messages may go until 20:00
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"smtp://127.0.0.1:{sock.getsockname()[1]}"
        async with outbound_world(db_url, tmp_path, smtp_url=url) as world:
            await world.load(by_email(3), tmp_path)
            await world.plan()
            assert (await world.dispatch(evening)).held == 3
            with smtp_server(sock) as (_, mailbox):
                # The server is back at 20:05: too late today, and nobody is probed either.
                summary = await world.dispatch(evening + timedelta(minutes=15))
                assert (summary.sent, summary.held) == (0, 0)
                assert mailbox.messages == []
                refs = ["E0", "E1", "E2"]
                assert await states(world, refs) == [(AttemptState.QUEUED, 0)] * 3
                # The next morning, when the window opens, they go.
                morning = (MONDAY + timedelta(days=1)).replace(hour=9, minute=0)
                assert (await world.dispatch(morning)).sent == 3
                assert len(mailbox.messages) == 3


async def test_an_unreachable_carrier_holds_the_messages_until_it_is_back(db_url, tmp_path):
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        port = refusing.getsockname()[1]
        api_base = f"http://127.0.0.1:{port}"
        async with outbound_world(db_url, tmp_path, twilio_api_base=api_base) as world:
            await world.load([row("S1"), row("S2", phone="06-12345679")], tmp_path)
            await world.plan()
            summary = await world.dispatch()
            assert (summary.sent, summary.failed, summary.unsure, summary.held) == (0, 0, 0, 2)
            assert [(o.channel, o.waiting) for o in summary.outages] == [(Channel.SMS, 2)]
            assert await states(world, ["S1", "S2"]) == [(AttemptState.QUEUED, 0)] * 2
            assert (await healthz(world))["sms"].startswith("failing since")
            # The carrier comes back on its address.
            refusing.close()  # closing twice is harmless
            config = replace(world.sim.config, callbacks=False)
            async with running_sim(SimCarrier(config), port=port) as back:
                assert (await world.dispatch(MONDAY + timedelta(minutes=1))).sent == 2
                received = await asyncio.to_thread(_listing, back)
            assert sorted(m["to"] for m in received) == ["+31612345678", "+31612345679"]
            assert await states(world, ["S1", "S2"]) == [(AttemptState.SENT, 1)] * 2
            assert (await healthz(world))["status"] == "ok"


def _listing(sim_url: str) -> list[dict]:
    with urllib.request.urlopen(f"{sim_url}/sim/messages", timeout=5) as response:
        return json.load(response)
