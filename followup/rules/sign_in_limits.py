"""How often signing in may fail before it waits: per account, so guessing one password is
slow, and per address, so trying many accounts from one machine is slow too.

A failure counts for `WINDOW`. Counts include the attempt being decided: each attempt is
written down before it is counted, so attempts that arrive together cannot all slip under a
limit. While a limit is reached the password is not even checked: the right one waits too."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 5
PER_ADDRESS = 20


class Limit(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class Failures:
    """Failed attempts within `WINDOW`, this attempt included."""

    account: int
    address: int


def may_try(failures: Failures) -> bool:
    return failures.account <= PER_ACCOUNT and failures.address <= PER_ADDRESS


def reached(failures: Failures) -> Limit | None:
    """The limit this attempt reached when it failed: from now on signing in waits."""
    if failures.account >= PER_ACCOUNT:
        return Limit.ACCOUNT
    if failures.address >= PER_ADDRESS:
        return Limit.ADDRESS
    return None
