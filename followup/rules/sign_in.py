"""Sign-in sessions and the way back after signing in.

The cookie holds a random token; the database keeps only its SHA-256, so a copy of the
table opens nothing. A session lapses after a working day, or after an hour without a
request, and ends at once when its user signs out, changes their password elsewhere or is
disabled."""

import hashlib
import unicodedata
from datetime import datetime, timedelta

VALID_FOR = timedelta(hours=9)
IDLE_FOR = timedelta(hours=1)
# How stale `last seen` may get before a request writes it: not one write per request.
SEEN_EVERY = timedelta(minutes=1)


def session_key(token: str) -> str:
    """What the database keeps of a session's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def needs_seen(last_seen: datetime, now: datetime) -> bool:
    return now - last_seen >= SEEN_EVERY


def return_path(back: str) -> str:
    """Where to go after signing in: a plain path on this site, else the home page.
    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    `/<tab>/evil.example` would lead to another site: control characters and backslashes
    are refused, and so is a second slash at the start."""
    plain = (
        back.startswith("/")
        and not back.startswith("//")
        and "\\" not in back
        and not any(unicodedata.category(char) == "Cc" for char in back)
    )
    return back if plain else "/"
