"""The web application: ``create_app(config)`` builds the Starlette app the ``serve`` command runs.

It puts the configuration and the Store on ``app.state`` (``request.app.state.config`` /
``.store``), serves the site's pages, feeds and JSON API, mounts the newsletter's routes
when ``tidings.publish.newsletter_routes`` exists (with the editor's story pages,
``tidings.publish.story_editor_routes``, which share its login), and answers ``/healthz``.

Site settings come from the ``[site]`` table of tidings.toml: ``title``, ``base_url``
(absolute links in feeds; default: the request's own address) and ``cache_seconds``
(how long a rendered page is reused; default 10, 0 turns the cache off).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from tidings.config import Config
from tidings.publish.web.cache import Cached, ResponseCache
from tidings.publish.web.templating import STATIC, templates
from tidings.store.db import Store, open_store

log = logging.getLogger(__name__)

NEWSLETTER_ROUTES = "tidings.publish.newsletter_routes"
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


def newsletter_routes() -> list[BaseRoute]:
    """The newsletter helper's routes, when that module is in this checkout."""
    if importlib.util.find_spec(NEWSLETTER_ROUTES) is None:
        return []
    module = importlib.import_module(NEWSLETTER_ROUTES)
    from tidings.publish import story_editor_routes  # the editor's story decisions share its login

    return list(module.routes()) + story_editor_routes.routes()


async def healthz(request: Request) -> JSONResponse:
    def probe() -> dict[str, Any]:
        with request.app.state.store.reading() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok"}

    try:
        return JSONResponse(await run_in_threadpool(probe), headers={"cache-control": "no-store"})
    except Exception as exc:
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503,
                            headers={"cache-control": "no-store"})


def create_app(config: Config, store: Store | None = None) -> Starlette:
    """The site as an ASGI app. ``store`` defaults to the configured database (migrated)."""
    from tidings.publish import api, feeds
    from tidings.publish.readers import fever, greader
    from tidings.publish.web import pages
    from tidings.stories.sections import load_sections

    store = store or open_store(config)
    extra = newsletter_routes()
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        *pages.routes(),  # the busiest pages first: routes are tried in order
        *feeds.routes(),
        *api.routes(),
        *greader.routes(),  # the reader apps' APIs: /api/greader/ and /api/fever.php
        *fever.routes(),
        *pages.tag_routes(),  # after the tag feeds, which share its prefix
        *extra,
        Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: pages.not_found})
    app.state.config = config
    app.state.store = store
    app.state.site = site_settings(config)
    app.state.cache = ResponseCache(ttl=app.state.site["cache_seconds"])
    app.state.newsletter = bool(extra)
    configured = [s.name for s in load_sections(config.raw)]
    app.state.sections = configured
    app.state.section_nav = lambda: pages.section_nav(app)
    return app
