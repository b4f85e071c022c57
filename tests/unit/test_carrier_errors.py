"""Every carrier answer the dialer acts on, sorted into what it does next."""

import pytest

from followup.rules.carrier_errors import (
    Failure,
    Rejected,
    classify_delivery,
    classify_rejection,
    classify_smtp,
    failed_delivery,
    lookup_failure,
    refused_at_sending,
)
from followup.rules.domain import CarrierResource, Channel, EvidenceSource

T, U, BAD, LAND, OUT, PERM, ACC = (
    Failure.TRANSIENT,
    Failure.UNCERTAIN,
    Failure.INVALID_ADDRESS,
    Failure.NOT_MOBILE,
    Failure.OPTED_OUT,
    Failure.PERMANENT,
    Failure.ACCOUNT,
)


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, 21211, BAD),  # invalid 'To' number
        (400, 21214, BAD),
        (400, 21217, BAD),
        (400, 13224, BAD),
        (400, 21614, LAND),  # not a mobile number: calls still possible
        (400, 21635, LAND),
        (400, 21610, OUT),  # unsubscribed recipient: an opt-out, not a wrong number
        (401, 20003, ACC),  # wrong credentials stop the worker
        (404, 20404, ACC),  # wrong account SID
        (400, 21212, ACC),  # our own 'From' is wrong
        (400, 21606, ACC),
        (400, 21608, ACC),
        (429, 20429, T),
        (429, None, T),  # a 429 says the carrier took nothing
        (500, 20500, U),  # a 5xx may come after the message was taken
        (502, None, U),
        (503, None, U),
        (401, None, ACC),
        (403, None, ACC),
        (400, 21602, PERM),  # an empty body: no retry makes it better
        (400, None, PERM),
        (404, None, PERM),
    ],
)
def test_rejections(status, code, expected):
    assert classify_rejection(status, code) is expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (30005, BAD),  # unknown handset
        (30006, LAND),  # landline
        (30003, T),  # switched off or out of coverage
        (30001, T),
        (30008, T),
        (21610, OUT),
        (30004, PERM),  # blocked
        (30007, PERM),  # filtered
        (None, PERM),
    ],
)
def test_delivery_errors(code, expected):
    assert classify_delivery(code) is expected


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (421, Failure.UNREACHABLE),  # the server itself is not available: an outage
        (450, T),
        (451, T),
        (452, T),
        (550, BAD),  # mailbox does not exist
        (551, BAD),
        (553, BAD),
        (552, PERM),
        (554, PERM),
        (530, ACC),  # authentication required
        (535, ACC),  # authentication failed
    ],
)
def test_smtp_replies(reply, expected):
    assert classify_smtp(reply) is expected


@pytest.mark.parametrize(
    ("resource", "code", "failure", "source"),
    [
        (CarrierResource.MESSAGE, 30005, BAD, EvidenceSource.DELIVERY_ERROR),
        (CarrierResource.MESSAGE, 30003, T, EvidenceSource.DELIVERY_ERROR),
        # Our account was fine when the message was taken: not a reason to stop sending.
        (CarrierResource.MESSAGE, 20003, PERM, EvidenceSource.DELIVERY_ERROR),
        (CarrierResource.CALL, 13224, BAD, EvidenceSource.CARRIER_ERROR),
        # Busy or not answered reached a real phone: only a Dial error proves it wrong.
        (CarrierResource.CALL, None, PERM, EvidenceSource.CARRIER_ERROR),
        (CarrierResource.CALL, 30003, PERM, EvidenceSource.CARRIER_ERROR),
    ],
)
def test_failed_deliveries_and_calls(resource, code, failure, source):
    rejected = failed_delivery(resource, "failed", code)
    assert (rejected.failure, rejected.code, rejected.source) == (failure, code, source)
    assert rejected.detail == (f"failed (fout {code})" if code else "failed")


@pytest.mark.parametrize(
    ("channel", "failure", "expected"),
    [
        (Channel.CALL, BAD, PERM),  # the agent's own number: never flagged
        (Channel.CALL, LAND, PERM),
        (Channel.CALL, T, T),
        (Channel.CALL, ACC, ACC),
        (Channel.SMS, BAD, BAD),
        (Channel.SMS, LAND, LAND),
    ],
)
def test_a_call_refused_at_sending_is_about_the_agents_phone(channel, failure, expected):
    refused = refused_at_sending(channel, Rejected(failure, 21211, "nee"))
    assert refused.failure is expected
    assert refused.detail == ("nummer van de medewerker: nee" if expected != failure else "nee")


@pytest.mark.parametrize(
    ("valid", "mobile", "expected"),
    [
        (False, None, BAD),
        (False, True, BAD),
        (True, False, LAND),
        (True, True, None),
        (True, None, None),
    ],
)
def test_what_a_lookup_proves(valid, mobile, expected):
    assert lookup_failure(valid, mobile) is expected
