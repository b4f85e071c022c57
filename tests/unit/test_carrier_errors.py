"""Every carrier answer the dialer acts on, sorted into what it does next."""

import pytest

from followup.rules.carrier_errors import (
    Failure,
    classify_delivery,
    classify_rejection,
    classify_smtp,
)

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
        (421, T),
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
