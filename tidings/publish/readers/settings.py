"""The ``[readers]`` table of tidings.toml: what the reader APIs serve and for how long a login lasts.

```toml
[readers]
token_hours = 168          # a ClientLogin token lasts a week; a new API password ends them all
feeds = ["sections"]       # feeds the apps see: "sections", and optionally "sources" and "tags"
follow_tags = []           # tag keys served as feeds when "tags" is in feeds (e.g. ["openai"])
max_items = 1000           # the largest n of stream/contents and Fever items with_ids
max_ids = 10000            # the largest n of stream/items/ids
```
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tidings.config import Config
from tidings.config_schema import SettingError

FEED_KINDS = ("sections", "sources", "tags")


@dataclass(frozen=True, slots=True)
class ReaderSettings:
    """What the reader APIs serve."""

    token_hours: float = 168.0  # a ClientLogin token lasts this long; a new API password ends them all
    feeds: tuple[str, ...] = ("sections",)  # feeds the apps see: "sections", and optionally "sources", "tags"
    follow_tags: tuple[str, ...] = field(default_factory=tuple)  # tag keys served as feeds when "tags" is in feeds
    max_items: int = 1000  # the largest n of stream/contents and Fever items with_ids
    max_ids: int = 10000  # the largest n of stream/items/ids

    def __post_init__(self) -> None:
        if "sections" not in self.feeds or any(f not in FEED_KINDS for f in self.feeds):
            raise SettingError("feeds", f"expected a list of {', '.join(FEED_KINDS)} that includes \"sections\"")
        for name in ("token_hours", "max_items", "max_ids"):
            if getattr(self, name) <= 0:
                raise SettingError(name, f"expected a positive number, got {getattr(self, name)}")
        tags = tuple(t.strip().lower() for t in self.follow_tags if t.strip())
        object.__setattr__(self, "follow_tags", tags)


def reader_settings(config: Config) -> ReaderSettings:
    """The ``[readers]`` settings (checked when the configuration was loaded)."""
    settings: ReaderSettings = config.settings("readers")
    return settings
