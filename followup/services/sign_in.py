"""Use cases: sign in with e-mail address and password, find who a session belongs to, and
sign out. Sessions live in the database (`store/sign_in_sessions.py`), so ending one takes
effect at once in every process; failed attempts too, so the lock-out
(`rules/sign_in_limits.py`) holds for the whole installation."""

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction
from followup.rules.passwords import hash_password, verify_password
from followup.rules.sign_in import VALID_FOR, needs_seen, session_key
from followup.rules.sign_in_limits import WINDOW, may_try, reached
from followup.store import sign_in_failures as failures
from followup.store import sign_in_sessions as sign_ins
from followup.store.audit import record_audit
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn, user_by_email

# Checked when the address is unknown, so an answer takes as long either way and does not
# tell who has an account.
_NOBODY = hash_password("nobody has this password")


@dataclass(frozen=True, slots=True)
class NewSession:
    user: SignedIn
    token: str  # for the cookie; the database keeps only its hash


class SignInLocked(Exception):
    """Too many failed attempts lately: nothing was checked; try again after a while."""


async def sign_in(
    sessions: async_sessionmaker[AsyncSession],
    email: str,
    password: str,
    address: str,
    now: datetime,
) -> NewSession | None:
    """A new session, when the address and password are right and the account is in use;
    None when they are not; SignInLocked when this account or client address failed too
    often lately. A sign-in is audited, and so is a lock-out; a plain failure is not."""
    email = email.strip().lower()
    # Written down and committed before counting: attempts sent together each see the others.
    async with unit_of_work(sessions) as uow:
        await failures.forget_failures_before(uow.session, now - WINDOW)
        attempt = await failures.insert_failure(uow.session, email, address, now)
        await uow.commit()
    async with unit_of_work(sessions) as uow:
        counted = await failures.count_failures(uow.session, email, address, now - WINDOW)
        if not may_try(counted):
            await failures.delete_failure(uow.session, attempt)  # waiting is not failing
            await uow.commit()
            raise SignInLocked
        stored = await user_by_email(uow.session, email)
        password_hash = stored.password_hash if stored is not None else _NOBODY
        # scrypt takes tens of milliseconds: not on the loop that serves everyone else.
        right = await asyncio.to_thread(verify_password, password, password_hash)
        if stored is None or not right or stored.disabled:
            if limit := reached(counted):
                record_audit(
                    uow.session,
                    now=now,
                    actor=email,
                    action=AuditAction.SIGN_IN_LOCKED,
                    user_id=stored.user.id if stored is not None else None,
                    detail={"limit": limit.value, "address": address},
                )
                await uow.commit()
                raise SignInLocked
            return None
        user = stored.user
        await failures.forget_failures_of(uow.session, email)
        await sign_ins.forget_finished_sessions(uow.session, now)
        token = secrets.token_urlsafe(32)
        key, expires_at = session_key(token), now + VALID_FOR
        await sign_ins.insert_session(
            uow.session, key=key, user_id=user.id, now=now, expires_at=expires_at
        )
        record_audit(
            uow.session, now=now, actor=user.email, action=AuditAction.SIGNED_IN, user_id=user.id
        )
        await uow.commit()
        return NewSession(user, token)


async def signed_in_as(
    sessions: async_sessionmaker[AsyncSession], token: str, now: datetime
) -> SignedIn | None:
    """Whose session the cookie's token opens, read anew for each request: a session ended,
    lapsed or idle, or a user disabled since, is nobody. Notes that the session was used, at
    most once a minute."""
    async with unit_of_work(sessions) as uow:
        live = await sign_ins.live_session(uow.session, session_key(token), now)
        if live is None:
            return None
        if needs_seen(live.last_seen_at, now):
            await sign_ins.mark_seen(uow.session, live.id, now)
            await uow.commit()
        return live.user


async def sign_out(sessions: async_sessionmaker[AsyncSession], token: str, now: datetime) -> None:
    """The session ends now: its cookie opens nothing any more, wherever it was copied to."""
    async with unit_of_work(sessions) as uow:
        await sign_ins.end_session(uow.session, session_key(token), now)
        await uow.commit()
