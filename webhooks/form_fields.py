"""Reading the carrier's form fields: a missing or absurd field is the sender's error (400),
named, never a stack trace."""

from aiohttp import web
from multidict import MultiDictProxy


def required(form: MultiDictProxy[str], name: str, max_length: int = 64) -> str:
    value = form.get(name, "").strip()
    if not value or len(value) > max_length:
        raise web.HTTPBadRequest(text=f"{name} is missing or too long")
    return value


def optional_int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name} is not a number") from None
