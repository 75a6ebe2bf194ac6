"""How sure Tidings is that an article belongs to its story, in words a reader understands.

The clusterer scores an article against a story in [0, 1] (:func:`tidings.stories.cluster.story_score`)
and keeps the winning score when the article joins (``articles.story_score``). An article scoring
below the join threshold joined nothing: it opened a story (its stored score is the best it reached
elsewhere). Copies of an article follow their original without a score, and an article an editor
placed is shown as such: the clusterer's old score no longer describes where it is.

Bands (docs/evaluation.md, "Join scores", measures how often each band's articles belong):

* ``strong``: at or above ``STRONG`` (0.70, the score two grown stories need to merge);
* ``moderate``: at or above ``MODERATE``;
* ``weak``: at or above the join threshold, below ``MODERATE``;
* ``opened``: below the join threshold; ``editor``: placed by an editor; ``copy``: a syndicated copy.
"""

from __future__ import annotations

from dataclasses import dataclass

STRONG = 0.70
MODERATE = 0.50


@dataclass(frozen=True, slots=True)
class JoinFit:
    score: float | None  # the clusterer's score, rounded; None for copies and editors' placements
    band: str | None  # strong, moderate, weak, opened, editor, copy; None when never scored
    text: str  # what the story page says ("" for nothing)

    def as_dict(self) -> dict[str, float | str | None]:
        return {"join_score": self.score, "join_band": self.band}


def join_fit(score: float | None, *, copy: bool = False, editor: bool = False,
             threshold: float | None = None) -> JoinFit:
    """The band and the words for an article's join score (``threshold``: the clusterer's join
    threshold, by default :class:`~tidings.stories.cluster.ClusterConfig`'s)."""
    if editor:
        return JoinFit(None, "editor", "placed here by an editor")
    if copy:
        return JoinFit(None, "copy", "")
    if score is None:
        return JoinFit(None, None, "")
    if threshold is None:
        from tidings.stories.cluster import ClusterConfig

        threshold = ClusterConfig().threshold
    value = round(float(score), 2)
    if score < threshold:
        return JoinFit(value, "opened", "opened this story")
    band = "strong" if score >= STRONG else "moderate" if score >= MODERATE else "weak"
    return JoinFit(value, band, f"fits this story: {value:.2f} — {band}")


def configured_threshold(config) -> float | None:  # config: tidings.config.Config
    """The join threshold of the ``[cluster]`` table, when tidings.toml sets one."""
    value = config.table("cluster").get("threshold")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
