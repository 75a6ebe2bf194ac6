from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tidings.store.db import Store, StoreError, current_revision, head_revision
from tidings.store.models import Article, Source
from tidings.timeutil import utcnow


def test_migrations_create_schema_and_are_idempotent(db_url):
    s1 = Store(db_url)
    assert current_revision(s1.engine) == head_revision()
    assert {"sources", "articles", "article_versions", "seen_entries", "article_bands"} <= set(s1.tables())
    s1.close()
    s2 = Store(db_url)  # running the migrations again is a no-op
    assert current_revision(s2.engine) == head_revision()
    s2.close()


def test_store_without_creating_refuses_an_empty_database(sqlite_url):
    with pytest.raises(StoreError, match="tidings db upgrade"):
        Store(sqlite_url, create=False)


def test_transaction_rolls_back_as_a_whole(store):
    with store.transaction() as s:
        s.add(Source(url="https://a.example/feed", name="A", kind="feed", authority=0.5, consecutive_errors=0,
                     active=True))
    with pytest.raises(IntegrityError):
        with store.transaction() as s:
            s.add(Source(url="https://b.example/feed", name="B", kind="feed", authority=0.5, consecutive_errors=0,
                         active=True))
            s.flush()
            s.add(Source(url="https://a.example/feed", name="dup", kind="feed", authority=0.5,
                         consecutive_errors=0, active=True))
            s.flush()
    with store.reading() as s:
        assert [x.url for x in s.scalars(select(Source))] == ["https://a.example/feed"]


def test_datetimes_come_back_aware_utc(store):
    when = utcnow().replace(microsecond=0) - timedelta(days=1)
    with store.transaction() as s:
        src = Source(url="https://a.example/feed", name="A", kind="feed", authority=0.5, consecutive_errors=0,
                     active=True, next_due_at=when)
        s.add(src)
    with store.reading() as s:
        got = s.scalar(select(Source.next_due_at))
        assert got == when and got.tzinfo is not None


def test_canonical_url_is_unique(store):
    with pytest.raises(IntegrityError):
        with store.transaction() as s:
            for _ in range(2):
                s.add(Article(canonical_url="https://x.example/a", url="https://x.example/a", text="t",
                              content_hash="h", version=1))
                s.flush()
    with store.reading() as s:
        assert s.scalar(select(func.count(Article.id))) == 0
