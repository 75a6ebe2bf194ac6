"""Editors' decisions (tidings.stories.editing) on a real SQLite file and a real PostgreSQL server:
moving an article to another story and splitting it off update the article, both stories' clusterer
states and aggregates in one transaction and record the decision; the decisions then keep the
clusterer from merging the stories back. Hand-made vectors stand in for embeddings (no model runs)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select

from tidings.store.models import Article, Source, Story, StoryDecision
from tidings.stories.cluster import ClusterConfig, OnlineClusterer, StoryState, utc
from tidings.stories.editing import (
    EditError,
    load_decisions,
    move_article,
    split_article,
    state_from_members,
    stored_features,
    story_ref,
)

DIM = 16
T0 = utc(2026, 11, 20, 8)
# plain cosine as the text scale, so hand-made vectors read easily (as in test_cluster_online)
CONFIG = ClusterConfig(cos_floor=0.0, xl_shift=0.0, key_weight=0.5, threshold=0.6, merge_threshold=0.8)
TEXT = "the people who were there said it went on for most of the day and ended quietly"


def vec(i: int, j: int | None = None, w: float = 0.3) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    if j is not None:
        v[j] = w
    return v / np.linalg.norm(v)


def add_story(session, story_id: str, articles: list[Article], section: str = "Research") -> Story:
    """A story as the stories stage leaves it: members placed, state built from their features."""
    story = Story(id=story_id, title=articles[0].title, section=section, needs_summary=False)
    session.add(story)
    session.flush()
    for a in articles:
        a.story_id = story_id
        a.story_score = 0.9
    session.flush()
    originals = [a for a in articles if a.copy_of_id is None]
    story.state = state_from_members(story_id, stored_features(originals, CONFIG)).to_dict()
    from tidings.stories.update import refresh_story

    refresh_story(session, story)
    story.needs_summary = False
    return story


@pytest.fixture
def desk(store):
    """Story A: three articles (a1, a2 in English, a3 in French) and a syndicated copy of a2;
    story B: two articles on another event; story C: one article told much like A (a similar event,
    as ECB+ pairs them, not merged so far). Returns the article ids by name."""
    with store.transaction() as s:
        wire = Source(url="https://wire.example/feed", name="Wire", authority=0.9)
        post = Source(url="https://post.example/feed", name="Post", authority=0.5)
        s.add_all([wire, post])
        s.flush()

        def art(key: str, source: Source, vector: np.ndarray, hours: float, language: str = "en",
                copy_of: Article | None = None) -> Article:
            a = Article(canonical_url=f"https://{key}.example/", url=f"https://{key}.example/", source_id=source.id,
                        title=f"report {key}", text=TEXT, language=language, content_hash=key,
                        published_at=T0 + timedelta(hours=hours),
                        embedding=np.asarray(vector, dtype="<f4").tobytes(),
                        copy_of_id=copy_of.id if copy_of else None, copy_kind="near" if copy_of else None)
            s.add(a)
            s.flush()
            return a

        a1 = art("a1", wire, vec(0), 0)
        a2 = art("a2", post, vec(0, 1), 5)
        a3 = art("a3", post, vec(0, 2), 9, "fr")
        a2copy = art("a2copy", wire, vec(0, 1), 6, copy_of=a2)
        b1 = art("b1", wire, vec(5), 30)
        b2 = art("b2", post, vec(5, 6), 31)
        c1 = art("c1", wire, vec(0, 3, 0.5), 20)
        add_story(s, "storya", [a1, a2, a3, a2copy])
        add_story(s, "storyb", [b1, b2], section="Policy")
        add_story(s, "storyc", [c1])
        return {"a1": a1.id, "a2": a2.id, "a3": a3.id, "a2copy": a2copy.id, "b1": b1.id, "b2": b2.id, "c1": c1.id}


def story_of(store, article_id: int) -> str | None:
    with store.reading() as s:
        return s.get(Article, article_id).story_id


def test_move_updates_article_states_aggregates_and_records_the_decision(store, desk):
    result = move_article(store, desk["a2"], "storyb", "editor@example.org", CONFIG)
    assert (result.action, result.from_story, result.to_story, result.emptied) == ("move", "storya", "storyb", False)
    assert set(result.moved) == {desk["a2"], desk["a2copy"]}  # the syndicated copy follows its original
    with store.reading() as s:
        a, b = s.get(Story, "storya"), s.get(Story, "storyb")
        moved = s.get(Article, desk["a2"])
        assert moved.story_id == "storyb" and s.get(Article, desk["a2copy"]).story_id == "storyb"
        assert moved.story_score is None  # the clusterer's old score no longer describes where it is
        assert (a.article_count, b.article_count) == (2, 4)
        assert a.needs_summary and b.needs_summary
        assert a.last_published == T0 + timedelta(hours=9) and b.first_published == T0 + timedelta(hours=5)
        assert sorted(a.languages) == ["en", "fr"]
        sa, sb = StoryState.from_dict(a.state), StoryState.from_dict(b.state)
        assert (sa.size, sb.size) == (2, 3)  # originals only: the copy is not a clusterer member
        np.testing.assert_allclose(sa.centroid, (vec(0) + vec(0, 2)) / 2, atol=1e-6)
        np.testing.assert_allclose(sb.centroid, (vec(5) + vec(5, 6) + vec(0, 1)) / 3, atol=1e-6)
        assert (sa.first_seen, sa.last_seen) == (T0, T0 + timedelta(hours=9))
        assert sb.first_seen == T0 + timedelta(hours=5)
        (decision,) = s.scalars(select(StoryDecision)).all()
        assert (decision.actor, decision.action, decision.article_id, decision.from_story, decision.to_story,
                decision.apart) == ("editor@example.org", "move", desk["a2"], "storya", "storyb", True)
        assert decision.created_at is not None
        assert load_decisions(s) == ({desk["a2"]}, [("storya", "storyb")])


def test_split_makes_a_story_of_its_own(store, desk):
    result = split_article(store, desk["a3"], "cli:sam", CONFIG)
    new = result.to_story
    assert new not in ("storya", "storyb") and result.action == "split"
    with store.reading() as s:
        story = s.get(Story, new)
        assert story.article_count == 1 and story.languages == ["fr"] and story.title == "report a3"
        assert story.section == "Research"  # filed with its old story's section until it is filed again
        assert story.needs_summary
        state = StoryState.from_dict(story.state)
        assert state.size == 1 and state.first_seen == T0 + timedelta(hours=9)
        np.testing.assert_allclose(state.centroid, vec(0, 2), atol=1e-6)
        old = StoryState.from_dict(s.get(Story, "storya").state)
        assert old.size == 2 and old.last_seen == T0 + timedelta(hours=5)  # the span narrows to the members left
        assert list(old.languages) == ["en"] and old.by_language == {}
        assert s.get(Story, "storya").languages == ["en"]
        assert load_decisions(s) == ({desk["a3"]}, [("storya", new)])


def test_refused_decisions_change_nothing(store, desk):
    with pytest.raises(EditError, match="no article"):
        move_article(store, 999_999, "storyb", "ed", CONFIG)
    with pytest.raises(EditError, match="syndicated copy"):
        move_article(store, desk["a2copy"], "storyb", "ed", CONFIG)
    with pytest.raises(EditError, match="already in story"):
        move_article(store, desk["a1"], "/story/storya", "ed", CONFIG)
    with pytest.raises(EditError, match="no story"):
        move_article(store, desk["a1"], "nosuchstory", "ed", CONFIG)
    with pytest.raises(EditError, match="needs the name"):
        move_article(store, desk["a1"], "storyb", "  ", CONFIG)
    split_article(store, desk["b2"], "ed", CONFIG, new_id="storyd")
    with pytest.raises(EditError, match="only article"):
        split_article(store, desk["b1"], "ed", CONFIG)
    with store.reading() as s:
        assert story_of(store, desk["a1"]) == "storya" and s.get(Story, "storya").article_count == 4
        assert len(s.scalars(select(StoryDecision)).all()) == 1  # only the split went through


def test_moving_the_last_article_retires_its_story(store, desk):
    split_article(store, desk["b2"], "ed", CONFIG, new_id="storyd")
    # by address, as an editor pastes it; the emptied story redirects like a merged one
    result = move_article(store, desk["b2"], "https://news.example/story/storyb", "ed", CONFIG)
    assert result.emptied and result.to_story == "storyb"
    with store.reading() as s:
        d = s.get(Story, "storyd")
        assert d.merged_into == "storyb" and d.state == {}
        assert s.get(Story, "storyb").article_count == 2
        assert StoryState.from_dict(s.get(Story, "storyb").state).size == 2
        pinned, apart = load_decisions(s)
        assert pinned == {desk["b2"]} and apart == [("storyb", "storyd")]  # the move itself keeps nothing apart
    # a move to a story that was merged away lands in its survivor
    result = move_article(store, desk["a1"], "storyd", "ed", CONFIG)
    assert result.to_story == "storyb"


def test_story_ref_reads_ids_and_addresses():
    assert story_ref("abc123") == "abc123"
    assert story_ref(" https://tidings.example/story/0f3a9c/?x=1 ") == "0f3a9c"
    assert story_ref("/api/stories/0f3a9c") == "0f3a9c"
    with pytest.raises(EditError):
        story_ref("https://tidings.example/story/")


def _clusterer_from_store(store, config: ClusterConfig, decisions: bool) -> OnlineClusterer:
    """What the stories stage loads before placing new articles: live stories' states, merges,
    and (the hook this test is about) the editors' decisions."""
    clusterer = OnlineClusterer(config)
    with store.reading() as s:
        for story in s.scalars(select(Story).where(Story.merged_into.is_(None))):
            if story.state:
                clusterer.add_story(StoryState.from_dict(story.state))
        for old, new in s.execute(select(Story.id, Story.merged_into).where(Story.merged_into.is_not(None))):
            clusterer.add_redirect(old, new)
        if decisions:
            _, apart = load_decisions(s)
            for a, b in apart:
                clusterer.keep_apart(a, b)
    return clusterer


