"""Build the demo site in memory: every path of one origin mapped to a document.

``build_demo_site(base_url)`` lays the bundled corpus out under path prefixes of
one origin (``http://127.0.0.1:PORT/<outlet-slug>/...``): outlet homepages,
feeds (or a news sitemap), article pages, one ``/robots.txt``, an index page and
the OPML list ``/demo-sources.opml``. Each document carries an ETag and a
Last-Modified date so a server can answer conditional requests with 304.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tidings.demo import render
from tidings.demo.corpus import Corpus, CorpusArticle, GroundTruth, Outlet, load_corpus
from tidings.demo.render import Linked

OPML_PATH = "/demo-sources.opml"


@dataclass(frozen=True, slots=True)
class Resource:
    """One document the site serves."""

    content_type: str
    body: bytes
    last_modified: datetime

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


@dataclass(frozen=True, slots=True)
class SiteOutlet:
    """An outlet as served: its record plus absolute URLs."""

    outlet: Outlet
    homepage: str
    feed_url: str | None  # None for the sitemap-only outlet
    sitemap_url: str | None  # only the sitemap-only outlet has one

    @property
    def slug(self) -> str:
        return self.outlet.slug

    @property
    def name(self) -> str:
        return self.outlet.name

    @property
    def country(self) -> str:
        return self.outlet.country

    @property
    def language(self) -> str:
        return self.outlet.language

    @property
    def authority(self) -> float:
        return self.outlet.authority


@dataclass(frozen=True, slots=True)
class SiteArticle:
    """An article as served, with its ground truth."""

    id: str
    outlet: str
    url: str  # the canonical page URL
    feed_link: str  # the URL its feed or sitemap gives
    title: str
    language: str
    published: datetime
    event: str | None  # event id from the ground truth
    copy_group: int | None  # index of its syndication group, None when it is no copy


@dataclass(slots=True)
class DemoSite(Mapping[str, tuple[str, bytes]]):
    """A whole site in memory: ``site[path] -> (content_type, body)``."""

    base_url: str
    resources: dict[str, Resource]
    outlets: list[SiteOutlet]
    articles: list[SiteArticle]
    truth: GroundTruth
    builder: Callable[[str], DemoSite] | None = field(default=None, repr=False)

    def __getitem__(self, path: str) -> tuple[str, bytes]:
        res = self.resources[path]
        return res.content_type, res.body

    def __iter__(self) -> Iterator[str]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    @property
    def opml_url(self) -> str:
        return self.url(OPML_PATH)

    def rebased(self, base_url: str) -> DemoSite:
        """The same site laid out for another origin (used once a server knows its port)."""
        base_url = base_url.rstrip("/")
        if base_url == self.base_url:
            return self
        if self.builder is None:
            raise ValueError("this site cannot be rebuilt for another origin")
        return self.builder(base_url)


def _feed_path(outlet: Outlet) -> str | None:
    return f"/{outlet.slug}/{render.FEED_PATHS[outlet.feed_format]}" if outlet.has_feed else None


def article_path(article: CorpusArticle) -> str:
    d = article.published
    return f"/{article.outlet}/{d:%Y}/{d:%m}/{d:%d}/{article.slug}.html"


def alias_path(article: CorpusArticle) -> str:
    return f"/{article.outlet}/amp/{article.alias_slug}.html"


def assemble_site(
    base_url: str,
    outlets: Sequence[Outlet],
    articles: Sequence[CorpusArticle],
    truth: GroundTruth,
    title: str = "Tidings demo newsstand",
    builder: Callable[[str], DemoSite] | None = None,
) -> DemoSite:
    """Lay outlets and articles out as a site under ``base_url`` (no trailing slash)."""
    base = base_url.rstrip("/")
    resources: dict[str, Resource] = {}
    event_of = truth.event_of()
    copy_of = truth.copy_group_of()
    newest = max((x.updated or x.published for x in articles), default=datetime(2026, 11, 23).astimezone())

    by_outlet: dict[str, list[Linked]] = {o.slug: [] for o in outlets}
    site_articles: list[SiteArticle] = []
    for art in articles:
        url = base + article_path(art)
        link = base + alias_path(art) if art.alias_slug else url
        if art.tracking_query:
            link = f"{link}?{art.tracking_query}"
        by_outlet[art.outlet].append(Linked(art, url, link))
        site_articles.append(
            SiteArticle(art.id, art.outlet, url, link, art.title, art.language, art.published,
                        event_of.get(art.id), copy_of.get(art.id))
        )

    site_outlets: list[SiteOutlet] = []
    disallow: list[str] = []
    sitemaps: list[str] = []
    for outlet in outlets:
        items = sorted(by_outlet[outlet.slug], key=lambda i: i.article.published, reverse=True)
        home = f"{base}/{outlet.slug}/"
        feed_path = _feed_path(outlet)
        feed_url = base + feed_path if feed_path else None
        latest = max((i.article.updated or i.article.published for i in items), default=newest)
        resources[f"/{outlet.slug}/"] = Resource(
            render.HTML_TYPE, render.homepage(outlet, items, home, feed_url).encode(), latest
        )
        sitemap_url = None
        if feed_path and feed_url:
            text = render.FEED_RENDERERS[outlet.feed_format](outlet, items, home, feed_url)
            resources[feed_path] = Resource(render.FEED_TYPES[outlet.feed_format], text.encode(), latest)
        else:
            sitemap_url = f"{base}/{outlet.slug}/sitemap.xml"
            resources[f"/{outlet.slug}/sitemap.xml"] = Resource(
                render.XML_TYPE, render.news_sitemap(outlet, items).encode(), latest
            )
            sitemaps.append(sitemap_url)
        for item in items:
            art = item.article
            related = [r for r in items if r is not item][:3] if len(items) > 1 else []
            modified = art.updated or art.published
            path = item.url[len(base):]
            resources[path] = Resource(
                render.HTML_TYPE,
                render.article_page(outlet, item, home, feed_url, related).encode(),
                modified,
            )
            if art.alias_slug:
                resources[alias_path(art)] = Resource(
                    render.HTML_TYPE,
                    render.article_page(outlet, item, home, feed_url, related, canonical=item.url).encode(),
                    modified,
                )
        disallow += [f"/{outlet.slug}/{p.strip('/')}/" for p in outlet.disallow]
        site_outlets.append(SiteOutlet(outlet, home, feed_url, sitemap_url))

    opml_url = base + OPML_PATH
    resources[OPML_PATH] = Resource(
        render.OPML_TYPE,
        render.opml(title, [(o.outlet, o.homepage, o.feed_url) for o in site_outlets]).encode(),
        newest,
    )
    resources["/robots.txt"] = Resource(render.TEXT_TYPE, render.robots(disallow, sitemaps).encode(), newest)
    resources["/"] = Resource(
        render.HTML_TYPE,
        render.index_page(title, [(o.outlet, o.homepage) for o in site_outlets], opml_url).encode(),
        newest,
    )
    return DemoSite(base, resources, site_outlets, site_articles, truth, builder)


def build_demo_site(base_url: str, corpus: Corpus | None = None) -> DemoSite:
    """The bundled demo corpus laid out under ``base_url`` (e.g. ``http://127.0.0.1:8765``)."""
    corpus = corpus or load_corpus()
    return assemble_site(
        base_url,
        corpus.outlets,
        corpus.articles,
        corpus.truth,
        builder=lambda base: build_demo_site(base, corpus),
    )
