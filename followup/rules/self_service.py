"""A resident corrects their own contact details on the response page.

A new mobile number counts only once a code sent to it by SMS comes back: whoever holds the
link must also hold the phone. Only a MAC of the code is stored (HMAC under the installation's
secret, bound to the follow-up and the number), it runs out, a third wrong code voids the
check, and a follow-up gets a few codes a day at most, so the page cannot be used to text
strangers. An e-mail address needs no code (the issue asks one for mobile numbers only).

Pure rules: the caller passes `now` and the random source; every message is Dutch (B1).
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from followup.rules.email_addresses import MAX_EMAIL, is_email_address
from followup.rules.phones import MAX_RAW_LENGTH, PhoneClassification, classify_phone
from followup.rules.signing import mac, mac_matches

CODE_LENGTH = 6
CODE_VALID = timedelta(minutes=30)
MAX_WRONG = 3  # the third wrong code voids the check
MAX_CODES = 3  # codes per follow-up in CODES_PER
CODES_PER = timedelta(days=1)
PURPOSE = "nummercode"
DUTCH = "+31"


class CorrectionProblem(ValueError):
    """Nothing was changed or sent; the message says why, in Dutch, for the resident."""


def check_new_mobile(raw: str) -> PhoneClassification:
    """A Dutch mobile number (06…, +316…), classified as the import does. Anything else is
    refused: the code goes by SMS, and only a mobile number takes SMS."""
    text = raw.strip()
    if not text:
        raise CorrectionProblem("Vul uw nieuwe mobiele nummer in.")
    if len(text) > MAX_RAW_LENGTH:
        raise CorrectionProblem("Dit nummer is te lang. Schrijf het als 06 12345678.")
    number = classify_phone(text)
    if not number.is_valid:
        raise CorrectionProblem("Dit nummer klopt niet. Schrijf het als 06 12345678.")
    if not number.can_sms:
        raise CorrectionProblem("Dit is geen mobiel nummer. Vul een nummer in dat begint met 06.")
    if not number.e164.startswith(DUTCH):
        # A code abroad costs more and is a way to text strangers far away: the page is for
        # Dutch numbers; an agent can take any other.
        raise CorrectionProblem("Vul een Nederlands mobiel nummer in. Het begint met 06.")
    return number


def check_new_email(raw: str) -> str:
    email = raw.strip().lower()
    if not email:
        raise CorrectionProblem("Vul uw nieuwe e-mailadres in.")
    if len(email) > MAX_EMAIL or not is_email_address(email):
        raise CorrectionProblem("Dit e-mailadres klopt niet. Schrijf het als naam@voorbeeld.nl.")
    return email


def new_code(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    return f"{randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def code_mac(secret: str, follow_up_id: int, e164: str, code: str) -> str:
    """What is stored of a code: valid only for this follow-up and this number."""
    return mac(secret, PURPOSE, f"{follow_up_id}:{e164}:{code}")


def code_sms(code: str) -> str:
    return (
        f"Uw code is {code}. Vul deze code in op de pagina van de gemeente. "
        "De code werkt 30 minuten. Heeft u niets aangevraagd? Dan hoeft u niets te doen."
    )


def may_send_code(codes_sent_recently: int) -> bool:
    """`codes_sent_recently`: codes this follow-up got in the last CODES_PER."""
    return codes_sent_recently < MAX_CODES


@dataclass(frozen=True, slots=True)
class PendingCheck:
    follow_up_id: int
    e164: str
    code_mac: str
    wrong_codes: int
    expires_at: datetime


class Verdict(StrEnum):
    RIGHT = "right"  # the number becomes the resident's
    WRONG = "wrong"  # try again
    VOID = "void"  # wrong MAX_WRONG times: the check is over, nothing changed
    EXPIRED = "expired"  # too late: the check is over, nothing changed


def judge_code(secret: str, check: PendingCheck, given: str, now: datetime) -> Verdict:
    """Any text counts as a try, so the page cannot be used to guess without limit."""
    if now >= check.expires_at:
        return Verdict.EXPIRED
    code = "".join(given.split())[: CODE_LENGTH + 1]
    text = f"{check.follow_up_id}:{check.e164}:{code}"
    if (
        len(code) == CODE_LENGTH
        and code.isdigit()
        and mac_matches(secret, PURPOSE, text, check.code_mac)
    ):
        return Verdict.RIGHT
    return Verdict.VOID if check.wrong_codes + 1 >= MAX_WRONG else Verdict.WRONG
