"""The ``[site]`` table of tidings.toml: what the web site calls itself and how long pages are cached."""

from __future__ import annotations

from dataclasses import dataclass

from tidings.config_schema import SettingError


@dataclass(slots=True)
class SiteSettings:
    """The web site."""

    title: str = "Tidings"
    base_url: str = ""  # the public address (else the one each request came to)
    cache_seconds: float = 10.0  # how long a rendered page is served from memory

    def __post_init__(self) -> None:
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise SettingError("base_url", f"expected an http(s) URL, got {self.base_url!r}")
        if self.cache_seconds < 0:
            raise SettingError("cache_seconds", f"expected a non-negative number, got {self.cache_seconds}")