@pytest.mark.parametrize("action", ["move", "split"])
def test_a_decision_survives_the_next_update(store, desk, action):
    from tidings.stories.cluster import ArticleFeatures

    # the editor separates a1 from story A: into the similar story C, or into a story of its own
    if action == "move":
        result = move_article(store, desk["a1"], "storyc", "ed", CONFIG)
    else:
        result = split_article(store, desk["a1"], "ed", CONFIG)
    there = result.to_story
    # a stream of reports with A's wording arrives; a clusterer that ignores the decision merges back
    arrivals = [ArticleFeatures(id=f"n{i}", vector=vec(0, 1 + i % 2, 0.1), published=T0 + timedelta(hours=10 + i),
                                title="more") for i in range(6)]
    for use_decisions in (False, True):
        clusterer = _clusterer_from_store(store, CONFIG, use_decisions)
        for f in arrivals:
            clusterer.place(f)
        merged_back = clusterer.resolve("storya") == clusterer.resolve(there)
        assert merged_back is (not use_decisions)
    with store.reading() as s:
        pinned, _ = load_decisions(s)
    assert desk["a1"] in pinned


def test_the_stories_command_moves_splits_and_lists(store, desk, db_url, tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from tidings.cli import cli

    monkeypatch.chdir(tmp_path)  # no tidings.toml here: the database comes from the environment
    env = {"TIDINGS_DATABASE_URL": db_url}
    runner = CliRunner()
    r = runner.invoke(cli, ["stories", "move", str(desk["a2"]), "storyb", "--by", "sam@example.org"], env=env)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == f"moved article {desk['a2']} (and 1 syndicated copy) from story storya to story storyb"
    r = runner.invoke(cli, ["stories", "split", str(desk["a3"]), "--json"], env=env)
    assert r.exit_code == 0, r.output
    split = json.loads(r.output)
    assert split["action"] == "split" and split["from"] == "storya" and split["moved"] == [desk["a3"]]
    r = runner.invoke(cli, ["stories", "move", str(desk["a2copy"]), "storya"], env=env)
    assert r.exit_code == 1 and "syndicated copy" in r.output
    r = runner.invoke(cli, ["stories", "decisions"], env=env)
    lines = r.output.splitlines()
    assert len(lines) == 2 and "split off" in lines[0] and "sam@example.org" in lines[1]
    assert f"article {desk['a2']}" in lines[1] and "storya -> storyb" in lines[1]
    assert story_of(store, desk["a2"]) == "storyb" and story_of(store, desk["a3"]) == split["to"]
