from datetime import date, timedelta

import pytest

from followup.rules.domain import Channel, ContactStatus, Initiative, PhoneLabel
from followup.rules.import_merge import (
    ClientChanges,
    StoredClient,
    StoredConversation,
    StoredPhone,
    merge,
)
from followup.rules.import_rows import ClientRow, Field, parse_row, resolve_header
from followup.rules.phones import classify_phone

TODAY = date(2026, 3, 15)
HEADER = resolve_header([field.value for field in Field])
CONVERSATION = date(2026, 1, 31)

PRIMARY_ID = 11
ALTERNATE_ID = 12
CONVERSATION_ID = 21

BASE = {
    Field.CLIENT_REF: "K1001",
    Field.NAME: "Aïcha Özdemir",
    Field.WIJK: "Oosterpark",
    Field.CONVERSATION_DATE: "2026-01-31",
    Field.PHONE: "06-12345678",
    Field.PHONE_ALT: "050-3671234",
    Field.EMAIL: "aicha@example.nl",
    Field.MONTHS: "3",
    Field.INITIATIVE: "gemeente",
    Field.PREFERRED_CHANNEL: "sms",
    Field.LINK_IN_SMS: "",
}


def _row(**changes: str) -> ClientRow:
    values = BASE | {Field(key): value for key, value in changes.items()}
    row = parse_row([values[field] for field in Field], HEADER, TODAY)
    assert isinstance(row, ClientRow), row
    return row


def _stored() -> StoredClient:
    """What BASE looks like once it is on file."""
    return StoredClient(
        id=1,
        name="Aïcha Özdemir",
        wijk="Oosterpark",
        email="aicha@example.nl",
        email_status=ContactStatus.VALID,
        preferred_channel=Channel.SMS,
        link_in_sms=False,
        phones={
            PhoneLabel.PRIMARY: StoredPhone(PRIMARY_ID, "+31612345678"),
            PhoneLabel.ALTERNATE: StoredPhone(ALTERNATE_ID, "+31503671234"),
        },
        conversations={
            CONVERSATION: StoredConversation(CONVERSATION_ID, 3, Initiative.MUNICIPALITY)
        },
    )


def _labels(changes: ClientChanges) -> list[tuple[PhoneLabel, str | None]]:
    return [(label, phone.e164) for label, phone in changes.new_phones]


def test_new_client_gets_everything():
    row = _row()
    changes = merge(row, None)
    assert changes.changed
    assert changes.client_fields == {
        "name": "Aïcha Özdemir",
        "wijk": "Oosterpark",
        "email": "aicha@example.nl",
        "email_status": ContactStatus.VALID,
        "preferred_channel": Channel.SMS,
        "link_in_sms": False,
    }
    assert _labels(changes) == [
        (PhoneLabel.PRIMARY, "+31612345678"),
        (PhoneLabel.ALTERNATE, "+31503671234"),
    ]
    assert changes.retired_phone_ids == []
    assert changes.conversation_fields == {
        "conversation_date": CONVERSATION,
        "follow_up_after_months": 3,
        "initiative": Initiative.MUNICIPALITY,
        "due_on": date(2026, 4, 30),
    }
    assert changes.conversation_id is None


@pytest.mark.parametrize(
    ("email", "email_status"),
    [
        pytest.param("", None, id="no-email"),
        pytest.param("aicha@example", ContactStatus.INVALID, id="invalid-email"),
    ],
)
def test_new_client_email_status(email, email_status):
    changes = merge(_row(email=email, phone="", phone_alt=""), None)
    assert changes.client_fields["email"] == (email or None)
    assert changes.client_fields["email_status"] is email_status
    assert changes.new_phones == []


def test_unchanged_client_is_no_change():
    changes = merge(_row(), _stored())
    assert not changes.changed
    assert changes.client_fields == {}
    assert changes.new_phones == []
    assert changes.retired_phone_ids == []
    assert changes.conversation_fields == {}
    assert changes.conversation_id == CONVERSATION_ID


@pytest.mark.parametrize(
    ("changes_in_file", "expected"),
    [
        pytest.param({"name": "Aïcha Özdemir-Bakker"}, {"name": "Aïcha Özdemir-Bakker"},
                     id="name"),
        pytest.param({"wijk": "Centrum"}, {"wijk": "Centrum"}, id="wijk"),
        pytest.param({"preferred_channel": "bellen"}, {"preferred_channel": Channel.CALL},
                     id="channel"),
        pytest.param({"preferred_channel": ""}, {"preferred_channel": None},
                     id="channel-removed"),
        pytest.param({"email": "a.ozdemir@example.nl"}, {"email": "a.ozdemir@example.nl"},
                     id="email"),
        pytest.param({"email": "aicha@example"},
                     {"email": "aicha@example", "email_status": ContactStatus.INVALID},
                     id="email-now-invalid"),
        pytest.param({"email": ""}, {"email": None, "email_status": None},
                     id="email-removed"),
        pytest.param({"email": "AICHA@Example.NL"}, {}, id="email-other-case"),
    ],
)  # fmt: skip
def test_changed_client_fields_only(changes_in_file, expected):
    changes = merge(_row(**changes_in_file), _stored())
    assert changes.client_fields == expected
    assert changes.changed is bool(expected)
    assert changes.new_phones == []
    assert changes.retired_phone_ids == []
    assert changes.conversation_fields == {}


