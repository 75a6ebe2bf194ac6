"""Repairing early decisions: merging two stories that turn out to be one event, splitting one that holds two.

:meth:`StoryRepair.merge_threshold_for` says what score two stories need to merge
(a one-article story is, in effect, its article placed again against the grown
story); :meth:`StoryRepair.split_check` splits a small story whose tracked members
fall into two groups that do not belong together; :meth:`StoryRepair.repair`
looks again at the stories changed since the last repair.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from tidings.stories.cluster.state import StoryState, _language_means
from tidings.stories.cluster.store import StoryStore


class StoryRepair(StoryStore):
    """Merges and splits on top of :class:`StoryStore`; see the module docstring."""

    def repair(self) -> list[tuple[str, str]]:
        """Look again at the stories that changed since the last repair: each is compared with the
        stories the index offers for its centroid and merged where the pair now scores
        :meth:`merge_threshold_for` (a story may have grown towards another after both were
        placed, or the names they share may have become rarer); here a one-article story needs
        only the join threshold plus ``repair_single_margin`` (-0.04: a little less than an article
        needs to join when placed, since at the end of a run the other story has grown as far as
        it will in the run). The cost follows the number of
        changed stories, not the size of the store. Returns the merges it made."""
        made: list[tuple[str, str]] = []
        touched, self._touched = self._touched, set()
        for story_id in sorted(touched):
            story_id = self.resolve(story_id)
            story = self.stories.get(story_id)
            if story is None:
                continue
            index = self._ensure_index(len(story.centroid))
            when = story.last_seen or self.clock
            others = sorted(index.candidates(story.unit(), self._window(when), self.config.exact_below) - {story_id})
            before = len(self._merges)
            self._maybe_merge(story, others, repairing=True)
            made.extend(self._merges[before:])
        return made

    def split_check(self, story: StoryState, newest: str | None = None) -> StoryState:
        """Split ``story`` when its tracked members fall into two groups that do not belong together:
        two or more members each, whose average cosine across the groups is below ``split_cosine``.
        The group holding the story's first member keeps the id (its URL stays valid); the other
        becomes a new story, recorded in :meth:`drain_splits`. Returns the story that holds ``newest``
        (or the one that kept the id)."""
        c = self.config
        if c.split_cosine <= 0 or story.size < 4 or not story.tracks_members():
            return story
        halves = _bipartition(np.stack([m.vector for m in story.members]))
        if halves is None:
            return story
        keep, move = halves if 0 in halves[0] else (halves[1], halves[0])
        if min(len(keep), len(move)) < 2:
            return story
        stay = [story.members[i] for i in keep]
        leave = [story.members[i] for i in move]
        if any(m.id in self._pinned for m in leave):
            return story
        cross = float(np.mean([m.vector for m in stay], axis=0) @ np.mean([m.vector for m in leave], axis=0))
        if cross >= c.split_cosine:
            return story
        self._forget(story.id)
        kept = StoryState.from_members(story.id, stay, story.title, c.max_keys, c.track_members)
        new = StoryState.from_members(self.new_id(), leave, "", c.max_keys, c.track_members)
        for part in (kept, new):
            self.stories[part.id] = part
            self._index_story(part)
        self._apart.append((kept.id, new.id))  # what the evidence split, a repair must not merge back
        self._splits.append((story.id, new.id, [m.id for m in leave]))
        return new if newest is not None and any(m.id == newest for m in leave) else kept

    def _pair_score(self, a: StoryState, b: StoryState) -> float:
        """Story-to-story score: all the smaller story's keys against the larger one's salient keys
        (its salient keys alone would make merging too easy: dev BCubed F1 0.873 against 0.905)."""
        small, large = (a, b) if a.size <= b.size else (b, a)
        when = small.last_seen
        lang = small.languages.most_common(1)[0][0] if small.languages else None
        return self._score(small.unit(), list(small.keys), lang, when, large, started=small.first_seen)

    def merge_threshold_for(self, a: StoryState, b: StoryState, repairing: bool = False) -> float:
        """The score two stories need to merge. A one-article story is the article whose
        join was refused when the other story was smaller: it is placed again against
        the grown story, at the join threshold plus ``single_merge_margin`` (a delayed
        decision) or, in the repair pass after a run's placements (``repairing``), plus
        ``repair_single_margin``; two larger stories need ``merge_threshold``."""
        c = self.config
        if min(a.size, b.size) == 1:
            margin = c.repair_single_margin if repairing else c.single_merge_margin
            return max(0.0, min(c.merge_threshold, c.threshold + margin))
        return c.merge_threshold

    def _maybe_merge(self, story: StoryState, others: list[str], repairing: bool = False) -> str:
        """Merge ``story`` with any of ``others`` that now score at or above
        :meth:`merge_threshold_for` the pair."""
        survivor = story
        for other_id in others:
            other = self.stories.get(other_id)
            if other is None or other.id == survivor.id or not self.may_merge(survivor.id, other.id):
                continue
            if self._pair_score(survivor, other) >= self.merge_threshold_for(survivor, other, repairing):
                survivor = self._merge(survivor, other)
        return survivor.id

    def _merge(self, a: StoryState, b: StoryState) -> StoryState:
        keep, gone = (a, b) if (a.size, -_order(a), a.id) >= (b.size, -_order(b), b.id) else (b, a)
        self._forget(gone.id)
        self._forget(keep.id)
        total = keep.size + gone.size
        tracked = keep.tracks_members() and gone.tracks_members() and total <= self.config.track_members
        keep.members = keep.members + gone.members if tracked else []
        keep.centroid = ((keep.centroid * keep.size + gone.centroid * gone.size) / total).astype(np.float32)
        keep.size = total
        dated = [d for d in (keep.first_seen, gone.first_seen) if d is not None]
        keep.first_seen = min(dated) if dated else None
        dated = [d for d in (keep.last_seen, gone.last_seen) if d is not None]
        keep.last_seen = max(dated) if dated else None
        keep.keys = Counter(dict((keep.keys + gone.keys).most_common(self.config.max_keys)))
        means = {}
        for lang in set(keep.languages) | set(gone.languages):
            parts = [(m[lang], s.languages[lang]) for s, m in ((keep, _language_means(keep)),
                                                               (gone, _language_means(gone))) if lang in m]
            n = sum(c for _, c in parts)
            weighted = sum((v * c for v, c in parts), np.zeros_like(parts[0][0]))
            means[lang] = (weighted / n).astype(np.float32)
        keep.languages = keep.languages + gone.languages
        keep.by_language = means if len(keep.languages) > 1 else {}
        self.add_story(keep)
        self._touched.add(keep.id)
        self._touched.discard(gone.id)
        self._redirects[gone.id] = keep.id
        self._merges.append((gone.id, keep.id))
        return keep


def _bipartition(vectors: np.ndarray, rounds: int = 6) -> tuple[list[int], list[int]] | None:
    """Two groups of unit vectors by 2-means, seeded with the least similar pair; None if one group
    ends up empty."""
    sims = vectors @ vectors.T
    a, b = np.unravel_index(int(np.argmin(sims)), sims.shape)
    centres = np.stack([vectors[a], vectors[b]])
    labels = np.zeros(len(vectors), dtype=int)
    for _ in range(rounds):
        labels = np.argmax(vectors @ centres.T, axis=1)
        if labels.min() == labels.max():
            return None
        updated = np.stack([vectors[labels == k].mean(axis=0) for k in (0, 1)])
        if np.allclose(updated, centres):
            break
        centres = updated
    return [i for i in range(len(vectors)) if labels[i] == 0], [i for i in range(len(vectors)) if labels[i] == 1]


def _order(story: StoryState) -> float:
    """Earlier stories win ties when merging (their ids are older and already published)."""
    return story.first_seen.timestamp() if story.first_seen else float("inf")
