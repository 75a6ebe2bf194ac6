"""How sure Tidings is that an article belongs to its story, in words a reader understands.

The clusterer scores an article against a story in [0, 1] (:func:`tidings.stories.cluster.story_score`)
and keeps the winning score when the article joins (``articles.story_score``). An article scoring
below the join threshold joined nothing: it opened a story (its stored score is the best it reached
elsewhere). When a story holds several such articles, the stories they opened were merged: the
earliest opened the story a reader sees, the others came in with the stories merged into it.
Copies of an article follow their original without a score, and an article an editor placed is
shown as such: the clusterer's old score no longer describes where it is.

Bands (docs/evaluation.md, "Join scores", measures how often each band's articles belong):

* ``strong``: at or above ``STRONG`` (0.70, the score two grown stories need to merge);
* ``moderate``: at or above ``MODERATE``;
* ``weak``: at or above the join threshold, below ``MODERATE``;
* ``opened``: below the join threshold, the story's earliest such article; ``merged``: below the
  join threshold, another one (it opened a story that was merged into this one);
* ``editor``: placed by an editor; ``copy``: a syndicated copy.
"""

from __future__ import annotations

from dataclasses import dataclass

STRONG = 0.70
MODERATE = 0.50


@dataclass(frozen=True, slots=True)
class JoinFit:
    score: float | None  # the clusterer's score, rounded; None for copies and editors' placements
    band: str | None  # strong, moderate, weak, opened, merged, editor, copy; None when never scored
    text: str  # what the story page says ("" for nothing)

    def as_dict(self) -> dict[str, float | str | None]:
        return {"join_score": self.score, "join_band": self.band}


def resolve_threshold(threshold: float | None = None) -> float:
    """``threshold``, or the clusterer's default join threshold."""
    if threshold is not None:
        return threshold
    from tidings.stories.cluster import ClusterConfig

    return ClusterConfig().threshold


def join_fit(score: float | None, *, copy: bool = False, editor: bool = False,
             threshold: float | None = None, first: bool = True) -> JoinFit:
    """The band and the words for an article's join score (``threshold``: the clusterer's join
    threshold, by default :class:`~tidings.stories.cluster.ClusterConfig`'s; ``first``: the article
    is its story's earliest below the threshold)."""
    if editor:
        return JoinFit(None, "editor", "placed here by an editor")
    if copy:
        return JoinFit(None, "copy", "")
    if score is None:
        return JoinFit(None, None, "")
    value = round(float(score), 2)
    if score < resolve_threshold(threshold):
        if first:
            return JoinFit(value, "opened", "opened this story")
        return JoinFit(value, "merged", "opened a story merged into this one")
    band = "strong" if score >= STRONG else "moderate" if score >= MODERATE else "weak"
    return JoinFit(value, band, f"fits this story: {value:.2f} — {band}")


def configured_threshold(config) -> float | None:  # config: tidings.config.Config
    """The join threshold of the ``[cluster]`` table, when tidings.toml sets one."""
    value = config.table("cluster").get("threshold")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
