"""Migrations keep data: an 0001 database with articles and history upgrades to head intact,
and the models match the migrated schema."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from tidings.store.db import Store, current_revision, head_revision, include_object, upgrade
from tidings.store.models import Base


def test_upgrade_from_0001_keeps_articles_and_their_history(db_url):
    from tidings.store.db import make_engine

    engine = make_engine(db_url)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (id, url, kind, name, authority, active, consecutive_errors, created_at)"
                          " VALUES (1, 'https://a.example/feed', 'feed', 'A', 0.5, true, 0, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO articles (id, canonical_url, url, source_id, text, text_source, content_hash,"
                          " version, first_seen_at, updated_at) VALUES (1, 'https://a.example/1', 'https://a.example/1',"
                          " 1, 'body', 'page', 'h', 2, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO article_versions (article_id, version, text, content_hash, recorded_at)"
                          " VALUES (1, 1, 'old body', 'h0', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO article_bands (article_id, band, key) VALUES (1, 0, 42)"))
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM article_versions")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM article_bands")).scalar() == 1
        assert conn.execute(text("SELECT text, story_id FROM articles")).one() == ("body", None)
    engine.dispose()


def test_models_match_the_migrated_schema(db_url):
    store = Store(db_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_object": include_object}),
                                Base.metadata)
    store.close()
    assert diff == []
