from datetime import date, timedelta

import pytest

from followup.rules.domain import Channel, Initiative
from followup.rules.import_rows import (
    MAX_CLIENT_REF,
    MAX_NAME,
    MAX_WIJK,
    ClientRow,
    Field,
    HeaderError,
    Rejection,
    RejectReason,
    duplicate_rejection,
    parse_date,
    parse_row,
    resolve_header,
)
from followup.rules.phones import InvalidPhoneReason

TODAY = date(2026, 3, 15)

ENGLISH = [
    "client_ref",
    "name",
    "wijk",
    "conversation_date",
    "phone",
    "phone_alt",
    "email",
    "follow_up_after_months",
    "initiative",
    "preferred_channel",
    "link_in_sms",
]
DUTCH = [
    "klantnummer",
    "naam",
    "wijk",
    "gespreksdatum",
    "telefoon",
    "telefoon2",
    "email",
    "nabellen_na_maanden",
    "initiatief",
    "voorkeurskanaal",
    "antwoordlink_in_sms",
]
FIELDS = list(Field)


def _row(**values: str) -> list[str]:
    """A full-width data row for ENGLISH/DUTCH headers; unnamed optional cells are blank."""
    base = {
        Field.CLIENT_REF: "K1001",
        Field.NAME: "Aïcha Özdemir",
        Field.WIJK: "Oosterpark",
        Field.CONVERSATION_DATE: "2026-01-31",
    }
    base.update({Field(key): value for key, value in values.items()})
    return [base.get(field, "") for field in FIELDS]


def _parse(header_cells=ENGLISH, today=TODAY, **values: str) -> ClientRow | Rejection:
    return parse_row(_row(**values), resolve_header(header_cells), today)


def _ok(**values: str) -> ClientRow:
    row = _parse(**values)
    assert isinstance(row, ClientRow), row
    return row


# --- header ------------------------------------------------------------------------------


def test_english_header_maps_every_field_to_its_column():
    header = resolve_header(ENGLISH)
    assert header.columns == {field: index for index, field in enumerate(FIELDS)}
    assert header.width == len(ENGLISH)
    assert header.ignored == ()
    assert header.label(Field.CONVERSATION_DATE) == "conversation_date"


def test_dutch_header_maps_every_field_to_its_column():
    header = resolve_header(DUTCH)
    assert header.columns == {field: index for index, field in enumerate(FIELDS)}
    assert header.label(Field.CONVERSATION_DATE) == "gespreksdatum"
    assert header.label(Field.CLIENT_REF) == "klantnummer"


@pytest.mark.parametrize(
    ("cells", "field", "index", "label"),
    [
        pytest.param(
            ["Client_Ref", "NAME", "Wijk", "Conversation_Date"],
            Field.CONVERSATION_DATE,
            3,
            "Conversation_Date",
            id="mixed-case-english",
        ),
        pytest.param(
            ["KlantNummer", "Naam", "WIJK", "GespreksDatum"],
            Field.CONVERSATION_DATE,
            3,
            "GespreksDatum",
            id="mixed-case-dutch",
        ),
        pytest.param(
            ["  client_ref ", "\tnaam", "wijk  ", " gespreksdatum\t"],
            Field.CONVERSATION_DATE,
            3,
            "gespreksdatum",
            id="surrounding-whitespace",
        ),
        pytest.param(
            ["\ufeffklantnummer", "naam", "wijk", "gespreksdatum"],
            Field.CLIENT_REF,
            0,
            "klantnummer",
            id="bom-on-first-cell",
        ),
        pytest.param(
            ["\ufeffClient_Ref ", "naam", "wijk", "gespreksdatum"],
            Field.CLIENT_REF,
            0,
            "Client_Ref",
            id="bom-mixed-case-trailing-space",
        ),
        pytest.param(
            ["\ufeff client_ref", "naam", "wijk", "gespreksdatum"],
            Field.CLIENT_REF,
            0,
            "client_ref",
            id="bom-then-space",
        ),
        pytest.param(
            ["wijk", "gespreksdatum", "klantnr", "naam", "telefoonnummer"],
            Field.PHONE,
            4,
            "telefoonnummer",
            id="other-order-and-seen-aliases",
        ),
        pytest.param(
            ["klantnummer", "naam", "wijk", "gespreksdatum", "E-Mailadres"],
            Field.EMAIL,
            4,
            "E-Mailadres",
            id="email-alias",
        ),
    ],
)
def test_resolve_header_spellings(cells, field, index, label):
    header = resolve_header(cells)
    assert set(header.columns) >= {Field.CLIENT_REF, Field.NAME, Field.WIJK}
    assert header.columns[field] == index
    assert header.label(field) == label


