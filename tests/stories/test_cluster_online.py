"""The online clusterer's mechanics on hand-made vectors: time blocking, out-of-order
arrival, save/restore, merges and the IVF index (no model needed)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import numpy as np
import pytest

from tidings.stories.cluster import (
    ArticleFeatures,
    ClusterConfig,
    OnlineClusterer,
    StoryState,
    key_agreement,
    number_keys,
    salient_keys,
    story_score,
    time_gap_days,
    utc,
)
from tidings.stories.index import CentroidIndex

DIM = 16


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def basis(i: int, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    if noise:
        v = v + np.random.default_rng(seed).normal(0, noise, DIM).astype(np.float32)
    return unit(v)


def counter_ids():
    n = iter(range(1, 10_000))
    return lambda: f"s{next(n)}"


# a config whose text scale is plain cosine, so hand-made vectors read easily
CONFIG = ClusterConfig(cos_floor=0.0, xl_shift=0.0, key_weight=0.5, threshold=0.6, merge_threshold=0.8, window_days=3.0,
                       grace_hours=36.0, time_penalty=0.25)


def feat(id_: str, vector, day: int | None = None, keys=(), language="en") -> ArticleFeatures:
    when = None if day is None else utc(2024, 3, 1) + timedelta(days=day)
    return ArticleFeatures(id=id_, vector=vector, published=when, keys=frozenset(keys), language=language)


def test_same_vector_joins_different_vector_splits():
    c = OnlineClusterer(CONFIG, new_id=counter_ids())
    a = c.place(feat("a", basis(0), 0, {"acme"}))
    b = c.place(feat("b", basis(0, 0.05, 1), 0, {"acme"}))
    d = c.place(feat("d", basis(3), 0, {"other"}))
    assert a.is_new and not b.is_new and b.story_id == a.story_id
    assert d.is_new and d.story_id != a.story_id
    assert c.stories[a.story_id].size == 2


def test_time_window_blocks_old_stories():
    c = OnlineClusterer(CONFIG, new_id=counter_ids())
    first = c.place(feat("a", basis(0), day=0, keys={"acme"}))
    assert c.candidates(feat("x", basis(0), day=2)) == [first.story_id]
    assert c.candidates(feat("x", basis(0), day=10)) == []  # out of the window: not even looked at
    late = c.place(feat("b", basis(0), day=10, keys={"acme"}))
    assert late.is_new and late.story_id != first.story_id
    near = c.place(feat("c", basis(0), day=1, keys={"acme"}))
    assert near.story_id == first.story_id


def test_time_penalty_grows_with_the_gap():
    assert time_gap_days(utc(2024, 3, 5), utc(2024, 3, 1), utc(2024, 3, 3)) == pytest.approx(2.0)
    assert time_gap_days(utc(2024, 3, 2), utc(2024, 3, 1), utc(2024, 3, 3)) == 0.0
    assert time_gap_days(None, utc(2024, 3, 1), utc(2024, 3, 3)) is None
    near = story_score(0.9, 1.0, True, 0.5, CONFIG)
    far = story_score(0.9, 1.0, True, 2.9, CONFIG)
    assert near > far > 0.0
    assert story_score(0.9, 1.0, True, 3.5, CONFIG) == 0.0


def test_out_of_order_arrival_joins_and_widens_the_span():
    c = OnlineClusterer(CONFIG, new_id=counter_ids())
    ids = [c.place(feat(n, basis(1, 0.05, i), day, {"volcano"})).story_id
           for i, (n, day) in enumerate([("a", 5), ("b", 3), ("c", 4), ("d", 2)])]
    assert len(set(ids)) == 1
    story = c.stories[ids[0]]
    assert story.size == 4
    assert story.first_seen == utc(2024, 3, 3) and story.last_seen == utc(2024, 3, 6)
    # the widened span now reaches an article 2 days before its first member
    assert c.place(feat("e", basis(1), 0, {"volcano"})).story_id == ids[0]


def test_keys_separate_similar_events():
    c = OnlineClusterer(CONFIG, new_id=counter_ids())
    text = basis(2)
    quake_a = c.place(feat("a", text, 0, {"morocco", "#6.8", "marrakech"}))
    same = c.place(feat("b", basis(2, 0.1, 3), 0, {"morocco", "#6.8"}))
    other = c.place(feat("c", basis(2, 0.1, 4), 0, {"japan", "#7.1", "noto"}))
    assert same.story_id == quake_a.story_id
    assert other.story_id != quake_a.story_id


def test_keys_cannot_lower_the_score_across_languages():
    en_fr = story_score(0.9, 0.0, False, None, CONFIG)
    en_en = story_score(0.9, 0.0, True, None, CONFIG)
    assert en_fr == pytest.approx(0.9) and en_en == pytest.approx(0.45)


def test_save_and_restore_keeps_ids():
    c = OnlineClusterer(CONFIG, new_id=counter_ids())
    a = c.place(feat("a", basis(4), 0, {"acme", "#300"}))
    c.place(feat("b", basis(5), 0, {"other"}))
    saved = json.loads(json.dumps(c.export()))

    restored = OnlineClusterer(CONFIG, new_id=lambda: "fresh")
    for data in saved:
        restored.add_story(StoryState.from_dict(data))
    before = c.stories[a.story_id]
    after = restored.stories[a.story_id]
    assert np.array_equal(before.centroid, after.centroid) and after.centroid.dtype == np.float32
    assert after.keys == before.keys and after.first_seen == before.first_seen
    again = restored.place(feat("c", basis(4), 1, {"acme"}))
    assert again.story_id == a.story_id and not again.is_new
    assert restored.place(feat("d", basis(7), 1, {"new"})).story_id == "fresh"


def test_story_state_accepts_raw_bytes_and_lists():
    vec = np.arange(4, dtype=np.float32)
    base = {"id": "x", "size": 2, "first_seen": "2024-03-01T12:00:00+00:00", "keys": {"k": 2}}
    a = StoryState.from_dict({**base, "centroid": vec.tobytes()})
    b = StoryState.from_dict({**base, "centroid": vec.tolist()})
    assert np.array_equal(a.centroid, vec) and np.array_equal(b.centroid, vec)
    assert a.first_seen.tzinfo is not None and a.keys == Counter({"k": 2})


def test_two_stories_merge_when_a_bridge_article_joins_them():
    config = ClusterConfig(cos_floor=0.0, key_weight=0.5, threshold=0.6, merge_threshold=0.75)
    c = OnlineClusterer(config, new_id=counter_ids())
    u = basis(0)
    v = unit(basis(0) + 0.9 * basis(1))  # cos(u, v) = 0.74
    a = c.place(feat("a", u, 0, {"acme", "merger"}))
    a2 = c.place(feat("a2", u, 0, {"acme", "merger"}))
    b = c.place(feat("b", v, 0, {"globex"}))
    assert b.is_new and c.merges() == []  # 0.5 * 0.74 + 0.5 * 0 = 0.37: kept apart
    bridge = c.place(feat("c", unit(u + v), 0, {"acme", "merger", "globex"}))
    assert c.merges() == [(b.story_id, a.story_id)]
    assert bridge.story_id == a.story_id == a2.story_id
    assert c.resolve(b.story_id) == a.story_id
    assert b.story_id not in c.stories and c.stories[a.story_id].size == 4
    assert c.drain_merges() == [(b.story_id, a.story_id)] and c.drain_merges() == []


def test_undated_articles_are_time_neutral():
    c = OnlineClusterer(CONFIG, new_id=counter_ids())
    a = c.place(feat("a", basis(6), None, {"x"}))
    b = c.place(feat("b", basis(6), None, {"x"}))
    assert b.story_id == a.story_id and c.stories[a.story_id].first_seen is None
    dated = c.place(feat("d", basis(7), day=0, keys={"y"}))
    c.place(feat("e", basis(8), day=3, keys={"z"}))  # moves the clock to day 3
    # an undated article is searched around the latest date seen, without a time penalty
    undated = c.place(feat("f", basis(7), None, {"y"}))
    assert undated.story_id == dated.story_id and undated.score == pytest.approx(1.0)
    assert c.place(feat("g", basis(7), day=3, keys={"y"})).score < 0.9  # a dated one 3 days on is penalised


def test_number_keys_fold_separators_across_languages():
    assert number_keys("more than 2,000 people; magnitude 6.8") == {"#2000", "#6.8"}
    assert number_keys("plus de 2 000 morts, magnitude 6,8") == {"#2000", "#6.8"}
    assert number_keys("mehr als 2.000 Menschen, Stärke 6,8") == {"#2000", "#6.8"}
    assert number_keys("3 cats and 7 dogs") == set()


def test_key_agreement_uses_the_salient_keys_of_a_story():
    story = Counter({"acme": 4, "globex": 2, "once": 1})
    assert salient_keys(story, 4, 1 / 3) == {"acme", "globex"}  # held by >= 4/3 members
    assert salient_keys({"x", "y"}, 1, 1 / 3) == {"x", "y"}
    assert key_agreement([], {"a"}) is None
    assert key_agreement(["a", "b"], {"a"}) == pytest.approx(0.5)
    assert key_agreement(["a", "b"], {"a", "c"}, boost=2.0) == pytest.approx(2 / 3)
    assert key_agreement(["a"], {"a"}, boost=2.5) == 1.0


def test_ivf_index_finds_near_vectors_in_the_window_only():
    rng = np.random.default_rng(7)
    index = CentroidIndex(64, n_cells=32, n_probe=4, warmup=600)
    common = rng.standard_normal(64)
    vectors = rng.standard_normal((3000, 64)) + 2.0 * common  # a shared direction, as in real embeddings
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    for i, v in enumerate(vectors):
        index.add(f"s{i}", v, i % 30, i % 30)  # 100 stories a day over 30 days
    assert index.trained and len(index) == 3000
    assert index.n_cells == 64  # relearnt at 2,400 stories: 560 a week need more than 32 cells
    found = 0
    sizes = []
    for i in range(0, 3000, 50):
        query = vectors[i] + rng.normal(0, 0.01, 64).astype(np.float32)
        days = index.window_days(i % 30 - 2, i % 30 + 2)
        cands = index.candidates(query / np.linalg.norm(query), days)
        sizes.append(len(cands))
        found += f"s{i}" in cands
        assert all(abs(int(c[1:]) % 30 - i % 30) <= 2 for c in cands)
    assert found / len(sizes) >= 0.95
    assert np.mean(sizes) < 150  # far fewer than the 500 stories of a 5-day window
    assert len(index.candidates(vectors[0], days, exact_below=10_000)) == len(index.in_window(days))
    index.remove("s0")
    assert "s0" not in index.in_window(index.window_days(-2, 2))


def test_index_learns_more_cells_when_old_days_fill_up_before_the_store_doubles():
    rng = np.random.default_rng(5)

    def build(check_every: int) -> CentroidIndex:
        index = CentroidIndex(8, n_cells=4, n_probe=1, warmup=64, target_candidates=2)
        index.check_every = check_every
        for i in range(64):  # one story a day: a week holds 7, so 4 cells are enough
            index.add(f"a{i}", unit(rng.standard_normal(8)), i, i)
        assert index.trained and len(index.cells) == 4
        for i in range(63):  # the first week fills up late (stories loaded out of date order)
            index.add(f"b{i}", unit(rng.standard_normal(8)), i % 7, i % 7)
        return index

    assert len(build(check_every=16).cells) == 8  # relearnt for the denser days
    assert len(build(check_every=10**9).cells) == 4  # without the check: only when the store doubles


def test_a_lone_article_refused_by_a_small_story_joins_it_once_it_has_grown():
    # the delayed decision: "b" starts its own story because the story of "a" is still one
    # article with other keys; once that story has grown towards "b", b's one-article story
    # merges into it at threshold + single_merge_margin, not at the higher merge_threshold
    config = ClusterConfig(cos_floor=0.0, xl_shift=0.0, key_weight=0.5, threshold=0.6, merge_threshold=0.9,
                           single_merge_margin=0.05)
    c = OnlineClusterer(config, new_id=counter_ids())
    u, w = basis(0), basis(1)
    a = c.place(feat("a", u, 0, {"acme"}))
    b = c.place(feat("b", unit(u + 1.2 * w), 0, {"launch"}))  # cos 0.64, no shared key: 0.32
    assert b.is_new
    # "c" joins "a" (score 1.0 against 0.82 for "b") and brings the key "launch" along;
    # "b" now scores 0.5 * 0.64 + 0.5 * 1 = 0.82 against the grown story: over 0.65, under 0.9
    grown = c.place(feat("c", u, 0, {"acme", "launch"}))
    assert grown.story_id == a.story_id
    assert c.merges() == [(b.story_id, a.story_id)] and c.resolve(b.story_id) == a.story_id
    assert c.stories[a.story_id].size == 3


def test_the_delayed_merge_works_across_runs_on_restored_stories():
    # as in `tidings update`: the lone article's story was stored by an earlier run
    config = ClusterConfig(cos_floor=0.0, xl_shift=0.0, key_weight=0.5, threshold=0.6, merge_threshold=0.9,
                           single_merge_margin=0.05)
    first = OnlineClusterer(config, new_id=counter_ids())
    u, w = basis(0), basis(1)
    a = first.place(feat("a", u, 0, {"acme"}))
    b = first.place(feat("b", unit(u + 1.2 * w), 0, {"launch"}))
    assert b.is_new and first.merges() == []
    second = OnlineClusterer(config, new_id=lambda: "fresh")
    for data in json.loads(json.dumps(first.export())):
        second.add_story(StoryState.from_dict(data))
    grown = second.place(feat("c", u, 1, {"acme", "launch"}))
    assert grown.story_id == a.story_id and second.drain_merges() == [(b.story_id, a.story_id)]


def test_two_grown_stories_still_need_the_merge_threshold():
    config = ClusterConfig(cos_floor=0.0, xl_shift=0.0, key_weight=0.5, threshold=0.6, merge_threshold=0.9,
                           single_merge_margin=0.05)
    c = OnlineClusterer(config, new_id=counter_ids())
    assert c.merge_threshold_for(StoryState("x", basis(0), size=1), StoryState("y", basis(0), size=5)) == \
        pytest.approx(0.65)
    assert c.merge_threshold_for(StoryState("x", basis(0), size=2), StoryState("y", basis(0), size=5)) == 0.9
    loose = ClusterConfig(threshold=0.6, merge_threshold=0.62, single_merge_margin=0.05)
    assert OnlineClusterer(loose).merge_threshold_for(StoryState("x", basis(0)), StoryState("y", basis(0))) == 0.62
