"""A whole outbound world for tests: a database, the simulated carrier on a real port, this
service's app on another (the carrier's callbacks reach its webhooks over HTTP, signed), and
the app's own dialer, built exactly as `serve` builds it, talking to the carrier through the
real `twilio` library."""

import asyncio
import json
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.sim import SimCarrier, SimConfig, running_sim
from dialer.worker import PassSummary
from followup.app_keys import CALENDAR, DIALER
from followup.carrier_urls import SMS_PATH
from followup.dialing import Dialer, outreach_for
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.planning_rules import PlanningRules
from followup.services.import_clients import import_clients
from followup.services.planning import run_planning_pass
from followup.settings import SIM_ACCOUNT_SID, SIM_AUTH_TOKEN, SIM_FROM, Settings
from followup.store.engine import create_engine, session_factory
from followup.store.tables import Attempt, Client, FollowUp
from tests.support.files import write_csv
from tests.support.processes import listening_socket
from tests.support.webhooks import SECRET, Clock, app_for

ZONE = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)  # inside every contact window
UNLIMITED = 10_000.0


@dataclass
class World:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    sim: SimCarrier
    sim_url: str
    dialing: Dialer
    rules: PlanningRules
    clock: Clock  # the app's now: a dispatch at a moment moves it there
    calendar: ContactCalendar

    async def load(self, rows: list[list[str]], tmp_path: Path) -> None:
        """Import these rows (tests.support.files.row) as the municipality would."""
        await import_clients(
            self.sessions,
            write_csv(tmp_path / f"import-{id(rows)}.csv", rows),
            today=date(2026, 11, 1),
            now=MONDAY,
            actor="test",
        )

    async def plan(self, now: datetime = MONDAY) -> None:
        await run_planning_pass(self.sessions, now=now, rules=self.rules, calendar=self.calendar)

    async def dispatch(self, now: datetime = MONDAY) -> PassSummary:
        self.clock.now = now
        outreach = outreach_for(self.settings, self.rules, SECRET, self.calendar)
        return await self.dialing.dispatcher.run_pass(outreach, now)

    def carrier_list(self, kind: str) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.sim_url}/sim/{kind}", timeout=5) as response:
            return json.load(response)

    async def received(self, kind: str = "messages") -> list[dict[str, Any]]:
        return await asyncio.to_thread(self.carrier_list, kind)

    async def attempts(self, ref: str) -> list[Attempt]:
        async with self.sessions() as session:
            return list(
                await session.scalars(
                    sa.select(Attempt)
                    .join(FollowUp)
                    .join(Client)
                    .where(Client.client_ref == ref)
                    .order_by(Attempt.id)
                )
            )


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
    """Poll until `check` returns something truthy (callbacks arrive on their own time)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s; last: {result!r}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def outbound_world(
    db_url: str,
    tmp_path: Path,
    rules: PlanningRules | None = None,
    sim_callbacks: bool = True,
    **settings: Any,
) -> AsyncIterator[World]:
    """`sim_callbacks=False`: the carrier reports nothing, so only the reconciler can learn
    what happened to an attempt."""
    sock = listening_socket()
    public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sim = SimCarrier(
        SimConfig(
            account_sid=SIM_ACCOUNT_SID,
            auth_token=SIM_AUTH_TOKEN,
            inbound_sms_url=public_url + SMS_PATH,
            default_from=SIM_FROM,
            pace=0.01,
            callbacks=sim_callbacks,
        )
    )
    async with running_sim(sim) as sim_url:
        defaults = {
            "database_url": db_url,
            "public_url": public_url,
            "twilio_api_base": sim_url,
            "outbox_dir": tmp_path / "outbox",
            "carrier_timeout_seconds": 5,
            "messages_per_second": UNLIMITED,
            "calls_per_second": UNLIMITED,
            "emails_per_second": UNLIMITED,
        }
        config = Settings(_env_file=None, **(defaults | settings))
        engine = create_engine(db_url)
        sessions = session_factory(engine)
        clock = Clock(MONDAY)
        app = app_for(config, sessions, clock)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
            yield World(
                config,
                sessions,
                sim,
                sim_url,
                app[DIALER],
                rules or PlanningRules(),
                clock,
                app[CALENDAR],
            )
        finally:
            await runner.cleanup()
            await engine.dispose()