def test_unknown_columns_are_ignored_and_listed():
    header = resolve_header(
        ["klantnummer", "BSN", "naam", "", "wijk", "gespreksdatum", "opmerking"]
    )
    assert header.ignored == ("BSN", "opmerking")
    assert header.columns[Field.NAME] == 2
    assert header.columns[Field.CONVERSATION_DATE] == 5
    assert header.width == 7
    assert Field.PHONE not in header.columns


def test_label_of_absent_optional_column_is_the_contract_name():
    header = resolve_header(["klantnummer", "naam", "wijk", "gespreksdatum"])
    assert header.label(Field.MONTHS) == "follow_up_after_months"


@pytest.mark.parametrize(
    ("cells", "words"),
    [
        pytest.param(
            ["klantnummer", "naam", "name", "wijk", "gespreksdatum"],
            ["naam", "name"],
            id="naam-and-name",
        ),
        pytest.param(
            ["client_ref", "klantnr", "name", "wijk", "conversation_date"],
            ["client_ref", "klantnr"],
            id="two-client-ref-aliases",
        ),
        pytest.param(
            ["client_ref", "name", "wijk", "conversation_date", "phone", "Telefoon"],
            ["phone", "Telefoon"],
            id="optional-column-twice",
        ),
        pytest.param(
            ["client_ref", "name", "Wijk", "conversation_date", "WIJK"],
            ["Wijk", "WIJK"],
            id="same-name-other-case",
        ),
    ],
)
def test_duplicate_column_is_refused_naming_it(cells, words):
    with pytest.raises(HeaderError) as error:
        resolve_header(cells)
    message = str(error.value)
    assert "twee keer" in message
    for word in words:
        assert repr(word) in message


@pytest.mark.parametrize(
    ("drop", "word"),
    [
        pytest.param("client_ref", "client_ref", id="client_ref"),
        pytest.param("name", "name", id="name"),
        pytest.param("wijk", "wijk", id="wijk"),
        pytest.param("conversation_date", "conversation_date", id="conversation_date"),
    ],
)
def test_missing_required_header_is_refused_naming_it(drop, word):
    cells = [cell for cell in ENGLISH if cell != drop]
    with pytest.raises(HeaderError) as error:
        resolve_header(cells)
    message = str(error.value)
    assert "ontbreekt" in message
    assert word in message
    others = {"client_ref", "name", "wijk", "conversation_date"} - {drop}
    for other in others:
        assert other not in message


@pytest.mark.parametrize(
    ("drop", "alias"),
    [
        pytest.param("klantnummer", "klantnummer", id="klantnummer"),
        pytest.param("naam", "naam", id="naam"),
        pytest.param("gespreksdatum", "gespreksdatum", id="gespreksdatum"),
    ],
)
def test_missing_required_header_mentions_the_dutch_alias(drop, alias):
    with pytest.raises(HeaderError, match=alias):
        resolve_header([cell for cell in DUTCH if cell != drop])


def test_header_of_only_unknown_columns_names_all_required():
    with pytest.raises(HeaderError) as error:
        resolve_header(["a", "b", "c"])
    for word in ("client_ref", "name", "wijk", "conversation_date"):
        assert word in str(error.value)


