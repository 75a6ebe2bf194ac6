"""The stories stage's plan meets articles in one order whatever order they were stored in:
publication time first, then URL (ids follow the order concurrent fetches finished in)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tidings.config import Config
from tidings.store.db import Store
from tidings.store.models import Article
from tidings.stories.cluster import utc
from tidings.stories.update import StoriesUpdater, update_stories


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


QUAKE = [("Earthquake of magnitude 6.8 strikes near Marrakech",
          "A powerful earthquake of magnitude 6.8 struck the High Atlas mountains south-west of Marrakech late on "
          "Friday, killing hundreds of people and flattening villages, Morocco's interior ministry said."),
         ("Rescuers search collapsed villages after Morocco quake",
          "Rescue teams dug through rubble in mountain villages near Marrakech on Saturday after the magnitude 6.8 "
          "earthquake, as the death toll in Morocco climbed and survivors slept outdoors.")]
CHIP = [("Chipmaker opens new fabrication plant in Dresden",
         "A European semiconductor company opened a fabrication plant in Dresden on Tuesday, promising 1,200 jobs "
         "and chips for carmakers, with subsidies from the German government.")]


def test_the_same_articles_make_the_same_stories_with_the_same_ids_whatever_order_they_were_stored_in(tmp_path):
    t0 = utc(2026, 9, 8, 6)
    articles = [(f"https://news.example/{n}", title, text, t0 + timedelta(hours=n))
                for n, (title, text) in enumerate(QUAKE + CHIP)]
    outcomes = []
    for name, order in (("forward", articles), ("backward", articles[::-1])):
        url = f"sqlite:///{tmp_path / name}.db"
        store = Store(url, migrate=True)
        with store.transaction() as session:
            for link, title, text, when in order:
                session.add(Article(canonical_url=link, url=link, title=title, text=text, language="en",
                                    content_hash=link, published_at=when))
        update_stories(Config(database_url=url), store)
        with store.reading() as session:
            outcomes.append(sorted(session.execute(select(Article.canonical_url, Article.story_id)).all()))
        store.close()
    forward, backward = outcomes
    assert forward == backward  # the same story ids, not only the same groups
    ids = [story for _, story in forward]
    assert ids[0] == ids[1] != ids[2]  # the two quake reports are one story, the chip plant another


def test_the_driver_files_sections_without_loading_the_embedder_itself(tmp_path, monkeypatch):
    """With a pool, every vector of an update is computed in the workers, the sections' prototypes
    too (``tidings.engine.embedder.StageEmbedder``): the driver's process never loads the model."""
    from tidings.engine.config import EngineConfig
    from tidings.engine.executors import LocalExecutor
    from tidings.store.models import Story
    from tidings.stories import embed

    monkeypatch.setattr(embed, "_CACHE", {})  # this process's embedders, as if none were loaded yet
    t0 = utc(2026, 9, 8, 6)
    url = f"sqlite:///{tmp_path / 'desk'}.db"
    store = Store(url, migrate=True)
    with store.transaction() as session:
        for n, (title, text) in enumerate(QUAKE + CHIP):
            link = f"https://news.example/{n}"
            session.add(Article(canonical_url=link, url=link, title=title, text=text, language="en",
                                content_hash=link, published_at=t0 + timedelta(hours=n)))
    with LocalExecutor(EngineConfig(workers=2, batch_size=2, inline_below=0)) as executor:
        update_stories(Config(database_url=url), store, executor=executor)
    with store.reading() as session:
        sections = [story.section for story in session.scalars(select(Story))]
    store.close()
    assert len(sections) == 2 and all(sections)
    assert embed._CACHE == {}
