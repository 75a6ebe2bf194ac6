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

from tidings.config import Config, ConfigError

FEED_KINDS = ("sections", "sources", "tags")


@dataclass(frozen=True, slots=True)
class ReaderSettings:
    token_hours: float = 168.0
    feeds: tuple[str, ...] = ("sections",)
    follow_tags: tuple[str, ...] = field(default_factory=tuple)
    max_items: int = 1000
    max_ids: int = 10000


def reader_settings(config: Config) -> ReaderSettings:
    table = config.table("readers")
    known = {"token_hours", "feeds", "follow_tags", "max_items", "max_ids"}
    for key in table:
        if key not in known:
            raise ConfigError(f"unknown setting readers.{key} (known: {', '.join(sorted(known))})")
    feeds = tuple(str(f) for f in table.get("feeds", ["sections"]))
    if "sections" not in feeds or any(f not in FEED_KINDS for f in feeds):
        raise ConfigError(f"readers.feeds: a list of {', '.join(FEED_KINDS)} that includes \"sections\"")
    try:
        settings = ReaderSettings(
            token_hours=float(table.get("token_hours", 168.0)), feeds=feeds,
            follow_tags=tuple(str(t).strip().lower() for t in table.get("follow_tags", []) if str(t).strip()),
            max_items=int(table.get("max_items", 1000)), max_ids=int(table.get("max_ids", 10000)))
    except (TypeError, ValueError):
        raise ConfigError("readers: token_hours, max_items and max_ids are numbers") from None
    if settings.token_hours <= 0 or settings.max_items < 1 or settings.max_ids < 1:
        raise ConfigError("readers: token_hours, max_items and max_ids must be positive")
    return settings
