"""What passes for an e-mail address: one @, something on both sides and a dot after it.
Whether it really exists only the mail server can tell (a bounce flags it)."""

import re

MAX_EMAIL = 254  # RFC 5321's longest path
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email_address(text: str) -> bool:
    return len(text) <= MAX_EMAIL and _EMAIL.match(text) is not None
