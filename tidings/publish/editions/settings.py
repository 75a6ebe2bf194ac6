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

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from tidings.config_schema import SettingError, build

if TYPE_CHECKING:
    from tidings.config import Config

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

    def __post_init__(self) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise SettingError("url", f"expected an http(s) URL, got {self.url!r}")


@dataclass(frozen=True, slots=True)
class NewsletterSettings:
    """The newsletter: its name, its sections' headings, its sponsor."""

    name: str = "Tidings"
    intro: str = "The stories that mattered, each told once, with its sources."
    base_url: str = "http://localhost:8000"
    from_address: str = "Tidings <newsletter@localhost>"
    about: str = "An AI news digest assembled by Tidings from many outlets; every sentence is numbered to its sources."
    per_section: int = 3  # stories per section in a drafted edition
    language: str = "en"  # stories summarized in another language stay out of drafts ("": every language)
    # each section's heading in an edition (a section not named here is headed by its name)
    section_titles: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SECTION_TITLES))
    section_order: tuple[str, ...] = tuple(DEFAULT_SECTION_TITLES)
    sponsor: Sponsor | None = None  # e.g. { name = "Acme", text = "Acme builds ...", url = "https://acme.example" }
    session_seconds: int = 12 * 3600  # an editor's login lasts this long
    confirm_seconds: int = 7 * 24 * 3600  # a subscription link stays valid this long
    secret: str | None = None  # signing key (else one generated next to the database)
    unsubscribe_mailto: str | None = None  # mailto: target of List-Unsubscribe; default: from_address

    def __post_init__(self) -> None:
        for key in ("per_section", "session_seconds", "confirm_seconds"):
            if getattr(self, key) < 1:
                raise SettingError(key, f"expected a positive integer, got {getattr(self, key)}")

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> NewsletterSettings:
        """Titles given in the table are added to the default ones; sections they add go last."""
        built = build(cls, table)
        custom = built.section_titles if "section_titles" in table else {}
        order = built.section_order if "section_order" in table else (
            tuple(DEFAULT_SECTION_TITLES) + tuple(s for s in custom if s not in DEFAULT_SECTION_TITLES))
        return replace(built, section_titles={**DEFAULT_SECTION_TITLES, **custom}, section_order=order)

    def section_title(self, section: str | None) -> str:
        if section and section in self.section_titles:
            return self.section_titles[section]
        return section or OTHER_SECTION

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


def newsletter_settings(config: Config) -> NewsletterSettings:
    """The ``[newsletter]`` table, checked when the configuration was loaded."""
    return config.settings("newsletter")
