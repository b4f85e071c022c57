"""Every kind of audit record has a Dutch label: the filter on /beheer/audit offers each one,
and the trail shows the label, never the code."""

from followup.rules.domain import AuditAction
from followup.web.admin_pages import AUDIT_LABELS


def test_every_action_has_a_dutch_label():
    assert set(AUDIT_LABELS) == set(AuditAction)
    assert len(set(AUDIT_LABELS.values())) == len(AUDIT_LABELS)  # no two read the same
