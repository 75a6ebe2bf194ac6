"""Render the demo site's documents: article pages, homepages, feeds, sitemaps, OPML, robots.txt.

Pure functions from corpus records and absolute URLs to text. Feeds come in the
formats real outlets use (RSS 2.0, Atom 1.0, JSON Feed 1.1, RSS 1.0) plus a
deliberately malformed RSS 2.0; sitemaps use the Google News extension.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape

from tidings.demo.corpus import CorpusArticle, Outlet

FEED_PATHS = {
    "rss2": "feed.xml",
    "atom": "atom.xml",
    "jsonfeed": "feed.json",
    "rss1": "index.rdf",
    "broken-rss2": "rss.xml",
}
FEED_TYPES = {
    "rss2": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "jsonfeed": "application/feed+json; charset=utf-8",
    "rss1": "application/rdf+xml; charset=utf-8",
    "broken-rss2": "application/rss+xml; charset=utf-8",
}
# the type announced by <link rel="alternate"> (RSS 1.0 sites announce it as RSS)
ALTERNATE_TYPES = {
    "rss2": "application/rss+xml",
    "atom": "application/atom+xml",
    "jsonfeed": "application/feed+json",
    "rss1": "application/rss+xml",
    "broken-rss2": "application/rss+xml",
}
HTML_TYPE = "text/html; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
OPML_TYPE = "text/x-opml; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"

_CHROME = {
    "en": {
        "nav": ["Home", "Models", "Policy", "Chips", "Robotics", "Research", "Newsletter"],
        "more": "More from",
        "by": "By",
        "comments": "Comments",
        "comments_blurb": "Comments are open to subscribers for 48 hours after publication. "
        "Please read our community guidelines before posting.",
        "cookie": "We use cookies to measure readership and keep you signed in.",
        "accept": "Accept",
        "footer": ["About us", "Careers", "Advertise", "Privacy", "Terms of use", "Contact"],
        "rights": "All rights reserved.",
        "latest": "Latest stories",
    },
    "fr": {
        "nav": ["Accueil", "Modèles", "Politique", "Puces", "Robotique", "Recherche", "Lettre d'information"],
        "more": "À lire aussi sur",
        "by": "Par",
        "comments": "Commentaires",
        "comments_blurb": "Les commentaires sont réservés aux abonnés pendant 48 heures. "
        "Merci de respecter notre charte de modération.",
        "cookie": "Nous utilisons des cookies pour mesurer l'audience.",
        "accept": "Accepter",
        "footer": ["Qui sommes-nous", "Recrutement", "Publicité", "Confidentialité", "Mentions légales", "Contact"],
        "rights": "Tous droits réservés.",
        "latest": "Dernières actualités",
    },
    "de": {
        "nav": ["Startseite", "Modelle", "Politik", "Chips", "Robotik", "Forschung", "Newsletter"],
        "more": "Mehr von",
        "by": "Von",
        "comments": "Kommentare",
        "comments_blurb": "Kommentieren können Abonnentinnen und Abonnenten 48 Stunden lang. "
        "Bitte beachten Sie unsere Netiquette.",
        "cookie": "Wir verwenden Cookies, um die Reichweite zu messen.",
        "accept": "Zustimmen",
        "footer": ["Über uns", "Karriere", "Werbung", "Datenschutz", "Impressum", "Kontakt"],
        "rights": "Alle Rechte vorbehalten.",
        "latest": "Neueste Artikel",
    },
    "es": {
        "nav": ["Portada", "Modelos", "Política", "Chips", "Robótica", "Investigación", "Boletín"],
        "more": "Más de",
        "by": "Por",
        "comments": "Comentarios",
        "comments_blurb": "Los comentarios están abiertos a suscriptores durante 48 horas. "
        "Consulta nuestras normas de participación.",
        "cookie": "Usamos cookies para medir la audiencia.",
        "accept": "Aceptar",
        "footer": ["Quiénes somos", "Empleo", "Publicidad", "Privacidad", "Aviso legal", "Contacto"],
        "rights": "Todos los derechos reservados.",
        "latest": "Últimas noticias",
    },
}
_LOCALES = {"en": "en_GB", "fr": "fr_FR", "de": "de_DE", "es": "es_ES"}


@dataclass(frozen=True, slots=True)
class Linked:
    """An article with the URLs it has on the site."""

    article: CorpusArticle
    url: str  # its page (the canonical URL)
    feed_link: str  # the link its feed gives (may carry utm_ parameters or point at an alias)


def a(text: str) -> str:
    """Escape for an HTML/XML attribute value."""
    return escape(text, quote=True)


def t(text: str) -> str:
    """Escape for HTML/XML text."""
    return escape(text, quote=False)


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def http_date(value: datetime) -> str:
    return format_datetime(value, usegmt=True)


def _chrome(language: str) -> dict:
    return _CHROME.get(language, _CHROME["en"])


def _head_links(outlet: Outlet, feed_url: str | None) -> str:
    if feed_url is None or not outlet.has_feed:
        return ""
    return (
        f'<link rel="alternate" type="{ALTERNATE_TYPES[outlet.feed_format]}" '
        f'title="{a(outlet.name)}" href="{a(feed_url)}">\n'
    )


def _header(outlet: Outlet, home: str) -> str:
    c = _chrome(outlet.language)
    items = "".join(f'<li><a href="{a(home)}{"" if i == 0 else "section/" + str(i) + "/"}">{t(label)}</a></li>'
                    for i, label in enumerate(c["nav"]))
    return (
        f'<header class="site-header"><a class="logo" href="{a(home)}">{t(outlet.name)}</a>\n'
        f'<nav class="main-nav"><ul>{items}</ul></nav></header>\n'
        f'<div class="cookie-banner"><p>{t(c["cookie"])}</p><button>{t(c["accept"])}</button></div>\n'
    )


def _footer(outlet: Outlet, home: str) -> str:
    c = _chrome(outlet.language)
    items = "".join(f'<li><a href="{a(home)}about/{i}/">{t(label)}</a></li>' for i, label in enumerate(c["footer"]))
    return (
        f'<footer class="site-footer"><ul>{items}</ul>\n'
        f"<p>{t(outlet.tagline)}</p><p>&copy; 2026 {t(outlet.name)}. {t(c['rights'])}</p></footer>\n"
    )


def article_page(
    outlet: Outlet,
    item: Linked,
    home: str,
    feed_url: str | None,
    related: Sequence[Linked] = (),
    canonical: str | None = None,
) -> str:
    """A full article page with the boilerplate a real news site wraps around the story."""
    art = item.article
    c = _chrome(outlet.language)
    modified = art.updated or art.published
    canonical_link = f'<link rel="canonical" href="{a(canonical)}">\n' if canonical else ""
    body = "\n".join(f"<p>{t(p)}</p>" for p in art.paragraphs)
    dek = f'<p class="dek">{t(art.summary)}</p>\n' if art.summary != art.paragraphs[0] else ""
    related_html = "".join(f'<li><a href="{a(r.url)}">{t(r.article.title)}</a></li>' for r in related)
    return (
        "<!doctype html>\n"
        f'<html lang="{a(art.language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{t(art.title)} | {t(outlet.name)}</title>\n"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="description" content="{a(art.summary)}">\n'
        f'<meta name="author" content="{a(art.author)}">\n'
        f'<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{a(art.title)}">\n'
        f'<meta property="og:description" content="{a(art.summary)}">\n'
        f'<meta property="og:url" content="{a(canonical or item.url)}">\n'
        f'<meta property="og:site_name" content="{a(outlet.name)}">\n'
        f'<meta property="og:locale" content="{_LOCALES.get(art.language, "en_GB")}">\n'
        f'<meta property="article:published_time" content="{iso(art.published)}">\n'
        f'<meta property="article:modified_time" content="{iso(modified)}">\n'
        f'<meta property="article:author" content="{a(art.author)}">\n'
        f"{canonical_link}{_head_links(outlet, feed_url)}"
        "</head>\n<body>\n"
        f"{_header(outlet, home)}"
        '<main class="content">\n<header class="story-header">\n'
        f'<h1 class="headline">{t(art.title)}</h1>\n{dek}'
        f'<p class="byline">{t(c["by"])} <span class="author">{t(art.author)}</span> &middot; '
        f'<time datetime="{iso(art.published)}">{art.published.strftime("%Y-%m-%d %H:%M")} UTC</time></p>\n'
        "</header>\n"
        f'<article class="story">\n<div class="story-body">\n{body}\n</div>\n</article>\n'
        f'<aside class="related"><h2>{t(c["more"])} {t(outlet.name)}</h2><ul>{related_html}</ul></aside>\n'
        f'<section id="comments" class="comments"><h2>{t(c["comments"])}</h2>'
        f'<p>{t(c["comments_blurb"])}</p></section>\n'
        "</main>\n"
        f"{_footer(outlet, home)}"
        "</body>\n</html>\n"
    )


def homepage(outlet: Outlet, items: Sequence[Linked], home: str, feed_url: str | None) -> str:
    """An outlet's front page: a list of its latest stories; announces its feed if it has one."""
    c = _chrome(outlet.language)
    entries = "\n".join(
        f'<li class="teaser"><a href="{a(i.url)}">{t(i.article.title)}</a>'
        f'<p>{t(i.article.summary)}</p><time datetime="{iso(i.article.published)}">'
        f'{i.article.published.strftime("%Y-%m-%d")}</time></li>'
        for i in items
    )
    return (
        "<!doctype html>\n"
        f'<html lang="{a(outlet.language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{t(outlet.name)}</title>\n"
        f'<meta name="description" content="{a(outlet.tagline)}">\n'
        f'<meta property="og:site_name" content="{a(outlet.name)}">\n'
        f'<meta property="og:type" content="website">\n'
        f"{_head_links(outlet, feed_url)}"
        "</head>\n<body>\n"
        f"{_header(outlet, home)}"
        f'<main class="content"><h1>{t(c["latest"])}</h1>\n<ul class="teasers">\n{entries}\n</ul></main>\n'
        f"{_footer(outlet, home)}"
        "</body>\n</html>\n"
    )


