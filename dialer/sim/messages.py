"""Text messages through the simulated carrier: checked by destination at create, then
queued -> sent -> delivered or undelivered, one step per `pace`, with status callbacks."""

import asyncio
import logging
from collections.abc import Mapping

from dialer.sim.behaviour import Rejection, SmsFate, destination, sms_fate
from dialer.sim.callbacks import StatusCallbacks
from dialer.sim.config import SimConfig
from dialer.sim.errors import CarrierError, fail
from dialer.sim.records import API_VERSION, Callback, Ledger, MessageRecord, new_sid
from dialer.sim.tasks import BackgroundTasks
from followup.clock import utc_now
from followup.rules.phones import mask_phone

log = logging.getLogger(__name__)

OUTBOUND = "outbound-api"
REPLY = "outbound-reply"  # the <Message> of a TwiML answer to an inbound text
INBOUND = "inbound"


class MessageFlow:
    def __init__(
        self, config: SimConfig, tasks: BackgroundTasks, callbacks: StatusCallbacks
    ) -> None:
        self.config = config
        self.ledger: Ledger[MessageRecord] = Ledger()
        self._tasks = tasks
        self._callbacks = callbacks

    def create(self, form: Mapping[str, str]) -> MessageRecord:
        """POST Messages.json; raises CarrierError for what Twilio refuses."""
        to, from_, body = form.get("To"), form.get("From"), form.get("Body")
        if not to:
            raise fail(400, 21604, "A 'To' phone number is required.")
        if not from_:
            raise fail(400, 21603, "A 'From' phone number is required.")
        if not body:
            raise fail(400, 21602, "Message body is required.")
        target = destination(to)
        fate = sms_fate(target)
        if isinstance(fate, Rejection):
            raise CarrierError(fate)
        url = form.get("StatusCallback")
        record = MessageRecord(
            sid=new_sid("SM"),
            to=target.identity,
            from_=destination(from_).identity,
            direction=OUTBOUND,
            status="queued",
            callback=Callback(url) if url else None,
            body=body,
        )
        return self._send(record, fate)

    def reply(self, to: str, from_: str, body: str) -> MessageRecord:
        fate = sms_fate(destination(to))
        if isinstance(fate, Rejection):
            fate = SmsFate("failed", fate.code)
        record = MessageRecord(new_sid("SM"), to, from_, REPLY, "queued", body=body)
        return self._send(record, fate)

    def receive(self, from_: str, to: str, body: str) -> MessageRecord:
        """A text from a resident's phone to our number."""
        record = MessageRecord(new_sid("SM"), to, from_, INBOUND, "received", body=body)
        return self.ledger.add(record)

    def last_sender_to(self, number: str) -> str | None:
        for record in reversed(self.ledger.items):
            if record.to == number and record.direction != INBOUND:
                return record.from_
        return None

    def _send(self, record: MessageRecord, fate: SmsFate) -> MessageRecord:
        self.ledger.add(record)
        self._tasks.spawn(self._progress(record, fate), name=f"message {record.sid}")
        log.debug("message %s to %s queued", record.sid, mask_phone(record.to))
        return record

    async def _progress(self, record: MessageRecord, fate: SmsFate) -> None:
        await asyncio.sleep(self.config.pace)
        record.date_sent = utc_now()
        self._move(record, "sent")
        await asyncio.sleep(self.config.pace)
        record.error_code = fate.error_code
        self._move(record, fate.status)

    def _move(self, record: MessageRecord, status: str) -> None:
        record.touch(status)
        if record.callback is None:
            return
        params = {
            "MessageSid": record.sid,
            "SmsSid": record.sid,
            "AccountSid": self.config.account_sid,
            "From": record.from_,
            "To": record.to,
            "MessageStatus": status,
            "SmsStatus": status,
            "ApiVersion": API_VERSION,
        }
        if record.error_code is not None:
            params["ErrorCode"] = str(record.error_code)
        self._callbacks.post(record.sid, record.callback, params)
