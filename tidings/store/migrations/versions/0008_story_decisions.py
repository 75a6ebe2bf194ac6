"""stories: editors' decisions (an article moved to another story or split off), which the clusterer keeps

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('story_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=320), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('from_story', sa.String(length=32), nullable=False),
    sa.Column('to_story', sa.String(length=32), nullable=False),
    sa.Column('apart', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_story_decisions_article_id_articles'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_decisions'))
    )
    with op.batch_alter_table('story_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_decisions_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_decisions_from_story'), ['from_story'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_decisions_to_story'), ['to_story'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('story_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_decisions_to_story'))
        batch_op.drop_index(batch_op.f('ix_story_decisions_from_story'))
        batch_op.drop_index(batch_op.f('ix_story_decisions_article_id'))
    op.drop_table('story_decisions')
