"""Making outside content safe to publish: plain text from feed HTML, safe links, clean fragments.

Everything Tidings shows came from someone else's feed or page. Titles and summaries are
turned into plain text here (and escaped again by Jinja2's autoescape when rendered);
links are kept only when they are http(s); the rare HTML fragment is cleaned by nh3
(Ammonia) with a small allow-list.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import nh3

_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "ul", "ol", "li", "blockquote", "a", "code", "pre"}


def plain_text(value: str | None, *, max_chars: int | None = None) -> str:
    """Plain text from a string that may hold HTML: tags (and script/style bodies) dropped,
    entities decoded, control characters removed, white space collapsed."""
    if not value:
        return ""
    if "<" in value or "&" in value:
        text = html.unescape(nh3.clean(value, tags=set(), clean_content_tags={"script", "style"}))
    else:  # nothing to parse: most titles and summaries
        text = value
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    if max_chars is not None and len(text) > max_chars:
        cut = text[:max_chars].rsplit(" ", 1)[0]
        text = (cut or text[:max_chars]).rstrip(" ,;:") + "…"
    return text


def safe_url(value: str | None) -> str | None:
    """The URL when it is an absolute http(s) address without credentials, else None
    (so ``javascript:``, ``data:`` and odd schemes never become links)."""
    if not value:
        return None
    value = _CONTROL.sub("", value).strip()
    if any(c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return None
    return value


def clean_html(fragment: str | None) -> str:
    """An HTML fragment reduced to a few harmless tags; links keep only http(s) targets."""
    if not fragment:
        return ""
    return nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="nofollow noopener noreferrer",
        clean_content_tags={"script", "style"},
    )
