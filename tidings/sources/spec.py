"""``SourceSpec``: a source as written in a list (OPML, TOML, the command line)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class SourceSpec:
    url: str  # the feed (or, for kind "sitemap", the sitemap) Tidings polls
    name: str
    kind: str = "feed"  # "feed" or "sitemap"
    homepage: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    language: str | None = None  # ISO 639-1
    authority: float = 0.5  # 0..1: how much a story from this outlet weighs in ranking

    def __post_init__(self) -> None:
        if self.kind not in {"feed", "sitemap"}:
            raise ValueError(f"source kind must be 'feed' or 'sitemap', not {self.kind!r}")
        if not 0.0 <= self.authority <= 1.0:
            raise ValueError(f"authority must be between 0 and 1, not {self.authority}")
        if self.country:
            self.country = self.country.upper()
        if self.language:
            self.language = self.language.lower()
