"""Sign-in sessions: one row per signed-in browser, found by the hash of its cookie's token."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.sign_in import IDLE_FOR
from followup.store.staff_tables import SignInSession, User
from followup.store.users import SignedIn


@dataclass(frozen=True, slots=True)
class LiveSession:
    id: int
    user: SignedIn
    last_seen_at: datetime


async def insert_session(
    session: AsyncSession, *, key: str, user_id: int, now: datetime, expires_at: datetime
) -> None:
    session.add(
        SignInSession(
            token_hash=key, user_id=user_id, created_at=now, last_seen_at=now, expires_at=expires_at
        )
    )


def _live(keys: Collection[str], now: datetime) -> sa.Select:
    """Sessions with these keys that have not ended, lapsed or idled, of users not disabled:
    on the key's unique index and the user's primary key."""
    return (
        sa.select(
            SignInSession.id,
            SignInSession.last_seen_at,
            SignInSession.token_hash,
            User.id,
            User.email,
            User.role,
            User.phone,
        )
        .join(User, User.id == SignInSession.user_id)
        .where(
            SignInSession.token_hash.in_(keys),
            SignInSession.ended_at.is_(None),
            SignInSession.expires_at > now,
            SignInSession.last_seen_at > now - IDLE_FOR,
            User.disabled_at.is_(None),
        )
    )


async def live_session(session: AsyncSession, key: str, now: datetime) -> LiveSession | None:
    row = (await session.execute(_live([key], now))).one_or_none()
    if row is None:
        return None
    session_id, last_seen_at, _, *user = row
    return LiveSession(session_id, SignedIn(*user), last_seen_at)


async def live_users(
    session: AsyncSession, keys: Collection[str], now: datetime
) -> dict[str, SignedIn]:
    """Who each of these sessions still signs in, in one query (for every open page at once);
    a session that ended, lapsed or idled, or whose user was disabled, is not in it."""
    rows = await session.execute(_live(keys, now))
    return {key: SignedIn(*user) for _, _, key, *user in rows}


async def mark_seen(session: AsyncSession, session_id: int, now: datetime) -> None:
    await session.execute(
        sa.update(SignInSession).where(SignInSession.id == session_id).values(last_seen_at=now)
    )


async def end_session(session: AsyncSession, key: str, now: datetime) -> None:
    await session.execute(
        sa.update(SignInSession)
        .where(SignInSession.token_hash == key, SignInSession.ended_at.is_(None))
        .values(ended_at=now)
    )


async def end_sessions_of(
    session: AsyncSession, user_id: int, now: datetime, *, keep: str | None = None
) -> None:
    """Ends every session of the user, except the one with key `keep`."""
    chosen = [SignInSession.user_id == user_id, SignInSession.ended_at.is_(None)]
    if keep is not None:
        chosen.append(SignInSession.token_hash != keep)
    await session.execute(sa.update(SignInSession).where(*chosen).values(ended_at=now))


async def forget_finished_sessions(session: AsyncSession, now: datetime) -> None:
    """Sessions that ended or lapsed open nothing any more; a sign-in clears them away."""
    await session.execute(
        sa.delete(SignInSession).where(
            sa.or_(SignInSession.ended_at.is_not(None), SignInSession.expires_at <= now)
        )
    )
