"""The scheduler's jobs on a database they cannot use: each failure is logged with its type
and where it happened, never with its message (a driver's message can quote a statement's
values), and the job returns for its next tick."""

import logging

from followup.app import create_app
from followup.scheduling import dispatch_job, plan_job
from followup.settings import Settings
from followup.store.engine import create_engine
from followup.store.leadership import Leadership


async def test_a_failed_pass_is_logged_without_its_message(empty_db_url, aiohttp_client, caplog):
    engine = create_engine(empty_db_url)  # no tables: every statement fails
    settings = Settings(
        _env_file=None, database_url=empty_db_url, twilio_api_base="http://127.0.0.1:9"
    )
    app = create_app(settings, secret_key="k", engine=engine, jobs=False)
    await aiohttp_client(app)
    leadership = Leadership(engine)
    try:
        with caplog.at_level(logging.ERROR, logger="followup.scheduling"):
            await plan_job(app, leadership)
            await dispatch_job(app, leadership)
    finally:
        await leadership.release()
        await engine.dispose()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "in the planning pass" in logged and "in the dispatch pass" in logged
    assert "Error" in logged and "plan_job" in logged  # what and where
    assert "no such table" not in logged and "does not exist" not in logged  # not the message
    assert all(record.exc_info is None for record in caplog.records)
