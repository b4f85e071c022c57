"""`followup serve` on its embedded defaults closes the loop by itself: its scheduler plans
and dispatches, its own simulated carrier sends, and the carrier's signed callbacks come
back to its webhooks."""

import sqlite3
import time

from tests.support.processes import clean_env, followup, serving
from tests.support.two_residents import ATTEMPTS, SENT_AND_HEARD_BACK, import_two_residents


def rows(database: sqlite3.Connection, query: str) -> list[tuple]:
    return database.execute(query).fetchall()


def wait_for(database: sqlite3.Connection, query: str, expected: list[tuple]) -> None:
    deadline = time.monotonic() + 60
    while (found := rows(database, ATTEMPTS)) != expected:
        assert time.monotonic() < deadline, f"{found} != {expected}"
        time.sleep(0.3)


def test_serve_sends_what_is_due_and_hears_back(tmp_path):
    env = clean_env(
        f"sqlite+aiosqlite:///{tmp_path / 'followup.db'}", FOLLOWUP_DISPATCH_INTERVAL_SECONDS="1"
    )
    assert followup("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    open_now = import_two_residents(tmp_path, env)
    with serving(cwd=tmp_path, env=env):  # the carrier calls back where it serves
        database = sqlite3.connect(tmp_path / "followup.db")
        try:
            if not open_now:  # a public holiday: planned, and nothing goes out
                wait_for(database, ATTEMPTS, [("A", "sms", "queued"), ("B", "sms", "queued")])
                time.sleep(3)
                assert rows(database, ATTEMPTS) == [("A", "sms", "queued"), ("B", "sms", "queued")]
                return
            # A's SMS is delivered; B's number is unknown at the carrier (30005, told in a
            # callback), so it is flagged and B's opening goes by e-mail instead.
            wait_for(database, ATTEMPTS, SENT_AND_HEARD_BACK)
            assert rows(database, "SELECT status FROM phone_numbers WHERE e164 LIKE '%0005'") == [
                ("invalid",)
            ]
        finally:
            database.close()
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    log = (tmp_path / "serve.log").read_text()
    assert "12345678" not in log and "12340005" not in log  # no numbers in the log
