"""The Atom feed of published editions (/editions.atom)."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from tidings.publish.editions.settings import NewsletterSettings
from tidings.store.newsletter_models import Edition
from tidings.timeutil import utcnow

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)


def body_of(html: str) -> str:
    """The inside of <body> (a feed entry's content is a fragment, not a document)."""
    found = _BODY.search(html)
    return found.group(1).strip() if found else html


def editions_feed(settings: NewsletterSettings, editions: list[Edition]) -> str:
    home = settings.url("/editions")
    updated = max((e.published_at for e in editions if e.published_at), default=utcnow())
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{escape(settings.name)}</title>", f"<id>{escape(home)}</id>",
           f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(home)}/>",
           f"<link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(settings.url('/editions.atom'))}/>",
           f"<updated>{updated.isoformat()}</updated>", f"<author><name>{escape(settings.name)}</name></author>"]
    for e in editions:
        url = settings.url(f"/editions/{e.slug}")
        summary = (e.content or {}).get("intro") or ""
        out += ["<entry>", f"<title>{escape(e.title)}</title>", f"<id>{escape(url)}</id>",
                f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(url)}/>",
                f"<published>{e.published_at.isoformat() if e.published_at else ''}</published>",
                f"<updated>{e.published_at.isoformat() if e.published_at else ''}</updated>",
                f"<summary>{escape(summary)}</summary>",
                f"<content type=\"html\">{escape(body_of(e.html or ''))}</content>", "</entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"
