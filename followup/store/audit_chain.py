"""Writing audit records onto the chain, and reading the chain back in pages.

How the order is kept with several processes writing: `record_audit` only collects the
records on the session; just before the transaction commits (SQLAlchemy's `before_commit`),
everything else the transaction changed is flushed first, then the one row of
`audit_chain_head` is locked (`SELECT … FOR UPDATE` on PostgreSQL; SQLite has one writer at a
time already), the records get the next sequence numbers and their hashes, the head moves on,
and the commit follows at once. So the transactions that write audit records take turns only
for the last round trips before their commit, and the head is the last lock they take (it
cannot be part of a deadlock with the rows they changed before). The cost: audit-writing
transactions on PostgreSQL commit one after the other, each holding the head for about two
statements and the commit (a few milliseconds), which bounds them to a few hundred per second
per database; opening a card is one of them. Records are inserted in sequence order under the
lock, so their ids rise with their sequence numbers too.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from followup.rules.audit_chain import (
    GENESIS,
    ChainedRecord,
    detail_text,
    link_hash,
    moment_of,
)
from followup.store.rows import insert_ignoring_conflicts
from followup.store.staff_tables import AuditChainHead, AuditRecord

PENDING = "followup.audit_pending"
HEAD_ID = 1


def add_pending(session: AsyncSession, record: AuditRecord) -> None:
    session.info.setdefault(PENDING, []).append(record)


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    records: list[AuditRecord] | None = session.info.pop(PENDING, None)
    if not records:
        return
    session.flush()  # the transaction's other rows first: the head is its last lock
    seq, last = _lock_head(session)
    for record in records:
        seq += 1
        record.seq, record.prev_hash = seq, last
        record.hash = last = link_hash(
            last,
            seq=seq,
            moment=moment_of(record.at),
            actor=record.actor,
            action=record.action,
            user_id=record.user_id,
            client_id=record.client_id,
            detail=detail_text(record.detail),
        )
        session.add(record)
    session.execute(
        sa.update(AuditChainHead).where(AuditChainHead.id == HEAD_ID).values(seq=seq, hash=last)
    )


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: Any) -> None:
    # A rollback drops the records with everything else the transaction did.
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def _lock_head(session: Session) -> tuple[int, str]:
    locked = sa.select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.id == HEAD_ID)
    head = session.execute(locked.with_for_update()).first()
    if head is None:
        # The migration writes the row; should it be gone, start it again from the last record.
        last = session.execute(
            sa.select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
        ).first()
        seq, hash_ = last if last else (0, GENESIS)
        insert = insert_ignoring_conflicts(session, AuditChainHead)  # type: ignore[arg-type]
        session.execute(insert.values(id=HEAD_ID, seq=seq, hash=hash_))
        head = session.execute(locked.with_for_update()).first()
    return head.seq, head.hash


async def chain_head(session: AsyncSession) -> tuple[int, str]:
    head = (
        await session.execute(
            sa.select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.id == HEAD_ID)
        )
    ).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


async def first_beyond_head(session: AsyncSession) -> int | None:
    """The first sequence number past the head, if records exist there; head and records read
    in one statement, so a writer's record and its head move are seen together."""
    head_seq = sa.select(AuditChainHead.seq).where(AuditChainHead.id == HEAD_ID).scalar_subquery()
    beyond = await session.scalar(
        sa.select(sa.func.min(AuditRecord.seq)).where(
            AuditRecord.seq > sa.func.coalesce(head_seq, 0)
        )
    )
    return beyond


def moment_sql(dialect: str, at: Any) -> Any:
    """`moment_of` a stored time, computed by the database, exactly: the check then makes
    no date objects. SQLite holds the UTC time as text "YYYY-MM-DD HH:MM:SS.ffffff"."""
    if dialect == "postgresql":  # extract gives an exact numeric since PostgreSQL 14
        return sa.cast(sa.extract("epoch", at) * 1_000_000, sa.BigInteger)
    text = sa.cast(at, sa.Text)
    seconds = sa.cast(sa.func.strftime("%s", text), sa.BigInteger)
    return seconds * 1_000_000 + sa.cast(sa.func.substr(text, 21, 6), sa.BigInteger)


async def chain_page(
    session: AsyncSession, after_seq: int, up_to_seq: int, size: int
) -> Sequence[ChainedRecord]:
    """The next `size` records after `after_seq` in sequence order (a keyset page on the
    unique index of `seq`), none past `up_to_seq`; times and details as the hash takes them."""
    columns = (
        AuditRecord.id,
        AuditRecord.seq,
        moment_sql(session.bind.dialect.name, AuditRecord.at),
        AuditRecord.actor,
        AuditRecord.action,
        AuditRecord.user_id,
        AuditRecord.client_id,
        sa.type_coerce(AuditRecord.detail, sa.Text),
        AuditRecord.prev_hash,
        AuditRecord.hash,
    )
    # On the connection (Core): the ORM's row handling would cost more than the hashing.
    connection = await session.connection()
    rows = await connection.execute(
        sa.select(*columns)
        .where(AuditRecord.seq > after_seq, AuditRecord.seq <= up_to_seq)
        .order_by(AuditRecord.seq)
        .limit(size)
    )
    return list(map(ChainedRecord._make, rows))
