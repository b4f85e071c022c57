"""Use cases: sign in with e-mail address and password, and find who is signed in."""

import asyncio
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction
from followup.rules.passwords import hash_password, verify_password
from followup.store.audit import record_audit
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn, user_by_email, user_by_id

# Checked when the address is unknown, so an answer takes as long either way and does not
# tell who has an account.
_NOBODY = hash_password("nobody has this password")


async def sign_in(
    sessions: async_sessionmaker[AsyncSession], email: str, password: str, now: datetime
) -> SignedIn | None:
    """The user, when the address and password are right and the account is in use. Each
    sign-in is audited; a failed one is not, as it names no client."""
    async with unit_of_work(sessions) as uow:
        stored = await user_by_email(uow.session, email.strip().lower())
        password_hash = stored.password_hash if stored is not None else _NOBODY
        # scrypt takes tens of milliseconds: not on the loop that serves everyone else.
        right = await asyncio.to_thread(verify_password, password, password_hash)
        if stored is None or not right or stored.disabled:
            return None
        user = stored.user
        record_audit(
            uow.session, now=now, actor=user.email, action=AuditAction.SIGNED_IN, user_id=user.id
        )
        await uow.commit()
        return user


async def signed_in_as(sessions: async_sessionmaker[AsyncSession], user_id: int) -> SignedIn | None:
    """Who a sign-in cookie names, read anew for each request: a user disabled since is
    nobody."""
    async with unit_of_work(sessions) as uow:
        stored = await user_by_id(uow.session, user_id)
        return None if stored is None or stored.disabled else stored.user
