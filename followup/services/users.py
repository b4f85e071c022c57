"""Use cases of staff accounts: add a user, disable one, set an agent's phone, change one's
own password, and the admin's overview. Every change is audited; disabling a user and
changing a password end sessions at once."""

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction, Role
from followup.rules.email_addresses import is_email_address
from followup.rules.passwords import hash_password, password_problem, verify_password
from followup.rules.phones import classify_phone
from followup.rules.sign_in import session_key
from followup.store import users
from followup.store.audit import AuditLine, latest_records, record_audit
from followup.store.leases import release_leases
from followup.store.sign_in_sessions import end_sessions_of
from followup.store.unit_of_work import unit_of_work
from followup.store.users import Account, EmailTaken, SignedIn, insert_user

AUDIT_SHOWN = 30  # of the latest audit records on the admin page


class UserError(ValueError):
    """Refused; nothing was changed. The message is Dutch, for the person at the keyboard."""


def _callable_phone(phone: str) -> str:
    """The number in E.164, or UserError: an agent's phone must be one we can ring."""
    number = classify_phone(phone) if phone.strip() else None
    if number is None or not number.can_call:
        raise UserError(f"{phone!r} is geen telefoonnummer dat gebeld kan worden")
    return number.e164


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
        phone = _callable_phone(phone)
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


async def disable_user(
    sessions: async_sessionmaker[AsyncSession], user_id: int, *, by: SignedIn, now: datetime
) -> None:
    """The user can no longer sign in, and every session of theirs ends now; residents they
    held are free for colleagues at once."""
    if user_id == by.id:
        raise UserError("u kunt uw eigen account niet uitzetten")
    async with unit_of_work(sessions) as uow:
        if not await users.disable(uow.session, user_id, now):
            raise UserError("deze gebruiker bestaat niet of staat al uit")
        await end_sessions_of(uow.session, user_id, now)
        await release_leases(uow.session, user_id)
        record_audit(
            uow.session, now=now, actor=by.email, action=AuditAction.USER_DISABLED, user_id=user_id
        )
        await uow.commit()


async def set_phone(
    sessions: async_sessionmaker[AsyncSession],
    user_id: int,
    phone: str,
    *,
    by: SignedIn,
    now: datetime,
) -> None:
    """An agent's own phone, rung first on a click-to-call; empty removes it."""
    e164 = _callable_phone(phone) if phone.strip() else None
    async with unit_of_work(sessions) as uow:
        if not await users.update_user(uow.session, user_id, phone=e164):
            raise UserError("deze gebruiker bestaat niet")
        record_audit(
            uow.session,
            now=now,
            actor=by.email,
            action=AuditAction.USER_PHONE_CHANGED,
            user_id=user_id,
            detail={"removed": e164 is None},  # never the number itself
        )
        await uow.commit()


async def change_password(
    sessions: async_sessionmaker[AsyncSession],
    user: SignedIn,
    old: str,
    new: str,
    *,
    token: str,
    now: datetime,
) -> None:
    """The user's own password, when they know the old one. Their other sessions end (a
    browser someone else may have); the one with `token`, where they changed it, stays."""
    if problem := password_problem(new):
        raise UserError(problem)
    async with unit_of_work(sessions) as uow:
        stored = await users.user_by_id(uow.session, user.id)
        right = stored is not None and await asyncio.to_thread(
            verify_password, old, stored.password_hash
        )
        if not right:
            raise UserError("het huidige wachtwoord klopt niet")
        new_hash = await asyncio.to_thread(hash_password, new)
        await users.update_user(uow.session, user.id, password_hash=new_hash)
        await end_sessions_of(uow.session, user.id, now, keep=session_key(token))
        record_audit(
            uow.session,
            now=now,
            actor=user.email,
            action=AuditAction.PASSWORD_CHANGED,
            user_id=user.id,
        )
        await uow.commit()


@dataclass(frozen=True, slots=True)
class AdminOverview:
    accounts: list[Account]
    audit: list[AuditLine]


async def admin_overview(sessions: async_sessionmaker[AsyncSession]) -> AdminOverview:
    async with unit_of_work(sessions) as uow:
        return AdminOverview(
            await users.all_accounts(uow.session),
            await latest_records(uow.session, AUDIT_SHOWN),
        )
