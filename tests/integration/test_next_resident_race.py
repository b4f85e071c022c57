"""Many agents press "Volgende inwoner" at the same moment: each gets another resident, on
SQLite and on PostgreSQL (where the candidate row is locked with SKIP LOCKED)."""

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import Role
from followup.rules.planning_rules import PlanningRules
from followup.services.next_resident import next_resident
from followup.services.refusals import QueueRefusal
from followup.services.users import add_user
from followup.store.tables import FollowUp
from followup.store.users import SignedIn
from tests.support.rows import NOW, add_calls_waiting

ZONE = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
AGENTS = 12
RESIDENTS = 8


async def test_agents_at_the_same_moment_never_get_the_same_resident(sessions):
    async with sessions() as session, session.begin():
        await add_calls_waiting(session, RESIDENTS)
    agents = []
    for number in range(AGENTS):
        email = f"agent{number}@gemeente.example"
        user_id = await add_user(
            sessions,
            email=email,
            role=Role.AGENT,
            password="een lang wachtwoord",
            now=NOW,
            actor="test",
        )
        agents.append(SignedIn(user_id, email, Role.AGENT, "+31611112222"))
    rules, calendar = PlanningRules(), ContactCalendar(ZONE)

    async def press(agent: SignedIn) -> int | None:
        try:
            return (await next_resident(sessions, agent, MONDAY, rules, calendar)).client_id
        except QueueRefusal:
            return None

    got = await asyncio.gather(*(press(agent) for agent in agents))
    residents = [client for client in got if client is not None]
    assert len(residents) == RESIDENTS == len(set(residents))
    async with sessions() as session:
        leased = await session.execute(sa.select(FollowUp.leased_to_id))
        holders = [holder for (holder,) in leased]
    assert len(set(holders)) == RESIDENTS and None not in holders
