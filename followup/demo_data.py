"""Realistic demo import files: the twelve Groningen neighbourhoods, conversations over the
last year, and the contact-data problems the municipality reports (stale, fixed-line,
missing and malformed numbers).

Special number endings make the simulated carrier misbehave on purpose (CONTRACT section 6):
0000 invalid, 0005 unknown handset, 0003 transient failure, 0001 no answer, 0002 busy.
Addresses use the reserved example domains, so nothing real can ever be mailed.
"""

import csv
import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from followup.rules.import_rows import DUTCH_HEADER, Field
from followup.rules.spreadsheet_cells import safe_cell

WIJKEN = (
    "Selwerd",
    "Vinkhuizen",
    "De Wijert",
    "Helpman",
    "Lewenborg",
    "Beijum",
    "Corpus den Hoorn",
    "Oosterparkwijk",
    "De Hoogte",
    "Korrewegwijk",
    "Paddepoel",
    "Hoogkerk",
)
FIRST_NAMES = (
    "Anna",
    "Bram",
    "Chloë",
    "Daan",
    "Eva",
    "Fatima",
    "Gerrit",
    "Hanneke",
    "Ilse",
    "Jan",
    "Karin",
    "Lars",
    "Mohamed",
    "Noah",
    "Olga",
    "Piet",
    "Renée",
    "Sanne",
    "Thijs",
    "Ümit",
    "Vera",
    "Wim",
    "Yara",
    "Zoë",
    "Aïcha",
    "Bart",
    "Dewi",
    "Esther",
    "Hasan",
    "Jürgen",
    "Kees",
    "Lieke",
    "Marieke",
    "Nadia",
    "Robin",
    "Samira",
    "Tesfaye",
    "Willemijn",
)
LAST_NAMES = (
    "de Vries",
    "Jansen",
    "van der Meer",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Bos",
    "Dijkstra",
    "Hoekstra",
    "Kuipers",
    "Postma",
    "van Dijk",
    "Huizinga",
    "El Amrani",
    "Bouzid",
    "Özdemir",
    "Çelik",
    "Kromodimedjo",
    "Martina",
    "Nowak",
    "Haile",
    "Ruiz Peña",
    "Wiersma",
    "Zijlstra",
    "Veenstra",
    "Brouwer",
    "Ait Taleb",
    "Nijboer",
)
HEADER_NL = DUTCH_HEADER
HEADER_EN = tuple(field.value for field in Field)
_SIM_ENDINGS = frozenset({"0000", "0001", "0002", "0003", "0005"})
_BAD_NUMBERS = (
    "06-1234567",
    "06-12345678a",
    "0612-34",
    "onbekend",
    "6,12345678E+08",
    "06 123 456 789 0",
)


@dataclass(frozen=True)
class Style:
    """How the file is written: a Dutch Excel export, or plain UTF-8 with English headers."""

    delimiter: str
    encoding: str
    header: tuple[str, ...]
    dutch_dates: bool


EXCEL_NL = Style(";", "cp1252", HEADER_NL, True)
PLAIN = Style(",", "utf-8", HEADER_EN, False)


def _pick(rng: random.Random, weighted: dict[str, float]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _mobile(rng: random.Random, ending: str | None = None) -> str:
    while True:
        digits = f"6{rng.randint(1, 5)}{rng.randint(0, 9_999_999):07d}"
        if ending:
            digits = digits[:-4] + ending
        if ending or digits[-4:] not in _SIM_ENDINGS:
            break
    notation = rng.randrange(6)
    return (
        f"0{digits[0]}-{digits[1:]}",
        f"0{digits}",
        f"06 {digits[1:]}",
        f"+31 6 {digits[1:]}",
        f"0031{digits}",
        f"(06) {digits[1:]}",
    )[notation]


def _fixed(rng: random.Random) -> str:
    return f"050-{rng.randint(3000000, 5999999)}"


def _phone(rng: random.Random) -> str:
    kind = _pick(
        rng,
        {
            "mobile": 66,
            "fixed": 12,
            "stale": 8,
            "no_answer": 5,
            "busy": 2,
            "transient": 1,
            "malformed": 4,
            "missing": 2,
        },
    )
    if kind == "mobile":
        return _mobile(rng)
    if kind == "fixed":
        return _fixed(rng)
    if kind == "stale":
        return _mobile(rng, rng.choice(("0000", "0005")))
    if kind == "malformed":
        return rng.choice(_BAD_NUMBERS)
    if kind == "missing":
        return ""
    return _mobile(rng, {"no_answer": "0001", "busy": "0002", "transient": "0003"}[kind])


def _email(rng: random.Random, name: str) -> str:
    if rng.random() > 0.35:
        return ""
    if rng.random() < 0.03:
        return rng.choice(("geen", "jan.devries@", "info@@example.nl"))
    plain = unicodedata.normalize("NFKD", name.lower().replace(" ", "."))
    local = "".join(c for c in plain if c.isascii() and (c.isalnum() or c == "."))
    return f"{local}{rng.randint(1, 99)}@{rng.choice(('example.nl', 'example.com'))}"


def demo_rows(
    count: int, today: date, seed: int = 2015, span_days: int = 365
) -> list[dict[str, str]]:
    """`count` clients keyed by the English field names; dates as `date` ISO strings; their
    conversations spread over the last `span_days`."""
    rng = random.Random(seed)
    refs = rng.sample(range(10_000_000, 99_999_999), count)
    rows = []
    for ref in refs:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        no_contact = rng.random() < 0.04
        rows.append(
            {
                "client_ref": str(ref),
                "name": name,
                "wijk": rng.choice(WIJKEN),
                "conversation_date": (
                    today - timedelta(days=rng.randint(0, span_days))
                ).isoformat(),
                "phone": "" if no_contact else _phone(rng),
                "phone_alt": ""
                if no_contact or rng.random() > 0.2
                else rng.choice((_mobile(rng), _fixed(rng))),
                "email": "" if no_contact else _email(rng, name),
                "follow_up_after_months": _pick(rng, {"3": 60, "6": 25, "2": 5, "4": 5, "12": 5}),
                "initiative": _pick(rng, {"": 70, "gemeente": 15, "inwoner": 15}),
                "preferred_channel": _pick(rng, {"": 70, "bellen": 15, "sms": 10, "email": 5}),
                # One in ten would rather answer through their link; taken from the number,
                # not the generator, so every other value stays as it was.
                "link_in_sms": "ja" if ref % 10 == 0 else "",
            }
        )
    return rows


def write_demo_file(path: Path, rows: list[dict[str, str]], style: Style = EXCEL_NL) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=style.encoding, newline="") as handle:
        writer = csv.writer(
            handle, delimiter=style.delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL
        )
        writer.writerow(style.header)
        for row in rows:
            values = [row[field] for field in HEADER_EN]
            if style.dutch_dates:
                year, month, day = row["conversation_date"].split("-")
                values[3] = f"{day}-{month}-{year}"
            # "+31 6 …" is a formula to a spreadsheet; the importer reads it back as written.
            writer.writerow(map(safe_cell, values))
    return path
