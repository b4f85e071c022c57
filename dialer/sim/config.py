"""What a simulated carrier is told at start: the account it serves and how fast it plays."""

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class SimConfig:
    account_sid: str
    auth_token: str  # checks our REST requests and signs the callbacks, as Twilio's does
    default_from: str  # our number: "To" of a demo reply when no message went to that phone
    inbound_sms_url: str | None = None  # where demo replies go; None: the phone cannot reply
    callbacks: bool = True  # off for benchmarks that only measure sending
    pace: float = 0.05  # seconds between two steps, e.g. queued -> sent -> delivered
    max_call_seconds: float = 600  # an answered call nobody hangs up ends after this long
    callback_timeout: float = 5.0  # per status callback, TwiML fetch or inbound webhook
    fault_delay: float = 60.0  # how long a "timeout" fault keeps the answer back

    def __post_init__(self) -> None:
        if self.pace <= 0 or self.max_call_seconds <= 0 or self.callback_timeout <= 0:
            raise ValueError("pace, max_call_seconds and callback_timeout must be positive")
