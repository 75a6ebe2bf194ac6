"""Editors' decisions about stories: move an article to another story, or split it off into its own.

The clusterer decides on the evidence it has; an editor who knows better overrides it here.
Each operation runs in one transaction and

* moves the article (and its syndicated copies, which follow their original) to the other story;
* takes the article out of the old story's clusterer state and adds it to the new one's
  (:meth:`StoryState.without_member` / :meth:`StoryState.with_member`), so later articles are
  compared with what the stories now hold;
* recomputes both stories' counts, dates, languages and title
  (:func:`tidings.stories.update.refresh_story`) and flags both for a fresh summary;
* records the decision (:class:`tidings.store.models.StoryDecision`): who, when, which article,
  from which story to which, and the action.

A decision pins the article (no later clusterer run or repair pass moves it) and keeps the two
stories apart (they are never merged back). :func:`load_decisions` reads both for the stories
stage, which feeds the pairs to :meth:`OnlineClusterer.keep_apart`.

Moving the only article of a story empties it: that story then redirects to the target, like a
merged story, and the two are not kept apart (they are one story now).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from tidings.store.db import Store
from tidings.store.models import Article, Story, StoryDecision
from tidings.stories.cluster import ArticleFeatures, ClusterConfig, StoryState, _new_uuid, features_for
from tidings.timeutil import utcnow

MOVE = "move"
SPLIT = "split"
_STORY_REF = re.compile(r"^(?:.*?/(?:api/stories|story)/)?([A-Za-z0-9_-]{1,32})/?(?:[?#].*)?$")


class EditError(ValueError):
    """The decision cannot be carried out (no such article or story, nothing to split ...)."""


@dataclass(frozen=True, slots=True)
class EditResult:
    decision_id: int
    action: str  # MOVE or SPLIT
    article_id: int
    from_story: str
    to_story: str
    moved: tuple[int, ...]  # the article, then its syndicated copies
    emptied: bool  # the old story had no other article: it now redirects to ``to_story``

    def as_dict(self) -> dict:
        return {"decision": self.decision_id, "action": self.action, "article": self.article_id,
                "from": self.from_story, "to": self.to_story, "moved": list(self.moved), "emptied": self.emptied}


# ---------------------------------------------------------------------------------------------
# reading what the editors decided


def load_decisions(session: Session) -> tuple[set[int], list[tuple[str, str]]]:
    """``(pinned article ids, story pairs kept apart)``: every article an editor placed, and each
    ``(from_story, to_story)`` pair an editor separated, oldest first (feed these to
    :meth:`tidings.stories.cluster.OnlineClusterer.keep_apart`)."""
    pinned = set(session.scalars(select(StoryDecision.article_id).distinct()))
    pairs: list[tuple[str, str]] = []
    seen: set[frozenset[str]] = set()
    query = (select(StoryDecision.from_story, StoryDecision.to_story)
             .where(StoryDecision.apart.is_(True)).order_by(StoryDecision.id))
    for a, b in session.execute(query):
        if frozenset((a, b)) not in seen:
            seen.add(frozenset((a, b)))
            pairs.append((a, b))
    return pinned, pairs


@dataclass(frozen=True, slots=True)
class DecisionView:
    id: int
    created_at: datetime
    actor: str
    action: str
    article_id: int
    article_title: str
    from_story: str
    to_story: str
    apart: bool


def decisions_about(session: Session, story_id: str | None = None, limit: int = 20) -> list[DecisionView]:
    """The latest decisions (that moved an article out of or into ``story_id``), newest first."""
    query = select(StoryDecision, Article.title).join(Article, Article.id == StoryDecision.article_id)
    if story_id is not None:
        query = query.where(or_(StoryDecision.from_story == story_id, StoryDecision.to_story == story_id))
    rows = session.execute(query.order_by(StoryDecision.id.desc()).limit(limit))
    return [DecisionView(d.id, d.created_at, d.actor, d.action, d.article_id, title or "", d.from_story,
                         d.to_story, d.apart) for d, title in rows]


def placed_by_editor(session: Session, article_ids: Sequence[int]) -> set[int]:
    """Those of ``article_ids`` an editor placed (pinned where they are)."""
    if not article_ids:
        return set()
    return set(session.scalars(select(StoryDecision.article_id).distinct()
                               .where(StoryDecision.article_id.in_(list(article_ids)))))


# ---------------------------------------------------------------------------------------------
# the clusterer's view of stored articles and stories


class _StoredVectors:
    """An embedder that answers with the vectors already stored, so :func:`features_for` builds the
    same features the stories stage built, without running a model."""

    def __init__(self, vectors: list[np.ndarray]) -> None:
        self.vectors = vectors
        self.name = "stored"

    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        assert len(texts) == len(self.vectors)
        return np.stack(self.vectors) if self.vectors else np.zeros((0, 0), dtype=np.float32)


def stored_features(articles: Sequence[Article], config: ClusterConfig | None = None) -> list[ArticleFeatures]:
    """The clusterer's features of stored articles, from their stored embeddings (no model runs;
    names and numbers are read again from the title and text as the stories stage reads them)."""
    from tidings.store.convert import article_record

    blobs: list[bytes] = []
    for article in articles:
        if article.embedding is None:
            raise EditError(f"article {article.id} has no stored embedding yet; run `tidings update` first")
        blobs.append(article.embedding)
    vectors = [np.frombuffer(blob, dtype="<f4").astype(np.float32) for blob in blobs]
    return features_for([article_record(a) for a in articles], _StoredVectors(vectors), config or ClusterConfig())


def _members(session: Session, story_id: str, exclude: int | None = None) -> list[Article]:
    """The original (not copied) articles of a story, oldest first."""
    query = select(Article).where(Article.story_id == story_id, Article.copy_of_id.is_(None))
    if exclude is not None:
        query = query.where(Article.id != exclude)
    return list(session.scalars(query.order_by(Article.published_at, Article.id)))


def state_from_members(story_id: str, features: Sequence[ArticleFeatures], max_keys: int = 256) -> StoryState:
    """A story's clusterer state rebuilt from its members' features (dates span exactly the members)."""
    if not features:
        raise EditError(f"story {story_id} has no article with a stored embedding")
    state = StoryState(id=story_id, centroid=np.zeros_like(features[0].vector, dtype=np.float32), size=0,
                       title=features[0].title)
    for f in features:
        state.with_member(f, max_keys)
    return state


def _state(session: Session, story: Story, config: ClusterConfig) -> StoryState:
    if story.state:
        return StoryState.from_dict(story.state)
    members = [a for a in _members(session, story.id) if a.embedding is not None]
    return state_from_members(story.id, stored_features(members, config), config.max_keys)


def _narrow_dates(state: StoryState, remaining: Sequence[Article]) -> None:
    """After a member left, the story's span covers exactly the members still there."""
    dates = [a.published_at or a.first_seen_at for a in remaining]
    dates = [d for d in dates if d is not None]
    state.first_seen = min(dates) if dates else None
    state.last_seen = max(dates) if dates else None


