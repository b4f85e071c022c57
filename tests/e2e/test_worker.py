"""`followup worker` beside `followup serve --web-only` on one database: the worker plans
and sends, its simulated carrier's callbacks reach the web process, the web process runs no
scheduler; the worker's heartbeat answers a health check, and it stops cleanly."""

import os
import signal
import time

import sqlalchemy as sa

from followup.store.engine import create_engine
from tests.support.carrier import eventually
from tests.support.processes import clean_env, followup, serving, working
from tests.support.two_residents import ATTEMPTS, SENT_AND_HEARD_BACK, import_two_residents

KEY = "kMq3v8ZpT1xR6yN0bW4cJ7hL2sF9dG5a-test-key"


def test_the_worker_refuses_a_database_that_was_not_upgraded(empty_db_url, tmp_path):
    result = followup("worker", cwd=tmp_path, env=clean_env(empty_db_url))
    assert result.returncode == 2
    assert "followup db upgrade" in result.stderr


def test_a_missing_heartbeat_is_unhealthy(tmp_path):
    result = followup("worker", "--check", cwd=tmp_path, env=clean_env())
    assert result.returncode == 1
    assert "geen teken van leven" in result.stdout


def test_an_old_heartbeat_is_unhealthy(tmp_path):
    beat = tmp_path / "followup-worker.heartbeat"
    beat.touch()
    two_minutes_ago = time.time() - 120
    os.utime(beat, (two_minutes_ago, two_minutes_ago))
    result = followup("worker", "--check", cwd=tmp_path, env=clean_env())
    assert result.returncode == 1
    assert "geen teken van leven sinds" in result.stdout


async def test_the_worker_sends_and_the_web_only_process_hears_back(db_url, tmp_path):
    env = clean_env(db_url, FOLLOWUP_DISPATCH_INTERVAL_SECONDS="1", FOLLOWUP_SECRET_KEY=KEY)
    open_now = import_two_residents(tmp_path, env)
    # On a public holiday the window stays closed: planned, and nothing goes out.
    expected = SENT_AND_HEARD_BACK if open_now else [("A", "sms", "queued"), ("B", "sms", "queued")]

    engine = create_engine(db_url)

    async def attempts() -> list[tuple]:
        async with engine.connect() as connection:
            return [tuple(r) for r in await connection.execute(sa.text(ATTEMPTS))]

    async def as_expected() -> bool:
        return await attempts() == expected

    try:
        # The carrier calls back at the web process: the worker has no port.
        with (
            serving("--web-only", cwd=tmp_path, env=env) as base,
            working(cwd=tmp_path, env=env | {"FOLLOWUP_PUBLIC_URL": base}) as worker,
        ):
            await eventually(as_expected, timeout=60)
            check = followup("worker", "--check", cwd=tmp_path, env=env)
            assert (check.returncode, check.stdout.strip()) == (0, "followup worker: leeft")
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0
    finally:
        await engine.dispose()
    worker_log = (tmp_path / "worker.log").read_text()
    serve_log = (tmp_path / "serve.log").read_text()
    assert "planning pass" in worker_log and "worker stopped" in worker_log
    assert "planning pass" not in serve_log and "dispatch pass" not in serve_log
    assert "12345678" not in worker_log + serve_log  # no numbers in the logs
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == (1 if open_now else 0)
