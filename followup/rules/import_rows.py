"""What one row of the municipality's export means, or why it cannot be used.

Every message here is read by a coordinator fixing the file, so it is plain Dutch
and names the column as it is written in the file's own header.
"""

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Generic, TypeVar

from followup.rules.domain import Channel, Initiative
from followup.rules.due import due_date
from followup.rules.email_addresses import is_email_address
from followup.rules.phones import PhoneClassification, classify_phone

MAX_CLIENT_REF = 64
MAX_NAME = 200
MAX_WIJK = 100
MONTHS_RANGE = range(1, 25)
DEFAULT_MONTHS = 3


class Field(StrEnum):
    CLIENT_REF = "client_ref"
    NAME = "name"
    WIJK = "wijk"
    CONVERSATION_DATE = "conversation_date"
    PHONE = "phone"
    PHONE_ALT = "phone_alt"
    EMAIL = "email"
    MONTHS = "follow_up_after_months"
    INITIATIVE = "initiative"
    PREFERRED_CHANNEL = "preferred_channel"
    LINK_IN_SMS = "link_in_sms"


REQUIRED = (Field.CLIENT_REF, Field.NAME, Field.WIJK, Field.CONVERSATION_DATE)

# The contract's Dutch header names (CONTRACT section 3)...
DUTCH_NAMES = {
    Field.CLIENT_REF: "klantnummer",
    Field.NAME: "naam",
    Field.WIJK: "wijk",
    Field.CONVERSATION_DATE: "gespreksdatum",
    Field.PHONE: "telefoon",
    Field.PHONE_ALT: "telefoon2",
    Field.EMAIL: "email",
    Field.MONTHS: "nabellen_na_maanden",
    Field.INITIATIVE: "initiatief",
    Field.PREFERRED_CHANNEL: "voorkeurskanaal",
    Field.LINK_IN_SMS: "antwoordlink_in_sms",
}
# ...and other spellings Dutch exports have been seen to use.
OTHER_NAMES = {
    Field.CLIENT_REF: ("klantnr",),
    Field.PHONE: ("telefoonnummer",),
    Field.PHONE_ALT: ("telefoonnummer2",),
    Field.EMAIL: ("e-mail", "emailadres", "e-mailadres"),
}
# Compared after lower-casing and trimming; the English name first, the Dutch one second.
ALIASES: dict[Field, tuple[str, ...]] = {
    field: tuple(dict.fromkeys((field.value, DUTCH_NAMES[field], *OTHER_NAMES.get(field, ()))))
    for field in Field
}
DUTCH_HEADER = tuple(DUTCH_NAMES.values())
_BY_ALIAS = {alias: field for field, aliases in ALIASES.items() for alias in aliases}

