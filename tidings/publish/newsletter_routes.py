"""HTTP routes of the newsletter: sign up, confirm, unsubscribe (RFC 8058 one-click),
preferences, the archive of published editions with its Atom feed, and the editor under
/editor (login, drafts, publishing). Everything works with plain HTML forms, no JavaScript.

The app must carry ``app.state.config`` (a :class:`~tidings.config.Config`) and
``app.state.store`` (a :class:`~tidings.store.db.Store`). Every POST made from a page carries a
CSRF token: the keyed digest of a random per-browser cookie. One-click unsubscribe is the
exception the RFC requires: its signed token is its authority."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.config import Config
from tidings.publish.editions import service
from tidings.publish.editions.render import environment
from tidings.publish.editions.security import BadToken, Signer, load_secret
from tidings.publish.editions.settings import NewsletterSettings, newsletter_settings
from tidings.publish.editions.users import UserView, authenticate, get_user
from tidings.publish.mail import links as sublinks
from tidings.publish.mail import subscribers
from tidings.publish.ratelimit import DbLimiter
from tidings.store.db import Store

CSRF_COOKIE = "tidings_csrf"
SESSION_COOKIE = "tidings_editor"
MAX_FORM_BYTES = 256 * 1024


@dataclass(slots=True)
class Context:
    config: Config
    store: Store
    settings: NewsletterSettings
    signer: Signer
    limiter: DbLimiter  # failed editor logins (in the database: every worker process shares them)
    signups: DbLimiter  # confirmation mails asked for, per address and per client


def _context(request: Request) -> Context:
    state = request.app.state
    ctx = getattr(state, "newsletter_context", None)
    if ctx is None or ctx.config is not state.config or ctx.store is not state.store:
        ctx = Context(state.config, state.store, newsletter_settings(state.config),
                      Signer(load_secret(state.config)), DbLimiter(state.store, "editor"),
                      DbLimiter(state.store, "signup", per_account=3, per_ip=20, window=3600.0))
        state.newsletter_context = ctx
    return ctx


async def _form(request: Request) -> dict[str, list[str]]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


def _csrf_cookie(request: Request) -> tuple[str, bool]:
    value = request.cookies.get(CSRF_COOKIE, "")
    if len(value) >= 32:
        return value, False
    return secrets.token_urlsafe(32), True


def _csrf_ok(ctx: Context, request: Request, form: dict[str, list[str]]) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = _one(form, "csrf")
    return bool(cookie and sent) and secrets.compare_digest(sent, ctx.signer.digest("csrf", cookie))


def _secure(ctx: Context, request: Request) -> bool:
    return request.url.scheme == "https" or ctx.settings.base_url.startswith("https://")


def _layout(request: Request) -> dict[str, Any]:
    """Inside the site (its app factory set ``state.site``) pages wear the site's base.html."""
    if getattr(request.app.state, "site", None) is None:
        return {"layout": "newsletter/standalone.html"}
    try:
        from tidings.publish.web.responses import page_globals
    except ImportError:
        return {"layout": "newsletter/standalone.html"}
    return {**page_globals(request), "layout": "base.html"}


def _page(ctx: Context, request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    cookie, fresh = _csrf_cookie(request)
    html = environment().get_template(template).render(settings=ctx.settings, csrf=ctx.signer.digest("csrf", cookie),
                                                       **_layout(request), **values)
    # tokens ride in the URLs of these pages: never send them on as a Referer; forms are not framed
    response = HTMLResponse(html, status_code=status, headers={
        "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
        "Content-Security-Policy": "frame-ancestors 'none'"})
    if fresh:
        response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="lax", secure=_secure(ctx, request))
    return response


def _message(ctx: Context, request: Request, heading: str, message: str, status: int = 200) -> HTMLResponse:
    return _page(ctx, request, "newsletter/message.html", status, heading=heading, message=message,
                 error=status >= 400)


def _forbidden(ctx: Context, request: Request) -> HTMLResponse:
    return _message(ctx, request, "Form expired", "This form has expired or did not come from this site. "
                    "Go back, reload the page and try again.", 403)


# ---------------------------------------------------------------- subscribers

