"""How the site answers a request, shared by every route module: the site's settings, the page
cache, rendered pages with their globals, 404 and 301 from a page builder, the security headers.

Site settings come from the ``[site]`` table of tidings.toml: ``title``, ``base_url``
(absolute links in feeds; default: the request's own address) and ``cache_seconds``
(how long a rendered page is reused; default 10, 0 turns the cache off).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tidings.config import Config
from tidings.publish.web.cache import Cached
from tidings.publish.web.templating import templates

SECURITY_HEADERS = {
    # no inline script runs on any page: the site needs no JavaScript at all
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none';"
                               " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}


class NotFound(Exception):
    """Raised by a page builder when what was asked for does not exist."""


class MovedTo(Exception):
    """Raised by a page builder when the page lives at another address now (301)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def site_settings(config: Config) -> dict[str, Any]:
    site = config.settings("site")
    return {"title": site.title or "Tidings", "base_url": site.base_url.rstrip("/") or None,
            "cache_seconds": site.cache_seconds}


def base_url(request: Request) -> str:
    return request.app.state.site["base_url"] or str(request.base_url).rstrip("/")


def cache_key(request: Request) -> str:
    scope = request.scope
    host = request.headers.get("host", "")
    return f"{scope['path']}?{scope['query_string'].decode('latin-1')}|{host}|{scope.get('scheme', 'http')}"


async def cached(request: Request, build: Callable[[], Cached]) -> Response:
    """Serve ``build()`` (run in a worker thread) through the app's response cache."""

    async def make() -> Cached:
        try:
            return await run_in_threadpool(build)
        except NotFound:
            html = templates.env.get_template("error.html").render(
                status=404, message="This page does not exist (any more).", **page_globals(request))
            return Cached(html.encode(), 404, "text/html; charset=utf-8", {})
        except MovedTo as moved:
            return Cached(b"", 301, "text/plain", {"location": moved.location})

    value = await request.app.state.cache.get_or_build(cache_key(request), make)
    headers = dict(SECURITY_HEADERS)
    headers.update(value.headers)
    if value.status == 200:
        headers.setdefault("cache-control", f"public, max-age={int(request.app.state.site['cache_seconds'])}")
    return Response(value.body, status_code=value.status, media_type=value.media_type, headers=headers)


def page_globals(request: Request) -> dict[str, Any]:
    state = request.app.state
    return {"request": request, "site_title": state.site["title"], "nav": state.section_nav(),
            "newsletter": state.newsletter}


def render_page(request: Request, template: str, context: dict[str, Any]) -> Cached:
    html = templates.env.get_template(template).render(**page_globals(request), **context)
    return Cached(html.encode(), 200, "text/html; charset=utf-8", {})
