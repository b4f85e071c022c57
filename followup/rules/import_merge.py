"""What importing a row changes for a client already on file (upsert by client_ref).

A number that is the same number as before keeps its row, and with it any proof the
carrier gave that it is wrong; a different number retires the old row (past attempts
keep pointing at it) and gets a new one.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from followup.rules.domain import Channel, ContactStatus, Initiative, PhoneLabel
from followup.rules.import_rows import ClientRow
from followup.rules.phones import PhoneClassification


@dataclass(frozen=True, slots=True)
class StoredPhone:
    id: int
    identity: str


@dataclass(frozen=True, slots=True)
class StoredConversation:
    id: int
    months: int
    initiative: Initiative


@dataclass(slots=True)
class StoredClient:
    id: int
    name: str
    wijk: str
    email: str | None
    email_status: ContactStatus | None
    preferred_channel: Channel | None
    link_in_sms: bool
    phones: dict[PhoneLabel, StoredPhone] = field(default_factory=dict)
    conversations: dict[date, StoredConversation] = field(default_factory=dict)


@dataclass(slots=True)
class ClientChanges:
    client_fields: dict[str, Any]
    new_phones: list[tuple[PhoneLabel, PhoneClassification]]
    retired_phone_ids: list[int]
    conversation_fields: dict[str, Any]
    conversation_id: int | None

    @property
    def changed(self) -> bool:
        return bool(
            self.client_fields
            or self.new_phones
            or self.retired_phone_ids
            or self.conversation_fields
        )


def client_fields(row: ClientRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "wijk": row.wijk,
        "email": row.email,
        "email_status": None
        if row.email is None
        else ContactStatus.VALID
        if row.email_valid
        else ContactStatus.INVALID,
        "preferred_channel": row.preferred_channel,
        "link_in_sms": row.link_in_sms,
    }


def conversation_fields(row: ClientRow) -> dict[str, Any]:
    return {
        "follow_up_after_months": row.months,
        "initiative": row.initiative,
        "due_on": row.due_on,
    }


def merge(row: ClientRow, stored: StoredClient | None) -> ClientChanges:
    wanted = client_fields(row)
    phones = {PhoneLabel.PRIMARY: row.phone, PhoneLabel.ALTERNATE: row.phone_alt}
    if stored is None:
        return ClientChanges(
            client_fields=wanted,
            new_phones=[(label, p) for label, p in phones.items() if p is not None],
            retired_phone_ids=[],
            conversation_fields={
                "conversation_date": row.conversation_date,
                **conversation_fields(row),
            },
            conversation_id=None,
        )

    changed_fields = {k: v for k, v in wanted.items() if getattr(stored, k) != v}
    new_phones: list[tuple[PhoneLabel, PhoneClassification]] = []
    retired: list[int] = []
    for label, phone in phones.items():
        old = stored.phones.get(label)
        if phone is not None and old is not None and old.identity == phone.identity:
            continue
        if old is not None:
            retired.append(old.id)
        if phone is not None:
            new_phones.append((label, phone))

    conversation = stored.conversations.get(row.conversation_date)
    if conversation is None:
        conv_fields = {"conversation_date": row.conversation_date, **conversation_fields(row)}
    elif (conversation.months, conversation.initiative) != (row.months, row.initiative):
        conv_fields = conversation_fields(row)
    else:
        conv_fields = {}
    return ClientChanges(
        client_fields=changed_fields,
        new_phones=new_phones,
        retired_phone_ids=retired,
        conversation_fields=conv_fields,
        conversation_id=conversation.id if conversation else None,
    )