async def signup(request: Request) -> Response:
    ctx = _context(request)
    if request.method == "GET":
        return _page(ctx, request, "newsletter/signup.html")
    form = await _form(request)
    if not _csrf_ok(ctx, request, form):
        return _forbidden(ctx, request)
    email = _one(form, "email")
    wait = await run_in_threadpool(ctx.signups.retry_after, _client_ip(request), email)
    if wait > 0:  # the form must not become a way to flood someone's inbox
        response = _page(ctx, request, "newsletter/signup.html", 429, email=email,
                         error="Too many sign-ups from here or for this address. Try again later.")
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    await run_in_threadpool(ctx.signups.failed, _client_ip(request), email)
    try:
        message = await run_in_threadpool(subscribers.signup, ctx.store, ctx.settings, ctx.signer, email,
                                          form.get("section", []))
    except subscribers.SubscriberError as exc:
        return _page(ctx, request, "newsletter/signup.html", 400, error=str(exc), email=email)
    if message is not None:
        await run_in_threadpool(_send_one, ctx, message)
    return _message(ctx, request, "Check your inbox",
                    "If the address can receive mail, a confirmation link is on its way. "
                    "Nothing else will be sent until you follow it.")


def _send_one(ctx: Context, message: Any) -> None:
    from tidings.publish.mail.settings import smtp_settings
    from tidings.publish.mail.transport import SmtpTransport

    with SmtpTransport(smtp_settings(ctx.config)) as transport:
        transport.send(message)


async def confirm(request: Request) -> Response:
    ctx = _context(request)
    try:
        sub = await run_in_threadpool(subscribers.confirm, ctx.store, ctx.signer, request.query_params.get("t", ""))
    except subscribers.SubscriberError as exc:
        return _message(ctx, request, "Link not valid", str(exc), 400)
    return _message(ctx, request, "Subscribed", f"{sub.email} will receive {ctx.settings.name}. Welcome!")


async def unsubscribe(request: Request) -> Response:
    ctx = _context(request)
    token = request.query_params.get("t", "")
    if request.method == "GET":  # a link scanner must not unsubscribe anyone: show a button
        try:
            sub = await run_in_threadpool(subscribers.lookup, ctx.store, ctx.signer, sublinks.UNSUBSCRIBE, token)
        except subscribers.SubscriberError as exc:
            return _message(ctx, request, "Link not valid", str(exc), 400)
        return _page(ctx, request, "newsletter/unsubscribe.html", subscriber=sub, token=token)
    # POST: RFC 8058 one-click (body "List-Unsubscribe=One-Click") or the button above; the token suffices
    try:
        sub = await run_in_threadpool(subscribers.unsubscribe, ctx.store, ctx.signer, token)
    except subscribers.SubscriberError as exc:
        return _message(ctx, request, "Link not valid", str(exc), 400)
    return _message(ctx, request, "Unsubscribed", f"{sub.email} will receive no more editions.")


async def preferences(request: Request) -> Response:
    ctx = _context(request)
    token = request.query_params.get("t", "")
    try:
        sub = await run_in_threadpool(subscribers.lookup, ctx.store, ctx.signer, sublinks.PREFERENCES, token)
    except subscribers.SubscriberError as exc:
        return _message(ctx, request, "Link not valid", str(exc), 400)
    if request.method == "GET":
        return _page(ctx, request, "newsletter/preferences.html", subscriber=sub, token=token)
    form = await _form(request)
    if not _csrf_ok(ctx, request, form):
        return _forbidden(ctx, request)
    sub = await run_in_threadpool(subscribers.set_sections, ctx.store, ctx.settings, ctx.signer, token,
                                  form.get("section", []))
    return _page(ctx, request, "newsletter/preferences.html", subscriber=sub, token=token, saved=True)


# ---------------------------------------------------------------- archive

async def archive(request: Request) -> Response:
    ctx = _context(request)
    editions = await run_in_threadpool(service.published_editions, ctx.store)
    return _page(ctx, request, "newsletter/archive.html", editions=editions)


async def edition_page(request: Request) -> Response:
    """/editions/<slug> (the HTML), /editions/<slug>.md and /editions/<slug>.txt: as stored at publication."""
    ctx = _context(request)
    slug, fmt = request.path_params["slug"], "html"
    for suffix in ("md", "txt"):
        if slug.endswith("." + suffix):
            slug, fmt = slug[: -len(suffix) - 1], suffix
    edition = await run_in_threadpool(service.published_by_slug, ctx.store, slug)
    if edition is None:
        return _message(ctx, request, "Not found", "There is no published edition at this address.", 404)
    headers = {"Cache-Control": "public, max-age=3600"}
    if fmt == "md":
        return Response(edition.markdown or "", media_type="text/markdown; charset=utf-8", headers=headers)
    if fmt == "txt":
        return PlainTextResponse(edition.text or "", headers=headers)
    return HTMLResponse(edition.html or "", headers=headers)


