"""What the simulated carrier keeps of each message and call, and how it shows them: in the
JSON shapes of Twilio's REST API (2010-04-01), so the real `twilio` library can read them."""

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from dialer.sim.behaviour import CallStatus, num_segments
from followup.clock import utc_now

API_VERSION = "2010-04-01"
FINAL_CALL_STATUSES = frozenset(
    {
        CallStatus.COMPLETED,
        CallStatus.BUSY,
        CallStatus.NO_ANSWER,
        CallStatus.FAILED,
        CallStatus.CANCELED,
    }
)


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def rfc2822(moment: datetime | None) -> str | None:
    """Twilio's REST dates: "Tue, 04 Mar 2025 09:00:00 +0000"."""
    return None if moment is None else format_datetime(moment)


def account_uri(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}"


@dataclass(frozen=True, slots=True)
class Callback:
    """Where a resource's status callbacks go, and which call events are asked for."""

    url: str
    method: str = "POST"
    events: frozenset[str] = frozenset()


@dataclass(slots=True, eq=False)
class Record:
    sid: str
    to: str
    from_: str
    direction: str
    status: str
    callback: Callback | None = None
    error_code: int | None = None
    created: datetime = field(default_factory=utc_now)
    updated: datetime = field(default_factory=utc_now)
    received_monotonic: float = field(default_factory=time.monotonic)

    def touch(self, status: str) -> None:
        self.status = status
        self.updated = utc_now()

    def sim_json(self, account_sid: str) -> dict[str, Any]:
        """The resource as /sim/ lists it: Twilio's JSON plus when the carrier got it (the
        monotonic clock is the machine's, for send rates measured from another process)."""
        return self.to_json(account_sid) | {
            "received_at": self.created.isoformat(),
            "received_monotonic": self.received_monotonic,
        }

    def to_json(self, account_sid: str) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(slots=True, eq=False)
class MessageRecord(Record):
    body: str = ""
    date_sent: datetime | None = None

    def to_json(self, account_sid: str) -> dict[str, Any]:
        uri = f"{account_uri(account_sid)}/Messages/{self.sid}"
        return {
            "account_sid": account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.updated),
            "direction": self.direction,
            "error_code": self.error_code,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": str(num_segments(self.body)),
            "price": None,
            "price_unit": "EUR",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": self.to,
            "uri": f"{uri}.json",
        }


@dataclass(slots=True, eq=False)
class CallRecord(Record):
    parent_call_sid: str | None = None
    url: str | None = None  # where the TwiML for an answered call comes from
    method: str = "POST"
    start_time: datetime | None = None  # when it was answered
    end_time: datetime | None = None
    sequence: int = 0  # SequenceNumber of its next status callback
    bridged: "CallRecord | None" = None  # the resident's leg this agent's leg is talking to
    said: list[str] = field(default_factory=list)  # text of <Say>, in order
    notes: list[str] = field(default_factory=list)  # why it ended, when Twilio would tell
    ended: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_CALL_STATUSES

    @property
    def root_sid(self) -> str:
        """Both legs of a click-to-call share one line of callbacks."""
        return self.parent_call_sid or self.sid

    @property
    def duration(self) -> int | None:
        if self.end_time is None:
            return None
        if self.start_time is None:
            return 0
        return round((self.end_time - self.start_time).total_seconds())

    def to_json(self, account_sid: str) -> dict[str, Any]:
        uri = f"{account_uri(account_sid)}/Calls/{self.sid}"
        duration = self.duration
        return {
            "account_sid": account_sid,
            "annotation": None,
            "answered_by": None,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": rfc2822(self.created),
            "date_updated": rfc2822(self.updated),
            "direction": self.direction,
            "duration": None if duration is None else str(duration),
            "end_time": rfc2822(self.end_time),
            "forwarded_from": None,
            "from": self.from_,
            "from_formatted": self.from_,
            "group_sid": None,
            "parent_call_sid": self.parent_call_sid,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "EUR",
            "queue_time": "0",
            "sid": self.sid,
            "start_time": rfc2822(self.start_time),
            "status": self.status,
            "subresource_uris": {
                "notifications": f"{uri}/Notifications.json",
                "recordings": f"{uri}/Recordings.json",
                "events": f"{uri}/Events.json",
            },
            "to": self.to,
            "to_formatted": self.to,
            "trunk_sid": None,
            "uri": f"{uri}.json",
        }


def list_page(
    key: str,
    items: list[dict[str, Any]],
    path: str,
    filters: dict[str, str],
    page: int,
    page_size: int,
) -> dict[str, Any]:
    """One page of a list in Twilio's shape; the library follows next_page_uri by itself."""
    start = page * page_size
    chunk = items[start : start + page_size]

    def page_uri(number: int) -> str:
        return f"{path}?{urlencode({**filters, 'PageSize': page_size, 'Page': number})}"

    return {
        key: chunk,
        "start": start,
        "end": start + len(chunk) - 1 if chunk else start,
        "page": page,
        "page_size": page_size,
        "uri": page_uri(page),
        "first_page_uri": page_uri(0),
        "next_page_uri": page_uri(page + 1) if start + page_size < len(items) else None,
        "previous_page_uri": page_uri(page - 1) if page > 0 else None,
    }


R = TypeVar("R", bound=Record)


class Ledger(Generic[R]):
    """Records in arrival order, found by SID."""

    def __init__(self) -> None:
        self.items: list[R] = []
        self._by_sid: dict[str, R] = {}

    def add(self, record: R) -> R:
        self.items.append(record)
        self._by_sid[record.sid] = record
        return record

    def get(self, sid: str) -> R | None:
        return self._by_sid.get(sid)
