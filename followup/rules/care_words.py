"""Care words: words or short phrases the team configures (for instance "zelfmoord",
"huisuitzetting") that make a resident's SMS stand out for an agent to check, instead of
getting the automatic answer of an ordinary reply.

Only replies the grammar of CONTRACT section 5 does not recognise are checked: a recognised
reply ("1", "STOP", "BEL") keeps its effect and its confirmation. Matching is on whole words,
case-insensitive, with any run of spaces between the words of a phrase."""

import re
import unicodedata
from collections.abc import Sequence

MAX_WORDS = 200
MAX_LENGTH = 40  # characters in one word or phrase
# Until a coordinator sets their own: words the reports link to a need for care.
DEFAULT_CARE_WORDS = (
    "zelfmoord",
    "suïcide",
    "niet meer leven",
    "geweld",
    "mishandeld",
    "huisuitzetting",
    "honger",
    "wanhopig",
    "crisis",
)
CARE_WORD = "care_word"  # how such an SMS is stored (`sms_messages.interpretation`)
# A longer text is refused before it is read: the list is read on the web server's loop.
MAX_TEXT = MAX_WORDS * (MAX_LENGTH + 2)
NOTHING_CHANGED = "Er is niets veranderd."


def _plain(text: str) -> str:
    """One spelling of each letter ("ï" typed as one sign or as "i" with a mark), lower case."""
    return unicodedata.normalize("NFC", text).casefold()


class CareWordsProblem(ValueError):
    """The list was refused and nothing changed; the message is Dutch, for the coordinator."""


def parse_care_words(text: str) -> tuple[str, ...]:
    """One word or phrase a line (commas separate too), trimmed, lower case, each once."""
    if len(text) > MAX_TEXT:
        raise CareWordsProblem(f"De lijst is te lang. {NOTHING_CHANGED}")
    words: dict[str, None] = {}  # in the order typed, each once
    for part in re.split(r"[\n,;]", text):
        word = _plain(" ".join(part.split()))
        if not word or word in words:
            continue
        if len(word) > MAX_LENGTH:
            raise CareWordsProblem(
                f"'{word[:MAX_LENGTH]}…' is te lang. Een woord of zin mag niet meer dan "
                f"{MAX_LENGTH} tekens hebben. {NOTHING_CHANGED}"
            )
        if not re.search(r"\w", word):
            raise CareWordsProblem(
                f"'{word}' is geen woord. Gebruik letters of cijfers. {NOTHING_CHANGED}"
            )
        words[word] = None
        if len(words) > MAX_WORDS:
            raise CareWordsProblem(
                f"Dat zijn te veel woorden. Het mogen er niet meer dan {MAX_WORDS} zijn. "
                f"{NOTHING_CHANGED}"
            )
    if not words:
        raise CareWordsProblem(
            "De lijst is leeg. Vul minstens één woord in: zonder woorden valt geen enkel "
            f"antwoord op. {NOTHING_CHANGED}"
        )
    return tuple(words)


def _pattern(word: str) -> str:
    return r"(?<!\w)" + r"\s+".join(re.escape(part) for part in word.split()) + r"(?!\w)"


def care_word_in(body: str, words: Sequence[str]) -> bool:
    """Whether the message holds one of the words, as a whole word."""
    if not words:
        return False
    return re.search("|".join(map(_pattern, words)), _plain(body)) is not None
