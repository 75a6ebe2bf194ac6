"""The JSON API under ``/api/``: stories, articles, sources, search and editions,
described by an OpenAPI 3.1 document at ``/api/openapi.json`` (human page: ``/api/docs``).

Field names are part of the contract: add fields, never rename them.

Editions are the newsletter's published editions, read from the store
(:mod:`tidings.store.newsletter_models`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tidings.publish.web import queries
from tidings.stories.fit import configured_threshold, join_fit

API_VERSION = "1.0.0"
MAX_LIMIT = 100


def _edition_json(edition: Any, items: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": edition.id, "slug": edition.slug, "title": edition.title, "intro": edition.intro,
        "published_at": _time(edition.published_at), "url": f"/editions/{edition.slug}" if edition.slug else None,
        "story_ids": [i.story_id for i in sorted(edition.items, key=lambda i: (not i.is_lead, i.position))
                      if not i.dropped],
    }
    if items:
        data["items"] = [{"story_id": i.story_id, "section": i.section, "headline": i.headline,
                          "is_lead": i.is_lead, "pinned": i.pinned, "position": i.position}
                         for i in sorted(edition.items, key=lambda i: (not i.is_lead, i.position)) if not i.dropped]
    return data


def _published_editions(session: Session, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    from sqlalchemy import func, select
    from sqlalchemy.orm import selectinload

    from tidings.store.newsletter_models import PUBLISHED, Edition

    query = select(Edition).where(Edition.status == PUBLISHED)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.options(selectinload(Edition.items))
                           .order_by(Edition.published_at.desc(), Edition.id.desc()).limit(limit).offset(offset))
    return [_edition_json(e, items=False) for e in rows], int(total)


def _published_edition(session: Session, edition_id: str) -> dict[str, Any] | None:
    from sqlalchemy import select

    from tidings.store.newsletter_models import PUBLISHED, Edition

    query = select(Edition).where(Edition.status == PUBLISHED)
    by = Edition.id == int(edition_id) if edition_id.isdigit() else Edition.slug == edition_id
    query = query.where(by)
    edition = session.scalars(query).first()
    return _edition_json(edition, items=True) if edition else None


# ---------------------------------------------------------------------------------------------
# JSON shapes


def _time(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if moment else None


def story_json(card: queries.StoryCard) -> dict[str, Any]:
    return {
        "id": card.id, "url": f"/story/{card.id}", "headline": card.headline, "lead": card.lead,
        "section": card.section, "score": round(card.score, 6), "language": card.language,
        "languages": card.languages, "article_count": card.article_count, "outlet_count": card.outlet_count,
        "first_published": _time(card.first_published), "last_published": _time(card.last_published),
        "updated_at": _time(card.updated_at),
        "tags": [{"name": t.name, "key": t.key, "kind": t.kind} for t in card.tags],
    }


def story_detail_json(detail: queries.StoryDetail) -> dict[str, Any]:
    data = story_json(detail.card)
    data["summary"] = {
        "method": detail.method, "language": detail.summary_language,
        "sentences": [{"text": s.text, "cites": s.cites} for s in detail.sentences],
    }
    data["sources"] = [{
        "number": s.number, "article_id": s.article_id, "title": s.title, "url": s.url, "outlet": s.outlet,
        "source_id": s.outlet_id, "rank": s.rank, "language": s.language, "published_at": _time(s.published_at),
        "copy_of": s.copy_of, **(s.fit or join_fit(None)).as_dict()} for s in detail.sources]
    data["similar"] = [story_json(s) for s in detail.similar]
    return data


def article_json(row: queries.ArticleRow) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "url": row.url, "outlet": row.outlet, "source_id": row.outlet_id,
            "language": row.language, "published_at": _time(row.published_at), "story_id": row.story_id,
            "copy_of": row.copy_of}


def source_json(info: queries.OutletInfo) -> dict[str, Any]:
    return {"id": info.id, "name": info.name, "url": info.url, "homepage": info.homepage, "kind": info.kind,
            "country": info.country, "language": info.language, "authority": info.authority,
            "active": info.active, "rank": info.rank, "healthy": info.healthy, "last_status": info.last_status,
            "last_error_kind": info.last_error_kind, "consecutive_errors": info.consecutive_errors,
            "last_success_at": _time(info.last_success_at), "article_count": info.article_count}


# ---------------------------------------------------------------------------------------------
# parameters


class BadRequest(ValueError):
    pass


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


def _date(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    except ValueError:
        raise BadRequest(f"{name} must be a date (YYYY-MM-DD) or an ISO 8601 time") from None


def _page(request: Request) -> tuple[int, int]:
    return _int(request, "limit", 20, 1, MAX_LIMIT), _int(request, "offset", 0, 0, 1_000_000)


def _listing(items: list[dict[str, Any]], total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"items": items, "total": total, "limit": limit, "offset": offset,
            "next_offset": offset + limit if offset + limit < total else None}


async def _answer(request: Request, work: Callable[[Session], Any]) -> Response:
    """Run ``work`` on a read session in a worker thread and answer in JSON, through the site's
    response cache (``[site] cache_seconds``; emptied after every update, as the pages are):
    a reader polling the same listing costs one build per period, not one per request."""
    from tidings.publish.web.cache import Cached
    from tidings.publish.web.responses import cache_key

    def run() -> Cached:
        try:
            with request.app.state.store.reading() as session:
                result = work(session)
        except BadRequest as exc:
            return _json_cached({"error": "bad_request", "detail": str(exc)}, 400)
        if isinstance(result, RedirectResponse):
            return Cached(b"", result.status_code, "text/plain", {"location": result.headers["location"]})
        if result is None:
            return _json_cached({"error": "not_found"}, 404)
        return _json_cached(result, 200, {"cache-control": "public, max-age=30"})

    async def make() -> Cached:
        return await run_in_threadpool(run)

    value = await request.app.state.cache.get_or_build(cache_key(request), make)
    return Response(value.body, status_code=value.status, media_type=value.media_type, headers=value.headers)


def _json_cached(data: Any, status: int, headers: dict[str, str] | None = None):  # -> Cached
    from tidings.publish.web.cache import Cached

    return Cached(bytes(JSONResponse(data).body), status, "application/json", dict(headers or {}))


# ---------------------------------------------------------------------------------------------
# endpoints


async def stories(request: Request) -> Response:
    def work(session: Session):
        limit, offset = _page(request)
        params = request.query_params
        order = params.get("order", "rank")
        if order not in ("rank", "recent"):
            raise BadRequest("order must be rank or recent")
        cards, total = queries.list_stories(
            session, section=params.get("section") or None, language=params.get("language") or None,
            tag=params.get("tag") or None, source_id=_int(request, "source", 0, 0, 2**31) or None,
            since=_date(request, "since"), until=_date(request, "until"), limit=limit, offset=offset, order=order)
        return _listing([story_json(c) for c in cards], total, limit, offset)

    return await _answer(request, work)


async def story(request: Request) -> Response:
    story_id = request.path_params["story_id"]

    def work(session: Session):
        detail = queries.story_detail(session, story_id,
                                      join_threshold=configured_threshold(request.app.state.config))
        if isinstance(detail, queries.Redirect):
            return RedirectResponse(f"/api/stories/{detail.target}", status_code=301)
        return story_detail_json(detail) if detail else None

    return await _answer(request, work)


async def articles(request: Request) -> Response:
    def work(session: Session):
        limit, offset = _page(request)
        params = request.query_params
        rows, total = queries.list_articles(
            session, source_id=_int(request, "source", 0, 0, 2**31) or None, story_id=params.get("story") or None,
            language=params.get("language") or None, since=_date(request, "since"), until=_date(request, "until"),
            limit=limit, offset=offset)
        return _listing([article_json(r) for r in rows], total, limit, offset)

    return await _answer(request, work)


async def article(request: Request) -> Response:
    article_id = request.path_params["article_id"]

    def work(session: Session):
        row = queries.article(session, article_id)
        return article_json(row) if row else None

    return await _answer(request, work)


async def sources(request: Request) -> Response:
    def work(session: Session):
        items = [source_json(o) for o in queries.list_outlets(session)]
        return _listing(items, len(items), len(items), 0)

    return await _answer(request, work)


async def source(request: Request) -> Response:
    source_id = request.path_params["source_id"]

    def work(session: Session):
        info = queries.outlet(session, source_id)
        return source_json(info) if info else None

    return await _answer(request, work)


async def search(request: Request) -> Response:
    from tidings.store.search import search as run_search

    def work(session: Session):
        limit, offset = _page(request)
        params = request.query_params
        q = (params.get("q") or "").strip()
        if not q:
            raise BadRequest("q is required")
        kind = params.get("kind") or None
        if kind not in (None, "story", "article"):
            raise BadRequest("kind must be story or article")
        hits, total = run_search(
            session, q[:200], kind=kind, section=params.get("section") or None,
            language=params.get("language") or None, source_id=_int(request, "source", 0, 0, 2**31) or None,
            since=_date(request, "since"), until=_date(request, "until"), limit=limit, offset=offset)
        items = [{"kind": h.kind, "id": h.ref, "story_id": h.story_id, "title": h.title, "snippet": h.snippet,
                  "section": h.section, "language": h.language, "source_id": h.source_id,
                  "published_at": _time(h.published_at), "rank": round(h.rank, 6)} for h in hits]
        return _listing(items, total, limit, offset)

    return await _answer(request, work)


async def editions(request: Request) -> Response:
    def work(session: Session):
        limit, offset = _page(request)
        items, total = _published_editions(session, limit, offset)
        return _listing(items, total, limit, offset)

    return await _answer(request, work)


async def edition(request: Request) -> Response:
    edition_id = request.path_params["edition_id"]

    def work(session: Session):
        return _published_edition(session, edition_id)

    return await _answer(request, work)


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(), headers={"cache-control": "public, max-age=300"})


async def docs(request: Request) -> Response:
    from tidings.publish.web.responses import SECURITY_HEADERS, page_globals
    from tidings.publish.web.templating import templates

    def build() -> str:
        return templates.env.get_template("api_docs.html").render(
            spec=openapi_document(), **page_globals(request))

    return HTMLResponse(await run_in_threadpool(build), headers=SECURITY_HEADERS)


def routes() -> list[Route]:
    return [
        Route("/api/openapi.json", openapi),
        Route("/api/docs", docs),
        Route("/api/stories", stories),
        Route("/api/stories/{story_id}", story),
        Route("/api/articles", articles),
        Route("/api/articles/{article_id:int}", article),
        Route("/api/sources", sources),
        Route("/api/sources/{source_id:int}", source),
        Route("/api/search", search),
        Route("/api/editions", editions),
        Route("/api/editions/{edition_id}", edition),
    ]


# ---------------------------------------------------------------------------------------------
# OpenAPI 3.1


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _listing_schema(item: str) -> dict[str, Any]:
    return {"type": "object", "required": ["items", "total", "limit", "offset", "next_offset"],
            "properties": {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
                           "total": {"type": "integer", "minimum": 0}, "limit": {"type": "integer"},
                           "offset": {"type": "integer"}, "next_offset": _nullable("integer")}}


def _param(name: str, kind: str, description: str, where: str = "query", **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "description": description,
            "schema": {"type": kind, **extra}}


PAGING = [_param("limit", "integer", "Items per page", minimum=1, maximum=MAX_LIMIT, default=20),
          _param("offset", "integer", "Items to skip", minimum=0, default=0)]
DATES = [_param("since", "string", "From this date or time (inclusive)", format="date-time"),
         _param("until", "string", "Before this date or time", format="date-time")]


def _get(summary: str, schema: str, parameters: list[dict[str, Any]], *, listing: bool = False,
         not_found: bool = False) -> dict[str, Any]:
    content = _listing_schema(schema) if listing else {"$ref": f"#/components/schemas/{schema}"}
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": content}}}}
    responses["400"] = {"description": "Bad parameter",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    if not_found:
        responses["404"] = {"description": "Not found",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def openapi_document() -> dict[str, Any]:
    time = _nullable("string", format="date-time")
    tag = {"type": "object", "required": ["name", "key", "kind"],
           "properties": {"name": {"type": "string"}, "key": {"type": "string"}, "kind": {"type": "string"}}}
    story = {"type": "object",
             "required": ["id", "url", "headline", "lead", "section", "score", "language", "languages",
                          "article_count", "outlet_count", "first_published", "last_published", "updated_at", "tags"],
             "properties": {
                 "id": {"type": "string"}, "url": {"type": "string"}, "headline": {"type": "string"},
                 "lead": {"type": "string"}, "section": _nullable("string"), "score": {"type": "number"},
                 "language": _nullable("string"), "languages": {"type": "array", "items": {"type": "string"}},
                 "article_count": {"type": "integer"}, "outlet_count": {"type": "integer"},
                 "first_published": time, "last_published": time, "updated_at": time,
                 "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}}}
    story_source = {"type": "object",
                    "required": ["number", "article_id", "title", "url", "outlet", "source_id", "rank", "language",
                                 "published_at", "copy_of", "join_score", "join_band"],
                    "properties": {"number": {"type": "integer", "minimum": 1}, "article_id": {"type": "integer"},
                                   "title": {"type": "string"}, "url": _nullable("string"),
                                   "outlet": {"type": "string"}, "source_id": _nullable("integer"),
                                   "rank": _nullable("string"), "language": _nullable("string"),
                                   "published_at": time, "copy_of": _nullable("integer"),
                                   "join_score": {**_nullable("number"), "minimum": 0, "maximum": 1,
                                                  "description": "The clusterer's score when the article joined "
                                                                 "this story (see join_band)"},
                                   "join_band": {"enum": ["strong", "moderate", "weak", "opened", "merged", "editor",
                                                          "copy", None],
                                                 "description": "strong >= 0.70, moderate >= 0.50, weak below; "
                                                                "opened: started the story, merged: started a story "
                                                                "merged into it (for both, join_score is the best "
                                                                "score it reached elsewhere); editor: placed by an "
                                                                "editor; copy: a syndicated copy"}}}
    detail = {"allOf": [{"$ref": "#/components/schemas/Story"}, {
        "type": "object", "required": ["summary", "sources", "similar"],
        "properties": {
            "summary": {"type": "object", "required": ["method", "language", "sentences"],
                        "properties": {"method": _nullable("string"), "language": _nullable("string"),
                                       "sentences": {"type": "array", "items": {
                                           "type": "object", "required": ["text", "cites"],
                                           "properties": {"text": {"type": "string"},
                                                          "cites": {"type": "array",
                                                                    "items": {"type": "integer", "minimum": 1}}}}}}},
            "sources": {"type": "array", "items": {"$ref": "#/components/schemas/StorySource"}},
            "similar": {"type": "array", "items": {"$ref": "#/components/schemas/Story"}}}}]}
    article = {"type": "object",
               "required": ["id", "title", "url", "outlet", "source_id", "language", "published_at", "story_id",
                            "copy_of"],
               "properties": {"id": {"type": "integer"}, "title": {"type": "string"}, "url": _nullable("string"),
                              "outlet": {"type": "string"}, "source_id": _nullable("integer"),
                              "language": _nullable("string"), "published_at": time, "story_id": _nullable("string"),
                              "copy_of": _nullable("integer")}}
    source = {"type": "object",
              "required": ["id", "name", "url", "homepage", "kind", "country", "language", "authority", "active",
                           "rank", "healthy", "last_status", "last_error_kind", "consecutive_errors",
                           "last_success_at", "article_count"],
              "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "url": _nullable("string"),
                             "homepage": _nullable("string"), "kind": {"type": "string"},
                             "country": _nullable("string"), "language": _nullable("string"),
                             "authority": {"type": "number"}, "active": {"type": "boolean"},
                             "rank": _nullable("string"), "healthy": {"type": "boolean"},
                             "last_status": _nullable("integer"), "last_error_kind": _nullable("string"),
                             "consecutive_errors": {"type": "integer"}, "last_success_at": time,
                             "article_count": {"type": "integer"}}}
    hit = {"type": "object",
           "required": ["kind", "id", "story_id", "title", "snippet", "section", "language", "source_id",
                        "published_at", "rank"],
           "properties": {"kind": {"enum": ["story", "article"]}, "id": {"type": "string"},
                          "story_id": _nullable("string"), "title": {"type": "string"},
                          "snippet": {"type": "string"}, "section": _nullable("string"),
                          "language": _nullable("string"), "source_id": _nullable("integer"),
                          "published_at": time, "rank": {"type": "number"}}}
    edition = {"type": "object", "required": ["id", "slug", "title", "published_at", "url", "story_ids"],
               "additionalProperties": True,
               "properties": {"id": {"type": "integer"}, "slug": _nullable("string"), "title": {"type": "string"},
                              "intro": {"type": "string"}, "published_at": time, "url": _nullable("string"),
                              "story_ids": {"type": "array", "items": {"type": "string"}},
                              "items": {"type": "array", "items": {"type": "object", "required": ["story_id"]}}}}
    error = {"type": "object", "required": ["error"],
             "properties": {"error": {"type": "string"}, "detail": {"type": "string"}}}
    story_filters = [_param("section", "string", "Section name"), _param("language", "string", "ISO 639-1 code"),
                     _param("tag", "string", "Tag key"), _param("source", "integer", "Source id"),
                     _param("order", "string", "rank (default) or recent", enum=["rank", "recent"]),
                     *DATES, *PAGING]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tidings API", "version": API_VERSION,
                 "description": "Stories (events told by many outlets) with cited summaries, their articles "
                                "and sources. Read-only. Merged stories answer 301 with the surviving story."},
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "paths": {
            "/api/stories": _get("Stories by rank, with filters", "Story", story_filters, listing=True),
            "/api/stories/{story_id}": _get(
                "One story with its summary, sources and similar stories", "StoryDetail",
                [_param("story_id", "string", "Story id", "path")], not_found=True),
            "/api/articles": _get("Articles, newest first", "Article", [
                _param("story", "string", "Story id"), _param("source", "integer", "Source id"),
                _param("language", "string", "ISO 639-1 code"), *DATES, *PAGING], listing=True),
            "/api/articles/{article_id}": _get("One article", "Article",
                                               [_param("article_id", "integer", "Article id", "path")],
                                               not_found=True),
            "/api/sources": _get("All sources with rank and health", "Source", [], listing=True),
            "/api/sources/{source_id}": _get("One source", "Source",
                                             [_param("source_id", "integer", "Source id", "path")], not_found=True),
            "/api/search": _get("Full-text search over stories and articles", "SearchHit", [
                {**_param("q", "string", "Words to find"), "required": True},
                _param("kind", "string", "story or article", enum=["story", "article"]),
                _param("section", "string", "Section name"), _param("language", "string", "ISO 639-1 code"),
                _param("source", "integer", "Source id"), *DATES, *PAGING], listing=True),
            "/api/editions": _get("Published newsletter editions, newest first", "Edition", PAGING, listing=True),
            "/api/editions/{edition_id}": _get("One published newsletter edition, by id or slug", "Edition",
                                               [_param("edition_id", "string", "Edition id or slug", "path")],
                                               not_found=True),
        },
        "components": {"schemas": {
            "Tag": tag, "Story": story, "StorySource": story_source, "StoryDetail": detail, "Article": article,
            "Source": source, "SearchHit": hit, "Edition": edition, "Error": error}},
    }
