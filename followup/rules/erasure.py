"""Retention and erasure of a resident's personal data: how long it is kept, when a purge may
erase it, and the one-way digest that lets an opt-out outlive the data it was about.

See docs/privacy.md for the reasoning behind the numbers.
"""

import hashlib
import hmac
from datetime import UTC, datetime

from followup.rules.due import add_months

DEFAULT_RETENTION_MONTHS = 24
# The Awb (art. 9:8) lets a resident complain about how they were treated up to a year after
# the fact; the follow-up's history must still be there to look into such a complaint.
LEGAL_MINIMUM_MONTHS = 12
# What an erased client's number becomes, with the row's id: unique, and says nothing.
ERASED_REF_PREFIX = "gewist-"


class RetentionError(ValueError):
    """A retention period that may not be used; the message is Dutch and names the option."""


def retention_months(value: str | int, option: str = "--older-than") -> int:
    """A whole number of months no shorter than the legal minimum."""
    text = str(value).strip()
    if not text.isdigit():
        raise RetentionError(f"{option} moet een heel aantal maanden zijn, niet {text!r}")
    months = int(text)
    if months < LEGAL_MINIMUM_MONTHS:
        raise RetentionError(
            f"{option} is {months} maanden: gegevens moeten minstens "
            f"{LEGAL_MINIMUM_MONTHS} maanden bewaard blijven (zie docs/privacy.md)"
        )
    return months


def retention_cutoff(now: datetime, months: int) -> datetime:
    """Follow-ups closed before this moment are past their retention period: `months`
    calendar months before `now`, at the same time of day (UTC)."""
    now = now.astimezone(UTC)
    day = add_months(now.date(), -months)
    return datetime.combine(day, now.timetz())


def normalised_email(address: str) -> str:
    return address.strip().casefold()


def contact_digest(pepper: str, kind: str, value: str) -> str:
    """HMAC-SHA256 of a normalised E.164 number or e-mail address (`kind` "phone" or
    "email"), keyed with the installation's own pepper: without the pepper a digest cannot be
    reversed by hashing every Dutch mobile number."""
    if kind == "email":
        value = normalised_email(value)
    message = f"{kind}:{value}".encode()
    return hmac.new(pepper.encode(), message, hashlib.sha256).hexdigest()
