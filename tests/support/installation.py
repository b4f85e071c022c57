"""An installation for fault tests: a migrated PostgreSQL database with residents and agents
in it, the simulated carrier in a process of its own (so several `followup serve` processes
share one carrier and every message it got can be counted), and polling with generous
deadlines (a recovery is asserted to happen, never how fast)."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.clock import utc_now
from followup.rules.domain import Role
from followup.services.import_clients import import_clients
from followup.services.users import add_user
from followup.settings import SIM_FROM
from tests.support.files import row, write_csv
from tests.support.processes import Running, running

DEADLINE = 60.0  # for each recovery: generous, never a measured duration
PASSWORD = "een lang wachtwoord"


def number(n: int) -> str:
    """A resident's mobile, in E.164; ending in 7777, which the simulated carrier delivers."""
    return f"+3163{n:03d}7777"


async def import_residents(
    sessions: async_sessionmaker[AsyncSession], folder: Path, numbers: range
) -> None:
    """Residents whose follow-up is due, as the municipality's file brings them."""
    rows = [row(f"R{n}", phone=number(n), date="2026-01-05") for n in numbers]
    path = write_csv(folder / f"residents-{numbers.start}.csv", rows)
    now = utc_now()
    await import_clients(sessions, path, today=now.date(), now=now, actor="test")


async def add_agents(sessions: async_sessionmaker[AsyncSession], count: int) -> dict[str, int]:
    """Agents who sign in with PASSWORD: their user ids by e-mail address."""
    agents = {}
    for n in range(count):
        email = f"agent{n}@gemeente.example"
        agents[email] = await add_user(
            sessions, email=email, role=Role.AGENT, password=PASSWORD, now=utc_now(), actor="test"
        )
    return agents


@contextmanager
def sim_carrier(folder: Path, env: dict[str, str]) -> Iterator[Running]:
    """`followup sim-carrier`, quick; its answers to create requests can be held back."""
    with running(
        "sim-carrier", "--pace", "0.05",
        cwd=folder, env=env, log_name="sim.log", ready_path="/sim/messages",
    ) as sim:  # fmt: skip
        yield sim


async def carrier_got(web: aiohttp.ClientSession, sim: Running) -> list[dict[str, Any]]:
    """Every message the carrier received, as /sim/messages lists it (outbound only)."""
    async with web.get(sim.base + "/sim/messages") as response:
        return [m for m in await response.json() if m["from"] == SIM_FROM]


async def sent_to(web: aiohttp.ClientSession, sim: Running, residents: range) -> bool:
    """Whether the carrier received a message for each of these residents."""
    got = {m["to"] for m in await carrier_got(web, sim)}
    return {number(n) for n in residents} <= got


def browser(base: str) -> aiohttp.ClientSession:
    """A staff member's browser on one process: it keeps its cookies (aiohttp's default jar
    refuses those of an IP address like 127.0.0.1)."""
    return aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True))


async def until(check: Callable[[], Awaitable[Any]], what: str, timeout: float = DEADLINE) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := await check()):
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.2)
    return result


async def answers(web: aiohttp.ClientSession, url: str) -> bool:
    """Whether `url` answers 200 now, itself (a redirect to the sign-in page is no answer)."""
    try:
        async with web.get(url, allow_redirects=False) as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False
