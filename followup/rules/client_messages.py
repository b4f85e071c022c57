"""What residents read: the opening message and the reminder, by SMS and by e-mail, in plain
Dutch (level B1).

A message may reach a wrong number or an old address, so it never names the resident nor
mentions benefits; it says who is getting in touch, why, and how to answer. An opening
message followed by a call says when that call comes and from which number, because most
people do not pick up an unknown number they were not expecting. The text follows from the
purpose, the round and that moment alone, so it can be rendered again to recognise a message
at the carrier after a crash.
"""

from dataclasses import dataclass
from datetime import datetime

from followup.dutch import clock, weekday_and_date
from followup.rules.call_parts import CHOOSE_A_PART
from followup.rules.domain import AttemptPurpose

# An SMS an agent writes, and a team template: at most two concatenated messages' worth.
MAX_SMS = 320

# Two lines with every SMS answer CONTRACT section 5 understands.
REPLY_OPTIONS = (
    "Stuur 1 als u actief bent, 2 als het WIJ-team u helpt, 3 als u stappen zet, "
    "4 als het niet lukte.\n"
    "Stuur BEL als wij u moeten bellen, of STOP als u geen contact meer wilt."
)


@dataclass(frozen=True, slots=True)
class Sender:
    name: str  # who is getting in touch, e.g. "het belteam van de gemeente Groningen"
    sms_number: str  # where SMS answers go, written the Dutch way ("097 010000001")


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    body: str


def _opening(sender: Sender, round_number: int) -> str:
    again = " weer" if round_number > 1 else ""
    return (
        f"Hallo, u hoort{again} van {sender.name}. Een tijd geleden sprak u met ons over wat u "
        "zelf wilde gaan doen. We willen graag weten hoe het nu gaat."
    )


def _reminder(sender: Sender) -> str:
    return (
        f"Hallo, u hoort nog een keer van {sender.name}. We proberen u te bereiken om te "
        "horen hoe het gaat."
    )


def _intro(purpose: AttemptPurpose, sender: Sender, round_number: int) -> str:
    if purpose is AttemptPurpose.OPENING:
        return _opening(sender, round_number)
    return _reminder(sender)


def call_announcement(call_at: datetime, sender: Sender) -> str:
    """When the first call comes and from which number; `call_at` in the resident's time."""
    return (
        f"Wij bellen u op {weekday_and_date(call_at.date())} rond {clock(call_at.time())} uur, "
        f"vanaf {sender.sms_number}."
    )


def sms_text(
    purpose: AttemptPurpose,
    sender: Sender,
    round_number: int,
    response_url: str | None = None,
    call_at: datetime | None = None,
) -> str:
    """The announced call and how to move it, if one follows; the reply options in two
    lines; the resident's own link after them when they asked for it."""
    announced = f"\n{call_announcement(call_at, sender)} {CHOOSE_A_PART}" if call_at else ""
    link = f"\nOf antwoord via deze link: {response_url}" if response_url else ""
    return f"{_intro(purpose, sender, round_number)}{announced}\n{REPLY_OPTIONS}{link}"


def email_message(
    purpose: AttemptPurpose,
    sender: Sender,
    round_number: int,
    response_url: str | None = None,
    call_at: datetime | None = None,
) -> Email:
    subject = (
        "Herinnering: hoe gaat het met u?"
        if purpose is AttemptPurpose.REMINDER
        else "Hoe gaat het met u?"
    )
    body = "\n".join(
        [
            _intro(purpose, sender, round_number),
            "",
            *(
                [
                    call_announcement(call_at, sender),
                    "Past een ander moment van de dag beter? Kies het via de link hieronder, of "
                    "stuur een sms met OCHTEND, MIDDAG of AVOND.",
                    "",
                ]
                if call_at
                else []
            ),
            f"Wilt u het ons laten weten? Stuur een sms naar {sender.sms_number} met:",
            "1 als u actief bent geworden, bijvoorbeeld met vrijwilligerswerk of een opleiding",
            "2 als het WIJ-team u helpt",
            "3 als u stappen zet, maar nog niet actief bent",
            "4 als het niet gelukt is",
            "",
            "Wilt u liever dat wij u bellen? Stuur dan BEL.",
            "Wilt u geen contact meer? Stuur dan STOP. Wij nemen dan geen contact meer met u op.",
            "",
            *(
                [f"U kunt ook antwoorden via deze link, zonder in te loggen: {response_url}", ""]
                if response_url
                else []
            ),
            "Meedoen is vrijwillig. U hoeft niets te doen als u niet wilt.",
            "",
            "Met vriendelijke groet,",
            sender.name[:1].upper() + sender.name[1:],
        ]
    )
    return Email(subject, body)
