"""Personal links to the response page: no login, but signed and expiring, so only the
resident who received the message can answer, and only for a while.

A token is `<follow-up id>.<last valid day, YYYYMMDD>.<MAC>`: the MAC (HMAC-SHA256 over the
other two, 128 bits) makes it unforgeable; it names no person, so a forwarded or leaked link
shows nothing about anyone. Answering twice is stopped by the outcome rules, not here.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from followup.rules.signing import MAC_LENGTH, mac, mac_matches

VALID_DAYS = 60  # longer than the rounds of one follow-up
_TOKEN = re.compile(rf"(\d{{1,18}})\.(\d{{8}})\.([A-Za-z0-9_-]{{{MAC_LENGTH}}})")


class LinkError(ValueError):
    pass


class Expired(LinkError):
    pass


class Invalid(LinkError):
    pass


PURPOSE = "antwoord"


def make_token(secret: str, follow_up_id: int, last_day: date) -> str:
    day = f"{last_day:%Y%m%d}"
    return f"{follow_up_id}.{day}.{mac(secret, PURPOSE, f'{follow_up_id}:{day}')}"


def read_token(secret: str, token: str, today: date) -> int:
    """The follow-up the token was made for; Invalid when forged or garbled, Expired after
    its last day."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise Invalid(token)
    follow_up_id, day, given = int(match[1]), match[2], match[3]
    if not mac_matches(secret, PURPOSE, f"{follow_up_id}:{day}", given):
        raise Invalid(token)
    # A valid MAC means we made it, so the day is a real date.
    if today > date(int(day[:4]), int(day[4:6]), int(day[6:])):
        raise Expired(token)
    return follow_up_id


@dataclass(frozen=True, slots=True)
class ResponseLinks:
    public_url: str
    secret: str

    def url(self, follow_up_id: int, issued_on: date) -> str:
        """Valid for VALID_DAYS from `issued_on`: the day a message is due, so the same
        message renders the same link whenever it is rendered again."""
        last_day = issued_on + timedelta(days=VALID_DAYS)
        return f"{self.public_url}/antwoord/{make_token(self.secret, follow_up_id, last_day)}"
