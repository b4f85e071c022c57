"""Staff who sign in: agents, coordinators and admins."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import Role
from followup.store.rows import fetch_one
from followup.store.staff_tables import User


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A user as the pages and services see them: never the password's hash."""

    id: int
    email: str
    role: Role
    phone: str | None  # an agent's own phone, rung first on a click-to-call


@dataclass(frozen=True, slots=True)
class StoredUser:
    user: SignedIn
    password_hash: str
    disabled: bool


def _users() -> sa.Select:
    return sa.select(
        User.id,
        User.email,
        User.role,
        User.phone,
        User.password_hash,
        User.disabled_at.is_not(None),
    )


def _stored(user_id: int, email: str, role: Role, phone: str | None, *rest: Any) -> StoredUser:
    return StoredUser(SignedIn(user_id, email, role, phone), *rest)


async def _one(session: AsyncSession, chosen: sa.ColumnElement[bool]) -> StoredUser | None:
    return await fetch_one(session, _users().where(chosen), _stored)


async def user_by_email(session: AsyncSession, email: str) -> StoredUser | None:
    return await _one(session, User.email == email)


async def user_by_id(session: AsyncSession, user_id: int) -> StoredUser | None:
    return await _one(session, User.id == user_id)


class EmailTaken(Exception):
    pass


async def insert_user(
    session: AsyncSession,
    *,
    email: str,
    role: Role,
    password_hash: str,
    phone: str | None,
    now: datetime,
) -> int:
    """The new user's id; EmailTaken when the address has a user already (the transaction
    can then only be rolled back)."""
    try:
        return await session.scalar(
            sa.insert(User)
            .values(
                email=email, role=role, password_hash=password_hash, phone=phone, created_at=now
            )
            .returning(User.id)
        )
    except IntegrityError:  # a unique key: also when added at the same moment elsewhere
        raise EmailTaken(email) from None


@dataclass(frozen=True, slots=True)
class Account:
    """A user as the admin page lists them."""

    user: SignedIn
    disabled: bool


async def all_accounts(session: AsyncSession) -> list[Account]:
    rows = await session.execute(
        sa.select(
            User.id, User.email, User.role, User.phone, User.disabled_at.is_not(None)
        ).order_by(User.disabled_at.is_not(None), User.email)
    )
    return [Account(SignedIn(*user), disabled) for *user, disabled in rows]


async def disable(session: AsyncSession, user_id: int, now: datetime) -> bool:
    """False when there is no such user in use."""
    done = await session.execute(
        sa.update(User)
        .where(User.id == user_id, User.disabled_at.is_(None))
        .values(disabled_at=now)
        .returning(User.id)
    )
    return done.scalar() is not None


async def update_user(session: AsyncSession, user_id: int, **values: Any) -> bool:
    """False when there is no such user."""
    done = await session.execute(
        sa.update(User).where(User.id == user_id).values(**values).returning(User.id)
    )
    return done.scalar() is not None