def _content_html(article: CorpusArticle) -> str:
    return "".join(f"<p>{t(p)}</p>" for p in article.paragraphs)


def rss2(outlet: Outlet, items: Sequence[Linked], home: str, feed_url: str) -> str:
    """An RSS 2.0 feed; full content in ``content:encoded`` when the outlet publishes it."""
    built = max((i.article.updated or i.article.published for i in items), default=None)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>{t(outlet.name)}</title>\n<link>{t(home)}</link>\n"
        f"<description>{t(outlet.tagline)}</description>\n<language>{t(outlet.language)}</language>\n"
        f'<atom:link href="{a(feed_url)}" rel="self" type="application/rss+xml"/>\n'
    ]
    if built:
        out.append(f"<lastBuildDate>{http_date(built)}</lastBuildDate>\n")
    for i in items:
        art = i.article
        out.append(
            "<item>\n"
            f"<title>{t(art.title)}</title>\n<link>{t(i.feed_link)}</link>\n"
            f'<guid isPermaLink="false">{t(outlet.slug)}:{t(art.id)}</guid>\n'
            f"<pubDate>{http_date(art.published)}</pubDate>\n<dc:creator>{t(art.author)}</dc:creator>\n"
            f"<description>{t(art.summary)}</description>\n"
        )
        if outlet.full_content:
            out.append(f"<content:encoded><![CDATA[{_content_html(art)}]]></content:encoded>\n")
        out.append("</item>\n")
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def broken_rss2(outlet: Outlet, items: Sequence[Linked], home: str, feed_url: str) -> str:
    """An RSS 2.0 feed broken the way real ones break: a raw ``&`` and a body cut off mid-item."""
    good = rss2(outlet, items, home, feed_url)
    broken = good.replace("<title>", "<title>R&D desk: ", 2)  # an unescaped ampersand in the first item
    cut = broken.rfind("<item>")
    return broken[: cut + len("<item>\n<title>")] + "Truncated"  # no closing tags


