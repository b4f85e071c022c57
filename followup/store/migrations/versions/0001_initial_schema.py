"""Initial schema: the data model for the whole mission.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_app_settings'))
    )
    op.create_table('clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_ref', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('wijk', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_status', sa.Enum('valid', 'invalid', name='email_status', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('preferred_channel', sa.Enum('call', 'sms', 'email', name='preferred_channel', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients')),
    sa.UniqueConstraint('client_ref', name=op.f('uq_clients_client_ref'))
    )
    op.create_index(op.f('ix_clients_wijk'), 'clients', ['wijk'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('agent', 'coordinator', 'admin', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('audit_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_audit_records_client_id_clients'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_records_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_records'))
    )
    op.create_index(op.f('ix_audit_records_at'), 'audit_records', ['at'], unique=False)
    op.create_index(op.f('ix_audit_records_client_id'), 'audit_records', ['client_id'], unique=False)

    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('conversation_date', sa.Date(), nullable=False),
    sa.Column('follow_up_after_months', sa.Integer(), nullable=False),
    sa.Column('initiative', sa.Enum('municipality', 'client', name='initiative', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_conversations_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    sa.UniqueConstraint('client_id', 'conversation_date', name=op.f('uq_conversations_client_id_conversation_date'))
    )
    op.create_index(op.f('ix_conversations_due_on'), 'conversations', ['due_on'], unique=False)

    op.create_table('phone_numbers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.Enum('primary', 'alternate', name='phone_label', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('raw', sa.String(length=40), nullable=False),
    sa.Column('e164', sa.String(length=16), nullable=True),
    sa.Column('type', sa.Enum('mobile', 'fixed_line', 'fixed_line_or_mobile', 'voip', 'personal', 'other', 'unknown', name='phone_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('valid', 'invalid', name='phone_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('invalid_reason', sa.String(length=64), nullable=True),
    sa.Column('invalid_source', sa.Enum('import', 'carrier_error', 'delivery_error', 'lookup', 'agent', name='invalid_source', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('invalid_detail', sa.String(length=255), nullable=True),
    sa.Column('sms_blocked', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Enum('import', 'carrier_error', 'delivery_error', 'lookup', 'agent', name='phone_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_phone_numbers_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_numbers'))
    )
    op.create_index(op.f('ix_phone_numbers_e164'), 'phone_numbers', ['e164'], unique=False)
    op.create_index('uq_phone_numbers_client_id_label_current', 'phone_numbers', ['client_id', 'label'], unique=True, sqlite_where=sa.text('retired_at IS NULL'), postgresql_where=sa.text('retired_at IS NULL'))

    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('open', 'closed', name='follow_up_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('round_number', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('callback_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_agent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_agent_id'], ['users.id'], name=op.f('fk_follow_ups_assigned_agent_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_follow_ups_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_follow_ups_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    op.create_index(op.f('ix_follow_ups_conversation_id'), 'follow_ups', ['conversation_id'], unique=False)
    op.create_index('uq_follow_ups_client_id_conversation_id_open', 'follow_ups', ['client_id', 'conversation_id'], unique=True, sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))

    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('active', 'with_wij', 'in_progress', 'not_active', 'unreachable', name='category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.Enum('no_answer', 'invalid_number', 'no_contact_details', 'opted_out', name='reason', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('source', sa.Enum('sms', 'email_link', 'agent', 'back_office', 'planner', 'dialer', name='outcome_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("(category = 'unreachable') = (reason IS NOT NULL)", name=op.f('ck_outcomes_reason_iff_unreachable')),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_outcomes_follow_up_id_follow_ups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_outcomes_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes')),
    sa.UniqueConstraint('follow_up_id', name=op.f('uq_outcomes_follow_up_id'))
    )
    op.create_table('rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_rounds_follow_up_id_follow_ups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds')),
    sa.UniqueConstraint('follow_up_id', 'number', name=op.f('uq_rounds_follow_up_id_number'))
    )
    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('call', 'sms', 'email', name='attempt_channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('purpose', sa.Enum('opening', 'call', 'reminder', 'callback', 'confirmation', name='attempt_purpose', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('state', sa.Enum('queued', 'sending', 'sent', 'delivered', 'answered', 'failed', 'cancelled', name='attempt_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('phone_number_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sending_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('carrier_sid', sa.String(length=64), nullable=True),
    sa.Column('agent_leg_sid', sa.String(length=64), nullable=True),
    sa.Column('carrier_status', sa.String(length=32), nullable=True),
    sa.Column('error_code', sa.Integer(), nullable=True),
    sa.Column('error_message', sa.String(length=255), nullable=True),
    sa.Column('sip_response_code', sa.Integer(), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('answered_by', sa.String(length=32), nullable=True),
    sa.Column('cancelled_reason', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_attempts_agent_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_attempts_follow_up_id_follow_ups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['phone_number_id'], ['phone_numbers.id'], name=op.f('fk_attempts_phone_number_id_phone_numbers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_attempts_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('agent_leg_sid', name=op.f('uq_attempts_agent_leg_sid')),
    sa.UniqueConstraint('carrier_sid', name=op.f('uq_attempts_carrier_sid')),
    sa.UniqueConstraint('round_id', 'step', name=op.f('uq_attempts_round_id_step'))
    )
    op.create_index(op.f('ix_attempts_follow_up_id'), 'attempts', ['follow_up_id'], unique=False)
    op.create_index('ix_attempts_state_due_at', 'attempts', ['state', 'due_at'], unique=False)

    op.create_table('carrier_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource', sa.Enum('message', 'call', name='resource', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('error_code', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_carrier_events_attempt_id_attempts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carrier_events')),
    sa.UniqueConstraint('sid', 'status', name=op.f('uq_carrier_events_sid_status'))
    )
    op.create_index(op.f('ix_carrier_events_attempt_id'), 'carrier_events', ['attempt_id'], unique=False)

    op.create_table('sms_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.Enum('inbound', 'outbound', name='direction', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('phone_number_id', sa.Integer(), nullable=True),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('carrier_sid', sa.String(length=64), nullable=True),
    sa.Column('from_number', sa.String(length=32), nullable=False),
    sa.Column('to_number', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('interpretation', sa.String(length=32), nullable=True),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_sms_messages_attempt_id_attempts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_sms_messages_client_id_clients'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['phone_number_id'], ['phone_numbers.id'], name=op.f('fk_sms_messages_phone_number_id_phone_numbers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_sms_messages_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_messages')),
    sa.UniqueConstraint('carrier_sid', name=op.f('uq_sms_messages_carrier_sid'))
    )
    op.create_index(op.f('ix_sms_messages_client_id'), 'sms_messages', ['client_id'], unique=False)

    op.create_table('opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('sms', 'email_link', 'agent', 'back_office', 'carrier', name='opt_out_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('sms_message_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lifted_source', sa.Enum('sms', 'email_link', 'agent', 'back_office', 'carrier', name='lifted_source', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_opt_outs_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_opt_outs_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sms_message_id'], ['sms_messages.id'], name=op.f('fk_opt_outs_sms_message_id_sms_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opt_outs'))
    )
    op.create_index('uq_opt_outs_client_id_active', 'opt_outs', ['client_id'], unique=True, sqlite_where=sa.text('lifted_at IS NULL'), postgresql_where=sa.text('lifted_at IS NULL'))


def downgrade() -> None:
    op.drop_table('opt_outs')
    op.drop_table('sms_messages')
    op.drop_table('carrier_events')
    op.drop_table('attempts')
    op.drop_table('rounds')
    op.drop_table('outcomes')
    op.drop_table('follow_ups')
    op.drop_table('phone_numbers')
    op.drop_table('conversations')
    op.drop_table('audit_records')
    op.drop_table('users')
    op.drop_table('clients')
    op.drop_table('app_settings')
