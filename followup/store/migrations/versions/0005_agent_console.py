"""Agent console: leases, wrap-ups, contact changes and SMS templates.

- `follow_ups.leased_to_id`, `lease_until`: the agent working the resident now.
- `attempts.wrapped_up_at`: an agent's call whose result was recorded; an answered call
  without one holds the ladder. Calls made before this migration count as wrapped up.
- `attempts.message` and the purpose `agent_message`: an SMS an agent wrote from the card.
- `wrap_ups`: what agents recorded after calls, one per call at most.
- `contact_changes`: numbers and addresses residents gave agents, the old value kept.
- `sms_templates`: the team's short messages, with three to start from.

Revision ID: 0005
Revises: 0004
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

WRAP_UP_RESULTS = (
    'active', 'with_wij', 'in_progress', 'not_active', 'unreachable', 'no_answer',
    'voicemail', 'busy', 'wrong_number', 'call_back', 'no_contact_wanted',
)
WAITING_CALL = "state = 'queued' AND channel = 'call' AND agent_id IS NULL"
WAITING_CALLBACK = f"{WAITING_CALL} AND purpose = 'callback'"
UNWRAPPED = "agent_id IS NOT NULL AND wrapped_up_at IS NULL"
PURPOSES = ('opening', 'call', 'reminder', 'callback', 'confirmation')
FIRST_TEMPLATES = [
    ('Ik probeerde u te bellen',
     'Beste inwoner, ik probeerde u te bellen voor een kort gesprek over hoe het met u gaat. '
     'Ik bel u later nog een keer. Groet, het belteam van de gemeente.'),
    ('Wanneer kan ik bellen?',
     'Beste inwoner, wanneer kan ik u het beste bellen? Stuur een sms terug met een dag en '
     'tijd. Groet, het belteam van de gemeente.'),
    ('Bedankt voor het gesprek',
     'Beste inwoner, bedankt voor het gesprek van vandaag. Heeft u nog vragen? Stuur dan een '
     'sms terug. Groet, het belteam van de gemeente.'),
]


def _purpose_in(purposes: tuple[str, ...]) -> str:
    return "purpose IN (" + ", ".join(f"'{p}'" for p in purposes) + ")"


def upgrade() -> None:
    with op.batch_alter_table('follow_ups') as batch_op:
        batch_op.add_column(sa.Column('leased_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(op.f('fk_follow_ups_leased_to_id_users'), 'users', ['leased_to_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('attempts') as batch_op:
        batch_op.add_column(sa.Column('wrapped_up_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('message', sa.String(length=320), nullable=True))
        batch_op.drop_constraint(op.f('ck_attempts_attempt_purpose'), type_='check')
        batch_op.create_check_constraint('attempt_purpose', _purpose_in((*PURPOSES, 'agent_message')))
    op.create_index('ix_attempts_due_at_id_waiting_call', 'attempts', ['due_at', 'id'], unique=False, sqlite_where=sa.text(WAITING_CALL), postgresql_where=sa.text(WAITING_CALL))
    op.create_index('ix_attempts_due_at_waiting_callback', 'attempts', ['due_at'], unique=False, sqlite_where=sa.text(WAITING_CALLBACK), postgresql_where=sa.text(WAITING_CALLBACK))
    op.create_index('ix_attempts_agent_id_unwrapped', 'attempts', ['agent_id'], unique=False, sqlite_where=sa.text(UNWRAPPED), postgresql_where=sa.text(UNWRAPPED))
    op.create_index('ix_follow_ups_leased_to_id', 'follow_ups', ['leased_to_id'], unique=False, sqlite_where=sa.text('leased_to_id IS NOT NULL'), postgresql_where=sa.text('leased_to_id IS NOT NULL'))
    op.execute(
        "UPDATE attempts SET wrapped_up_at = COALESCE(finished_at, created_at)"
        " WHERE agent_id IS NOT NULL"
    )
    op.create_table(
        'wrap_ups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('follow_up_id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('result', sa.Enum(*WRAP_UP_RESULTS, name='wrap_up_result', native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('callback_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_wrap_ups_follow_up_id_follow_ups'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_wrap_ups_attempt_id_attempts'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wrap_ups_user_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wrap_ups')),
    )
    op.create_index(op.f('ix_wrap_ups_follow_up_id'), 'wrap_ups', ['follow_up_id'], unique=False)
    op.create_index('uq_wrap_ups_attempt_id', 'wrap_ups', ['attempt_id'], unique=True, sqlite_where=sa.text('attempt_id IS NOT NULL'), postgresql_where=sa.text('attempt_id IS NOT NULL'))
    op.create_table(
        'contact_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('phone', 'email', name='contact_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('old_value', sa.String(length=254), nullable=True),
        sa.Column('new_value', sa.String(length=254), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_contact_changes_client_id_clients'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contact_changes_user_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_changes')),
    )
    op.create_index(op.f('ix_contact_changes_client_id'), 'contact_changes', ['client_id'], unique=False)
    templates = op.create_table(
        'sms_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=60), nullable=False),
        sa.Column('body', sa.String(length=320), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_sms_templates_updated_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_templates')),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        templates,
        [
            {'title': title, 'body': body, 'position': position, 'updated_at': now}
            for position, (title, body) in enumerate(FIRST_TEMPLATES)
        ],
    )


def downgrade() -> None:
    op.drop_table('sms_templates')
    op.drop_index(op.f('ix_contact_changes_client_id'), table_name='contact_changes')
    op.drop_table('contact_changes')
    op.drop_index('uq_wrap_ups_attempt_id', table_name='wrap_ups')
    op.drop_index(op.f('ix_wrap_ups_follow_up_id'), table_name='wrap_ups')
    op.drop_table('wrap_ups')
    op.drop_index('ix_follow_ups_leased_to_id', table_name='follow_ups')
    op.drop_index('ix_attempts_agent_id_unwrapped', table_name='attempts')
    op.drop_index('ix_attempts_due_at_waiting_callback', table_name='attempts')
    op.drop_index('ix_attempts_due_at_id_waiting_call', table_name='attempts')
    op.execute("DELETE FROM attempts WHERE purpose = 'agent_message'")
    with op.batch_alter_table('attempts') as batch_op:
        batch_op.drop_constraint(op.f('ck_attempts_attempt_purpose'), type_='check')
        batch_op.create_check_constraint('attempt_purpose', _purpose_in(PURPOSES))
        batch_op.drop_column('message')
        batch_op.drop_column('wrapped_up_at')
    with op.batch_alter_table('follow_ups') as batch_op:
        batch_op.drop_constraint(op.f('fk_follow_ups_leased_to_id_users'), type_='foreignkey')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('leased_to_id')
