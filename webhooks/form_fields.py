"""Reading the carrier's form fields: a missing or absurd field is the sender's error (400),
named, never a stack trace."""

from aiohttp import web
from multidict import MultiDictProxy


def required(
    form: MultiDictProxy[str], name: str, max_length: int = 64, *, lower: bool = False
) -> str:
    """`lower`: in lower case, checked after lowering, which can make a text longer."""
    value = form.get(name, "").strip()
    if lower:
        value = value.lower()
    if not value or len(value) > max_length:
        raise web.HTTPBadRequest(text=f"{name} is missing or too long")
    return value


def optional_text(form: MultiDictProxy[str], name: str, max_length: int) -> str | None:
    value = form.get(name, "").strip()
    if len(value) > max_length:
        raise web.HTTPBadRequest(text=f"{name} is too long")
    return value or None


MAX_INT = 2**31 - 1  # the database's integer columns


def optional_int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name} is not a number") from None
    if not 0 <= number <= MAX_INT:
        raise web.HTTPBadRequest(text=f"{name} is out of range")
    return number
