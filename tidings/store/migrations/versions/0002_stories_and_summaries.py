"""stories and summaries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 04:24:33.247969
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('stories',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_published', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_published', sa.DateTime(timezone=True), nullable=True),
    sa.Column('merged_into', sa.String(length=32), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('article_count', sa.Integer(), nullable=False),
    sa.Column('outlet_count', sa.Integer(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('section', sa.String(length=100), nullable=True),
    sa.Column('section_scores', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('rank_signals', sa.JSON(), nullable=False),
    sa.Column('similar', sa.JSON(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('summary_id', sa.Integer(), nullable=True),
    sa.Column('needs_summary', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stories'))
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stories_first_published'), ['first_published'], unique=False)
        batch_op.create_index(batch_op.f('ix_stories_last_published'), ['last_published'], unique=False)
        batch_op.create_index(batch_op.f('ix_stories_merged_into'), ['merged_into'], unique=False)
        batch_op.create_index(batch_op.f('ix_stories_score'), ['score'], unique=False)
        batch_op.create_index(batch_op.f('ix_stories_section'), ['section'], unique=False)
        batch_op.create_index(batch_op.f('ix_stories_updated_at'), ['updated_at'], unique=False)

    op.create_table('summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('headline', sa.Text(), nullable=False),
    sa.Column('lead', sa.Text(), nullable=False),
    sa.Column('sentences', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_summaries_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summaries')),
    sa.UniqueConstraint('story_id', 'version', name=op.f('uq_summaries_story_id'))
    )
    with op.batch_alter_table('summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summaries_story_id'), ['story_id'], unique=False)

    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('embedding', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('embedding_model', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('embedded_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('story_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('story_score', sa.Float(), nullable=True))
        batch_op.create_index(batch_op.f('ix_articles_story_id'), ['story_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_articles_story_id_stories'), 'stories', ['story_id'], ['id'], ondelete='SET NULL')




def downgrade() -> None:

    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_articles_story_id_stories'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_articles_story_id'))
        batch_op.drop_column('story_score')
        batch_op.drop_column('story_id')
        batch_op.drop_column('embedded_version')
        batch_op.drop_column('embedding_model')
        batch_op.drop_column('embedding')

    with op.batch_alter_table('summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summaries_story_id'))

    op.drop_table('summaries')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stories_updated_at'))
        batch_op.drop_index(batch_op.f('ix_stories_section'))
        batch_op.drop_index(batch_op.f('ix_stories_score'))
        batch_op.drop_index(batch_op.f('ix_stories_merged_into'))
        batch_op.drop_index(batch_op.f('ix_stories_last_published'))
        batch_op.drop_index(batch_op.f('ix_stories_first_published'))

    op.drop_table('stories')