async def editions_atom(request: Request) -> Response:
    from tidings.publish.editions.atom import editions_feed

    ctx = _context(request)
    editions = await run_in_threadpool(service.published_editions, ctx.store, 50)
    return Response(editions_feed(ctx.settings, editions), media_type="application/atom+xml; charset=utf-8")


# ---------------------------------------------------------------- editor

def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _editor(ctx: Context, request: Request) -> UserView | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    try:
        data = ctx.signer.verify("session", token)
    except BadToken:
        return None
    return await run_in_threadpool(get_user, ctx.store, int(data.get("u", -1)))


def _to_login() -> RedirectResponse:
    return RedirectResponse("/editor/login", status_code=303)


async def login(request: Request) -> Response:
    ctx = _context(request)
    if request.method == "GET":
        return _page(ctx, request, "editor/login.html")
    form = await _form(request)
    if not _csrf_ok(ctx, request, form):
        return _forbidden(ctx, request)
    email, password, ip = _one(form, "email"), _one(form, "password"), _client_ip(request)
    wait = await run_in_threadpool(ctx.limiter.retry_after, ip, email)
    if wait > 0:
        response = _page(ctx, request, "editor/login.html", 429, email=email,
                         error="Too many failed logins. Wait a while and try again.")
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    user = await run_in_threadpool(authenticate, ctx.store, email, password)
    if user is None:
        await run_in_threadpool(ctx.limiter.failed, ip, email)
        return _page(ctx, request, "editor/login.html", 401, email=email, error="Wrong email or password.")
    await run_in_threadpool(ctx.limiter.succeeded, email)
    redirect = RedirectResponse("/editor", status_code=303)
    session = ctx.signer.sign("session", {"u": user.id, "n": secrets.token_urlsafe(8)},
                              ttl=ctx.settings.session_seconds)
    redirect.set_cookie(SESSION_COOKIE, session, max_age=ctx.settings.session_seconds, httponly=True,
                        samesite="lax", secure=_secure(ctx, request), path="/")
    # a fresh CSRF cookie at login, so a token planted before it is worthless
    redirect.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(32), httponly=True, samesite="lax",
                        secure=_secure(ctx, request))
    return redirect


async def logout(request: Request) -> Response:
    ctx = _context(request)
    form = await _form(request)
    if not _csrf_ok(ctx, request, form):
        return _forbidden(ctx, request)
    response = _to_login()
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def editor_home(request: Request) -> Response:
    ctx = _context(request)
    user = await _editor(ctx, request)
    if user is None:
        return _to_login()
    editions = await run_in_threadpool(service.list_editions, ctx.store)
    return _page(ctx, request, "editor/index.html", user=user, editions=editions)


async def editor_new(request: Request) -> Response:
    from tidings.timeutil import parse_since

    ctx = _context(request)
    user = await _editor(ctx, request)
    if user is None:
        return _to_login()
    form = await _form(request)
    if not _csrf_ok(ctx, request, form):
        return _forbidden(ctx, request)
    try:
        since = parse_since(_one(form, "since") or "7d")
        per_section = int(_one(form, "per_section") or ctx.settings.per_section)
    except ValueError as exc:
        return _message(ctx, request, "Cannot draft", str(exc), 400)
    try:
        edition_id = await run_in_threadpool(service.new_draft, ctx.store, ctx.settings, since, max(1, per_section))
    except service.EditionError as exc:
        return _message(ctx, request, "Nothing to draft", str(exc), 400)
    return RedirectResponse(f"/editor/editions/{edition_id}", status_code=303)


async def _edition_view(ctx: Context, request: Request, edition_id: int, user: UserView, status: int = 200,
                        error: str | None = None) -> Response:
    def load() -> tuple[Any, list[service.ItemView]]:
        edition = service.get_edition(ctx.store, edition_id)
        if edition is None:
            return None, []
        return edition, service.draft_items(ctx.store, ctx.settings, edition_id)

    edition, items = await run_in_threadpool(load)
    if edition is None:
        return _message(ctx, request, "Not found", f"There is no edition {edition_id}.", 404)
    return _page(ctx, request, "editor/edition.html", status, user=user, edition=edition, items=items, error=error)


async def editor_edition(request: Request) -> Response:
    ctx = _context(request)
    user = await _editor(ctx, request)
    if user is None:
        return _to_login()
    return await _edition_view(ctx, request, int(request.path_params["edition_id"]), user)


