"""Use case: create a user who can sign in with a role."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction, Role
from followup.rules.email_addresses import is_email_address
from followup.rules.passwords import hash_password, password_problem
from followup.rules.phones import classify_phone
from followup.store.audit import record_audit
from followup.store.unit_of_work import unit_of_work
from followup.store.users import EmailTaken, insert_user


class UserError(ValueError):
    """Refused; nothing was changed. The message is Dutch, for the person at the keyboard."""


async def add_user(
    sessions: async_sessionmaker[AsyncSession],
    *,
    email: str,
    role: Role,
    password: str,
    now: datetime,
    actor: str,
    phone: str | None = None,
) -> int:
    """`phone`: an agent's own phone, which a click-to-call rings before the resident's."""
    email = email.strip().lower()
    if not is_email_address(email):
        raise UserError(f"{email!r} is geen geldig e-mailadres")
    if problem := password_problem(password):
        raise UserError(problem)
    if phone is not None:
        number = classify_phone(phone) if phone.strip() else None
        if number is None or not number.can_call:
            raise UserError(f"{phone!r} is geen telefoonnummer dat gebeld kan worden")
        phone = number.e164
    async with unit_of_work(sessions) as uow:
        try:
            user_id = await insert_user(
                uow.session,
                email=email,
                role=role,
                password_hash=hash_password(password),
                phone=phone,
                now=now,
            )
        except EmailTaken:
            raise UserError(f"er is al een gebruiker met e-mailadres {email}") from None
        record_audit(
            uow.session,
            now=now,
            actor=actor,
            action=AuditAction.USER_ADDED,
            user_id=user_id,
            detail={"role": role.value},
        )
        await uow.commit()
        return user_id
