"""The audit trail becomes a hash chain: every record gets a sequence number, the hash of the
record before it and its own hash, and one row keeps the head of the chain. The detail
becomes text, its canonical JSON, the very text the hash covers. The records already there
are chained here, in id order, so `followup audit verify` passes right after the upgrade.

Revision ID: 0011
Revises: 0010
"""

import json

import sqlalchemy as sa
from alembic import op

from followup.rules.audit_chain import GENESIS, detail_text, link_hash
from followup.store.audit_chain import moment_sql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

PAGE = 5_000
records = sa.table(
    'audit_records',
    sa.column('id', sa.Integer()),
    sa.column('at', sa.DateTime()),
    sa.column('actor', sa.String()),
    sa.column('action', sa.String()),
    sa.column('user_id', sa.Integer()),
    sa.column('client_id', sa.Integer()),
    sa.column('detail', sa.Text()),
    sa.column('seq', sa.BigInteger()),
    sa.column('prev_hash', sa.String()),
    sa.column('hash', sa.String()),
)


def upgrade() -> None:
    op.add_column('audit_records', sa.Column('seq', sa.BigInteger(), nullable=True))
    op.add_column('audit_records', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_records', sa.Column('hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('audit_records') as batch:
        batch.alter_column(
            'detail', existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=False,
            postgresql_using='detail::text',
        )
    seq, last = _chain_existing()
    with op.batch_alter_table('audit_records') as batch:
        batch.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(op.f('uq_audit_records_seq'), ['seq'])
    head = op.create_table(
        'audit_chain_head',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head')),
    )
    op.bulk_insert(head, [{'id': 1, 'seq': seq, 'hash': last}])


def _chain_existing() -> tuple[int, str]:
    """Chains the records there are, a page at a time, in id order."""
    connection = op.get_bind()
    seq, last, after = 0, GENESIS, 0
    r = records.c
    moment = moment_sql(connection.dialect.name, r.at)
    columns = (r.id, moment.label('moment'), r.actor, r.action, r.user_id, r.client_id, r.detail)
    update = (
        records.update()
        .where(r.id == sa.bindparam('record_id'))
        .values(
            detail=sa.bindparam('d'), seq=sa.bindparam('s'), prev_hash=sa.bindparam('p'),
            hash=sa.bindparam('h'),
        )
    )
    while True:
        page = connection.execute(
            sa.select(*columns).where(r.id > after).order_by(r.id).limit(PAGE)
        ).all()
        if not page:
            return seq, last
        links = []
        for row in page:
            seq += 1
            detail = detail_text(json.loads(row.detail))
            digest = link_hash(
                last, seq=seq, moment=row.moment, actor=row.actor, action=row.action,
                user_id=row.user_id, client_id=row.client_id, detail=detail,
            )
            links.append({'record_id': row.id, 'd': detail, 's': seq, 'p': last, 'h': digest})
            last = digest
        connection.execute(update, links)
        after = page[-1].id


def downgrade() -> None:
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('audit_records') as batch:
        batch.drop_constraint(op.f('uq_audit_records_seq'), type_='unique')
        batch.drop_column('hash')
        batch.drop_column('prev_hash')
        batch.drop_column('seq')
        batch.alter_column(
            'detail', existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=False,
            postgresql_using='detail::json',
        )
