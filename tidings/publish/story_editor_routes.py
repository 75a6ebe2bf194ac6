"""The editor's story pages under /editor/stories: each article of a story with how sure Tidings is
that it belongs, and two decisions per article, made by a logged-in editor with a CSRF-checked POST:
move it to another story (by id or address), or split it off into a story of its own
(:mod:`tidings.stories.editing` records the decision; the clusterer never undoes it).

Login, sessions and CSRF tokens are the newsletter editor's (:mod:`tidings.publish.newsletter_routes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.publish import newsletter_routes as nl
from tidings.publish.web import queries
from tidings.stories import editing

if TYPE_CHECKING:
    from tidings.stories.cluster import ClusterConfig
from tidings.stories.fit import configured_threshold


def _cluster_config(request: Request) -> ClusterConfig:
    from tidings.stories.update import cluster_config

    return cluster_config(request.app.state.config)


async def story_lookup(request: Request) -> Response:
    """``/editor/stories?story=ID-OR-ADDRESS`` (the editor home's form) -> that story's editor page."""
    ctx = nl._context(request)
    if await nl._editor(ctx, request) is None:
        return nl._to_login()
    try:
        story_id = editing.story_ref(request.query_params.get("story", ""))
    except editing.EditError as exc:
        return nl._message(ctx, request, "Not a story", str(exc), 400)
    return RedirectResponse(f"/editor/stories/{story_id}", status_code=303)


async def _story_view(request: Request, story_id: str, user: Any, status: int = 200,
                      error: str | None = None) -> Response:
    ctx = nl._context(request)
    threshold = configured_threshold(request.app.state.config)

    def load() -> tuple[Any, list[editing.DecisionView]]:
        with ctx.store.reading() as session:
            detail = queries.story_detail(session, story_id, join_threshold=threshold)
            if detail is None or isinstance(detail, queries.Redirect):
                return detail, []
            return detail, editing.decisions_about(session, story_id)

    detail, decisions = await run_in_threadpool(load)
    if isinstance(detail, queries.Redirect):
        return RedirectResponse(f"/editor/stories/{detail.target}", status_code=303)
    if detail is None:
        return nl._message(ctx, request, "Not found", f"There is no story {story_id}.", 404)
    return nl._page(ctx, request, "editor/story.html", status, user=user, detail=detail, story=detail.card,
                    decisions=decisions, error=error)


async def story_page(request: Request) -> Response:
    ctx = nl._context(request)
    user = await nl._editor(ctx, request)
    if user is None:
        return nl._to_login()
    return await _story_view(request, request.path_params["story_id"], user)


async def article_decision(request: Request) -> Response:
    """POST /editor/stories/{story}/articles/{article}/move (field ``to``) or .../split."""
    ctx = nl._context(request)
    user = await nl._editor(ctx, request)
    if user is None:
        return nl._to_login()
    form = await nl._form(request)
    if not nl._csrf_ok(ctx, request, form):
        return nl._forbidden(ctx, request)
    story_id, action = request.path_params["story_id"], request.path_params["action"]
    article_id = int(request.path_params["article_id"])
    config = _cluster_config(request)
    try:
        if action == editing.MOVE:
            result = await run_in_threadpool(editing.move_article, ctx.store, article_id, nl._one(form, "to"),
                                             user.email, config, expect_story=story_id)
        elif action == editing.SPLIT:
            result = await run_in_threadpool(editing.split_article, ctx.store, article_id, user.email, config,
                                             expect_story=story_id)
        else:
            return nl._message(ctx, request, "Not found", "There is no such action.", 404)
    except editing.EditError as exc:
        return await _story_view(request, story_id, user, 400, str(exc))
    cache = getattr(request.app.state, "cache", None)
    if cache is not None:  # the public pages show the stories as they are now
        cache.clear()
    back = result.to_story if result.emptied else result.from_story
    return RedirectResponse(f"/editor/stories/{back}#decisions", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/editor/stories", story_lookup, methods=["GET"]),
        Route("/editor/stories/{story_id}", story_page, methods=["GET"]),
        Route("/editor/stories/{story_id}/articles/{article_id:int}/{action}", article_decision, methods=["POST"]),
    ]
