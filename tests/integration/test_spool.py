"""Inbound SMS and status callbacks survive a database outage: answered 2xx and kept in the
spool (readable by the service's user only), then applied once the database is back, once."""

import logging
import os
import shutil
import socket
import stat
import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from followup.rules.domain import OptOutSource
from followup.settings import SIM_AUTH_TOKEN, SIM_FROM, Settings
from followup.store.engine import create_engine, session_factory
from followup.store.tables import OptOut, SmsMessage
from tests.support.carrier import eventually
from tests.support.rows import add_resident
from tests.support.webhooks import Clock, app_for, signature

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
PUBLIC = "https://nabellen.gemeente.example"
RESIDENT = "+31612345678"
STOP = {
    "MessageSid": "SM" + "7" * 32,
    "AccountSid": "AC" + "5" * 32,
    "From": RESIDENT,
    "To": SIM_FROM,
    "Body": "STOP",
}
DELIVERED = {"MessageSid": "SM" + "8" * 32, "MessageStatus": "delivered"}


def unreachable(db_url: str, tmp_path, port: int) -> str:
    if db_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'followup.db'}"
    return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/gone"


async def post(client, path: str, params: dict[str, str]):
    headers = {"X-Twilio-Signature": signature(SIM_AUTH_TOKEN, PUBLIC + path, params)}
    return await client.post(path, data=params, headers=headers)


async def test_a_stop_sent_while_the_database_is_down_is_kept_and_applied_once(
    db_url, sessions, tmp_path, aiohttp_client, caplog
):
    caplog.set_level(logging.INFO)
    await add_resident(sessions, "1", RESIDENT)
    spool = tmp_path / "spool"
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))
        down_url = unreachable(db_url, tmp_path, refusing.getsockname()[1])
        down = Settings(_env_file=None, database_url=down_url, public_url=PUBLIC, spool_dir=spool)
        engine = create_engine(down_url)
        try:
            client = await aiohttp_client(app_for(down, session_factory(engine), Clock(MONDAY)))
            response = await post(client, "/webhooks/twilio/sms", STOP)
            assert response.status == 200
            # Empty TwiML: no confirmation can be worked out without the database.
            assert list(ET.fromstring(await response.text()).iter("Message")) == []
            status = await post(client, "/webhooks/twilio/sms-status?attempt=1", DELIVERED)
            assert status.status == 200
            await client.close()
        finally:
            await engine.dispose()
    kept = sorted(spool.glob("*.json"))
    assert len(kept) == 2
    assert {stat.S_IMODE(os.stat(path).st_mode) for path in kept} == {0o600}
    assert stat.S_IMODE(os.stat(spool).st_mode) == 0o700
    # The same callback kept twice (two processes, or the carrier retrying a status).
    shutil.copy(kept[0], spool / f"{kept[0].stem}-again.json")

    # The database is back: a process started on it applies what was kept.
    up = Settings(_env_file=None, database_url=db_url, public_url=PUBLIC, spool_dir=spool)
    client = await aiohttp_client(app_for(up, sessions, Clock(MONDAY)))

    async def applied() -> bool:
        return not list(spool.glob("*.json"))

    await eventually(applied)
    async with sessions() as session:
        opt_outs = (await session.execute(sa.select(OptOut.source))).scalars().all()
        replies = (await session.execute(sa.select(SmsMessage.body))).scalars().all()
    assert opt_outs == [OptOutSource.SMS]
    assert replies == ["STOP"]
    assert list(spool.glob("*.failed")) == []
    # A line when the outage starts (unless an earlier test's is still on) and one when it
    # ends: no traceback per request.
    lines = [r.getMessage() for r in caplog.records if r.name == "followup.outage_log"]
    assert lines[-1].startswith("database reachable again; ")
    assert len(lines) <= 2
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


async def test_a_forged_stop_while_the_database_is_down_is_refused_and_not_kept(
    db_url, tmp_path, aiohttp_client
):
    spool = tmp_path / "spool"
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))
        down_url = unreachable(db_url, tmp_path, refusing.getsockname()[1])
        down = Settings(_env_file=None, database_url=down_url, public_url=PUBLIC, spool_dir=spool)
        engine = create_engine(down_url)
        try:
            client = await aiohttp_client(app_for(down, session_factory(engine), Clock(MONDAY)))
            forged = {"X-Twilio-Signature": signature("not-the-token", PUBLIC + "/x", STOP)}
            response = await client.post("/webhooks/twilio/sms", data=STOP, headers=forged)
            assert response.status == 403
            await client.close()
        finally:
            await engine.dispose()
    assert not spool.exists() or not any(spool.iterdir())
