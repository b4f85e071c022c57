"""One scheduler leader per PostgreSQL database; on SQLite every process may lead."""

import asyncio

import sqlalchemy as sa

from followup.store.engine import create_engine
from followup.store.leadership import Leadership
from tests.support.processes import refusing_port


async def test_one_leader_at_a_time_and_a_successor(db_url):
    engines = [create_engine(db_url) for _ in range(2)]
    first, second = (Leadership(engine) for engine in engines)
    try:
        assert await first.is_leader()
        assert await first.is_leader()  # keeps it
        if engines[0].dialect.name == "postgresql":
            assert not await second.is_leader()
            await first.release()
            assert await second.is_leader()
            assert not await first.is_leader()
        else:
            assert await second.is_leader()
    finally:
        for leadership in (first, second):
            await leadership.release()
        for engine in engines:
            await engine.dispose()


async def test_leadership_survives_a_lost_connection_by_acquiring_again(db_url):
    engine = create_engine(db_url)
    leadership = Leadership(engine)
    try:
        assert await leadership.is_leader()
        if engine.dialect.name == "postgresql":
            pid = await leadership._connection.scalar(sa.select(sa.func.pg_backend_pid()))
            async with engine.connect() as other:  # the server drops the leader's connection
                await other.execute(sa.select(sa.func.pg_terminate_backend(pid)))
            assert await leadership.is_leader()
            assert await leadership._connection.scalar(sa.select(sa.func.pg_backend_pid())) != pid
    finally:
        await leadership.release()
        await engine.dispose()


async def test_jobs_that_ask_at_once_all_hear_that_this_process_leads(db_url):
    """At start-up every job asks at the same moment; none may find the lock taken by its
    own process and skip its first run."""
    engine = create_engine(db_url)
    leadership = Leadership(engine)
    try:
        assert await asyncio.gather(*(leadership.is_leader() for _ in range(4))) == [True] * 4
    finally:
        await leadership.release()
        await engine.dispose()


async def test_without_a_database_no_process_leads_and_none_fails(postgres_server):
    """The jobs ask at every tick; while the server is away the answer is no, not an error
    with a traceback in the log at every tick."""
    with refusing_port() as port:
        engine = create_engine(postgres_server.set(port=port).render_as_string(False))
        leadership = Leadership(engine)
        try:
            assert not await leadership.is_leader()
            assert not await leadership.is_leader()
        finally:
            await engine.dispose()