# --- good rows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2026-01-31", date(2026, 1, 31), id="iso"),
        pytest.param("2026-1-5", date(2026, 1, 5), id="iso-no-zeros"),
        pytest.param("31-01-2026", date(2026, 1, 31), id="dutch"),
        pytest.param("5-1-2026", date(2026, 1, 5), id="dutch-no-zeros"),
        pytest.param("05-01-2026", date(2026, 1, 5), id="dutch-zeros"),
        pytest.param("29-02-2024", date(2024, 2, 29), id="leap-day"),
        pytest.param("2026-03-15", TODAY, id="today"),
    ],
)
def test_good_row_in_each_date_format(text, expected):
    row = _ok(conversation_date=text)
    assert row.conversation_date == expected
    assert row.client_ref == "K1001"
    assert row.name == "Aïcha Özdemir"
    assert row.wijk == "Oosterpark"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("31-02-2026", id="31-feb"),
        pytest.param("29-02-2026", id="29-feb-not-leap"),
        pytest.param("2026-13-01", id="month-13"),
        pytest.param("2026-00-10", id="month-0"),
        pytest.param("00-01-2026", id="day-0"),
        pytest.param("gisteren", id="word"),
        pytest.param("31/01/2026", id="slashes"),
        pytest.param("2026.01.31", id="dots"),
        pytest.param("01-31-26", id="two-digit-year"),
        pytest.param("20260131", id="compact"),
    ],
)
def test_parse_date_refuses_what_is_not_a_real_date(text):
    assert parse_date(text) is None


def test_defaults_for_optional_columns():
    row = _ok()
    assert row.months == 3
    assert row.initiative is Initiative.MUNICIPALITY
    assert row.preferred_channel is None
    assert row.phone is None
    assert row.phone_alt is None
    assert row.email is None
    assert row.email_valid is False
    assert row.invalid_phones == 0
    assert row.due_on == date(2026, 4, 30)


def test_defaults_when_optional_columns_are_absent():
    header = resolve_header(["klantnummer", "naam", "wijk", "gespreksdatum"])
    row = parse_row(["K1", "Jan de Vries", "Centrum", "15-03-2026"], header, TODAY)
    assert isinstance(row, ClientRow)
    assert (row.months, row.initiative, row.preferred_channel) == (
        3,
        Initiative.MUNICIPALITY,
        None,
    )
    assert row.due_on == date(2026, 6, 15)


def test_full_row_is_read_field_by_field():
    row = _ok(
        client_ref=" K2002 ",
        name="  Jan   de  Vries ",
        wijk="Centrum",
        conversation_date="15-01-2026",
        phone="06-12345678",
        phone_alt="050-3671234",
        email=" Jan.de.Vries@Example.NL ",
        follow_up_after_months="6",
        initiative="Inwoner",
        preferred_channel="SMS",
    )
    assert row.client_ref == "K2002"
    assert row.name == "Jan de Vries"
    assert row.months == 6
    assert row.initiative is Initiative.CLIENT
    assert row.preferred_channel is Channel.SMS
    assert row.due_on == date(2026, 7, 15) + timedelta(days=28)
    assert row.phone is not None and row.phone.e164 == "+31612345678"
    assert row.phone_alt is not None and row.phone_alt.e164 == "+31503671234"
    assert row.email == "jan.de.vries@example.nl"
    assert row.email_valid is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("1", 1, id="min"),
        pytest.param("24", 24, id="max"),
        pytest.param("06", 6, id="leading-zero"),
        pytest.param(" 12 ", 12, id="spaces"),
    ],
)
def test_months_accepted(value, expected):
    assert _ok(follow_up_after_months=value).months == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("gemeente", Initiative.MUNICIPALITY, id="gemeente"),
        pytest.param("municipality", Initiative.MUNICIPALITY, id="municipality"),
        pytest.param("Gemeente", Initiative.MUNICIPALITY, id="Gemeente"),
        pytest.param("inwoner", Initiative.CLIENT, id="inwoner"),
        pytest.param("client", Initiative.CLIENT, id="client"),
        pytest.param("CLIENT", Initiative.CLIENT, id="CLIENT"),
        pytest.param(" inwoner ", Initiative.CLIENT, id="padded"),
    ],
)
def test_initiative_aliases(value, expected):
    row = _ok(initiative=value)
    assert row.initiative is expected
    grace = timedelta(days=28) if expected is Initiative.CLIENT else timedelta()
    assert row.due_on == date(2026, 4, 30) + grace


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("bellen", Channel.CALL, id="bellen"),
        pytest.param("call", Channel.CALL, id="call"),
        pytest.param("Bellen", Channel.CALL, id="Bellen"),
        pytest.param("sms", Channel.SMS, id="sms"),
        pytest.param("SMS", Channel.SMS, id="SMS"),
        pytest.param("email", Channel.EMAIL, id="email"),
        pytest.param("e-mail", Channel.EMAIL, id="e-mail"),
        pytest.param("E-mail", Channel.EMAIL, id="E-mail"),
        pytest.param("", None, id="blank"),
    ],
)
def test_channel_aliases(value, expected):
    assert _ok(preferred_channel=value).preferred_channel is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ja", True), ("Ja", True), ("yes", True), ("1", True), ("j", True),
     ("nee", False), ("NO", False), ("0", False), ("", False)],
)  # fmt: skip
def test_link_in_sms_is_yes_or_no_and_no_by_default(value, expected):
    assert _ok(link_in_sms=value).link_in_sms is expected


