"""Where the carrier reaches this service: the webhook paths of CONTRACT section 5 under the
public URL. An attempt's id travels in the query string of its callback URLs; the carrier's
signature covers the whole URL, so the id can be trusted."""

from dataclasses import dataclass
from urllib.parse import urlencode

SMS_PATH = "/webhooks/twilio/sms"
SMS_STATUS_PATH = "/webhooks/twilio/sms-status"
CALL_STATUS_PATH = "/webhooks/twilio/call-status"
BRIDGE_PATH = "/webhooks/twilio/voice/bridge"


@dataclass(frozen=True, slots=True)
class CarrierUrls:
    public_url: str

    def _url(self, path: str, **query: str | int) -> str:
        return f"{self.public_url}{path}?{urlencode(query)}" if query else self.public_url + path

    @property
    def inbound_sms(self) -> str:
        return self._url(SMS_PATH)

    def sms_status(self, attempt_id: int) -> str:
        return self._url(SMS_STATUS_PATH, attempt=attempt_id)

    def call_status(self, attempt_id: int, leg: str) -> str:
        return self._url(CALL_STATUS_PATH, attempt=attempt_id, leg=leg)

    def bridge(self, attempt_id: int) -> str:
        return self._url(BRIDGE_PATH, attempt=attempt_id)
