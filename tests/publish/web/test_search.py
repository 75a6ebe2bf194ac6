"""Search: the index follows the stories (incrementally), filters apply, ranking uses the score;
on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from sqlalchemy import select, update

from tests.publish.web.sample import populate
from tidings.store.models import Story
from tidings.store.search import reindex, search


def test_index_search_filters_and_incremental_refresh(store):
    sample = populate(store)
    first = reindex(store)
    assert first.added == 4 + 7 and first.removed == 0  # 4 live stories (one is merged), 7 articles
    again = reindex(store)
    assert again.added == again.updated == again.removed == 0
    with store.reading() as s:
        hits, total = search(s, "skyward")
        kinds = [(h.kind, h.story_id) for h in hits]
        assert total == len(hits) >= 2
        assert kinds[0] == ("story", sample.main)  # the story outranks its own articles
        # prefix on the last word, accents folded on SQLite and kept equal on PostgreSQL
        assert search(s, "satell")[1] >= 1
        fr, _ = search(s, "satellite", language="fr")
        assert fr and all(h.language == "fr" for h in fr)
        assert search(s, "skyward", kind="article", source_id=2)[0][0].ref == str(sample.articles["orbital-fr"])
        assert search(s, "rates", section="Science")[1] == 0
        assert search(s, "")[1] == 0 and search(s, "(((")[1] == 0
    with store.transaction() as s:
        s.execute(update(Story).where(Story.id == sample.other).values(merged_into=sample.main))
    changed = reindex(store)
    assert changed.removed == 1
    with store.reading() as s:
        assert all(h.ref != sample.other for h in search(s, "rates")[0])
        assert s.scalar(select(Story.id).where(Story.id == sample.other))


def test_migration_0003_goes_down_and_up(store):
    from alembic import command
    from sqlalchemy import inspect

    from tidings.store.db import alembic_config, upgrade

    populate(store)
    reindex(store)
    cfg = alembic_config(store.engine)
    with store.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0002")
    assert not any(name.startswith("search_") for name in inspect(store.engine).get_table_names())
    upgrade(store.engine)
    assert reindex(store).added == 11  # the index is rebuilt from the stories and articles
    with store.reading() as s:
        assert search(s, "skyward")[1] >= 2


def test_models_match_the_schema_outside_the_search_index(store):
    # what tests/store/test_migrations.py checks, with the index's DDL left out by the hook
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from tidings.store.models import Base
    from tidings.store.search import include_object

    with store.engine.connect() as conn:
        plain = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        filtered = compare_metadata(MigrationContext.configure(conn, opts={"include_object": include_object}),
                                    Base.metadata)
    assert all("search_" in repr(change) for change in plain)
    assert filtered == []
