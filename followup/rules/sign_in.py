"""The sign-in cookie: `<user id>.<expiry, Unix seconds>.<MAC>`. Only this service can make
one; it holds no name or role (those are read from the database on every request, so a user
disabled or given another role is stopped at once) and lapses after a working day."""

import re
from datetime import datetime, timedelta

from followup.rules.signing import MAC_LENGTH, mac, mac_matches

VALID_FOR = timedelta(hours=9)
PURPOSE = "sessie"
_TOKEN = re.compile(rf"(\d{{1,18}})\.(\d{{1,12}})\.([A-Za-z0-9_-]{{{MAC_LENGTH}}})")


def sign_in_token(secret: str, user_id: int, now: datetime) -> str:
    expires = int((now + VALID_FOR).timestamp())
    return f"{user_id}.{expires}.{mac(secret, PURPOSE, f'{user_id}:{expires}')}"


def signed_in_user(secret: str, token: str, now: datetime) -> int | None:
    """The user the token was made for; None when it is forged, garbled or has lapsed."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        return None
    user_id, expires = int(match[1]), int(match[2])
    if not mac_matches(secret, PURPOSE, f"{user_id}:{expires}", match[3]):
        return None
    return user_id if now.timestamp() < expires else None
