"""Use case: the team edits the short messages agents send from a resident's card. Checked
whole before anything is written: the list is saved as given, or not at all."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.client_messages import MAX_SMS
from followup.rules.domain import AuditAction
from followup.store.audit import record_audit
from followup.store.sms_templates import Template, replace_templates, templates
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn

MAX_TITLE = 60
MAX_TEMPLATES = 10


class TemplateProblem(ValueError):
    """The list was not saved; the message is Dutch and names the row."""


def check_templates(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The rows to keep: a row left empty is dropped, a half-filled or too long one refused."""
    kept = []
    for number, (title, body) in enumerate(rows, start=1):
        title, body = title.strip(), body.strip()
        if not title and not body:
            continue
        if not title or not body:
            raise TemplateProblem(f"Tekst {number}: vul een naam én een bericht in.")
        if len(title) > MAX_TITLE:
            raise TemplateProblem(f"Tekst {number}: de naam mag maximaal {MAX_TITLE} tekens zijn.")
        if len(body) > MAX_SMS:
            raise TemplateProblem(
                f"Tekst {number}: het bericht mag maximaal {MAX_SMS} tekens zijn."
            )
        kept.append((title, body))
    if len(kept) > MAX_TEMPLATES:
        raise TemplateProblem(f"Er kunnen maximaal {MAX_TEMPLATES} teksten zijn.")
    return kept


async def team_templates(sessions: async_sessionmaker[AsyncSession]) -> list[Template]:
    async with unit_of_work(sessions) as uow:
        return await templates(uow.session)


async def save_templates(
    sessions: async_sessionmaker[AsyncSession],
    rows: list[tuple[str, str]],
    editor: SignedIn,
    now: datetime,
) -> None:
    kept = check_templates(rows)
    async with unit_of_work(sessions) as uow:
        await replace_templates(uow.session, kept, editor.id, now)
        record_audit(
            uow.session,
            now=now,
            actor=editor.email,
            action=AuditAction.TEMPLATES_CHANGED,
            user_id=editor.id,
            detail={"templates": len(kept)},
        )
        await uow.commit()
