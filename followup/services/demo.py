"""Use case: give an empty demo installation realistic residents, a past, and staff to sign
in with.

The demo's accounts have a fixed password that the home page shows: they exist only in a
database `serve --demo` filled, never in one a municipality uses.
"""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.demo_data import demo_rows, write_demo_file
from followup.rules.domain import Role
from followup.services.demo_history import LivedIn, live_in
from followup.services.import_clients import import_clients
from followup.services.outreach import Outreach
from followup.services.users import add_user
from followup.store.clients import any_clients
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn, user_by_email

DEMO_CLIENTS = 2_000
# Conversations of the last fifteen months: most are due three months later, so follow-ups
# open in every month of the year the demo's history covers.
DEMO_CONVERSATION_DAYS = 455
DEMO_ACTOR = "demo"
DEMO_PASSWORD = "demo-wachtwoord"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    role: Role
    title: str  # the role in the team's words
    email: str
    # A mobile the simulated carrier rings like any other; no demo resident has an 068 number.
    phone: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount(Role.AGENT, "Medewerker belteam", "belteam@demo.example", "06-87654321"),
    DemoAccount(Role.COORDINATOR, "Coördinator", "coordinator@demo.example"),
    DemoAccount(Role.ADMIN, "Beheerder", "beheer@demo.example"),
)
# The call team's other members, who worked the demo's past with the agent above (not shown
# on the home page; they sign in with the same password).
DEMO_COLLEAGUES = tuple(
    DemoAccount(Role.AGENT, "Medewerker belteam", f"{name}@demo.example", f"06-8765432{n}")
    for n, name in enumerate(("fatima", "jeroen", "sanne"), start=2)
)


@dataclass(frozen=True, slots=True)
class DemoLoaded:
    imported: int
    lived_in: LivedIn


async def load_demo_data(
    sessions: async_sessionmaker[AsyncSession],
    directory: Path,
    *,
    today: date,
    now: datetime,
    outreach: Outreach,
) -> DemoLoaded | None:
    """Once, into an empty database: the demo's staff, a generated file through the normal
    import, and its past up to `now` (`outreach` carries the rules and the calendar). None
    when there are residents already: a second start adds nothing."""
    async with unit_of_work(sessions) as uow:
        if await any_clients(uow.session):
            return None
    agents = await _staff(sessions, now)
    rows = demo_rows(DEMO_CLIENTS, today, span_days=DEMO_CONVERSATION_DAYS)
    path = write_demo_file(directory / "demo-clients.csv", rows)
    imported = await import_clients(sessions, path, today=today, now=now, actor=DEMO_ACTOR)
    lived_in = await live_in(sessions, now=now, outreach=outreach, agents=agents)
    return DemoLoaded(imported.imported, lived_in)


async def _staff(sessions: async_sessionmaker[AsyncSession], now: datetime) -> list[SignedIn]:
    """The demo's accounts (those a start that stopped half-way made are kept); the agents."""
    agents = []
    for account in DEMO_ACCOUNTS + DEMO_COLLEAGUES:
        async with unit_of_work(sessions) as uow:
            stored = await user_by_email(uow.session, account.email)
        if stored is None:
            await add_user(
                sessions,
                email=account.email,
                role=account.role,
                password=DEMO_PASSWORD,
                now=now,
                actor=DEMO_ACTOR,
                phone=account.phone,
            )
            async with unit_of_work(sessions) as uow:
                stored = await user_by_email(uow.session, account.email)
        if account.role is Role.AGENT:
            agents.append(stored.user)
    return agents
