"""Candidate search over story centroids, blocked by time and by random-hyperplane LSH.

The online clusterer must not compare a new article with every stored story.
:class:`CentroidIndex` keeps each story under the days it was active (day
numbers since the epoch, or :data:`UNDATED` for stories without any date) and,
inside each day, under ``n_tables`` random-hyperplane signatures of ``n_bits``
bits of its centroid. A query for a time window looks up only the buckets of
the days in that window, so its cost depends on how many stories are active
around that date and on the bucket sizes, not on the total number stored.

Sentence embeddings share a large common direction (two unrelated e5 vectors
still have a cosine near 0.8), which would put nearly everything on one side
of a random hyperplane. The index therefore hashes centred vectors: the centre
is the mean of the first ``warmup`` vectors added (until then it answers by an
exact scan of the window). The index is derived state: it is rebuilt from the
stories whenever a clusterer is restored, so nothing of it is persisted.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

UNDATED = None  # the day key of stories that have no date at all
DayKey = int | None


class CentroidIndex:
    """Stories by active day, and by LSH signature of their centroid within each day."""

    def __init__(
        self,
        dim: int,
        n_tables: int = 12,
        n_bits: int = 10,
        warmup: int = 256,
        max_span_days: int = 60,
        seed: int = 13,
    ) -> None:
        self.dim = dim
        self.n_tables = n_tables
        self.n_bits = n_bits
        self.warmup = warmup
        self.max_span_days = max_span_days
        rng = np.random.default_rng(seed)
        self._planes = rng.standard_normal((n_tables * n_bits, dim)).astype(np.float32)
        self._weights = (1 << np.arange(n_bits, dtype=np.int64))
        self.centre: np.ndarray | None = None
        self._vectors: dict[str, np.ndarray] = {}
        self._days: dict[str, list[DayKey]] = {}
        self._sigs: dict[str, tuple[int, ...]] = {}
        self._by_day: dict[DayKey, set[str]] = {}
        self._lsh: dict[tuple[int, DayKey, int], set[str]] = {}

    def __len__(self) -> int:
        return len(self._vectors)

    def __contains__(self, story_id: str) -> bool:
        return story_id in self._vectors

    @property
    def hashing(self) -> bool:
        """True once the centre is fixed and the LSH tables answer queries."""
        return self.centre is not None

    def signatures(self, vector: np.ndarray) -> tuple[int, ...]:
        """The ``n_tables`` bucket numbers of one (unit) vector."""
        assert self.centre is not None
        bits = (self._planes @ (vector - self.centre)) > 0
        return tuple(int(x) for x in bits.reshape(self.n_tables, self.n_bits).astype(np.int64) @ self._weights)

    def _day_keys(self, lo: DayKey, hi: DayKey) -> list[DayKey]:
        if lo is None or hi is None:
            return [UNDATED]
        lo = max(lo, hi - self.max_span_days + 1)
        return list(range(lo, hi + 1))

    def add(self, story_id: str, vector: np.ndarray, first_day: DayKey, last_day: DayKey) -> None:
        """Add or replace a story (its unit centroid and the span of days it was active)."""
        if story_id in self._vectors:
            self.remove(story_id)
        vector = np.asarray(vector, dtype=np.float32)
        self._vectors[story_id] = vector
        days = self._day_keys(first_day, last_day)
        self._days[story_id] = days
        for day in days:
            self._by_day.setdefault(day, set()).add(story_id)
        if self.centre is not None:
            self._hash_in(story_id, vector, days)
        elif len(self._vectors) >= self.warmup:
            self._start_hashing()

    def _hash_in(self, story_id: str, vector: np.ndarray, days: list[DayKey]) -> None:
        sigs = self.signatures(vector)
        self._sigs[story_id] = sigs
        for table, sig in enumerate(sigs):
            for day in days:
                self._lsh.setdefault((table, day, sig), set()).add(story_id)

    def _start_hashing(self) -> None:
        vectors = np.stack(list(self._vectors.values()))
        self.centre = vectors.mean(axis=0).astype(np.float32)
        for story_id, vector in self._vectors.items():
            self._hash_in(story_id, vector, self._days[story_id])

    def remove(self, story_id: str) -> None:
        """Forget a story (no error if it is not there)."""
        if self._vectors.pop(story_id, None) is None:
            return
        days = self._days.pop(story_id)
        for day in days:
            bucket = self._by_day.get(day)
            if bucket is not None:
                bucket.discard(story_id)
                if not bucket:
                    del self._by_day[day]
        sigs = self._sigs.pop(story_id, None)
        if sigs is not None:
            for table, sig in enumerate(sigs):
                for day in days:
                    key = (table, day, sig)
                    bucket = self._lsh.get(key)
                    if bucket is not None:
                        bucket.discard(story_id)
                        if not bucket:
                            del self._lsh[key]

    def window_days(self, lo: DayKey, hi: DayKey, include_undated: bool = True) -> list[DayKey]:
        days: list[DayKey] = [] if lo is None or hi is None else list(range(lo, hi + 1))
        if include_undated or not days:
            days.append(UNDATED)
        return days

    def in_window(self, days: Iterable[DayKey]) -> set[str]:
        """Every story active on one of ``days`` (the exact, unhashed candidate set)."""
        out: set[str] = set()
        for day in days:
            bucket = self._by_day.get(day)
            if bucket:
                out |= bucket
        return out

    def window_size(self, days: Iterable[DayKey]) -> int:
        """An upper bound of ``len(in_window(days))``, in time proportional to ``len(days)``."""
        return sum(len(self._by_day.get(day, ())) for day in days)

    def candidates(self, vector: np.ndarray, days: list[DayKey], exact_below: int = 0) -> set[str]:
        """Stories active on ``days`` whose centroid shares an LSH bucket with ``vector``
        in at least one table; the whole window when it is small or hashing has not started."""
        if self.centre is None or self.window_size(days) <= exact_below:
            return self.in_window(days)
        out: set[str] = set()
        for table, sig in enumerate(self.signatures(np.asarray(vector, dtype=np.float32))):
            for day in days:
                bucket = self._lsh.get((table, day, sig))
                if bucket:
                    out |= bucket
        return out

    def vector(self, story_id: str) -> np.ndarray:
        return self._vectors[story_id]
