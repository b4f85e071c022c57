"""A storm of status callbacks as the carrier may send them: for each message or call a
plausible life of statuses, some callbacks twice, all in shuffled order, each signed exactly
as Twilio signs them. What the service must make of it is known in advance: every attempt
ends in the highest-ranked status it was told, and every (SID, status) is one event.

The benchmark of the webhooks and the replay tests use it; nothing here touches a database.
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from dialer.sim.records import API_VERSION
from followup.carrier_urls import CarrierUrls
from followup.rules import carrier_status as ranks
from followup.rules.carrier_errors import Failure, classify_delivery
from followup.rules.domain import AttemptState, CarrierResource
from followup.settings import SIM_ACCOUNT_SID, SIM_FROM

# (weight, statuses in the order the carrier reports them, error code of the last one).
# Each life ends in one final status, so the highest-ranked one is never a tie. Most
# messages arrive; calls are often not answered.
_MESSAGE_LIVES = (
    (60, ("queued", "sent", "delivered"), None),
    (20, ("accepted", "queued", "sending", "sent", "delivered"), None),
    (8, ("queued", "sent", "delivered", "read"), None),
    (7, ("queued", "sent", "undelivered"), 30003),  # handset off: tried again later
    (5, ("queued", "sent", "failed"), 30005),  # unknown handset: the number is flagged
)
_CALL_LIVES = (
    (60, ("initiated", "ringing", "in-progress", "completed"), None),
    (25, ("initiated", "ringing", "no-answer"), None),
    (10, ("initiated", "ringing", "busy"), None),
    (5, ("initiated", "failed"), 13224),  # Dial: invalid number
)
_LIVES = (
    (55, ("queued", "sent", "delivered"), None),
    (15, ("accepted", "queued", "sending", "sent", "delivered"), None),
    (5, ("queued", "sent", "delivered", "read"), None),
    (15, ("queued", "sent", "undelivered"), 30003),  # handset off: tried again later
    (10, ("queued", "sent", "failed"), 30005),  # unknown handset: the number is flagged
)
_CALL_LIVES = (
    (60, ("initiated", "ringing", "in-progress", "completed"), None),
    (20, ("initiated", "ringing", "no-answer"), None),
    (10, ("initiated", "ringing", "busy"), None),
    (10, ("initiated", "failed"), 13224),  # Dial: invalid number
)
_LIVES = {CarrierResource.MESSAGE: _MESSAGE_LIVES, CarrierResource.CALL: _CALL_LIVES}
_SIP = {"completed": "200", "busy": "486", "no-answer": "480", "failed": "404"}


def sid_for(attempt_id: int, resource: CarrierResource) -> str:
    prefix = "SM" if resource is CarrierResource.MESSAGE else "CA"
    return f"{prefix}{attempt_id:032x}"


@dataclass(frozen=True, slots=True)
class Callback:
    attempt_id: int
    resource: CarrierResource
    status: str
    error_code: int | None = None

    @property
    def sid(self) -> str:
        return sid_for(self.attempt_id, self.resource)

    def url(self, public_url: str) -> str:
        """The callback URL the dialer gives the carrier for this attempt."""
        urls = CarrierUrls(public_url)
        if self.resource is CarrierResource.MESSAGE:
            return urls.sms_status(self.attempt_id)
        return urls.call_status(self.attempt_id, "client")

    def params(self) -> dict[str, str]:
        common = {"AccountSid": SIM_ACCOUNT_SID, "From": SIM_FROM, "ApiVersion": API_VERSION}
        to = f"+316{self.attempt_id % 10**8:08d}"
        if self.resource is CarrierResource.MESSAGE:
            params = common | {
                "MessageSid": self.sid,
                "SmsSid": self.sid,
                "To": to,
                "MessageStatus": self.status,
                "SmsStatus": self.status,
            }
        else:
            params = common | {"CallSid": self.sid, "To": to, "CallStatus": self.status}
            params |= {"Direction": "outbound-dial", "CallbackSource": "call-progress-events"}
            if self.status in _SIP:
                params["SipResponseCode"] = _SIP[self.status]
            if self.status == "completed":
                params["CallDuration"] = "42"
        if self.error_code is not None:
            params["ErrorCode"] = str(self.error_code)
        return params


@dataclass(frozen=True, slots=True)
class Signed:
    """One request ready to post: path and query, form body, headers."""

    path_qs: str
    body: bytes
    headers: dict[str, str]


def sign(callback: Callback, public_url: str, auth_token: str) -> Signed:
    url, params = callback.url(public_url), callback.params()
    signature = RequestValidator(auth_token).compute_signature(url, params)
    return Signed(
        url.removeprefix(public_url),
        urlencode(params).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )


def life(attempt_id: int, resource: CarrierResource, rng: random.Random) -> list[Callback]:
    """The statuses the carrier reports for one attempt, in its order."""
    lives = _LIVES[resource]
    _, statuses, error_code = rng.choices(lives, weights=[w for w, _, _ in lives])[0]
    last = len(statuses) - 1
    return [
        Callback(attempt_id, resource, status, error_code if i == last else None)
        for i, status in enumerate(statuses)
    ]


def in_carrier_order(lives: Sequence[list[Callback]], rng: random.Random) -> list[Callback]:
    """Every attempt's first status, then every second one, and so on: the order of a busy
    carrier that reports each resource in its own order."""
    steps = max(map(len, lives), default=0)
    ordered = []
    for step in range(steps):
        batch = [callbacks[step] for callbacks in lives if step < len(callbacks)]
        rng.shuffle(batch)
        ordered += batch
    return ordered


@dataclass(frozen=True)
class Replay:
    callbacks: list[Callback]  # what to post, duplicates included, shuffled
    sent: frozenset[tuple[str, str]]  # each distinct (SID, status) once
    expected: dict[int, tuple[str, AttemptState]]  # attempt id: (carrier status, state)
    retried: frozenset[int]  # attempts whose failure is transient: one new attempt each

    @property
    def duplicates(self) -> int:
        return len(self.callbacks) - len(self.sent)


def replay(
    attempts: Iterable[tuple[int, CarrierResource]],
    total: int,
    duplicate_share: float,
    rng: random.Random,
) -> Replay:
    """`total` callbacks, `duplicate_share` of them repeating another one, shuffled, for as
    many of `attempts` as needed (the last life may be cut short)."""
    distinct_count = round(total * (1 - duplicate_share))
    distinct: list[Callback] = []
    for attempt_id, resource in attempts:
        if len(distinct) >= distinct_count:
            break
        distinct += life(attempt_id, resource, rng)
    if len(distinct) < distinct_count:
        raise ValueError(f"{distinct_count} distinct callbacks need more attempts")
    distinct = distinct[:distinct_count]
    callbacks = distinct + rng.choices(distinct, k=total - distinct_count)
    rng.shuffle(callbacks)
    retried = frozenset(
        c.attempt_id
        for c in distinct
        if c.resource is CarrierResource.MESSAGE
        and ranks.attempt_state(c.resource, c.status) is AttemptState.FAILED
        and classify_delivery(c.error_code) is Failure.TRANSIENT
    )
    sent = frozenset((c.sid, c.status) for c in distinct)
    return Replay(callbacks, sent, _expected(distinct), retried)


def _expected(callbacks: Iterable[Callback]) -> dict[int, tuple[str, AttemptState]]:
    best: dict[int, Callback] = {}
    for callback in callbacks:
        known = best.get(callback.attempt_id)
        if known is None or ranks.rank(callback.resource, callback.status) > ranks.rank(
            known.resource, known.status
        ):
            best[callback.attempt_id] = callback
    return {
        attempt_id: (c.status, ranks.attempt_state(c.resource, c.status))
        for attempt_id, c in best.items()
    }


@dataclass(frozen=True)
class Verdict:
    wrong_status: int  # attempts not in the highest-ranked status they were told
    wrong_state: int
    lost_events: int  # (SID, status) sent but not stored
    duplicate_events: int  # stored more than once, or stored though never sent
    wrong_retries: int  # attempts tried again that should not be, or the other way round

    @property
    def ok(self) -> bool:
        return not any(astuple(self))


def verdict(
    plan: Replay,
    attempts: Iterable[tuple[int, str | None, str]],
    events: Iterable[tuple[str, str]],
    retries: Iterable[int],
) -> Verdict:
    """`attempts`: (id, carrier status, state) of the replay's attempts as stored; `events`:
    (SID, status) of every event stored for their SIDs; `retries`: the attempts that new
    attempts replace, one for each new attempt."""
    stored = {attempt_id: (status, state) for attempt_id, status, state in attempts}
    wrong_status = wrong_state = 0
    for attempt_id, (status, state) in plan.expected.items():
        found_status, found_state = stored.get(attempt_id, (None, None))
        wrong_status += found_status != status
        wrong_state += found_state != state.value
    keys, replaced = list(events), list(retries)
    return Verdict(
        wrong_status=wrong_status,
        wrong_state=wrong_state,
        lost_events=len(plan.sent - set(keys)),
        duplicate_events=len(keys) - len(set(keys) & plan.sent),
        wrong_retries=len(replaced) - len(set(replaced)) + len(set(replaced) ^ plan.retried),
    )
