"""The stories stage's plan meets articles in one order whatever order they were stored in:
publication time first, then URL (ids follow the order concurrent fetches finished in)."""

from __future__ import annotations

from datetime import timedelta

from tidings.config import Config
from tidings.store.models import Article
from tidings.stories.cluster import utc
from tidings.stories.update import StoriesUpdater


def _store_articles(store, urls_and_hours: list[tuple[str, int | None]]) -> dict[str, int]:
    t0 = utc(2026, 9, 8, 6)
    ids = {}
    with store.transaction() as session:
        for url, hours in urls_and_hours:
            article = Article(canonical_url=url, url=url, title=url, text="text of " + url, language="en",
                              content_hash=url, published_at=None if hours is None else t0 + timedelta(hours=hours))
            session.add(article)
            session.flush()
            ids[url] = article.id
    return ids


def test_articles_of_the_same_time_are_planned_by_url_not_by_storing_order(store, db_url):
    # stored in the reverse of URL order, as a fetch that finished the other way round would store them
    ids = _store_articles(store, [("https://c.example/3", 0), ("https://b.example/2", 0),
                                  ("https://z.example/undated", None), ("https://a.example/1", 0),
                                  ("https://y.example/earlier", -1)])
    planned = StoriesUpdater(Config(database_url=db_url), store)._pending()
    by_id = {v: k for k, v in ids.items()}
    assert [by_id[i] for i in planned] == ["https://y.example/earlier", "https://a.example/1", "https://b.example/2",
                                           "https://c.example/3", "https://z.example/undated"]
