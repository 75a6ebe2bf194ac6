"""The pages' queries on SQLite and on PostgreSQL: the same answers from the same rows."""

from __future__ import annotations

from tests.publish.web.sample import populate
from tidings.publish.web import queries


def test_queries_on_both_databases(store):
    sample = populate(store)
    with store.reading() as s:
        top, sections = queries.front_page(s, ["Business", "Science"], top=1)
        assert [c.id for c in top] == [sample.main]
        assert [name for name, _ in sections] == ["Business", "Science", "World"]  # configured order, then others
        assert all(c.id != sample.merged for _, cards in sections for c in cards)

        detail = queries.story_detail(s, sample.main)
        assert isinstance(detail, queries.StoryDetail)
        assert [x.cites for x in detail.sentences] == [[1, 2], [3]]
        assert [x.outlet for x in detail.sources] == ["Harbour Wire", "La Veille", "Harbour Wire"]
        assert [c.id for c in detail.similar] == [sample.similar]
        assert detail.sources[0].rank == "🏆 1. in GB"
        assert queries.story_detail(s, sample.merged) == queries.Redirect(sample.main)
        assert queries.story_detail(s, "missing") is None

        hostile = queries.story_detail(s, sample.hostile)
        assert hostile.card.headline == "Hostile headline"
        assert [x.url for x in hostile.sources] == ["https://bad.example/evil", None]
        assert hostile.card.tags == []  # a tag made only of markup has no name left

        fr, total = queries.list_stories(s, language="fr")
        assert total == 2 and {c.id for c in fr} == {sample.main, sample.similar}
        tagged, total = queries.list_stories(s, tag="skyward", limit=1)
        assert total == 2 and [c.id for c in tagged] == [sample.main]
        by_source, _ = queries.list_stories(s, source_id=2, order="recent")
        assert [c.id for c in by_source] == [sample.main, sample.similar]

        days = queries.archive_days(s)
        assert sum(n for _, n in days) == 4
        assert {c.id for d, _ in days for c in queries.stories_of_day(s, d)} == \
            {sample.main, sample.similar, sample.hostile, sample.other}
        outlets = {o.name: o for o in queries.list_outlets(s)}
        assert outlets["Evil Outlet"].healthy is False and outlets["Harbour Wire"].article_count == 3
        rows, total = queries.list_articles(s, story_id=sample.main)
        assert total == 3 and rows[0].title == "Weather satellite sends first images"