def atom(outlet: Outlet, items: Sequence[Linked], home: str, feed_url: str) -> str:
    """An Atom 1.0 feed; ``content`` when the outlet publishes full text, else ``summary``."""
    updated = max((i.article.updated or i.article.published for i in items), default=None)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{a(outlet.language)}">\n'
        f"<id>{t(home)}</id>\n<title>{t(outlet.name)}</title>\n<subtitle>{t(outlet.tagline)}</subtitle>\n"
        f'<link rel="alternate" type="text/html" href="{a(home)}"/>\n'
        f'<link rel="self" type="application/atom+xml" href="{a(feed_url)}"/>\n'
    ]
    if updated:
        out.append(f"<updated>{iso(updated)}</updated>\n")
    for i in items:
        art = i.article
        out.append(
            "<entry>\n"
            f"<id>tag:{t(outlet.slug)}.demo,2026:{t(art.id)}</id>\n<title>{t(art.title)}</title>\n"
            f'<link rel="alternate" type="text/html" href="{a(i.feed_link)}"/>\n'
            f"<published>{iso(art.published)}</published>\n"
            f"<updated>{iso(art.updated or art.published)}</updated>\n"
            f"<author><name>{t(art.author)}</name></author>\n"
            f"<summary>{t(art.summary)}</summary>\n"
        )
        if outlet.full_content:
            out.append(f'<content type="html">{t(_content_html(art))}</content>\n')
        out.append("</entry>\n")
    out.append("</feed>\n")
    return "".join(out)


