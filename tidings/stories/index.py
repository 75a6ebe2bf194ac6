"""Candidate search over story centroids, blocked by time and by a small IVF.

The online clusterer must not compare a new article with every stored story.
:class:`CentroidIndex` keeps each story under the days it was active (day
numbers since the epoch, or :data:`UNDATED` for stories without any date) and,
inside each day, under the cell of an inverted file (IVF) that its centroid
falls in. A query for a time window looks up only the ``n_probe`` cells nearest
to the article, for the days of that window, so its cost depends on how many
stories are active around that date and on the cell sizes, not on the total
number stored.

Sentence embeddings share a large common direction (two unrelated e5 vectors
still have a cosine near 0.8), so the index works on centred vectors. The centre
and the cell centres (spherical k-means, a few rounds, on at most
``train_sample`` stories) are learnt from the first ``warmup`` stories added;
until then the index answers by an exact scan of the window. Each time the
number of stories doubles (or the days grow dense enough to want more cells,
checked every few thousand additions), the cells are learnt again, and their
number grows with the number of stories a week holds, so that a query looks at about
``target_candidates`` stories however dense the news gets (a one-off cost of a
few seconds at the larger sizes). Random-hyperplane LSH was tried first and dropped: on
ECB+ e5 vectors, 16 tables of 6 bits found 88 % of same-event pairs while
letting 20 % of the others through, where 64 cells probed 4 at a time found
99.7 % and let 5.6 % through. The index is derived state: it is rebuilt from the
stories whenever a clusterer is restored, so nothing of it is persisted.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

UNDATED = None  # the day key of stories that have no date at all
DayKey = int | None


class CentroidIndex:
    """Stories by active day, and by IVF cell of their centroid within each day."""

    def __init__(
        self,
        dim: int,
        n_cells: int = 64,
        n_probe: int = 8,
        warmup: int = 512,
        max_span_days: int = 60,
        seed: int = 13,
        kmeans_rounds: int = 8,
        target_candidates: int = 64,
        max_cells: int = 4096,
        train_sample: int = 20_000,
    ) -> None:
        self.dim = dim
        self.n_cells = n_cells
        self.n_probe = n_probe
        self.warmup = max(warmup, n_cells)
        self.max_span_days = max_span_days
        self.seed = seed
        self.kmeans_rounds = kmeans_rounds
        self.min_cells = n_cells
        self.target_candidates = target_candidates
        self.max_cells = max_cells
        self.train_sample = train_sample
        self._trained_at = 0  # number of stories when the cells were last learnt
        self.check_every = 4096  # additions between two checks of the density (see _denser)
        self._since_check = 0
        self.centre: np.ndarray | None = None
        self.cells: np.ndarray | None = None  # (n_cells, dim) unit cell centres, in centred space
        self._cell_bias: np.ndarray | None = None  # cells @ centre (see nearest_cells)
        self._vectors: dict[str, np.ndarray] = {}
        self._days: dict[str, list[DayKey]] = {}
        self._cell_of: dict[str, int] = {}
        self._by_day: dict[DayKey, set[str]] = {}
        self._ivf: dict[tuple[DayKey, int], set[str]] = {}

    def __len__(self) -> int:
        return len(self._vectors)

    def __contains__(self, story_id: str) -> bool:
        return story_id in self._vectors

    @property
    def trained(self) -> bool:
        """True once the cells are learnt and queries probe them."""
        return self.cells is not None

    def _centred(self, vectors: np.ndarray) -> np.ndarray:
        assert self.centre is not None
        c = np.atleast_2d(vectors) - self.centre
        norms = np.linalg.norm(c, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return c / norms

    def nearest_cells(self, vector: np.ndarray, k: int, among: Iterable[int] | None = None) -> list[int]:
        """The ``k`` cells whose centres are closest to ``vector`` (centred), nearest first;
        ``among``: look only at these cells (a story's old cell and the cells probed for the
        article that just joined it: its centroid moved towards that article)."""
        assert self.cells is not None and self._cell_bias is not None
        # cells . (v - centre) / |v - centre| ranks the cells as cells . v - cells . centre does
        if among is None:
            sims = self.cells @ np.asarray(vector, dtype=np.float32) - self._cell_bias
            ids = None
        else:
            ids = np.fromiter(set(among), dtype=np.intp)
            sims = self.cells[ids] @ np.asarray(vector, dtype=np.float32) - self._cell_bias[ids]
        k = min(k, len(sims))
        if k == 1:
            top = np.array([int(np.argmax(sims))])
        else:
            top = np.argpartition(-sims, k - 1)[:k]
            top = top[np.argsort(-sims[top])]
        return [int(i) for i in (top if ids is None else ids[top])]

    def probe(self, vector: np.ndarray) -> list[int] | None:
        """The ``n_probe`` cells a query for ``vector`` looks in; None before the cells are learnt."""
        return None if self.cells is None else self.nearest_cells(vector, self.n_probe)

    def _day_keys(self, lo: DayKey, hi: DayKey) -> list[DayKey]:
        if lo is None or hi is None:
            return [UNDATED]
        lo = max(lo, hi - self.max_span_days + 1)
        return list(range(lo, hi + 1))

    def add(self, story_id: str, vector: np.ndarray, first_day: DayKey, last_day: DayKey,
            near: Iterable[int] | None = None) -> None:
        """Add or replace a story (its unit centroid and the span of days it was active).
        ``near``: the cells probed for an article that just started or joined it: the story is
        filed in the nearest of those and its current cell (its centroid moved towards that
        article; for a new story the nearest probed cell is the nearest of all); without
        ``near``, in the nearest of all cells."""
        old_cell = self._cell_of.get(story_id)
        if story_id in self._vectors:
            self.remove(story_id)
        vector = np.asarray(vector, dtype=np.float32)
        self._vectors[story_id] = vector
        days = self._day_keys(first_day, last_day)
        self._days[story_id] = days
        for day in days:
            self._by_day.setdefault(day, set()).add(story_id)
        if self.cells is not None and len(self._vectors) < 2 * self._trained_at and not self._denser():
            among = None if near is None else [*near, *([] if old_cell is None else [old_cell])]
            self._file(story_id, self.nearest_cells(vector, 1, among)[0], days)
        elif len(self._vectors) >= self.warmup:
            self._train()

    def _denser(self) -> bool:
        """Every ``check_every`` additions: True when the days have grown dense enough to want
        more cells than were learnt (stories loaded out of date order fill old days late)."""
        self._since_check += 1
        if self._since_check < self.check_every:
            return False
        self._since_check = 0
        return self.cells is not None and min(self.cells_wanted(), max(1, len(self._vectors) // 4)) > len(self.cells)

    def _file(self, story_id: str, cell: int, days: list[DayKey]) -> None:
        self._cell_of[story_id] = cell
        for day in days:
            self._ivf.setdefault((day, cell), set()).add(story_id)

    def cells_wanted(self) -> int:
        """Cells for the current density: a week of stories over ``target_candidates``
        per query, times the cells probed (a power of two, at least ``n_cells`` at start)."""
        dated = [day for day in self._by_day if day is not None]
        per_day = sum(len(self._by_day[d]) for d in dated) / len(dated) if dated else 0.0
        undated = len(self._by_day.get(UNDATED, ()))
        window = max(per_day * 7, undated)
        want = window * self.n_probe / max(1, self.target_candidates)
        cells = self.min_cells
        while cells < want and cells < self.max_cells:
            cells *= 2
        return min(cells, self.max_cells)

    def _train(self) -> None:
        ids = list(self._vectors)
        raw = np.stack([self._vectors[i] for i in ids])
        self.centre = raw.mean(axis=0).astype(np.float32)
        data = self._centred(raw).astype(np.float32)
        rng = np.random.default_rng(self.seed)
        self.n_cells = min(self.cells_wanted(), max(1, len(data) // 4))
        sample = data if len(data) <= self.train_sample else data[rng.choice(len(data), self.train_sample,
                                                                              replace=False)]
        cells = sample[rng.choice(len(sample), self.n_cells, replace=False)].copy()
        for _ in range(self.kmeans_rounds):
            assign = (sample @ cells.T).argmax(axis=1)
            for k in range(self.n_cells):
                members = sample[assign == k]
                if len(members):
                    total = members.sum(axis=0)
                    norm = float(np.linalg.norm(total))
                    if norm > 0:
                        cells[k] = total / norm
        self.cells = cells.astype(np.float32)
        self._cell_bias = (self.cells @ self.centre).astype(np.float32)
        self._ivf.clear()
        self._cell_of.clear()
        self._trained_at = len(ids)
        assign = np.concatenate([(data[i:i + 8192] @ self.cells.T).argmax(axis=1)
                                 for i in range(0, len(data), 8192)])
        for story_id, cell in zip(ids, assign, strict=True):
            self._file(story_id, int(cell), self._days[story_id])

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
        cell = self._cell_of.pop(story_id, None)
        if cell is not None:
            for day in days:
                key = (day, cell)
                bucket = self._ivf.get(key)
                if bucket is not None:
                    bucket.discard(story_id)
                    if not bucket:
                        del self._ivf[key]

    def window_days(self, lo: DayKey, hi: DayKey, include_undated: bool = True) -> list[DayKey]:
        """The day keys from ``lo`` to ``hi`` (plus undated stories); only undated if no bounds."""
        days: list[DayKey] = [] if lo is None or hi is None else list(range(lo, hi + 1))
        if include_undated or not days:
            days.append(UNDATED)
        return days

    def in_window(self, days: Iterable[DayKey]) -> set[str]:
        """Every story active on one of ``days`` (the exact, unindexed candidate set)."""
        out: set[str] = set()
        for day in days:
            bucket = self._by_day.get(day)
            if bucket:
                out |= bucket
        return out

    def window_size(self, days: Iterable[DayKey]) -> int:
        """An upper bound of ``len(in_window(days))``, in time proportional to ``len(days)``."""
        return sum(len(self._by_day.get(day, ())) for day in days)

    def candidates(self, vector: np.ndarray, days: list[DayKey], exact_below: int = 0,
                   cells: list[int] | None = None) -> set[str]:
        """Stories active on ``days`` filed in one of the ``n_probe`` cells nearest to
        ``vector`` (``cells``, when :meth:`probe` already found them); the whole window when
        it is small or the cells are not learnt yet."""
        if self.cells is None or self.window_size(days) <= exact_below:
            return self.in_window(days)
        out: set[str] = set()
        for cell in cells if cells is not None else self.nearest_cells(vector, self.n_probe):
            for day in days:
                bucket = self._ivf.get((day, cell))
                if bucket:
                    out |= bucket
        return out

    def vector(self, story_id: str) -> np.ndarray:
        return self._vectors[story_id]
