"""Reads every line a process printed and names what must never be there: a phone number in
any notation, an e-mail address, a resident's name, a message body. What to look for comes
from the database after the run (`held_secrets`), plus shapes of numbers and addresses."""

import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers

# Shapes, for numbers and addresses the database does not know (a typo'd one, a carrier's).
# Not next to letters or digits: ids in hex and timestamps hold digit runs too.
SHAPES = {
    "international number": re.compile(r"(?<![\w+])(?:\+|00)[1-9]\d(?:[ -]?\d){7,12}(?!\d)"),
    "Dutch number": re.compile(r"(?<![\w.:])0[1-9](?:[ -]?\d){8}(?![\w])"),
    "mobile without prefix": re.compile(r"(?<![\w.:+])6\d{8}(?!\d)"),
    "e-mail address": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
}
# A message line shorter than this could be an ordinary word ("STOP", "1").
SHORTEST_TEXT = 12
# A resident's own link in a message: its token opens their response page.
RESPONSE_TOKEN = re.compile(r"/antwoord/([\w.=-]{8,})")


@dataclass
class Secrets:
    """What is held about people, each with what it is, to search for verbatim."""

    found: dict[str, str] = field(default_factory=dict)  # text → what it is

    def add(self, kind: str, text: str | None) -> None:
        if text and len(text.strip()) >= 5:
            self.found.setdefault(text.strip(), kind)

    def add_number(self, kind: str, number: str | None) -> None:
        """Every notation of it: as imported, E.164, 0031…, national, and the bare digits."""
        if not number:
            return
        self.add(kind, number)
        try:
            parsed = phonenumbers.parse(number, "NL")
        except phonenumbers.NumberParseException:
            return
        national = str(parsed.national_number)
        for notation in (
            f"+{parsed.country_code}{national}",
            f"00{parsed.country_code}{national}",
            f"0{national}",
            national,
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        ):
            self.add(kind, notation)

    def add_text(self, kind: str, text: str | None) -> None:
        """A message: whole, and each of its lines long enough to tell apart."""
        if not text:
            return
        if len(text.strip()) >= SHORTEST_TEXT:
            self.add(kind, text)
        for line in text.splitlines():
            if len(line.strip()) >= SHORTEST_TEXT:
                self.add(kind, line)
        for token in RESPONSE_TOKEN.findall(text):
            self.add("response link token", token)


def held_secrets(database: sqlite3.Connection, texts: Iterable[tuple[str, str]] = ()) -> Secrets:
    """Names, numbers, addresses and every text in the database; `texts`: more (kind, text)
    from elsewhere, such as what the carrier carried and the e-mails written."""
    secrets = Secrets()
    queries = {
        "resident's name": ("SELECT name FROM clients", Secrets.add),
        "resident's e-mail address": ("SELECT email FROM clients", Secrets.add),
        "staff e-mail address": ("SELECT email FROM users", Secrets.add),
        "phone number": (
            "SELECT raw FROM phone_numbers UNION SELECT e164 FROM phone_numbers "
            "UNION SELECT phone FROM users UNION SELECT from_number FROM sms_messages "
            "UNION SELECT to_number FROM sms_messages",
            Secrets.add_number,
        ),
        "address written to": ("SELECT to_address FROM attempts", Secrets.add),
        "SMS body": (
            "SELECT body FROM sms_messages UNION SELECT message FROM attempts",
            Secrets.add_text,
        ),
        "note": ("SELECT note FROM outcomes UNION SELECT note FROM wrap_ups", Secrets.add_text),
        "changed contact detail": (
            "SELECT old_value FROM contact_changes UNION SELECT new_value FROM contact_changes",
            Secrets.add,
        ),
    }
    for kind, (query, add) in queries.items():
        for (value,) in database.execute(query):
            add(secrets, kind, value)
    for kind, text in texts:
        secrets.add_text(kind, text)
    return secrets


def readable(line: str) -> str:
    """A JSON line as its text reads (JSON escapes "ë" and quotes), any other line as it is."""
    try:
        document = json.loads(line)
    except ValueError:
        return line
    return json.dumps(document, ensure_ascii=False) if isinstance(document, dict) else line


def leaks(lines: Iterable[str], secrets: Secrets) -> list[str]:
    """Every line that holds something it must not, with what that is. Each secret is looked
    for once in the whole text, not line by line: a demo holds thousands of them."""
    texts = [readable(line) for line in lines]
    whole = "\n".join(texts)
    found: dict[int, set[str]] = {}
    for kind, shape in SHAPES.items():
        for match in shape.finditer(whole):
            found.setdefault(whole.count("\n", 0, match.start()), set()).add(kind)
    for secret, kind in secrets.found.items():
        if secret in whole:
            for number, text in enumerate(texts):
                if secret in text:
                    found.setdefault(number, set()).add(kind)
    return [f"{', '.join(sorted(kinds))}: {texts[n]}" for n, kinds in sorted(found.items())]
