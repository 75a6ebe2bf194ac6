"""reader apps: API accounts, reader items and per-user read/starred state; shared login rate limits

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reader_accounts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('api_password_hash', sa.String(length=512), nullable=False),
    sa.Column('fever_key_hash', sa.String(length=64), nullable=False),
    sa.Column('key_version', sa.Integer(), nullable=False),
    sa.Column('unread_on_update', sa.Boolean(), nullable=False),
    sa.Column('state_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reader_accounts_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_reader_accounts')),
    sa.UniqueConstraint('fever_key_hash', name=op.f('uq_reader_accounts_fever_key_hash'))
    )
    op.create_table('reader_items',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('story_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_reader_items_story_id_stories'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reader_items')),
    sa.UniqueConstraint('story_id', name=op.f('uq_reader_items_story_id'))
    )
    op.create_table('reader_states',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.BigInteger(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('starred_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['reader_items.id'], name=op.f('fk_reader_states_item_id_reader_items'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reader_states_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'item_id', name=op.f('pk_reader_states'))
    )
    with op.batch_alter_table('reader_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reader_states_item_id'), ['item_id'], unique=False)
    op.create_table('auth_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_failures'))
    )
    with op.batch_alter_table('auth_failures', schema=None) as batch_op:
        batch_op.create_index('ix_auth_failures_key_at', ['key', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_auth_failures_at'), ['at'], unique=False)


def downgrade() -> None:
    op.drop_table('auth_failures')
    op.drop_table('reader_states')
    op.drop_table('reader_items')
    op.drop_table('reader_accounts')