async def editor_preview(request: Request) -> Response:
    from tidings.publish.editions.render import render_html

    ctx = _context(request)
    user = await _editor(ctx, request)
    if user is None:
        return _to_login()
    try:
        content = await run_in_threadpool(service.preview, ctx.store, ctx.settings,
                                          int(request.path_params["edition_id"]))
    except service.EditionError as exc:
        return _message(ctx, request, "Not found", str(exc), 404)
    return HTMLResponse(await run_in_threadpool(render_html, content), headers={"Cache-Control": "no-store"})


ITEM_ACTIONS = {
    "up": lambda store, e, i, form: service.move_item(store, e, i, -1),
    "down": lambda store, e, i, form: service.move_item(store, e, i, 1),
    "pin": lambda store, e, i, form: service.set_flag(store, e, i, "pinned", True),
    "unpin": lambda store, e, i, form: service.set_flag(store, e, i, "pinned", False),
    "drop": lambda store, e, i, form: service.set_flag(store, e, i, "dropped", True),
    "restore": lambda store, e, i, form: service.set_flag(store, e, i, "dropped", False),
    "lead": lambda store, e, i, form: service.set_flag(store, e, i, "is_lead", True),
    "edit": lambda store, e, i, form: service.edit_item(store, e, i, _one(form, "headline"), _one(form, "body")),
}


async def _draft_post(request: Request, change: Any) -> Response:
    ctx = _context(request)
    user = await _editor(ctx, request)
    if user is None:
        return _to_login()
    form = await _form(request)
    if not _csrf_ok(ctx, request, form):
        return _forbidden(ctx, request)
    edition_id = int(request.path_params["edition_id"])
    try:
        result = await run_in_threadpool(change, ctx, edition_id, form)
    except service.EditionLocked as exc:
        return await _edition_view(ctx, request, edition_id, user, 409, str(exc))
    except service.EditionError as exc:
        return await _edition_view(ctx, request, edition_id, user, 400, str(exc))
    return RedirectResponse(result or f"/editor/editions/{edition_id}", status_code=303)


async def editor_item(request: Request) -> Response:
    action = ITEM_ACTIONS.get(request.path_params["action"])
    if action is None:
        return PlainTextResponse("unknown action", status_code=404)
    item_id = int(request.path_params["item_id"])
    return await _draft_post(request, lambda ctx, e, form: action(ctx.store, e, item_id, form))


async def editor_meta(request: Request) -> Response:
    from tidings.timeutil import parse_datetime

    def change(ctx: Context, e: int, form: dict[str, list[str]]) -> None:
        when = _one(form, "scheduled_at").strip()
        at = parse_datetime(when) if when else None
        if when and at is None:
            raise service.EditionError(f"not a date and time: {when!r}")
        service.edit_edition(ctx.store, e, title=_one(form, "title"), intro=_one(form, "intro"), scheduled_at=at)

    return await _draft_post(request, change)


async def editor_publish(request: Request) -> Response:
    def publish(ctx: Context, e: int, form: Any) -> str:
        slug = service.publish(ctx.store, ctx.settings, e)
        return f"/editions/{slug}"

    return await _draft_post(request, publish)


def routes() -> list[BaseRoute]:
    return [
        Route("/newsletter/signup", signup, methods=["GET", "POST"]),
        Route("/newsletter/confirm", confirm, methods=["GET"]),
        Route("/newsletter/unsubscribe", unsubscribe, methods=["GET", "POST"]),
        Route("/newsletter/preferences", preferences, methods=["GET", "POST"]),
        Route("/editions", archive, methods=["GET"]),
        Route("/editions.atom", editions_atom, methods=["GET"]),
        Route("/editions/{slug}", edition_page, methods=["GET"]),
        Route("/editor", editor_home, methods=["GET"]),
        Route("/editor/login", login, methods=["GET", "POST"]),
        Route("/editor/logout", logout, methods=["POST"]),
        Route("/editor/new", editor_new, methods=["POST"]),
        Route("/editor/editions/{edition_id:int}", editor_edition, methods=["GET"]),
        Route("/editor/editions/{edition_id:int}/preview", editor_preview, methods=["GET"]),
        Route("/editor/editions/{edition_id:int}/meta", editor_meta, methods=["POST"]),
        Route("/editor/editions/{edition_id:int}/publish", editor_publish, methods=["POST"]),
        Route("/editor/editions/{edition_id:int}/items/{item_id:int}/{action}", editor_item, methods=["POST"]),
    ]
