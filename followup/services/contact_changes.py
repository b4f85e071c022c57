"""A resident's new phone number or e-mail address takes the place of the old one, which stays
in the history: given to an agent at wrap-up, or confirmed by the resident on the response
page. One way for both, so the history, the kept opt-outs and the audit are the same."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import AuditAction
from followup.rules.phones import PhoneClassification
from followup.services.kept_opt_outs import honour_kept_opt_outs
from followup.store.audit import record_audit
from followup.store.contact_changes import replace_email, replace_primary_phone


async def change_contact(
    session: AsyncSession,
    client_id: int,
    now: datetime,
    *,
    phone: PhoneClassification | None = None,
    email: str | None = None,
    actor: str,
    user_id: int | None = None,
) -> list[str]:
    """What changed ("phone", "email"): nothing when it is what we have already. `user_id`:
    the agent who recorded it; None when the resident did."""
    changed = []
    if phone is not None and await replace_primary_phone(session, client_id, phone, user_id, now):
        changed.append("phone")
    if email is not None and await replace_email(session, client_id, email, user_id, now):
        changed.append("email")
    if changed:
        # A new number may be one that asked never to be contacted again.
        await honour_kept_opt_outs(session, [client_id], now)
        record_audit(
            session,
            now=now,
            actor=actor,
            action=AuditAction.CONTACT_CHANGED,
            user_id=user_id,
            client_id=client_id,
            detail={"changed": changed},
        )
    return changed
