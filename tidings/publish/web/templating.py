"""The one Jinja2 environment of the site (autoescaped), shared with the newsletter pages.

``templates`` loads from ``tidings/publish/templates`` (``base.html`` and the site's pages)
and from its ``newsletter/`` and ``editor/`` folders, so any page can extend ``base.html``
and fill its ``title`` and ``content`` blocks.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.templating import Jinja2Templates

from tidings.publish.web.queries import slugify

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
STATIC = Path(__file__).resolve().parents[1] / "static"

LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "da": "Danish", "no": "Norwegian", "fi": "Finnish",
    "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish", "ar": "Arabic", "he": "Hebrew", "fa": "Persian",
    "hi": "Hindi", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "id": "Indonesian", "vi": "Vietnamese",
    "cs": "Czech", "el": "Greek", "ro": "Romanian", "hu": "Hungarian",
}
RTL = {"ar", "he", "fa", "ur"}


def age(moment: datetime | None, now: datetime | None = None) -> str:
    """"5 min ago", "3 h ago", "2 days ago"."""
    if moment is None:
        return ""
    now = now or datetime.now(timezone.utc)
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return "just now"
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return f"{days} day{'s' if days != 1 else ''} ago"


def when(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).strftime("%-d %b %Y, %H:%M UTC") if moment else ""


def iso(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if moment else ""


def language_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get((code or "").lower(), (code or "").upper())


def direction(code: str | None) -> str:
    return "rtl" if (code or "").lower() in RTL else "ltr"


def tag_url(key: str) -> str:
    return "/tag/" + quote(key, safe="")


def section_url(name: str) -> str:
    return "/section/" + slugify(name)


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(TEMPLATES), str(TEMPLATES / "newsletter"), str(TEMPLATES / "editor")]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(age=age, when=when, iso=iso, language_name=language_name, direction=direction)
    env.globals.update(tag_url=tag_url, section_url=section_url, slugify=slugify, site_title="Tidings",
                       sections_nav=[])
    return env


templates = Jinja2Templates(env=make_environment())
