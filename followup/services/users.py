"""Use case: create a user who can sign in with a role."""

import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction, Role
from followup.rules.passwords import hash_password, password_problem
from followup.rules.phones import classify_phone
from followup.services.audit import record_audit
from followup.store.tables import User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
    if not _EMAIL.match(email) or len(email) > 254:
        raise UserError(f"{email!r} is geen geldig e-mailadres")
    if problem := password_problem(password):
        raise UserError(problem)
    if phone is not None:
        number = classify_phone(phone) if phone.strip() else None
        if number is None or not number.can_call:
            raise UserError(f"{phone!r} is geen telefoonnummer dat gebeld kan worden")
        phone = number.e164
    taken = UserError(f"er is al een gebruiker met e-mailadres {email}")
    try:
        async with sessions() as session, session.begin():
            if await session.scalar(sa.select(User.id).where(User.email == email)) is not None:
                raise taken
            user = User(
                email=email,
                role=role,
                password_hash=hash_password(password),
                phone=phone,
                created_at=now,
            )
            session.add(user)
            await session.flush()
            record_audit(
                session,
                now=now,
                actor=actor,
                action=AuditAction.USER_ADDED,
                user_id=user.id,
                detail={"role": role.value},
            )
            return user.id
    except IntegrityError:  # the same address added at the same moment by someone else
        raise taken from None
