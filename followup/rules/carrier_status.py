"""The carrier's statuses of a message or call, in order of meaning, and what each means for
the attempt. Callbacks come twice, late and out of order: a status is applied only when it
ranks above the one already known, so `delivered` is never overwritten by `sent`, and the
first final status of a resource is the one that stays."""

from followup.rules.domain import AttemptState, CarrierResource

FINAL = 5

_MESSAGE_RANKS = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": FINAL,
    "undelivered": FINAL,
    "failed": FINAL,
    "canceled": FINAL,
    "read": FINAL + 1,  # a delivered message that was also read
}
_CALL_RANKS = {
    "queued": 1,
    "initiated": 2,
    "ringing": 3,
    "in-progress": 4,
    "completed": FINAL,
    "busy": FINAL,
    "no-answer": FINAL,
    "failed": FINAL,
    "canceled": FINAL,
}
_RANKS = {CarrierResource.MESSAGE: _MESSAGE_RANKS, CarrierResource.CALL: _CALL_RANKS}

_MESSAGE_STATES = {
    "delivered": AttemptState.DELIVERED,
    "read": AttemptState.DELIVERED,
    "undelivered": AttemptState.FAILED,
    "failed": AttemptState.FAILED,
    "canceled": AttemptState.FAILED,
}
_CALL_STATES = {
    # "completed" means the call was answered and then ended normally.
    "in-progress": AttemptState.ANSWERED,
    "completed": AttemptState.ANSWERED,
    "busy": AttemptState.FAILED,
    "no-answer": AttemptState.FAILED,
    "failed": AttemptState.FAILED,
    "canceled": AttemptState.FAILED,
}


def is_known(resource: CarrierResource, status: str) -> bool:
    return status in _RANKS[resource]


def rank(resource: CarrierResource, status: str | None) -> int:
    """-1 for no status yet; an unknown status never outranks anything."""
    if status is None:
        return -1
    return _RANKS[resource].get(status, -1)


def outranks(resource: CarrierResource, new: str, current: str | None) -> bool:
    """Whether `new` may replace `current`. Two different final statuses do not replace
    each other: the first one reported stays."""
    new_rank, current_rank = rank(resource, new), rank(resource, current)
    if current_rank == FINAL and new_rank == FINAL:
        return False
    return new_rank > current_rank


def is_final(resource: CarrierResource, status: str | None) -> bool:
    return rank(resource, status) >= FINAL


def attempt_state(resource: CarrierResource, status: str) -> AttemptState:
    """The attempt's state once the carrier reports `status` for it (the client's leg for a
    call): accepted and on its way is `sent`."""
    states = _MESSAGE_STATES if resource is CarrierResource.MESSAGE else _CALL_STATES
    return states.get(status, AttemptState.SENT)