@pytest.mark.parametrize(
    ("value", "stored", "valid"),
    [
        pytest.param("a.b@example.nl", "a.b@example.nl", True, id="valid"),
        pytest.param("A.B@Example.NL", "a.b@example.nl", True, id="lower-cased"),
        pytest.param("a.b@example", "a.b@example", False, id="no-tld"),
        pytest.param("a.b.example.nl", "a.b.example.nl", False, id="no-at"),
        pytest.param("a b@example.nl", "a b@example.nl", False, id="space"),
        pytest.param("a@@example.nl", "a@@example.nl", False, id="two-ats"),
        pytest.param(
            "a@" + "x" * 250 + ".nl", "a@" + "x" * 250 + ".nl", False, id="longer-than-254"
        ),
    ],
)
def test_email_is_kept_and_flagged(value, stored, valid):
    row = _ok(email=value)
    assert row.email == stored
    assert row.email_valid is valid


@pytest.mark.parametrize(
    ("phone", "phone_alt", "kept_alt", "invalid"),
    [
        pytest.param("06-12345678", "", False, 0, id="one-phone"),
        pytest.param("06-12345678", "06-12345678", False, 0, id="same-text-twice"),
        pytest.param("06-12345678", "+31 6 1234 5678", False, 0, id="same-number-other-notation"),
        pytest.param("06-12345678", "050-3671234", True, 0, id="two-numbers"),
        pytest.param("06-12345678", "06-1234567a", True, 1, id="alt-bad-characters"),
        pytest.param("06-1234567", "06-12345678", True, 1, id="primary-too-short"),
        pytest.param("0800-1234", "tel 06", True, 2, id="both-invalid"),
        pytest.param("", "06-1234567a", True, 1, id="only-alt-invalid"),
        pytest.param("06-1234567a", "06-1234567a", False, 1, id="same-invalid-text-twice"),
    ],
)
def test_phones_on_a_row(phone, phone_alt, kept_alt, invalid):
    row = _ok(phone=phone, phone_alt=phone_alt)
    assert (row.phone is not None) is bool(phone)
    assert (row.phone_alt is not None) is kept_alt
    assert row.invalid_phones == invalid


def test_invalid_phone_does_not_reject_the_row():
    row = _ok(phone="06-1234567a")
    assert row.phone is not None
    assert row.phone.invalid_reason is InvalidPhoneReason.BAD_CHARACTERS
    assert row.phone.raw == "06-1234567a"
    assert row.invalid_phones == 1


