"""Two residents due now, imported and planned for through the real CLI, with messages
allowed at any hour of any day, so a test does not depend on when it runs: A's SMS is
delivered; B's number is unknown at the carrier (30005), so B's opening goes by e-mail."""

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from followup.rules.contact_calendar import ContactCalendar
from followup.rules.planning_rules import PlanningRules
from tests.support.files import row, write_csv
from tests.support.processes import followup

ALWAYS = {
    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "start": "00:00",
    "end": "23:59",
}
ATTEMPTS = (
    "SELECT c.client_ref, a.channel, a.state FROM attempts a "
    "JOIN follow_ups f ON f.id = a.follow_up_id JOIN clients c ON c.id = f.client_id "
    "ORDER BY c.client_ref, a.id"
)
SENT_AND_HEARD_BACK = [("A", "sms", "delivered"), ("B", "sms", "failed"), ("B", "email", "sent")]


def import_two_residents(cwd: Path, env: dict[str, str]) -> bool:
    """Into a migrated database; True when messages may go out now (only a public holiday
    still closes the window)."""
    clients = write_csv(
        cwd / "c.csv",
        [
            row("A", phone="06-12345678", date="2026-01-05"),
            row("B", phone="06-12340005", email="b@example.nl", date="2026-01-05"),
        ],
    )
    assert followup("import", str(clients), cwd=cwd, env=env).returncode == 0
    rules = PlanningRules().model_dump(mode="json") | {"message_window": ALWAYS}
    (cwd / "planning.json").write_text(json.dumps(rules))
    assert followup("planning", "set", "planning.json", cwd=cwd, env=env).returncode == 0
    window = PlanningRules.model_validate(rules).message_window
    return ContactCalendar(ZoneInfo("Europe/Amsterdam")).is_open(datetime.now(UTC), window)
