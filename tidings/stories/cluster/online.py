"""Online placement: each new article joins the best candidate story or starts one."""

from __future__ import annotations

from collections import Counter

import numpy as np

from tidings.stories.cluster.repair import StoryRepair
from tidings.stories.cluster.state import ArticleFeatures, Placement, StoryState, _member


class OnlineClusterer(StoryRepair):
    """Places articles one at a time into stories; see :mod:`tidings.stories.cluster`."""

    def place(self, f: ArticleFeatures) -> Placement:
        """Put one article into the best story at or above the threshold, or a new one.
        An undated article looks among the stories around the latest date seen, and
        time does not count in its score."""
        when = f.published
        ids, probe = self._candidates(f.vector, f.published or self.clock)
        best_id, best = None, -1.0
        scores: dict[str, float] = {}
        if ids:
            index = self._index
            assert index is not None
            cosines = np.stack([index.vector(i) for i in ids]) @ f.vector
            for story_id, cosine in zip(ids, cosines, strict=True):
                score = self._score(f.vector, f.keys, f.language, when, self.stories[story_id], float(cosine))
                scores[story_id] = score
                if score > best:
                    best_id, best = story_id, score
        self._tick(f.published)
        if best_id is None or best < self.config.threshold:
            story = StoryState(
                id=self.new_id(),
                centroid=np.asarray(f.vector, dtype=np.float32).copy(),
                size=1,
                first_seen=f.published,
                last_seen=f.published,
                keys=Counter(f.keys),
                languages=Counter([f.language] if f.language else []),
                title=f.title,
                members=[_member(f)] if self.config.track_members > 0 else [],
            )
            self.stories[story.id] = story
            self._index_story(story, probe)
            return Placement(story.id, True, max(best, 0.0))
        story = self.stories[best_id]
        self._join(story, f, probe)
        story = self.split_check(story, f.id)
        survivor = self._maybe_merge(story, [i for i in ids if i != best_id and scores[i] > 0.0])
        return Placement(survivor, False, best)

    def _join(self, story: StoryState, f: ArticleFeatures, probe: list[int] | None = None) -> None:
        story.with_member(f, self.config.max_keys, self.config.track_members)
        self._index_story(story, probe)