# --- rejected rows -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "reason", "words"),
    [
        pytest.param({"client_ref": ""}, RejectReason.MISSING_VALUE, ["client_ref", "leeg"],
                     id="missing-client_ref"),
        pytest.param({"name": "   "}, RejectReason.MISSING_VALUE, ["name", "leeg"],
                     id="missing-name"),
        pytest.param({"wijk": ""}, RejectReason.MISSING_VALUE, ["wijk", "leeg"],
                     id="missing-wijk"),
        pytest.param({"conversation_date": ""}, RejectReason.MISSING_VALUE,
                     ["conversation_date", "leeg"], id="missing-conversation_date"),
        pytest.param({"client_ref": "K" * (MAX_CLIENT_REF + 1)}, RejectReason.TOO_LONG,
                     ["client_ref", str(MAX_CLIENT_REF)], id="too-long-client_ref"),
        pytest.param({"name": "n" * (MAX_NAME + 1)}, RejectReason.TOO_LONG,
                     ["name", str(MAX_NAME)], id="too-long-name"),
        pytest.param({"wijk": "w" * (MAX_WIJK + 1)}, RejectReason.TOO_LONG,
                     ["wijk", str(MAX_WIJK)], id="too-long-wijk"),
        pytest.param({"conversation_date": "31-02-2026"}, RejectReason.BAD_DATE,
                     ["conversation_date", "'31-02-2026'"], id="bad-date-31-feb"),
        pytest.param({"conversation_date": "2026-13-01"}, RejectReason.BAD_DATE,
                     ["conversation_date", "'2026-13-01'"], id="bad-date-month-13"),
        pytest.param({"conversation_date": "gisteren"}, RejectReason.BAD_DATE,
                     ["conversation_date", "'gisteren'", "JJJJ-MM-DD"], id="bad-date-word"),
        pytest.param({"conversation_date": "2026-03-16"}, RejectReason.FUTURE_DATE,
                     ["conversation_date", "toekomst"], id="future-tomorrow"),
        pytest.param({"conversation_date": "01-01-2027"}, RejectReason.FUTURE_DATE,
                     ["conversation_date", "'01-01-2027'"], id="future-dutch-format"),
        pytest.param({"follow_up_after_months": "0"}, RejectReason.BAD_MONTHS,
                     ["follow_up_after_months", "'0'", "24"], id="months-0"),
        pytest.param({"follow_up_after_months": "25"}, RejectReason.BAD_MONTHS,
                     ["follow_up_after_months", "'25'"], id="months-25"),
        pytest.param({"follow_up_after_months": "3.5"}, RejectReason.BAD_MONTHS,
                     ["follow_up_after_months", "'3.5'"], id="months-fraction"),
        pytest.param({"follow_up_after_months": "drie"}, RejectReason.BAD_MONTHS,
                     ["follow_up_after_months", "'drie'"], id="months-word"),
        pytest.param({"follow_up_after_months": "-3"}, RejectReason.BAD_MONTHS,
                     ["follow_up_after_months", "'-3'"], id="months-negative"),
        pytest.param({"follow_up_after_months": "³"}, RejectReason.BAD_MONTHS,
                     ["follow_up_after_months", "'³'"], id="months-superscript-digit"),
        pytest.param({"initiative": "ja"}, RejectReason.BAD_INITIATIVE,
                     ["initiative", "'ja'", "gemeente of inwoner"], id="bad-initiative"),
        pytest.param({"preferred_channel": "fax"}, RejectReason.BAD_CHANNEL,
                     ["preferred_channel", "'fax'", "bellen"], id="bad-channel"),
        pytest.param({"preferred_channel": "whatsapp"}, RejectReason.BAD_CHANNEL,
                     ["preferred_channel", "'whatsapp'"], id="bad-channel-whatsapp"),
        pytest.param({"link_in_sms": "misschien"}, RejectReason.BAD_YES_NO,
                     ["link_in_sms", "'misschien'", "ja of nee"], id="bad-yes-no"),
    ],
)  # fmt: skip
def test_rejections_name_the_english_column(values, reason, words):
    result = _parse(**values)
    assert isinstance(result, Rejection)
    assert result.reason is reason
    for word in words:
        assert word in result.message


