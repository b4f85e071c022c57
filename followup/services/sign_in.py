"""Use cases: sign in with e-mail address and password, and find who is signed in."""

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction, Role
from followup.rules.passwords import hash_password, verify_password
from followup.store.audit import record_audit
from followup.store.unit_of_work import unit_of_work
from followup.store.users import StoredUser, user_by_email, user_by_id

# Checked when the address is unknown, so an answer takes as long either way and does not
# tell who has an account.
_NOBODY = hash_password("nobody has this password")


@dataclass(frozen=True, slots=True)
class SignedIn:
    id: int
    email: str
    role: Role
    phone: str | None  # an agent's own phone, rung first on a click-to-call


def _signed_in(user: StoredUser) -> SignedIn:
    return SignedIn(user.id, user.email, user.role, user.phone)


async def sign_in(
    sessions: async_sessionmaker[AsyncSession], email: str, password: str, now: datetime
) -> SignedIn | None:
    """The user, when the address and password are right and the account is in use. Each
    sign-in is audited; a failed one is not, as it names no client."""
    async with unit_of_work(sessions) as uow:
        user = await user_by_email(uow.session, email.strip().lower())
        stored = user.password_hash if user is not None else _NOBODY
        # scrypt takes tens of milliseconds: not on the loop that serves everyone else.
        right = await asyncio.to_thread(verify_password, password, stored)
        if user is None or not right or user.disabled:
            return None
        record_audit(
            uow.session, now=now, actor=user.email, action=AuditAction.SIGNED_IN, user_id=user.id
        )
        await uow.commit()
        return _signed_in(user)


async def signed_in_as(sessions: async_sessionmaker[AsyncSession], user_id: int) -> SignedIn | None:
    """Who a sign-in cookie names, read anew for each request: a user disabled since is
    nobody."""
    async with unit_of_work(sessions) as uow:
        user = await user_by_id(uow.session, user_id)
        return None if user is None or user.disabled else _signed_in(user)