_INITIATIVES = {
    "municipality": Initiative.MUNICIPALITY,
    "gemeente": Initiative.MUNICIPALITY,
    "client": Initiative.CLIENT,
    "inwoner": Initiative.CLIENT,
}
_CHANNELS = {
    "call": Channel.CALL,
    "bellen": Channel.CALL,
    "sms": Channel.SMS,
    "email": Channel.EMAIL,
    "e-mail": Channel.EMAIL,
}
_YES_NO = {
    "ja": True,
    "j": True,
    "yes": True,
    "true": True,
    "1": True,
    "nee": False,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_SPACES = re.compile(r"\s+")

T = TypeVar("T")


class HeaderError(ValueError):
    """The header cannot be used: the whole file is refused."""


@dataclass(frozen=True, slots=True)
class Header:
    """Which column holds which field, and how the file itself names it."""

    columns: dict[Field, int]
    names: dict[Field, str]
    width: int
    ignored: tuple[str, ...]

    def label(self, field: Field) -> str:
        return self.names.get(field, field.value)

    def cell(self, cells: list[str], field: Field) -> str:
        index = self.columns.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""


def resolve_header(cells: list[str]) -> Header:
    columns: dict[Field, int] = {}
    names: dict[Field, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        name = cell.lstrip("\ufeff").strip()
        field = _BY_ALIAS.get(name.lower())
        if field is None:
            if name:
                ignored.append(name)
            continue
        if field in columns:
            raise HeaderError(
                f"de kolom {names[field]!r} staat twee keer in de kopregel (ook als {name!r})"
            )
        columns[field] = index
        names[field] = name
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        wanted = ", ".join(
            f"{f.value} (of {ALIASES[f][1]})" if len(ALIASES[f]) > 1 else f.value for f in missing
        )
        raise HeaderError(f"verplichte kolom ontbreekt in de kopregel: {wanted}")
    return Header(columns, names, len(cells), tuple(ignored))


class RejectReason(StrEnum):
    WRONG_FIELD_COUNT = "wrong_field_count"
    MISSING_VALUE = "missing_value"
    TOO_LONG = "too_long"
    DUPLICATE_CLIENT_REF = "duplicate_client_ref"
    BAD_DATE = "bad_date"
    FUTURE_DATE = "future_date"
    BAD_MONTHS = "bad_months"
    BAD_INITIATIVE = "bad_initiative"
    BAD_CHANNEL = "bad_channel"
    BAD_YES_NO = "bad_yes_no"


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: RejectReason
    message: str


@dataclass(frozen=True, slots=True)
class ClientRow:
    client_ref: str
    name: str
    wijk: str
    conversation_date: date
    months: int
    initiative: Initiative
    due_on: date
    phone: PhoneClassification | None
    phone_alt: PhoneClassification | None
    email: str | None
    email_valid: bool
    preferred_channel: Channel | None
    link_in_sms: bool = False  # the resident would rather answer through their link

    @property
    def invalid_phones(self) -> int:
        return sum(1 for p in (self.phone, self.phone_alt) if p is not None and not p.is_valid)


class _Reject(Exception):
    def __init__(self, reason: RejectReason, message: str):
        self.rejection = Rejection(reason, message)


def duplicate_rejection(header: Header, client_ref: str, first_line: int) -> Rejection:
    return Rejection(
        RejectReason.DUPLICATE_CLIENT_REF,
        f"{header.label(Field.CLIENT_REF)} {client_ref!r} staat al op regel {first_line}; "
        "deze regel is overgeslagen",
    )


def parse_date(text: str) -> date | None:
    """`YYYY-MM-DD` or `DD-MM-YYYY` (leading zeros optional); None when it is not a real date."""
    if match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DUTCH_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_row(cells: list[str], header: Header, today: date) -> ClientRow | Rejection:
    """Validate one data row; `today` (in the municipality's time zone) bounds the date."""
    if len(cells) != header.width:
        return Rejection(
            RejectReason.WRONG_FIELD_COUNT,
            f"de regel heeft {len(cells)} kolommen, de kopregel heeft er {header.width}",
        )
    try:
        return _parse(cells, header, today)
    except _Reject as reject:
        return reject.rejection


def _parse(cells: list[str], header: Header, today: date) -> ClientRow:
    # The checks run in column order, so a row with several faults names the first one.
    row = _Cells(cells, header)
    client_ref = row.required(Field.CLIENT_REF, MAX_CLIENT_REF)
    name = row.required(Field.NAME, MAX_NAME)
    wijk = row.required(Field.WIJK, MAX_WIJK)
    conversation_date = row.conversation_date(today)
    months = row.months()
    initiative = row.choice(Field.INITIATIVE, _INITIATIVE)
    channel = row.choice(Field.PREFERRED_CHANNEL, _PREFERRED_CHANNEL)
    link_in_sms = row.choice(Field.LINK_IN_SMS, _LINK_IN_SMS)
    phone, phone_alt = row.phones()
    email = row.text(Field.EMAIL).lower() or None
    return ClientRow(
        client_ref=client_ref,
        name=name,
        wijk=wijk,
        conversation_date=conversation_date,
        months=months,
        initiative=initiative,
        due_on=due_date(conversation_date, months, initiative),
        phone=phone,
        phone_alt=phone_alt,
        email=email,
        email_valid=email is not None and is_email_address(email),
        preferred_channel=channel,
        link_in_sms=link_in_sms,
    )


@dataclass(frozen=True, slots=True)
class _Choice(Generic[T]):
    """An optional column that takes one of a few words."""

    options: dict[str, T]
    default: T
    reason: RejectReason
    hint: str


_INITIATIVE = _Choice(
    _INITIATIVES, Initiative.MUNICIPALITY, RejectReason.BAD_INITIATIVE, "gemeente of inwoner"
)
_PREFERRED_CHANNEL: _Choice[Channel | None] = _Choice(
    _CHANNELS, None, RejectReason.BAD_CHANNEL, "bellen, sms of email"
)
_LINK_IN_SMS = _Choice(_YES_NO, False, RejectReason.BAD_YES_NO, "ja of nee")


class _Cells:
    """One data row read through its header: each rejection names the column as the file
    itself names it."""

    __slots__ = ("cells", "header")

    def __init__(self, cells: list[str], header: Header):
        self.cells = cells
        self.header = header

    def text(self, field: Field) -> str:
        index = self.header.columns.get(field)
        return "" if index is None else _SPACES.sub(" ", self.cells[index]).strip()

    def required(self, field: Field, limit: int) -> str:
        value = self.text(field)
        if not value:
            raise _Reject(RejectReason.MISSING_VALUE, f"{self.header.label(field)} is leeg")
        if len(value) > limit:
            raise _Reject(
                RejectReason.TOO_LONG, f"{self.header.label(field)} is langer dan {limit} tekens"
            )
        return value

    def conversation_date(self, today: date) -> date:
        text = self.required(Field.CONVERSATION_DATE, 10)
        label = self.header.label(Field.CONVERSATION_DATE)
        value = parse_date(text)
        if value is None:
            raise _Reject(
                RejectReason.BAD_DATE,
                f"{label} {text!r} is geen datum; schrijf JJJJ-MM-DD of DD-MM-JJJJ",
            )
        if value > today:
            raise _Reject(RejectReason.FUTURE_DATE, f"{label} {text!r} ligt in de toekomst")
        return value

    def months(self) -> int:
        value = self.text(Field.MONTHS)
        if not value:
            return DEFAULT_MONTHS
        if value.isascii() and value.isdigit() and int(value) in MONTHS_RANGE:
            return int(value)
        raise _Reject(
            RejectReason.BAD_MONTHS,
            f"{self.header.label(Field.MONTHS)} {value!r} moet een heel getal van 1 tot en met "
            "24 zijn",
        )

    def choice(self, field: Field, choice: _Choice[T]) -> T:
        value = self.text(field)
        if not value:
            return choice.default
        try:
            return choice.options[value.lower()]
        except KeyError:
            raise _Reject(
                choice.reason,
                f"{self.header.label(field)} {value!r} is onbekend; kies {choice.hint}",
            ) from None

    def phones(self) -> tuple[PhoneClassification | None, PhoneClassification | None]:
        phone = self.text(Field.PHONE)
        phone_alt = self.text(Field.PHONE_ALT)
        primary = classify_phone(phone) if phone else None
        alternate = classify_phone(phone_alt) if phone_alt else None
        if primary and alternate and primary.identity == alternate.identity:
            alternate = None  # the same number written twice is one number
        return primary, alternate