@pytest.mark.parametrize(
    ("values", "reason", "label"),
    [
        pytest.param({"client_ref": ""}, RejectReason.MISSING_VALUE, "klantnummer",
                     id="missing-klantnummer"),
        pytest.param({"name": ""}, RejectReason.MISSING_VALUE, "naam", id="missing-naam"),
        pytest.param({"wijk": ""}, RejectReason.MISSING_VALUE, "wijk", id="missing-wijk"),
        pytest.param({"conversation_date": ""}, RejectReason.MISSING_VALUE, "gespreksdatum",
                     id="missing-gespreksdatum"),
        pytest.param({"name": "n" * (MAX_NAME + 1)}, RejectReason.TOO_LONG, "naam",
                     id="too-long-naam"),
        pytest.param({"conversation_date": "31-02-2026"}, RejectReason.BAD_DATE,
                     "gespreksdatum", id="bad-date"),
        pytest.param({"conversation_date": "16-03-2026"}, RejectReason.FUTURE_DATE,
                     "gespreksdatum", id="future-date"),
        pytest.param({"follow_up_after_months": "drie"}, RejectReason.BAD_MONTHS,
                     "nabellen_na_maanden", id="bad-months"),
        pytest.param({"initiative": "ja"}, RejectReason.BAD_INITIATIVE, "initiatief",
                     id="bad-initiative"),
        pytest.param({"preferred_channel": "fax"}, RejectReason.BAD_CHANNEL, "voorkeurskanaal",
                     id="bad-channel"),
    ],
)  # fmt: skip
def test_rejections_name_the_dutch_column(values, reason, label):
    result = _parse(header_cells=DUTCH, **values)
    assert isinstance(result, Rejection)
    assert result.reason is reason
    assert result.message.startswith(label + " ")
    english = next(f.value for f in FIELDS if DUTCH[FIELDS.index(f)] == label)
    if english != label:
        assert english not in result.message


def test_rejection_uses_the_header_spelling_as_written():
    header = resolve_header(["KlantNr", "Naam", "Wijk", "GespreksDatum"])
    result = parse_row(["K1", "Jan", "Centrum", "gisteren"], header, TODAY)
    assert isinstance(result, Rejection)
    assert result.reason is RejectReason.BAD_DATE
    assert result.message.startswith("GespreksDatum 'gisteren'")


@pytest.mark.parametrize(
    ("length", "words"),
    [
        pytest.param(len(ENGLISH) - 1, ["10", "11"], id="one-short"),
        pytest.param(len(ENGLISH) + 1, ["12", "11"], id="one-extra"),
        pytest.param(1, ["1 kolommen", "11"], id="single-cell"),
    ],
)
def test_wrong_field_count(length, words):
    cells = [*_row(), "x"][:length]
    result = parse_row(cells, resolve_header(ENGLISH), TODAY)
    assert isinstance(result, Rejection)
    assert result.reason is RejectReason.WRONG_FIELD_COUNT
    for word in words:
        assert word in result.message


def test_required_checks_run_in_column_order():
    result = _parse(client_ref="", name="", conversation_date="gisteren")
    assert isinstance(result, Rejection)
    assert result.reason is RejectReason.MISSING_VALUE
    assert result.message.startswith("client_ref ")


def test_date_checked_against_given_today():
    assert isinstance(_parse(conversation_date="2026-03-16"), Rejection)
    row = _parse(conversation_date="2026-03-16", today=date(2026, 3, 16))
    assert isinstance(row, ClientRow)


@pytest.mark.parametrize(
    ("header_cells", "label"),
    [
        pytest.param(ENGLISH, "client_ref", id="english"),
        pytest.param(DUTCH, "klantnummer", id="dutch"),
    ],
)
def test_duplicate_rejection_mentions_first_line(header_cells, label):
    rejection = duplicate_rejection(resolve_header(header_cells), "K1001", 17)
    assert rejection.reason is RejectReason.DUPLICATE_CLIENT_REF
    assert "regel 17" in rejection.message
    assert rejection.message.startswith(f"{label} 'K1001'")
