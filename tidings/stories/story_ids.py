"""Story ids that follow from the articles, not from chance.

The clusterer meets candidate stories, and repairs changed ones, in the order of their ids, and
which of two close merges happens first can decide what a story ends up holding. With random
ids, the same articles could therefore make other stories from one run to the next (or on
another executor). :class:`SeededIds` names a story after the article that starts it: a hash of
that article's canonical URL and version (and a counter, for a second story the same step
makes: a split), so the same articles give the same ids, and so the same order, every time.
"""

from __future__ import annotations

import hashlib


class SeededIds:
    """A ``new_id`` for :class:`tidings.stories.cluster.OnlineClusterer`: call :meth:`seed`
    with what is being placed before each step; each call then gives the next id of that seed."""

    def __init__(self) -> None:
        self._seed = ""
        self._count = 0
        self.given: set[str] = set()

    def seed(self, seed: str) -> None:
        self._seed, self._count = seed, 0

    def __call__(self) -> str:
        while True:
            digest = hashlib.sha1(f"{self._seed}#{self._count}".encode()).hexdigest()[:16]
            self._count += 1
            if digest not in self.given:  # two steps with one seed (never, but cheap to rule out)
                self.given.add(digest)
                return digest


def article_seed(canonical_url: str, version: int | None) -> str:
    """The seed of the story an article starts: its canonical URL and text version."""
    return f"{canonical_url}@{version or 0}"
