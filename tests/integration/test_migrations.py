"""The Alembic migrations build exactly the model in followup.store.tables, on both databases."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from followup.store.engine import create_engine
from followup.store.migrate import alembic_config, current_revision, head_revision, upgrade
from followup.store.schema import METADATA


async def _differences(engine) -> list:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), METADATA
            )
        )


async def _tables(engine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names()))


async def test_upgrade_builds_the_model_and_can_run_twice(empty_db_url):
    engine = create_engine(empty_db_url)
    try:
        assert await current_revision(engine) is None
        await upgrade(engine)
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
        assert await _differences(engine) == []
        assert set(METADATA.tables) <= await _tables(engine)
    finally:
        await engine.dispose()


async def test_downgrade_to_base_and_up_again(empty_db_url):
    engine = create_engine(empty_db_url)
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "base"))
        assert await _tables(engine) & set(METADATA.tables) == set()
        await upgrade(engine)
        assert await _differences(engine) == []
    finally:
        await engine.dispose()
