"""The site's HTML pages: front, sections, tags, stories, sources, archive, search."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tidings.publish.web import queries
from tidings.publish.web.responses import MovedTo, NotFound, cached, page_globals, render_page
from tidings.publish.web.templating import tag_url, templates
from tidings.publish.web.timeline import timeline_svg
from tidings.store.models import Source, Story
from tidings.stories.fit import configured_threshold

PAGE_SIZE = 20
_NAV_CACHE: dict[int, tuple[float, list[tuple[str, str]]]] = {}


def section_names(app: Starlette) -> list[str]:
    """Configured sections first, then any other section a story was filed in."""
    with app.state.store.reading() as session:
        used = [name for (name,) in session.execute(
            select(Story.section).distinct().where(Story.section.is_not(None), Story.merged_into.is_(None)))]
    names = list(app.state.sections)
    names += sorted(n for n in used if n not in names)
    return names


def section_nav(app: Starlette) -> list[tuple[str, str]]:
    """(name, url) of the sections, refreshed once a minute."""
    hit = _NAV_CACHE.get(id(app))
    if hit and time.monotonic() - hit[0] < 60:
        return hit[1]
    nav = [(name, "/section/" + queries.slugify(name)) for name in section_names(app)]
    _NAV_CACHE[id(app)] = (time.monotonic(), nav)
    return nav


def section_by_slug(app: Starlette, slug: str) -> str | None:
    for name in section_names(app):
        if queries.slugify(name) == slug:
            return name
    return None


def page_number(request: Request) -> int:
    try:
        return max(1, min(10_000, int(request.query_params.get("page", "1"))))
    except ValueError:
        return 1


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def as_datetime(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) if day else None


# ---------------------------------------------------------------------------------------------


async def front(request: Request) -> Response:
    app = request.app

    def build():
        names = section_names(app)
        with app.state.store.reading() as session:
            top, sections = queries.front_page(session, names)
        return render_page(request, "front.html", {"top": top, "sections": sections,
                                                   "now": datetime.now(timezone.utc)})

    return await cached(request, build)


async def section(request: Request) -> Response:
    app = request.app
    slug = request.path_params["slug"]
    page = page_number(request)

    def build():
        name = section_by_slug(app, slug)
        if name is None:
            raise NotFound
        with app.state.store.reading() as session:
            stories, total = queries.list_stories(session, section=name, limit=PAGE_SIZE,
                                                  offset=(page - 1) * PAGE_SIZE)
        return render_page(request, "list.html", {
            "heading": name, "kind": "section", "stories": stories, "total": total, "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)), "feed": f"/section/{slug}",
            "intro": f"{total} stor{'y' if total == 1 else 'ies'} filed in {name}, by importance."})

    return await cached(request, build)


async def tag(request: Request) -> Response:
    app = request.app
    key = request.path_params["key"]
    page = page_number(request)

    def build():
        with app.state.store.reading() as session:
            stories, total = queries.list_stories(session, tag=key, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        if not total:
            raise NotFound
        name = next((t.name for s in stories for t in s.tags if t.key == key), key)
        return render_page(request, "list.html", {
            "heading": name, "kind": "tag", "stories": stories, "total": total, "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)), "feed": tag_url(key),
            "intro": f"{total} stor{'y' if total == 1 else 'ies'} tagged “{name}”."})

    return await cached(request, build)


def _first_source(detail: queries.StoryDetail) -> queries.SourceLine | None:
    """The source published first (None if none has a date)."""
    dated = [(s.published_at, i) for i, s in enumerate(detail.sources) if s.published_at is not None]
    return detail.sources[min(dated)[1]] if dated else None


async def story(request: Request) -> Response:
    app = request.app
    story_id = request.path_params["story_id"]

    def build():
        with app.state.store.reading() as session:
            detail = queries.story_detail(session, story_id, join_threshold=configured_threshold(app.state.config))
        if detail is None:
            raise NotFound
        if isinstance(detail, queries.Redirect):
            raise MovedTo(f"/story/{detail.target}")
        outlets = len({s.outlet_id or s.outlet for s in detail.sources})
        return render_page(request, "story.html", {
            "story": detail.card, "detail": detail, "outlets": outlets,
            "timeline": timeline_svg(queries.timeline_points(detail)),
            "first": _first_source(detail)})

    return await cached(request, build)


async def sources(request: Request) -> Response:
    app = request.app

    def build():
        with app.state.store.reading() as session:
            outlets = queries.list_outlets(session)
        return render_page(request, "sources.html", {"outlets": outlets})

    return await cached(request, build)


async def source(request: Request) -> Response:
    app = request.app
    source_id = request.path_params["source_id"]

    def build():
        with app.state.store.reading() as session:
            info = queries.outlet(session, source_id)
            if info is None:
                raise NotFound
            articles, _ = queries.list_articles(session, source_id=source_id, limit=30)
            stories, _ = queries.list_stories(session, source_id=source_id, limit=10, order="recent")
        return render_page(request, "source.html", {"outlet": info, "articles": articles, "stories": stories})

    return await cached(request, build)


async def archive(request: Request) -> Response:
    app = request.app

    def build():
        with app.state.store.reading() as session:
            days = queries.archive_days(session)
        return render_page(request, "archive.html", {"days": days})

    return await cached(request, build)


async def archive_day(request: Request) -> Response:
    app = request.app
    day = parse_day(request.path_params["day"])

    def build():
        if day is None:
            raise NotFound
        with app.state.store.reading() as session:
            stories = queries.stories_of_day(session, day)
        return render_page(request, "list.html", {
            "heading": day.strftime("%-d %B %Y"), "kind": "day", "stories": stories, "total": len(stories),
            "page": 1, "pages": 1, "feed": None,
            "intro": f"{len(stories)} stor{'y' if len(stories) == 1 else 'ies'} first reported that day (UTC)."})

    return await cached(request, build)


def search_filters(request: Request) -> dict[str, Any]:
    params = request.query_params
    source_id = params.get("source") or ""
    return {
        "q": (params.get("q") or "").strip()[:200],
        "section": params.get("section") or None,
        "language": (params.get("language") or "").strip()[:16] or None,
        "source_id": int(source_id) if source_id.isdigit() else None,
        "since": as_datetime(parse_day(params.get("since"))),
        "until": as_datetime(parse_day(params.get("until"))),
        "kind": params.get("kind") if params.get("kind") in ("story", "article") else None,
    }


async def search_page(request: Request) -> Response:
    from tidings.store.search import search

    app = request.app
    filters = search_filters(request)
    page = page_number(request)

    def build():
        hits: list[Any] = []
        total = 0
        with app.state.store.reading() as session:
            if filters["q"]:
                hits, total = search(session, filters["q"], kind=filters["kind"], section=filters["section"],
                                     language=filters["language"], source_id=filters["source_id"],
                                     since=filters["since"], until=filters["until"], limit=PAGE_SIZE,
                                     offset=(page - 1) * PAGE_SIZE)
            outlets = [(s.id, s.name) for s in session.scalars(select(Source).order_by(Source.name))]
        return render_page(request, "search.html", {
            "hits": hits, "total": total, "filters": filters, "page": page, "outlets": outlets,
            "pages": max(1, -(-total // PAGE_SIZE)), "sections": section_names(app),
            "since": request.query_params.get("since", ""), "until": request.query_params.get("until", "")})

    return await cached(request, build)


async def not_found(request: Request, exc: Exception) -> Response:
    html = templates.env.get_template("error.html").render(
        status=404, message="This page does not exist.", **page_globals(request))
    return HTMLResponse(html, status_code=404)


def tag_routes() -> list[Route]:
    """The tag page: mounted after the tag feeds (``/tag/{key}/feed.atom``)."""
    return [Route("/tag/{key:path}", tag, name="tag")]


def routes() -> list[Route]:
    return [
        Route("/", front, name="front"),
        Route("/section/{slug}", section, name="section"),
        Route("/story/{story_id}", story, name="story"),
        Route("/sources", sources, name="sources"),
        Route("/source/{source_id:int}", source, name="source"),
        Route("/archive", archive, name="archive"),
        Route("/archive/{day}", archive_day, name="archive_day"),
        Route("/search", search_page, name="search"),
    ]
