"""The log scanner of the demo-day test finds numbers in any notation and addresses, and
leaves alone what every log line holds: request ids, times, counts, ports."""

import pytest

from tests.support.log_scan import Secrets, leaks

CLEAN = [
    '{"level": "INFO", "logger": "followup.access", "message": "GET / 200 3 ms", '
    '"request_id": "2b613b283d8e85410000000000000036", "time": "2026-12-03T14:57:01.456799+00:00"}',
    "2026-12-03 14:58:05,746 INFO followup.scheduling dispatch pass: 3 sent, 0 failed, "
    "0 cancelled, 0 unsure, 0 reconciled",
    "followup draait op http://127.0.0.1:43385/ (stoppen met Ctrl+C)",
    "INFO followup.access [request 0612345678abcdef0000000000000612] POST /webhooks/twilio/sms 200",
    "planning pass: 2000 clients, 587 answers in 612 ms",
]


@pytest.mark.parametrize(
    "line",
    [
        "sent to +31612345678",
        "sent to 0031612345678",
        "sent to 06-12345678",
        "sent to 06 12 34 56 78",
        "sent to 050-3123456",
        "sent to +31 6 12345678",
        "number 612345678 refused",
        "from jan.de.vries@voorbeeld.example",
    ],
)
def test_a_number_or_an_address_of_any_shape_is_found(line):
    assert len(leaks([line], Secrets())) == 1


def test_ids_times_counts_and_ports_are_not_numbers():
    assert leaks(CLEAN, Secrets()) == []


def test_what_is_held_is_found_in_every_notation_and_json_escaping():
    secrets = Secrets()
    secrets.add("name", "Chloë de Vries")
    secrets.add_number("phone number", "06-29384751")
    secrets.add_text("SMS body", "Hoe gaat het met u?\nAntwoord met 1, 2 of 3.")
    lines = [
        '{"message": "card of Chlo\\u00eb de Vries"}',  # as JSON writes it
        "id:629384751",  # no shape of a number after a colon (ports), but held verbatim
        "body: Antwoord met 1, 2 of 3.",
        "Hoe gaat het",  # too short to tell apart from ordinary words: not looked for
    ]
    found = leaks(lines, secrets)
    assert [finding.split(":")[0] for finding in found] == ["name", "phone number", "SMS body"]
