"""The clusterer's real-coverage evidence and its repairs, on hand-made vectors (no model):
the first hours of a story, shared names (common ones discounted), splits with stable ids,
editors' separations, the repair pass, and the merge/split lines of `tidings cluster`."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from tidings.cli.cluster import notices
from tidings.jsonl import Followed, run_batches
from tidings.stories.cluster import (
    ArticleFeatures,
    ClusterConfig,
    OnlineClusterer,
    StoryState,
    key_agreement,
    story_score,
    utc,
)

DIM = 16
T0 = utc(2024, 5, 1, 6)


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def at_cosine(base: np.ndarray, other: np.ndarray, cosine: float) -> np.ndarray:
    """A unit vector whose cosine with unit ``base`` is ``cosine`` (``other`` orthogonal to it)."""
    return unit(cosine * base + np.sqrt(1 - cosine**2) * other)


def e(i: int) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    return v


def feat(id_, vector, hours=None, keys=(), language="en") -> ArticleFeatures:
    when = None if hours is None else T0 + timedelta(hours=hours)
    return ArticleFeatures(id=id_, vector=vector, published=when, keys=frozenset(keys), language=language)


def ids():
    n = iter(range(1, 10_000))
    return lambda: f"s{next(n)}"


SHIPPED = ClusterConfig()


def test_first_hours_of_a_story_lower_the_bar_and_undated_articles_get_nothing():
    config = SHIPPED
    assert config.fresh_hours > 0 and config.fresh_bonus > 0
    cosine = 0.89  # two angles on one event: below what the join threshold needs on text alone
    plain = story_score(cosine, None, True, 0.0, config, age_hours=None)
    assert plain < config.threshold
    fresh = story_score(cosine, None, True, 0.0, config, age_hours=1.0)
    assert fresh >= config.threshold
    # the bonus fades: a day later the same text needs the ordinary bar again
    late = story_score(cosine, None, True, 1.0, config, age_hours=config.fresh_hours + 1)
    assert late == plain
    # through the clusterer: dated reports hours apart join, the same texts undated (ECB+) do not
    a, b = e(0), at_cosine(e(0), e(1), cosine)
    dated = OnlineClusterer(config, new_id=ids())
    first = dated.place(feat("a", a, 0))
    assert dated.place(feat("b", b, 3)).story_id == first.story_id
    undated = OnlineClusterer(config, new_id=ids())
    first = undated.place(feat("a", a))
    assert undated.place(feat("b", b)).story_id != first.story_id


def test_shared_names_agree_and_names_many_stories_hold_count_for_less():
    article = {"ada lovelace", "turin", "#2024", "x1", "x2", "x3", "x4", "x5"}
    story = {"ada lovelace", "turin", "#2024", "y1", "y2", "y3", "y4", "y5", "y6"}
    jaccard_only = key_agreement(article, story, boost=2.5)
    with_names = key_agreement(article, story, boost=2.5, names_full=2)
    assert jaccard_only < 0.7 and with_names == 1.0  # two shared names are full agreement; numbers do not count
    discounted = key_agreement(article, story, boost=2.5, names_full=2,
                               weight=lambda k: 0.25 if k == "turin" else 1.0)
    assert jaccard_only <= discounted < with_names

    config = replace(SHIPPED, names_common=0.02)
    c = OnlineClusterer(config, new_id=ids())
    for i in range(60):  # 60 stories, each naming "washington" and a name of its own
        c.place(feat(f"n{i}", unit(np.random.default_rng(i).normal(size=DIM)), i * 30, {"washington", f"p{i}"}))
    assert c.name_weight("washington") < 0.1
    assert c.name_weight("p3") == 1.0
    assert c.name_weight("never seen") == 1.0


def test_a_story_holding_two_events_splits_and_the_founding_group_keeps_the_id():
    config = replace(SHIPPED, split_cosine=0.5, threshold=0.0, fresh_bonus=0.0, merge_threshold=1.0,
                     single_merge_margin=1.0)
    c = OnlineClusterer(config, new_id=ids())
    a0 = c.place(feat("a0", e(0), 0, {"alpha"}))
    c.place(feat("a1", at_cosine(e(0), e(2), 0.95), 1, {"alpha"}))
    c.place(feat("b0", at_cosine(e(1), e(3), 0.98), 2, {"beta"}))  # threshold 0: a wrong join
    last = c.place(feat("b1", e(1), 3, {"beta"}))
    splits = c.drain_splits()
    assert len(splits) == 1
    old, new, moved = splits[0]
    assert old == a0.story_id and sorted(moved) == ["b0", "b1"]
    assert last.story_id == new  # the article that revealed the split is reported in its new story
    kept, other = c.stories[old], c.stories[new]
    assert kept.size == 2 and other.size == 2
    assert [m.id for m in kept.members] == ["a0", "a1"]
    assert set(other.keys) == {"beta"} and set(kept.keys) == {"alpha"}
    assert not c.may_merge(old, new)  # the repair pass cannot merge back what the evidence split
    # the state round-trips with its members, so a later run can still split it
    again = StoryState.from_dict(json.loads(json.dumps(kept.to_dict())))
    assert [m.id for m in again.members] == ["a0", "a1"] and again.tracks_members()


def test_splits_never_move_an_article_an_editor_placed():
    config = replace(SHIPPED, split_cosine=0.5, threshold=0.0, fresh_bonus=0.0, merge_threshold=1.0,
                     single_merge_margin=1.0)
    c = OnlineClusterer(config, new_id=ids())
    c.pin("b0")
    c.place(feat("a0", e(0), 0))
    c.place(feat("a1", e(0), 1))
    c.place(feat("b0", e(1), 2))
    c.place(feat("b1", e(1), 3))
    assert c.drain_splits() == []


def test_keep_apart_survives_merges_and_the_repair_pass():
    config = replace(SHIPPED, threshold=0.99, merge_threshold=0.5, single_merge_margin=1.0, fresh_bonus=0.0)
    c = OnlineClusterer(config, new_id=ids())
    a = c.place(feat("a", e(0), 0)).story_id
    b = c.place(feat("b", at_cosine(e(0), e(1), 0.97), 1)).story_id
    assert a != b
    c.keep_apart(a, b)
    c.repair()
    assert c.drain_merges() == [] and c.may_merge(a, b) is False
    free = OnlineClusterer(config, new_id=ids())
    a = free.place(feat("a", e(0), 0)).story_id
    b = free.place(feat("b", at_cosine(e(0), e(1), 0.97), 1)).story_id
    free.place(feat("c", e(0), 2))  # the story grows; its merge check (or the repair) folds b in
    free.repair()
    assert free.drain_merges() and free.resolve(b) == free.resolve(a)


def test_repair_looks_only_at_stories_changed_since_the_last_repair():
    c = OnlineClusterer(SHIPPED, new_id=ids())
    for story in [StoryState(id=f"old{i}", centroid=e(i % DIM), first_seen=T0, last_seen=T0) for i in range(5)]:
        c.add_story(story)
    assert c._touched == set()  # loading stored stories is no change
    placed = c.place(feat("x", e(9), 1)).story_id
    assert c._touched == {placed}
    c.repair()
    assert c._touched == set()


def test_the_repair_pass_places_a_lone_article_again_at_the_join_threshold():
    # text alone (no keys, undated): the score is the cosine; joining needs 0.6, a one-article story
    # merges during placement at 0.6 + 0.05, and in the repair pass at 0.6 + repair_single_margin
    config = ClusterConfig(cos_floor=0.0, xl_shift=0.0, threshold=0.6, merge_threshold=0.9,
                           single_merge_margin=0.05, repair_single_margin=0.0)
    grown = at_cosine(e(0), e(1), 0.62)  # the lone article's cosine with the grown story

    def run(config):
        c = OnlineClusterer(config, new_id=ids())
        c.add_story(StoryState(id="big", centroid=e(0), size=3))
        c.add_story(StoryState(id="lone", centroid=grown, size=1))
        placed = c.place(feat("x", e(0)))  # joins "big"; its merge check refuses "lone" (0.62 < 0.65)
        assert placed.story_id == "big" and c.drain_merges() == []
        return c.repair()

    assert run(config) == [("lone", "big")]
    assert run(replace(config, repair_single_margin=0.05)) == []
    # the shipped margin is below the join threshold: 0.62 joins at 0.6 + (-0.04), 0.55 does not
    assert ClusterConfig().repair_single_margin < 0
    assert run(replace(config, repair_single_margin=-0.04)) == [("lone", "big")]
    grown = at_cosine(e(0), e(1), 0.58)
    assert run(replace(config, repair_single_margin=-0.04)) == [("lone", "big")]
    assert run(config) == []
    grown = at_cosine(e(0), e(1), 0.55)
    assert run(replace(config, repair_single_margin=-0.04)) == []


def test_a_negative_repair_margin_is_a_setting_and_the_bar_stops_at_zero():
    from tidings.config_schema import SettingError

    assert ClusterConfig.from_table({"repair_single_margin": -0.1}).repair_single_margin == -0.1
    with pytest.raises(SettingError, match="repair_single_margin"):
        ClusterConfig.from_table({"repair_single_margin": -1.5})
    lone, big = StoryState(id="lone", centroid=e(0), size=1), StoryState(id="big", centroid=e(0), size=3)
    c = OnlineClusterer(ClusterConfig(threshold=0.02, repair_single_margin=-0.04))
    assert c.merge_threshold_for(lone, big, repairing=True) == 0.0
    assert c.merge_threshold_for(lone, big) == 0.07  # while placing: threshold + single_merge_margin


def test_run_batches_writes_followed_lines_and_the_finish_lines():
    out = io.StringIO()

    def handle(records):
        return [Followed([{"id": r["id"]}, {"note": r["id"]}]) for r in records]

    failures = run_batches(handle, stdin=io.StringIO('{"id": 1}\n{"id": 2}\n'), stdout=out,
                           finish=lambda: [{"end": True}])
    assert failures == 0
    assert [json.loads(x) for x in out.getvalue().splitlines()] == [
        {"id": 1}, {"note": 1}, {"id": 2}, {"note": 2}, {"end": True}]


def test_notices_report_merges_and_splits_once():
    config = replace(SHIPPED, split_cosine=0.5, threshold=0.0, fresh_bonus=0.0, merge_threshold=1.0,
                     single_merge_margin=1.0)
    c = OnlineClusterer(config, new_id=ids())
    for i, v in enumerate([e(0), e(0), e(1), e(1)]):
        c.place(feat(f"a{i}", v, i))
    lines = notices(c)
    assert lines == [{"split": "s1", "into": "s2", "articles": ["a2", "a3"]}]
    assert notices(c) == []


def test_the_readme_cluster_example_is_a_real_run():
    """The README's `tidings cluster` example: its input lines give the output printed under them."""
    from pathlib import Path

    from click.testing import CliRunner

    from tidings.cli import cli

    lines = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("$ cat stories.jsonl") + 1
    run = lines.index("$ .venv/bin/tidings cluster < stories.jsonl")
    end = lines.index("```", run)
    payload = "\n".join(lines[start:run]) + "\n"
    result = CliRunner().invoke(cli, ["cluster"], input=payload)
    assert result.exit_code == 0, result.output
    assert [json.loads(x) for x in result.stdout.splitlines()] == [json.loads(x) for x in lines[run + 1:end]]
