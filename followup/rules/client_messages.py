"""What residents read: the opening message and the reminder, by SMS and by e-mail, in plain
Dutch (level B1).

A message may reach a wrong number or an old address, so it never names the resident nor
mentions benefits; it says who is getting in touch, why, and how to answer. The text is the
same for every resident of a purpose and round, so it can be rendered again to recognise a
message at the carrier after a crash.
"""

from dataclasses import dataclass

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


def sms_text(
    purpose: AttemptPurpose, sender: Sender, round_number: int, response_url: str | None = None
) -> str:
    """The reply options in two lines; the resident's own link after them when they asked
    for it."""
    link = f"\nOf antwoord via deze link: {response_url}" if response_url else ""
    return f"{_intro(purpose, sender, round_number)}\n{REPLY_OPTIONS}{link}"


def email_message(
    purpose: AttemptPurpose, sender: Sender, round_number: int, response_url: str | None = None
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
