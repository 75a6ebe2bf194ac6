"""search: a documents table (stories and articles) with a full-text index

SQLite: an FTS5 virtual table over ``search_documents`` (external content), kept in
step by triggers on that table. PostgreSQL: a generated ``tsvector`` column with a
GIN index. ``tidings.store.search.reindex(store)`` fills ``search_documents``
from the stories, summaries and articles (incrementally, by a per-row stamp).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'search_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),  # "story" or "article"
        sa.Column('ref', sa.String(length=32), nullable=False),  # story id, or article id as text
        sa.Column('story_id', sa.String(length=32), nullable=True),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('section', sa.String(length=100), nullable=True),
        sa.Column('language', sa.String(length=16), nullable=True),
        sa.Column('source_id', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('stamp', sa.String(length=64), nullable=False),  # what the row was built from
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
        sa.UniqueConstraint('kind', 'ref', name=op.f('uq_search_documents_kind')),
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_documents_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_story_id'), ['story_id'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_documents',"
            " content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN"
            " INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END"
        )
        op.execute(
            "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN"
            " INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);"
            " END"
        )
        op.execute(
            "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN"
            " INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);"
            " INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END"
        )
    elif dialect == 'postgresql':
        # 'simple': no stemming, so one index serves every language the desk reads.
        op.execute(
            "ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
            " setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||"
            " setweight(to_tsvector('simple', coalesce(body, '')), 'B')) STORED"
        )
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING GIN (tsv)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS search_documents_au")
        op.execute("DROP TRIGGER IF EXISTS search_documents_ad")
        op.execute("DROP TRIGGER IF EXISTS search_documents_ai")
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif dialect == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_search_documents_tsv")
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_story_id'))
        batch_op.drop_index(batch_op.f('ix_search_documents_published_at'))
    op.drop_table('search_documents')
