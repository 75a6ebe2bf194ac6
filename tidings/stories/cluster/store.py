"""The clusterer's memory: current stories, their index, key frequencies, redirects and an editor's decisions.

:class:`StoryStore` holds the stories the clusterer knows (loaded from the database
with :meth:`StoryStore.add_story` or made while placing), the
:class:`~tidings.stories.index.CentroidIndex` that offers candidates (time
blocking plus a small inverted file over centroids, never a scan of all
stories), how many stories hold each key (to discount common names), the merges
and splits made so far, and what an editor decided (pairs kept apart, pinned
articles). It scores an article against one story (:meth:`StoryStore._score`);
placing is :class:`~tidings.stories.cluster.online.OnlineClusterer`'s job and
merging and splitting :class:`~tidings.stories.cluster.repair.StoryRepair`'s.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import numpy as np

from tidings.stories.cluster.config import ClusterConfig
from tidings.stories.cluster.score import (
    SECONDS_PER_DAY,
    _age_hours,
    _same_language,
    key_agreement,
    names_in_play,
    salient_keys,
    story_score,
    time_gap_days,
)
from tidings.stories.cluster.state import ArticleFeatures, StoryState
from tidings.stories.index import CentroidIndex, DayKey


def _day(when: datetime | None) -> DayKey:
    return None if when is None else math.floor(when.timestamp() / SECONDS_PER_DAY)


def _new_uuid() -> str:
    return uuid.uuid4().hex[:16]


class StoryStore:
    """The stories the clusterer knows and the bookkeeping around them; see the module docstring."""

    def __init__(self, config: ClusterConfig | None = None, new_id: Callable[[], str] = _new_uuid) -> None:
        self.config = config or ClusterConfig()
        self.new_id = new_id
        self.stories: dict[str, StoryState] = {}
        self._redirects: dict[str, str] = {}
        self._merges: list[tuple[str, str]] = []
        self._apart: list[tuple[str, str]] = []  # pairs an editor separated: never merged again
        self._splits: list[tuple[str, str, list[str]]] = []
        self._pinned: set[str] = set()
        self._touched: set[str] = set()  # stories changed since the last repair
        self._key_df: Counter[str] = Counter()  # key -> current stories holding it
        self._story_keys: dict[str, frozenset[str]] = {}
        self._index: CentroidIndex | None = None
        self.clock: datetime | None = None  # the latest date seen; undated articles are placed at it

    def _ensure_index(self, dim: int) -> CentroidIndex:
        if self._index is None:
            c = self.config
            self._index = CentroidIndex(dim, n_cells=c.index_cells, n_probe=c.index_probe, warmup=c.index_warmup)
        return self._index

    def _index_story(self, story: StoryState, near: list[int] | None = None) -> None:
        """(Re)file ``story`` in the index and the key counts; ``near``: the cells probed for an
        article that just joined it (see :meth:`CentroidIndex.add`)."""
        index = self._ensure_index(len(story.centroid))
        index.add(story.id, story.unit(), _day(story.first_seen), _day(story.last_seen), near)
        self._touched.add(story.id)
        old = self._story_keys.get(story.id, frozenset())
        new = frozenset(story.keys)
        self._drop_keys(old - new)
        self._key_df.update(new - old)
        self._story_keys[story.id] = new

    def name_weight(self, key: str) -> float:
        """How much sharing ``key`` with a story tells: 1 for a name few current stories hold, less for
        one many hold (``names_common`` / its share of the stories; the share of 50 stories at least)."""
        common = self.config.names_common
        if common <= 0:
            return 1.0
        df = self._key_df.get(key, 0)
        return 1.0 if df <= 0 else min(1.0, common * max(len(self.stories), 50) / df)

    def _tick(self, when: datetime | None) -> None:
        if when is not None and (self.clock is None or when > self.clock):
            self.clock = when

    def add_story(self, story: StoryState) -> None:
        """Load a stored story (e.g. from the database) before placing new articles."""
        if story.id in self.stories:
            self._forget(story.id)
        self.stories[story.id] = story
        self._index_story(story)
        self._touched.discard(story.id)  # loaded as stored: nothing new to repair
        self._tick(story.last_seen)

    def add_redirect(self, old_id: str, new_id: str) -> None:
        """Load a stored merge (old story id -> surviving id)."""
        self._redirects[old_id] = new_id

    def keep_apart(self, a: str, b: str) -> None:
        """Record a human decision: stories ``a`` and ``b`` (or their survivors) are never merged."""
        self._apart.append((a, b))

    def may_merge(self, a: str, b: str) -> bool:
        """False when an editor kept the two stories (or the stories they were merged into) apart."""
        a, b = self.resolve(a), self.resolve(b)
        return a != b and not any({self.resolve(x), self.resolve(y)} == {a, b} for x, y in self._apart)

    def resolve(self, story_id: str) -> str:
        """The surviving id of a story, following merges."""
        seen = set()
        while story_id in self._redirects and story_id not in seen:
            seen.add(story_id)
            story_id = self._redirects[story_id]
        return story_id

    def pin(self, article_id: str) -> None:
        """An editor placed this article: a split never moves it."""
        self._pinned.add(str(article_id))

    def merges(self) -> list[tuple[str, str]]:
        """Every merge so far as ``(old_id, surviving_id)``, oldest first."""
        return list(self._merges)

    def drain_merges(self) -> list[tuple[str, str]]:
        """The merges since the last call (then forgets them)."""
        out, self._merges = self._merges, []
        return out

    def drain_splits(self) -> list[tuple[str, str, list[str]]]:
        """The splits since the last call as ``(old_id, new_id, moved article ids)`` (then forgets them)."""
        out, self._splits = self._splits, []
        return out

    def _forget(self, story_id: str) -> None:
        self.stories.pop(story_id)
        if self._index is not None:
            self._index.remove(story_id)
        self._drop_keys(self._story_keys.pop(story_id, frozenset()))

    def _drop_keys(self, keys: frozenset[str]) -> None:
        """One story fewer holds each of ``keys`` (a key no story holds is forgotten, so the
        counts stay as large as the current stories' keys, not every key ever seen)."""
        df = self._key_df
        for key in keys:
            n = df.get(key, 0) - 1
            if n > 0:
                df[key] = n
            else:
                df.pop(key, None)

    def _score(self, vector: np.ndarray, keys: Iterable[str], language: str | None, when: datetime | None,
               story: StoryState, cosine: float | None = None, started: datetime | None = None) -> float:
        """Score against ``story``; ``started``: when the scored side began (a story's first report;
        default ``when``), for the first-hours bonus."""
        if cosine is None:
            cosine = float(vector @ story.unit())
        own = story.language_unit(language) if len(story.languages) > 1 else None
        if own is not None:  # the members in the article's own language, free of cross-lingual offsets
            cosine = max(cosine, float(vector @ own))
        salient = salient_keys(story.keys, story.size, self.config.salient_share)
        same = _same_language(language, story.languages)
        age = _age_hours(started or when, story.first_seen)
        overlap = key_agreement(keys, salient, self.config.key_boost, names_in_play(self.config, age),
                                self.name_weight)
        gap = time_gap_days(when, story.first_seen, story.last_seen)
        return story_score(cosine, overlap, same, gap, self.config, age)

    def _window(self, when: datetime | None) -> list[DayKey]:
        assert self._index is not None
        if when is None:
            return self._index.window_days(None, None)
        w = math.ceil(self.config.window_days)
        day = _day(when)
        assert day is not None
        return self._index.window_days(day - w, day + w)

    def candidates(self, f: ArticleFeatures) -> list[str]:
        """Ids of the stories the index offers for an article (time window + IVF cells)."""
        return self._candidates(f.vector, f.published or self.clock)[0]

    def _candidates(self, vector: np.ndarray, when: datetime | None) -> tuple[list[str], list[int] | None]:
        """The candidates for ``vector`` around ``when``, and the index cells probed for them
        (None when the whole window was scanned)."""
        index = self._ensure_index(len(vector))
        days = self._window(when)
        probe = None if index.window_size(days) <= self.config.exact_below else index.probe(vector)
        return sorted(index.candidates(vector, days, self.config.exact_below, probe)), probe

    def export(self) -> list[dict[str, Any]]:
        """Every story as :meth:`StoryState.to_dict` (for a save/restore round trip)."""
        return [story.to_dict() for story in self.stories.values()]
