"""The newsletter in a real browser with JavaScript turned off (Debian's chromium driven by
Playwright): sign up, confirm from the captured mail, an editor drafts, reorders and publishes,
the reader receives the edition and unsubscribes from its link. Screenshots go to
test-artifacts/newsletter/."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select

from tests.publish.newsletter.conftest import free_port, seed_stories, write_config
from tidings.publish.editions.security import Signer, load_secret
from tidings.publish.editions.settings import newsletter_settings
from tidings.publish.editions.users import add_user
from tidings.publish.mail.sender import send_edition
from tidings.publish.mail.settings import smtp_settings
from tidings.store.db import Store
from tidings.store.newsletter_models import Edition, Subscriber

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "newsletter"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live(tmp_path, smtp):
    from starlette.applications import Starlette

    from tidings.publish.newsletter_routes import routes

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = write_config(tmp_path, smtp[0], base_url=base)
    store = Store(config.database_url)
    app = Starlette(routes=routes())
    app.state.config, app.state.store = config, store
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield base, config, store
    server.should_exit = True
    thread.join(10)
    store.close()


@pytest.fixture
def page():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium not installed: run scripts/system-deps.sh")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def mail_link(message, path: str) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(rf"http://127\.0\.0\.1:\d+{re.escape(path)}\?t=\S+", body).group(0)


def test_signup_confirm_publish_receive_unsubscribe_without_javascript(live, page, smtp):
    base, config, store = live
    collector = smtp[1]
    seed_stories(store, 12)
    add_user(store, "editor@example.org", "correct horse battery staple")

    page.goto(base + "/newsletter/signup")
    page.fill("#email", "reader@example.org")
    page.check("input[value='Research']")
    page.click("button[type=submit]")
    assert "Check your inbox" in page.content()
    page.goto(mail_link(collector.to("reader@example.org")[-1], "/newsletter/confirm"))
    assert page.locator("h1").inner_text() == "Subscribed"

    page.goto(base + "/editor")
    assert page.url.endswith("/editor/login")
    page.fill("#email", "editor@example.org")
    page.fill("#password", "correct horse battery staple")
    page.click("button[type=submit]")
    assert page.url.endswith("/editor")
    page.click("text=Draft an edition")
    assert re.search(r"/editor/editions/\d+$", page.url)
    headlines = page.locator(".item").all_inner_texts()
    research = [h for h in headlines if "TheResearch.AI News:" in h]
    first = research[0].split(":", 1)[1].strip().splitlines()[0]
    page.locator(".item", has_text=first).locator("button", has_text="Move down").click()
    page.screenshot(path=str(ARTIFACTS / "editor-draft.png"), full_page=True)
    moved = [h for h in page.locator(".item").all_inner_texts() if "TheResearch.AI News:" in h]
    assert first in moved[1]
    page.click("text=Publish this edition")
    assert "/editions/" in page.url
    page.screenshot(path=str(ARTIFACTS / "edition.png"), full_page=True)
    slug = page.url.rsplit("/", 1)[1]

    with store.reading() as session:
        edition_id = session.scalars(select(Edition.id).where(Edition.slug == slug)).one()
    report = send_edition(store, newsletter_settings(config), smtp_settings(config), Signer(load_secret(config)),
                          edition_id)
    assert report.sent == 1
    mail = [m for m in collector.to("reader@example.org") if "Confirm" not in m["Subject"]]
    assert len(mail) == 1
    html = mail[0].get_body(("html",)).get_content()
    assert "TheResearch.AI News" in html and "TheGen.AI News" not in html  # the reader chose Research
    page.set_content(html)
    page.screenshot(path=str(ARTIFACTS / "email.png"), full_page=True)

    page.goto(mail_link(mail[0], "/newsletter/unsubscribe"))
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Unsubscribed"
    with store.reading() as session:
        assert session.scalars(select(Subscriber.status)).one() == "unsubscribed"