# ---------------------------------------------------------------------------------------------
# finding stories and articles


def story_ref(ref: str) -> str:
    """A story id from an id or a story's address (``/story/ID``, ``https://host/story/ID``,
    ``/api/stories/ID``)."""
    match = _STORY_REF.match((ref or "").strip())
    if not match:
        raise EditError(f"not a story id or story address: {ref!r}")
    return match.group(1)


def resolve_story(session: Session, ref: str, *, lock: bool = False) -> Story:
    """The live story ``ref`` names, following merges to the surviving story."""
    story_id = story_ref(ref)
    story = session.get(Story, story_id, with_for_update=lock)
    seen: set[str] = set()
    while story is not None and story.merged_into and story.id not in seen:
        seen.add(story.id)
        story = session.get(Story, story.merged_into, with_for_update=lock)
    if story is None or story.merged_into:
        raise EditError(f"no story {story_id}")
    return story


def _article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise EditError(f"no article {article_id}")
    if article.copy_of_id is not None:
        raise EditError(f"article {article_id} is a syndicated copy of article {article.copy_of_id}: "
                        f"move article {article.copy_of_id}, its copies follow it")
    if article.story_id is None:
        raise EditError(f"article {article_id} is in no story yet (the next `tidings update` places it)")
    return article


# ---------------------------------------------------------------------------------------------
# the decisions


