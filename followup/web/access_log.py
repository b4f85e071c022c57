"""One line for every request the app answered: method, route pattern, status, time taken,
and the signed-in user's id and role. The request's id is added by the log handler, as on
every line logged while it is handled (`followup/logs.py`).

Never the path as requested nor its query: a path holds a resident's link token
(`/antwoord/{token}`) or a phone number, a query a page to return to. Never a user's e-mail
address: the id finds the user on `/beheer`. In the JSON format each part is a field of its
own, for a collector to filter on."""

import logging

from aiohttp import web

from followup.web.access import user_if_checked

log = logging.getLogger("followup.access")


def log_answer(request: web.Request, method: str, route: str, status: int, seconds: float) -> None:
    if not log.isEnabledFor(logging.INFO):  # webhooks come often: skip the work when unread
        return
    milliseconds = round(seconds * 1000)
    fields = {"method": method, "route": route, "status": status, "duration_ms": milliseconds}
    user = user_if_checked(request)
    by = ""
    if user is not None:
        fields |= {"user_id": user.id, "role": user.role.value}
        by = f" user {user.id} {user.role.value}"
    log.info("%s %s %d %d ms%s", method, route, status, milliseconds, by, extra=fields)
