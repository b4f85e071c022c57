"""The SMS reply grammar of CONTRACT section 5, as a table."""

import pytest

from followup.rules.domain import OutcomeCategory
from followup.rules.sms_replies import Reply, ReplyKind, interpret

OUTCOME = ReplyKind.OUTCOME


@pytest.mark.parametrize(
    ("body", "opt_out_type", "expected"),
    [
        ("1", None, Reply(OUTCOME, OutcomeCategory.ACTIVE)),
        (" 2 ", None, Reply(OUTCOME, OutcomeCategory.WITH_WIJ)),
        ("3\n", None, Reply(OUTCOME, OutcomeCategory.IN_PROGRESS)),
        ("4", None, Reply(OUTCOME, OutcomeCategory.NOT_ACTIVE)),
        ("5", None, Reply(ReplyKind.OTHER)),
        ("1 ik werk nu", None, Reply(ReplyKind.OTHER)),  # never guessed
        ("12", None, Reply(ReplyKind.OTHER)),
        ("STOP", None, Reply(ReplyKind.OPT_OUT)),
        ("stop", None, Reply(ReplyKind.OPT_OUT)),
        ("Stoppen", None, Reply(ReplyKind.OPT_OUT)),
        ("  AFMELDEN ", None, Reply(ReplyKind.OPT_OUT)),
        ("stop alstublieft", None, Reply(ReplyKind.OTHER)),
        ("START", None, Reply(ReplyKind.OPT_IN)),
        ("BEL", None, Reply(ReplyKind.CALL_ME)),
        ("bel mij", None, Reply(ReplyKind.CALL_ME)),
        ("Bel   Mij", None, Reply(ReplyKind.CALL_ME)),
        ("BELLEN", None, Reply(ReplyKind.CALL_ME)),
        ("bel me", None, Reply(ReplyKind.OTHER)),
        ("", None, Reply(ReplyKind.OTHER)),
        ("Hoi, wie is dit?", None, Reply(ReplyKind.OTHER)),
        # The carrier's own opt-out handling wins over the text.
        ("Unsubscribe", "STOP", Reply(ReplyKind.OPT_OUT)),
        ("1", "STOP", Reply(ReplyKind.OPT_OUT)),
        ("Unstop", "START", Reply(ReplyKind.OPT_IN)),
        ("1", "HELP", Reply(OUTCOME, OutcomeCategory.ACTIVE)),
    ],
)
def test_the_whole_message_decides(body, opt_out_type, expected):
    assert interpret(body, opt_out_type) == expected