def move_article(store: Store, article_id: int, to: str, actor: str, config: ClusterConfig | None = None,
                 *, expect_story: str | None = None) -> EditResult:
    """Move an article (and its syndicated copies) to the story ``to`` (an id or a story's address)
    and keep the two stories apart; one transaction. ``expect_story``: refuse unless the article is
    still in that story (a form shown before someone else moved it)."""
    with store.transaction() as session:
        return _apply(session, MOVE, article_id, to, actor, config or ClusterConfig(), expect_story)


def split_article(store: Store, article_id: int, actor: str, config: ClusterConfig | None = None,
                  new_id: str | None = None, *, expect_story: str | None = None) -> EditResult:
    """Take an article (and its syndicated copies) out of its story into a new story of its own,
    kept apart from the old one; one transaction."""
    with store.transaction() as session:
        return _apply(session, SPLIT, article_id, new_id, actor, config or ClusterConfig(), expect_story)


def _apply(session: Session, action: str, article_id: int, to: str | None, actor: str,
           config: ClusterConfig, expect_story: str | None = None) -> EditResult:
    actor = (actor or "").strip()
    if not actor:
        raise EditError("a decision needs the name of whoever made it")
    article = _article(session, article_id)
    assert article.story_id is not None  # _article refuses an article in no story
    source = resolve_story(session, article.story_id, lock=True)
    if expect_story is not None and resolve_story(session, expect_story).id != source.id:
        raise EditError(f"article {article_id} is no longer in this story: it is in story {source.id} now")
    if action == MOVE:
        target = resolve_story(session, to or "", lock=True)
        if target.id == source.id:
            raise EditError(f"article {article_id} is already in story {source.id}")
    remaining = _members(session, source.id, exclude=article.id)
    emptied = not remaining
    if emptied and action == SPLIT:
        raise EditError(f"article {article_id} is the only article of story {source.id}: "
                        "it is a story of its own already")
    (features,) = stored_features([article], config)
    now = utcnow()

    if emptied:  # the old story is gone: its address redirects to the story the article went to
        source.state = {}
    else:
        state = _state(session, source, config)
        if state.size > len(remaining):
            state.without_member(features)
        else:  # the stored state did not count this article: rebuild it from the members left
            state = state_from_members(source.id, stored_features(
                [a for a in remaining if a.embedding is not None], config), config.max_keys)
        _narrow_dates(state, remaining)
        source.state = state.to_dict()

    if action == SPLIT:
        target = Story(id=to or _new_uuid(), created_at=now, updated_at=now, title=(article.title or "").strip(),
                       section=source.section, needs_summary=True)
        if session.get(Story, target.id) is not None:
            raise EditError(f"story {target.id} exists already")
        session.add(target)
        new_state = StoryState(id=target.id, centroid=np.zeros_like(features.vector), size=0, title=features.title)
    else:
        new_state = _state(session, target, config)
    new_state.with_member(features, config.max_keys)
    target.state = new_state.to_dict()
    session.flush()

    copies = list(session.scalars(select(Article.id).where(Article.copy_of_id == article.id,
                                                           Article.story_id == source.id)))
    moved = (article.id, *copies)
    session.execute(update(Article).where(Article.id.in_(moved)).values(story_id=target.id))
    article.story_id = target.id
    article.story_score = None  # the clusterer's score was for the old story; an editor placed it here
    if emptied:
        source.merged_into = target.id
        source.updated_at = now  # what readers' caches watch for a change
        session.execute(update(Story).where(Story.merged_into == source.id).values(merged_into=target.id))
    session.flush()

    from tidings.stories.update import refresh_story

    for story in (source, target):
        if not story.merged_into:
            refresh_story(session, story)
        story.needs_summary = True
        story.updated_at = now
    decision = StoryDecision(created_at=now, actor=actor[:320], action=action, article_id=article.id,
                             from_story=source.id, to_story=target.id, apart=not emptied)
    session.add(decision)
    session.flush()
    return EditResult(decision.id, action, article.id, source.id, target.id, moved, emptied)
