"""The ``[newsletter]`` table of tidings.toml, read into a typed settings object.

::

    [newsletter]
    name = "Tidings Weekly"
    intro = "The week in AI, told once, with sources."
    base_url = "https://news.example.org"
    from_address = "Tidings <news@example.org>"
    per_section = 3
    section_titles = { "GenAI" = "TheGen.AI News", "Robotics" = "TheRobotics.AI News" }
    section_order = ["GenAI", "Open-source AI", "Closed-source AI", "Policy & regulation", "Robotics", "Research"]
    sponsor = { name = "Acme", text = "Acme builds ...", url = "https://acme.example" }
    session_seconds = 43200
    secret = "..."   # else a generated file next to the database
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tidings.config import Config, ConfigError

DEFAULT_SECTION_TITLES: dict[str, str] = {
    "GenAI": "TheGen.AI News",
    "Open-source AI": "TheOpensource.AI News",
    "Closed-source AI": "TheClosedsource.AI News",
    "Policy & regulation": "ThePolicy.AI News",
    "Robotics": "TheRobotics.AI News",
    "Research": "TheResearch.AI News",
}
OTHER_SECTION = "More news"


@dataclass(frozen=True, slots=True)
class Sponsor:
    name: str
    text: str
    url: str


@dataclass(frozen=True, slots=True)
class NewsletterSettings:
    name: str = "Tidings"
    intro: str = "The stories that mattered, each told once, with its sources."
    base_url: str = "http://localhost:8000"
    from_address: str = "Tidings <newsletter@localhost>"
    about: str = "An AI news digest assembled by Tidings from many outlets; every sentence is numbered to its sources."
    per_section: int = 3
    section_titles: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SECTION_TITLES))
    section_order: tuple[str, ...] = tuple(DEFAULT_SECTION_TITLES)
    sponsor: Sponsor | None = None
    session_seconds: int = 12 * 3600
    confirm_seconds: int = 7 * 24 * 3600
    secret: str | None = None
    unsubscribe_mailto: str | None = None  # mailto: target of List-Unsubscribe; default: from_address

    def section_title(self, section: str | None) -> str:
        if section and section in self.section_titles:
            return self.section_titles[section]
        return section or OTHER_SECTION

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


def newsletter_settings(config: Config) -> NewsletterSettings:
    """Read ``[newsletter]``; unknown keys are an error, missing ones take the defaults."""
    raw: dict[str, Any] = dict(config.table("newsletter"))
    known = set(NewsletterSettings.__slots__)  # type: ignore[attr-defined]
    unknown = set(raw) - known
    if unknown:
        raise ConfigError(f"unknown setting(s) newsletter.{', newsletter.'.join(sorted(unknown))}")
    titles = dict(DEFAULT_SECTION_TITLES)
    custom = raw.pop("section_titles", {})
    if not isinstance(custom, dict):
        raise ConfigError("newsletter.section_titles: expected a table of section = title")
    titles.update({str(k): str(v) for k, v in custom.items()})
    order = raw.pop("section_order", None)
    if order is None:
        order = list(DEFAULT_SECTION_TITLES) + [s for s in custom if s not in DEFAULT_SECTION_TITLES]
    sponsor = raw.pop("sponsor", None)
    sponsor_obj = None
    if sponsor:
        if not isinstance(sponsor, dict) or not {"name", "text", "url"} <= set(sponsor):
            raise ConfigError("newsletter.sponsor: expected a table with name, text and url")
        if not str(sponsor["url"]).startswith(("https://", "http://")):
            raise ConfigError("newsletter.sponsor.url: expected an http(s) URL")
        sponsor_obj = Sponsor(str(sponsor["name"]), str(sponsor["text"]), str(sponsor["url"]))
    for key in ("per_section", "session_seconds", "confirm_seconds"):
        if key in raw and (not isinstance(raw[key], int) or raw[key] < 1):
            raise ConfigError(f"newsletter.{key}: expected a positive integer")
    return NewsletterSettings(section_titles=titles, section_order=tuple(order), sponsor=sponsor_obj,
                              **{k: v for k, v in raw.items()})
