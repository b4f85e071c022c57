"""The staff side of the data model: users and their sign-ins, the audit trail of who saw or
changed residents' data, and the settings coordinators change at run time. The residents'
side is in `tables.py`; both are on one `Base` (`model_base.py`)."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from followup.rules.domain import Role
from followup.store.model_base import Base, fk
from followup.store.types import CanonicalJSON, enum_type


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    # An agent's own phone: a click-to-call rings it first, then connects the client.
    phone: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class SignInSession(Base):
    """A browser signed in as a user. Its cookie holds a random token; only the token's
    SHA-256 is kept here. Ended at sign-out, when the user is disabled, or (their other
    sessions) when they change their password."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(fk("users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class SignInFailure(Base):
    """A sign-in attempt that failed, or is being checked, counted per account (the address
    typed, whether it has a user or not) and per client address; kept for minutes."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        sa.Index("ix_sign_in_failures_email_at", "email", "at"),
        sa.Index("ix_sign_in_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    address: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime]


class AuditRecord(Base):
    """Who saw or changed which client's data; kept apart from logs on purpose. Each record
    is chained to the one before it (`seq`, `prev_hash`, `hash`: see `store/audit_chain.py`)."""

    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(fk("users.id", "SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(64))
    client_id: Mapped[int | None] = mapped_column(fk("clients.id", "SET NULL"), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(CanonicalJSON(), default=dict)
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditChainHead(Base):
    """One row: the sequence number and hash of the last audit record. Writers lock it to take
    their turn; `audit verify` compares the end of the chain with it."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str] = mapped_column(sa.String(64))


class AppSetting(Base):
    """Settings that coordinators change at run time, and the generated secret key."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime]
