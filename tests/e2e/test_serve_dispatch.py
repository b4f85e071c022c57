"""`followup serve` on its embedded defaults closes the loop by itself: its scheduler plans
and dispatches, its own simulated carrier sends, and the carrier's signed callbacks come
back to its webhooks."""

import json
import sqlite3
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from followup.rules.contact_calendar import ContactCalendar
from followup.rules.planning_rules import PlanningRules
from tests.support.files import row, write_csv
from tests.support.processes import clean_env, followup, serving

# Messages at any hour of any day, so the test does not depend on when it runs; only a
# public holiday still closes the window, and then nothing may be sent at all.
ALWAYS = {
    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "start": "00:00",
    "end": "23:59",
}


def rows(database: sqlite3.Connection, query: str) -> list[tuple]:
    return database.execute(query).fetchall()


def wait_for(database: sqlite3.Connection, query: str, expected: list[tuple]) -> None:
    deadline = time.monotonic() + 60
    while (found := rows(database, query)) != expected:
        assert time.monotonic() < deadline, f"{found} != {expected}"
        time.sleep(0.3)


def test_serve_sends_what_is_due_and_hears_back(tmp_path):
    env = clean_env(
        f"sqlite+aiosqlite:///{tmp_path / 'followup.db'}", FOLLOWUP_DISPATCH_INTERVAL_SECONDS="1"
    )
    assert followup("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    clients = write_csv(
        tmp_path / "c.csv",
        [
            row("A", phone="06-12345678", date="2026-01-05"),
            row("B", phone="06-12340005", email="b@example.nl", date="2026-01-05"),
        ],
    )
    assert followup("import", str(clients), cwd=tmp_path, env=env).returncode == 0
    rules = PlanningRules().model_dump(mode="json") | {"message_window": ALWAYS}
    (tmp_path / "planning.json").write_text(json.dumps(rules))
    assert followup("planning", "set", "planning.json", cwd=tmp_path, env=env).returncode == 0
    window = PlanningRules.model_validate(rules).message_window
    open_now = ContactCalendar(ZoneInfo("Europe/Amsterdam")).is_open(datetime.now(UTC), window)

    query = (
        "SELECT c.client_ref, a.channel, a.state FROM attempts a "
        "JOIN follow_ups f ON f.id = a.follow_up_id JOIN clients c ON c.id = f.client_id "
        "ORDER BY c.client_ref, a.id"
    )
    with serving(cwd=tmp_path, env=env):  # the carrier calls back where it serves
        database = sqlite3.connect(tmp_path / "followup.db")
        try:
            if not open_now:  # a public holiday: planned, and nothing goes out
                wait_for(database, query, [("A", "sms", "queued"), ("B", "sms", "queued")])
                time.sleep(3)
                assert rows(database, query) == [("A", "sms", "queued"), ("B", "sms", "queued")]
                return
            # A's SMS is delivered; B's number is unknown at the carrier (30005, told in a
            # callback), so it is flagged and B's opening goes by e-mail instead.
            wait_for(
                database,
                query,
                [("A", "sms", "delivered"), ("B", "sms", "failed"), ("B", "email", "sent")],
            )
            assert rows(database, "SELECT status FROM phone_numbers WHERE e164 LIKE '%0005'") == [
                ("invalid",)
            ]
        finally:
            database.close()
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    log = (tmp_path / "serve.log").read_text()
    assert "12345678" not in log and "12340005" not in log  # no numbers in the log
