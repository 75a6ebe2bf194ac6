"""Ranking and similar-news rules (pure functions) and outlet ranks from a real store."""

from datetime import timedelta

import numpy as np

from tidings.stories.rank import OutletRecord, RankConfig, StorySignals, importance, outlet_ranks
from tidings.stories.similar import SimilarConfig, similar_stories
from tidings.timeutil import utcnow

NOW = utcnow()


def test_more_outlets_beat_more_articles_from_one_outlet():
    one_outlet = StorySignals(10, {1: 0.7}, [NOW - timedelta(hours=1)] * 10)
    three_outlets = StorySignals(3, {1: 0.7, 2: 0.7, 3: 0.7}, [NOW - timedelta(hours=1)] * 3)
    assert importance(three_outlets, NOW)[0] > importance(one_outlet, NOW)[0]


def test_freshness_halves_every_half_life_and_authority_counts():
    cfg = RankConfig(half_life_hours=10, velocity_boost=0)
    fresh = importance(StorySignals(2, {1: 0.5, 2: 0.5}, [NOW]), NOW, cfg)[0]
    old = importance(StorySignals(2, {1: 0.5, 2: 0.5}, [NOW - timedelta(hours=10)]), NOW, cfg)[0]
    assert abs(old / fresh - 0.5) < 1e-9
    trusted = importance(StorySignals(2, {1: 0.9, 2: 0.9}, [NOW]), NOW, cfg)[0]
    assert trusted > fresh


def test_outlet_ranks_are_per_country():
    ranks = outlet_ranks([OutletRecord(1, "US", 0.5), OutletRecord(2, "US", 0.9), OutletRecord(3, "fr", 0.1),
                          OutletRecord(4, None, 0.3)])
    assert ranks == {2: (1, "US"), 1: (2, "US"), 3: (1, "FR"), 4: (1, "WORLD")}


def _unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_similar_news_skips_repeats_and_unrelated_stories():
    target = _unit([1, 0, 0, 0])
    macron_a = _unit([0.9, 0.43, 0, 0])
    macron_b = _unit([0.9, 0.43, 0.01, 0])  # the same related story twice (seed 004's repeat)
    lagarde = _unit([0.88, 0, 0.47, 0])
    unrelated = _unit([0, 0, 0, 1])
    same_event = _unit([1, 0.01, 0, 0])  # a missed merge, not "similar news"
    ids = ["macron-a", "macron-b", "lagarde", "unrelated", "same"]
    picks = similar_stories(target, ids, np.stack([macron_a, macron_b, lagarde, unrelated, same_event]),
                            SimilarConfig(min_similarity=0.5, max_similarity=0.97, duplicate_similarity=0.95))
    chosen = [i for i, _ in picks]
    assert "unrelated" not in chosen and "same" not in chosen
    assert len({"macron-a", "macron-b"} & set(chosen)) == 1 and "lagarde" in chosen


def test_story_tags_put_names_first_and_drop_contained_repeats():
    from tidings.stories.tags import Tag, story_tags

    candidates = [Tag("Cloud", "cloud", "keyphrase", 3.4), Tag("Stratus Cloud", "stratus cloud", "entity", 2.8),
                  Tag("Stratus", "stratus", "entity", 2.1), Tag("Inquiry", "inquiry", "keyphrase", 2.7),
                  Tag("Les", "les", "keyphrase", 2.0), Tag("Corvid AI", "corvid ai", "entity", 2.9)]
    assert [t.name for t in story_tags(candidates, count=4)] == ["Stratus Cloud", "Corvid AI", "Inquiry"]