def jsonfeed(outlet: Outlet, items: Sequence[Linked], home: str, feed_url: str) -> str:
    """A JSON Feed 1.1 document."""
    entries = []
    for i in items:
        art = i.article
        entry: dict = {
            "id": f"{outlet.slug}:{art.id}",
            "url": i.feed_link,
            "title": art.title,
            "summary": art.summary,
            "date_published": iso(art.published),
            "authors": [{"name": art.author}],
            "language": art.language,
        }
        if art.updated:
            entry["date_modified"] = iso(art.updated)
        if outlet.full_content:
            entry["content_html"] = _content_html(art)
        else:
            entry["content_text"] = art.summary
        entries.append(entry)
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": outlet.name,
        "home_page_url": home,
        "feed_url": feed_url,
        "description": outlet.tagline,
        "language": outlet.language,
        "items": entries,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def rss1(outlet: Outlet, items: Sequence[Linked], home: str, feed_url: str) -> str:
    """An RSS 1.0 (RDF) feed with Dublin Core dates and creators."""
    seq = "".join(f'<rdf:li rdf:resource="{a(i.feed_link)}"/>' for i in items)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        f'<channel rdf:about="{a(feed_url)}">\n<title>{t(outlet.name)}</title>\n<link>{t(home)}</link>\n'
        f"<description>{t(outlet.tagline)}</description>\n<dc:language>{t(outlet.language)}</dc:language>\n"
        f"<items><rdf:Seq>{seq}</rdf:Seq></items>\n</channel>\n"
    ]
    for i in items:
        art = i.article
        out.append(
            f'<item rdf:about="{a(i.feed_link)}">\n<title>{t(art.title)}</title>\n<link>{t(i.feed_link)}</link>\n'
            f"<description>{t(art.summary)}</description>\n<dc:date>{iso(art.published)}</dc:date>\n"
            f"<dc:creator>{t(art.author)}</dc:creator>\n<dc:language>{t(art.language)}</dc:language>\n"
        )
        if outlet.full_content:
            out.append(f"<content:encoded><![CDATA[{_content_html(art)}]]></content:encoded>\n")
        out.append("</item>\n")
    out.append("</rdf:RDF>\n")
    return "".join(out)


FEED_RENDERERS = {"rss2": rss2, "atom": atom, "jsonfeed": jsonfeed, "rss1": rss1, "broken-rss2": broken_rss2}


def news_sitemap(outlet: Outlet, items: Sequence[Linked]) -> str:
    """A sitemap in the Google News format (``news:publication``, ``news:publication_date``, ``news:title``)."""
    urls = "".join(
        "<url>\n"
        f"<loc>{t(i.url)}</loc>\n<lastmod>{iso(i.article.updated or i.article.published)}</lastmod>\n"
        "<news:news>\n<news:publication>\n"
        f"<news:name>{t(outlet.name)}</news:name>\n<news:language>{t(i.article.language)}</news:language>\n"
        "</news:publication>\n"
        f"<news:publication_date>{iso(i.article.published)}</news:publication_date>\n"
        f"<news:title>{t(i.article.title)}</news:title>\n"
        "</news:news>\n</url>\n"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{urls}</urlset>\n"
    )


def opml(title: str, rows: Sequence[tuple[Outlet, str, str | None]]) -> str:
    """An OPML 2.0 subscription list: one outline per outlet (homepage, and feed URL where it has one),
    with Tidings' optional ``country`` and ``authority`` attributes."""
    outlines = []
    for outlet, home, feed_url in rows:
        attrs = (
            f'text="{a(outlet.name)}" title="{a(outlet.name)}" htmlUrl="{a(home)}" language="{a(outlet.language)}" '
            f'country="{a(outlet.country)}" authority="{outlet.authority:g}"'
        )
        if feed_url:
            outlines.append(f'<outline type="rss" {attrs} xmlUrl="{a(feed_url)}"/>')
        else:
            outlines.append(f'<outline type="link" {attrs}/>')
    body = "\n".join(outlines)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">\n'
        f"<head><title>{t(title)}</title></head>\n<body>\n{body}\n</body>\n</opml>\n"
    )


def robots(disallow: Sequence[str], sitemaps: Sequence[str]) -> str:
    """One robots.txt for the whole origin."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in disallow] or ["Disallow:"]
    lines.append("")
    lines += [f"Sitemap: {url}" for url in sitemaps]
    return "\n".join(lines) + "\n"


def index_page(title: str, rows: Sequence[tuple[Outlet, str]], opml_url: str) -> str:
    """The origin's root page: links to every outlet and to the OPML list."""
    items = "\n".join(
        f'<li><a href="{a(home)}">{t(o.name)}</a> ({t(o.country)}, {t(o.language)})</li>' for o, home in rows
    )
    return (
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f"<title>{t(title)}</title></head>\n<body>\n<h1>{t(title)}</h1>\n"
        f'<p>Fictional outlets for trying Tidings offline. Subscribe to them all with <a href="{a(opml_url)}">'
        "the OPML list</a>.</p>\n"
        f"<ul>\n{items}\n</ul>\n</body>\n</html>\n"
    )
