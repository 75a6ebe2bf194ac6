"""The stories stage of `tidings update` applies the clusterer's repairs to the store, on both
backends, with the real embedder: a story that turns out to hold two events is split (the
first article's group keeps the id, moved articles follow), and a copy that reappears weeks
after its original (a reprint, or page furniture several sites carry) joins no story."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import func, select

from tidings.config import Config
from tidings.store.models import Article, Story
from tidings.stories.cluster import utc
from tidings.stories.update import update_stories

QUAKE = [
    ("Earthquake of magnitude 6.8 strikes near Marrakech",
     "A powerful earthquake of magnitude 6.8 struck the High Atlas mountains south-west of Marrakech late on "
     "Friday, killing hundreds of people and flattening villages, Morocco's interior ministry said."),
    ("Rescuers search collapsed villages after Morocco quake",
     "Rescue teams dug through rubble in mountain villages near Marrakech on Saturday after the magnitude 6.8 "
     "earthquake, as the death toll in Morocco climbed and survivors slept outdoors."),
]
CHIP = [
    ("Chipmaker opens new fabrication plant in Dresden",
     "A European semiconductor company opened a fabrication plant in Dresden on Tuesday, promising 1,200 jobs "
     "and chips for carmakers, with subsidies from the German government."),
    ("Dresden chip factory starts production with state aid",
     "Production began at the new Dresden semiconductor factory, which received German state aid and will "
     "supply microcontrollers to car manufacturers, the company said on Tuesday."),
]


def _add(session, n: int, title: str, text: str, when, copy_of: int | None = None) -> Article:
    article = Article(canonical_url=f"https://news.example/{n}", url=f"https://news.example/{n}", title=title,
                      text=text, published_at=when, language="en",
                      content_hash=hashlib.sha256(text.encode()).hexdigest(), copy_of_id=copy_of)
    session.add(article)
    session.flush()
    return article


def _config(db_url: str, **cluster) -> Config:
    config = Config(database_url=db_url)
    config.raw["cluster"] = cluster
    return config


def test_a_story_that_holds_two_events_is_split_in_the_store(store, db_url):
    t0 = utc(2026, 9, 8, 6)
    with store.transaction() as session:
        ids = [_add(session, i, title, text, t0 + timedelta(hours=i)).id
               for i, (title, text) in enumerate(QUAKE + CHIP)]
    # a join threshold of 0 puts every article into the first story; the split repairs it
    report = update_stories(_config(db_url, threshold=0.0, split_cosine=0.8, merge_threshold=1.0), store)
    assert report.splits == 1
    with store.reading() as session:
        story_of = dict(session.execute(select(Article.id, Article.story_id)).all())
        live = session.execute(select(Story.id, Story.article_count, Story.state)
                               .where(Story.merged_into.is_(None))).all()
    assert story_of[ids[0]] == story_of[ids[1]] != story_of[ids[2]] == story_of[ids[3]]
    assert {row.id for row in live} == {story_of[ids[0]], story_of[ids[2]]}
    counts = {row.id: row.article_count for row in live}
    assert counts == {story_of[ids[0]]: 2, story_of[ids[2]]: 2}
    # the state kept for the next run holds the members each story still has
    state = {row.id: row.state for row in live}
    assert sorted(m["id"] for m in state[story_of[ids[2]]]["members"]) == sorted(str(i) for i in ids[2:])


def test_without_the_split_the_same_articles_stay_in_one_story(store, db_url):
    t0 = utc(2026, 9, 8, 6)
    with store.transaction() as session:
        for i, (title, text) in enumerate(QUAKE + CHIP):
            _add(session, i, title, text, t0 + timedelta(hours=i))
    report = update_stories(_config(db_url, threshold=0.0, split_cosine=0.0, merge_threshold=1.0), store)
    assert report.splits == 0
    with store.reading() as session:
        assert len(set(session.scalars(select(Article.story_id)))) == 1


def test_a_copy_within_days_joins_its_original_story(store, db_url):
    t0 = utc(2026, 9, 8, 6)
    title, text = QUAKE[0]
    with store.transaction() as session:
        original = _add(session, 1, title, text, t0)
        copy = _add(session, 2, title, text, t0 + timedelta(days=2), copy_of=original.id)
        original_id, copy_id = original.id, copy.id
    report = update_stories(_config(db_url), store)
    assert (report.copies, report.reprints) == (1, 0)
    with store.reading() as session:
        original, copy = session.get(Article, original_id), session.get(Article, copy_id)
        assert original.story_id is not None and copy.story_id == original.story_id


def test_reprints_weeks_later_join_no_story_and_make_none(store, db_url):
    """The same text at three other outlets three weeks on, hours apart: before, they were placed
    like articles and made a three-source story of their own out of one old text."""
    t0 = utc(2026, 9, 8, 6)
    title, text = QUAKE[0]
    with store.transaction() as session:
        original = _add(session, 1, title, text, t0)
        reprints = [_add(session, n, title, text, t0 + timedelta(weeks=3, hours=n), copy_of=original.id).id
                    for n in (2, 3, 4)]
        original_id = original.id
    config = _config(db_url)
    report = update_stories(config, store)
    assert (report.placed, report.copies, report.reprints) == (1, 0, 3)
    again = update_stories(config, store)  # a later run neither places nor attaches them
    assert (again.placed, again.copies, again.reprints) == (0, 0, 3)
    with store.reading() as session:
        assert session.get(Article, original_id).story_id is not None
        assert all(session.get(Article, i).story_id is None for i in reprints)
        assert all(session.get(Article, i).copy_of_id == original_id for i in reprints)  # kept, linked
        assert session.scalar(select(func.count()).select_from(Story).where(Story.merged_into.is_(None))) == 1


def test_an_editors_split_survives_the_next_update(store, db_url):
    from tidings.stories.editing import split_article

    t0 = utc(2026, 9, 8, 6)
    with store.transaction() as session:
        ids = [_add(session, i, title, text, t0 + timedelta(hours=i)).id for i, (title, text) in enumerate(QUAKE)]
    config = _config(db_url)
    update_stories(config, store)
    with store.reading() as session:
        assert len({session.get(Article, i).story_id for i in ids}) == 1
    result = split_article(store, ids[1], "editor@example.org")
    # a third report of the same quake comes in: it may join either story, but the two never merge again
    with store.transaction() as session:
        third = _add(session, 9, "Morocco earthquake toll rises as rescuers reach Marrakech villages",
                     "The death toll from the magnitude 6.8 earthquake near Marrakech rose on Sunday as rescuers "
                     "reached remote villages in the High Atlas, Morocco's interior ministry said.",
                     t0 + timedelta(hours=5)).id
    report = update_stories(config, store)
    assert report.merges == 0
    with store.reading() as session:
        first, second = session.get(Article, ids[0]), session.get(Article, ids[1])
        assert first.story_id != second.story_id
        assert second.story_id == result.to_story
        assert session.get(Article, third).story_id in {first.story_id, second.story_id}
