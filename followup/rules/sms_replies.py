"""What a resident's SMS means (CONTRACT section 5) and what we answer, in plain Dutch.

The whole message decides, trimmed, case-folded and with its spaces collapsed: "Bel  mij" is
a callback request, "1" an outcome, "Avond" the part of the day to be called in, "1 ik werk
nu" is not guessed at but read by an agent.
Twilio's own `OptOutType` (STOP, START), when it sends one, wins over the text.
"""

from dataclasses import dataclass
from enum import StrEnum

from followup.rules.call_parts import PART_WORDS
from followup.rules.domain import OutcomeCategory
from followup.rules.planning_rules import DayPart


class ReplyKind(StrEnum):
    OUTCOME = "outcome"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    CALL_ME = "call_me"
    CALL_PART = "call_part"  # the part of the day to be called in (`rules/call_parts.py`)
    OTHER = "other"  # kept for an agent to read; nothing is guessed


@dataclass(frozen=True, slots=True)
class Reply:
    kind: ReplyKind
    category: OutcomeCategory | None = None  # for OUTCOME only
    part: DayPart | None = None  # for CALL_PART only


# The answers a resident can choose on the response page (the form's value, what the
# resident reads, what it means); an agent reading a reply chooses among the same.
ANSWER_CHOICES = {
    "1": ("Ik ben actief geworden", Reply(ReplyKind.OUTCOME, OutcomeCategory.ACTIVE)),
    "2": ("Het WIJ-team helpt mij", Reply(ReplyKind.OUTCOME, OutcomeCategory.WITH_WIJ)),
    "3": (
        "Ik zet stappen, maar ben nog niet actief",
        Reply(ReplyKind.OUTCOME, OutcomeCategory.IN_PROGRESS),
    ),
    "4": ("Het is niet gelukt", Reply(ReplyKind.OUTCOME, OutcomeCategory.NOT_ACTIVE)),
    "bel": ("Bel mij", Reply(ReplyKind.CALL_ME)),
    "stop": ("Ik wil geen contact meer", Reply(ReplyKind.OPT_OUT)),
}

# By SMS the same digits mean the same outcomes.
_OUTCOMES = {
    value: reply.category
    for value, (_, reply) in ANSWER_CHOICES.items()
    if reply.kind is ReplyKind.OUTCOME
}
_KEYWORDS = {
    **{word: ReplyKind.OPT_OUT for word in ("stop", "stoppen", "afmelden")},
    "start": ReplyKind.OPT_IN,
    **{word: ReplyKind.CALL_ME for word in ("bel", "bel mij", "bellen")},
}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_CARRIER_OPT_OUT_TYPES = {"stop": ReplyKind.OPT_OUT, "start": ReplyKind.OPT_IN}


def interpret(body: str, opt_out_type: str | None = None) -> Reply:
    carrier = _CARRIER_OPT_OUT_TYPES.get((opt_out_type or "").strip().casefold())
    if carrier is not None:
        return Reply(carrier)
    # Phones type a curly apostrophe in "’s avonds".
    text = " ".join(body.split()).casefold().translate(_APOSTROPHES)
    if text in _OUTCOMES:
        return Reply(ReplyKind.OUTCOME, _OUTCOMES[text])
    if text in PART_WORDS:
        return Reply(ReplyKind.CALL_PART, part=PART_WORDS[text])
    return Reply(_KEYWORDS.get(text, ReplyKind.OTHER))


_OUTCOME_THANKS = {
    OutcomeCategory.ACTIVE: "Wat goed dat u actief bent geworden!",
    OutcomeCategory.WITH_WIJ: "Fijn dat het WIJ-team u helpt.",
    OutcomeCategory.IN_PROGRESS: "Goed dat u stappen zet. Succes!",
    OutcomeCategory.NOT_ACTIVE: "Wilt u toch hulp? Stuur BEL, dan bellen wij u.",
}
OPTED_OUT = (
    "U bent afgemeld. Wij nemen geen contact meer met u op. "
    "Wilt u toch weer berichten? Stuur dan START."
)
OPTED_IN = "U bent weer aangemeld. Wij kunnen weer contact met u opnemen."
STILL_OPTED_OUT = (
    "Een medewerker heeft u eerder afgemeld. Wilt u weer contact? Bel dan de gemeente."
)
CALL_COMING = "Dank u wel. Een medewerker van het belteam belt u zo snel mogelijk."
READ_BY_AGENT = "Dank u wel voor uw bericht. Een medewerker van het belteam leest het."
COLLEAGUE_GETS_IN_TOUCH = "Dank u wel. Een medewerker van de gemeente neemt zelf contact met u op."
UNKNOWN_SENDER = (
    "Dank u wel voor uw bericht. Wij kennen dit nummer niet. Heeft u vragen? Bel dan de gemeente."
)


def outcome_thanks(category: OutcomeCategory) -> str:
    return f"Dank u wel, wij hebben uw antwoord genoteerd. {_OUTCOME_THANKS[category]}"
