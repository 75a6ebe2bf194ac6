"""The web application: ``create_app(config)`` builds the Starlette app the ``serve`` command runs.

It puts the configuration and the Store on ``app.state`` (``request.app.state.config`` /
``.store``), serves the site's pages, feeds and JSON API, the newsletter's routes (with the
editor's story pages, which share its login), and answers ``/healthz``. This module only
assembles; what the route modules share lives in :mod:`tidings.publish.web.responses`.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from tidings.config import Config
from tidings.publish.web.cache import ResponseCache
from tidings.publish.web.responses import site_settings
from tidings.publish.web.templating import STATIC
from tidings.store.db import Store, open_store

log = logging.getLogger(__name__)


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
    from tidings.publish import api, feeds, newsletter_routes, story_editor_routes
    from tidings.publish.readers import fever, greader
    from tidings.publish.web import pages
    from tidings.stories.sections import load_sections

    store = store or open_store(config)
    extra = [*newsletter_routes.routes(), *story_editor_routes.routes()]  # the editor's pages share its login
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
