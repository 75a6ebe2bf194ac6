"""The online clusterer's settings (the ``[cluster]`` table of tidings.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class ClusterConfig:
    """Settings of the online clusterer; the defaults were tuned on ECB+ train/dev and the Multi-News dev slice."""

    embedder: str | None = None  # None: tidings.stories.embed.DEFAULT_EMBEDDER
    lead_words: int = 80  # words of the text embedded after the title
    embed_kind: str = "passage"  # the embedder's input kind ("passage" or "query": E5's prefixes)
    key_chars: int = 2_000  # characters of the text searched for names and numbers
    threshold: float = 0.38  # join the best story at or above this score
    merge_threshold: float = 0.70  # merge two stories at or above this score
    # a one-article story merges into a grown story at threshold + this (a delayed join decision)
    single_merge_margin: float = 0.05
    # in the repair pass after a run's placements, a one-article story merges at threshold + this
    # (negative: below the join threshold, since the other story has grown as far as it will in the run;
    # the bar never goes below 0)
    repair_single_margin: float = -0.04
    key_weight: float = 0.3  # share of the score given to shared keys
    key_boost: float = 2.5  # Jaccard index of the keys times this (capped at 1) is their agreement
    # in a story's first hours, sharing this many names with it is full key agreement (0: Jaccard only)
    names_full: int = 2
    # a name held by more than this share of the current stories counts for less (share / its share)
    names_common: float = 0.02
    salient_share: float = 1 / 3  # a story's salient keys: held by at least this share of its members
    cos_floor: float = 0.84  # cosine that counts as "unrelated" (0 on the text scale)
    xl_shift: float = 0.04  # across languages the floor is this much lower (unrelated pairs score lower)
    window_days: float = 3.0  # only stories active within this many days are candidates
    grace_hours: float = 36.0  # no time penalty within this gap
    time_penalty: float = 0.25  # score lost at the edge of the window
    # the first hours of a story: an article this close to the story's first report gains up to
    # fresh_bonus (fading to 0 at fresh_hours), when its cosine with the story is at least fresh_min_cosine
    fresh_hours: float = 12.0
    fresh_bonus: float = 0.2
    fresh_min_cosine: float = 0.0
    max_keys: int = 256  # keys kept per story (the most frequent)
    # a story of at most track_members articles keeps them, and is split in two when its members fall
    # into two groups (two or more each) whose average cosine is below split_cosine (0: never split)
    track_members: int = 32
    split_cosine: float = 0.8
    exact_below: int = 512  # scan the whole window when it holds at most this many stories
    index_cells: int = 64  # IVF cells over story centroids
    index_probe: int = 8  # cells searched per article
    index_warmup: int = 512  # stories seen before the cells are learnt (exact scans until then)

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> ClusterConfig:
        """Build from a ``[cluster]`` table of tidings.toml (unknown keys, wrong types and scores
        outside [0, 1] are an error naming the key)."""
        from tidings.config_schema import SettingError, build

        config = build(cls, table)
        if not -1.0 <= config.repair_single_margin <= 1.0:
            raise SettingError("repair_single_margin",
                               f"expected a number between -1 and 1, got {config.repair_single_margin}")
        for key in ("threshold", "merge_threshold", "single_merge_margin", "key_weight",
                    "salient_share", "cos_floor", "xl_shift", "time_penalty"):
            if not 0.0 <= getattr(config, key) <= 1.0:
                raise SettingError(key, f"expected a number between 0 and 1, got {getattr(config, key)}")
        for key in ("lead_words", "key_chars", "max_keys", "index_cells", "index_probe", "window_days"):
            if getattr(config, key) <= 0:
                raise SettingError(key, f"expected a positive number, got {getattr(config, key)}")
        if config.embed_kind not in ("passage", "query"):
            raise SettingError("embed_kind", f"expected 'passage' or 'query', got {config.embed_kind!r}")
        if config.embedder is not None:
            from tidings.stories.embed import resolve_name

            try:
                resolve_name(config.embedder)
            except ValueError as exc:
                raise SettingError("embedder", str(exc)) from None
        return config
