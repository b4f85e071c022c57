"""What a client can be reached by, now, as SQL expressions over `clients` (used inside
statements that join it), and a compact code for the combination."""

import sqlalchemy as sa

from followup.rules.domain import Channel, ContactStatus, EvidenceSource
from followup.rules.ladder import ContactProfile
from followup.rules.phones import CALLABLE_TYPES, SMS_TYPES
from followup.store.tables import Client, OptOut, PhoneNumber

_PROOF = (EvidenceSource.CARRIER_ERROR, EvidenceSource.DELIVERY_ERROR, EvidenceSource.LOOKUP)
_PREFERENCES = {None: 0, Channel.CALL: 1, Channel.SMS: 2, Channel.EMAIL: 3}
_CALL_PARTS = {None: 0, "morning": 1, "afternoon": 2, "evening": 3}


def _phone_exists(*conditions: sa.ColumnElement[bool]) -> sa.Exists:
    return sa.exists().where(
        PhoneNumber.client_id == Client.id, PhoneNumber.retired_at.is_(None), *conditions
    )


# The SQL of `rules.phones.can_take_sms` and `can_be_called`.
TAKES_SMS = (
    PhoneNumber.status == ContactStatus.VALID,
    PhoneNumber.type.in_(sorted(SMS_TYPES)),
    PhoneNumber.sms_blocked.is_(False),
)
CAN_SMS = _phone_exists(*TAKES_SMS)
CAN_CALL = _phone_exists(
    PhoneNumber.status == ContactStatus.VALID, PhoneNumber.type.in_(sorted(CALLABLE_TYPES))
)
HAS_EMAIL = Client.email_status == ContactStatus.VALID
PROVEN_WRONG = _phone_exists(
    PhoneNumber.status == ContactStatus.INVALID, PhoneNumber.invalid_source.in_(_PROOF)
)
OPTED_OUT = sa.exists().where(OptOut.client_id == Client.id, OptOut.lifted_at.is_(None))
NO_CONTACT = sa.and_(~CAN_SMS, ~CAN_CALL, sa.not_(sa.func.coalesce(HAS_EMAIL, False)))

# Codes below this are of residents who chose no part of the day to be called in.
NO_CALL_PART_BELOW = 32


def _code_of(column: sa.ColumnElement, codes: dict) -> sa.Case:
    return sa.case(*((column == key, code) for key, code in codes.items() if key), else_=0)


PROFILE_CODE = (
    sa.case((CAN_SMS, 1), else_=0)
    + sa.case((CAN_CALL, 2), else_=0)
    + sa.case((HAS_EMAIL, 4), else_=0)
    + 8 * _code_of(Client.preferred_channel, _PREFERENCES)
    + NO_CALL_PART_BELOW * _code_of(Client.call_part, _CALL_PARTS)
)


def decode_profile(code: int) -> ContactProfile:
    return ContactProfile(
        can_sms=bool(code & 1),
        can_call=bool(code & 2),
        has_email=bool(code & 4),
        preferred={v: k for k, v in _PREFERENCES.items()}[code // 8 % 4],
        call_part={v: k for k, v in _CALL_PARTS.items()}[code // NO_CALL_PART_BELOW],
    )