@pytest.mark.parametrize(
    ("phone", "phone_alt"),
    [
        pytest.param("+31 6 1234 5678", "050 367 12 34", id="spaced"),
        pytest.param("0031612345678", "+31503671234", id="international"),
        pytest.param("(06) 12345678", "(050) 3671234", id="parentheses"),
    ],
)
def test_same_phone_in_other_notation_is_unchanged(phone, phone_alt):
    changes = merge(_row(phone=phone, phone_alt=phone_alt), _stored())
    assert not changes.changed
    assert changes.new_phones == []
    assert PRIMARY_ID not in changes.retired_phone_ids
    assert ALTERNATE_ID not in changes.retired_phone_ids


def test_different_phone_retires_old_and_adds_new():
    changes = merge(_row(phone="06-87654321"), _stored())
    assert changes.changed
    assert changes.retired_phone_ids == [PRIMARY_ID]
    assert _labels(changes) == [(PhoneLabel.PRIMARY, "+31687654321")]
    assert changes.client_fields == {}
    assert changes.conversation_fields == {}


def test_removed_alternate_phone_is_retired():
    changes = merge(_row(phone_alt=""), _stored())
    assert changes.changed
    assert changes.retired_phone_ids == [ALTERNATE_ID]
    assert changes.new_phones == []


def test_added_alternate_phone_is_new():
    stored = _stored()
    del stored.phones[PhoneLabel.ALTERNATE]
    changes = merge(_row(), stored)
    assert changes.retired_phone_ids == []
    assert _labels(changes) == [(PhoneLabel.ALTERNATE, "+31503671234")]


def test_invalid_phone_is_identified_by_what_was_written():
    written = "06-1234567a"
    stored = _stored()
    stored.phones[PhoneLabel.PRIMARY] = StoredPhone(PRIMARY_ID, classify_phone(written).identity)
    assert stored.phones[PhoneLabel.PRIMARY].identity == written
    assert not merge(_row(phone=written), stored).changed
    fixed = merge(_row(phone="06-12345678"), stored)
    assert fixed.retired_phone_ids == [PRIMARY_ID]
    assert _labels(fixed) == [(PhoneLabel.PRIMARY, "+31612345678")]


def test_new_conversation_date_is_inserted():
    changes = merge(_row(conversation_date="2026-03-01", follow_up_after_months="6"), _stored())
    assert changes.changed
    assert changes.conversation_id is None
    assert changes.conversation_fields == {
        "conversation_date": date(2026, 3, 1),
        "follow_up_after_months": 6,
        "initiative": Initiative.MUNICIPALITY,
        "due_on": date(2026, 9, 1),
    }
    assert changes.client_fields == {}
    assert changes.new_phones == []


@pytest.mark.parametrize(
    ("months", "initiative", "fields"),
    [
        pytest.param(
            "6",
            "gemeente",
            {
                "follow_up_after_months": 6,
                "initiative": Initiative.MUNICIPALITY,
                "due_on": date(2026, 7, 31),
            },
            id="months",
        ),
        pytest.param(
            "3",
            "inwoner",
            {
                "follow_up_after_months": 3,
                "initiative": Initiative.CLIENT,
                "due_on": date(2026, 4, 30) + timedelta(days=28),
            },
            id="initiative",
        ),
        pytest.param(
            "1",
            "inwoner",
            {
                "follow_up_after_months": 1,
                "initiative": Initiative.CLIENT,
                "due_on": date(2026, 2, 28) + timedelta(days=28),
            },
            id="both",
        ),
    ],
)
def test_changed_term_on_existing_conversation_is_an_update(months, initiative, fields):
    changes = merge(_row(follow_up_after_months=months, initiative=initiative), _stored())
    assert changes.changed
    assert changes.conversation_id == CONVERSATION_ID
    assert changes.conversation_fields == fields
    assert "conversation_date" not in changes.conversation_fields
    assert changes.client_fields == {}
    assert changes.new_phones == []
    assert changes.retired_phone_ids == []
