"""The site in a real browser (Debian's chromium driven by Playwright): pages render, links
work without JavaScript, and hostile feed content executes nothing. Screenshots go to
test-artifacts/ for a human look."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "web"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium not installed: run scripts/system-deps.sh")
    profile = tempfile.mkdtemp(prefix="tidings-chromium-")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=ARGS, headless=True,
                                                       viewport={"width": 1200, "height": 900})
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    page.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_front_page_in_the_browser(page, base_url):
    page.goto(base_url + "/")
    assert page.title() == "Tidings: top stories"
    assert page.locator("main h2").first.inner_text() == "Top stories"
    assert page.locator("nav[aria-label=Sections] a").count() >= 3
    shot(page, "front")
    page.set_viewport_size({"width": 390, "height": 800})
    shot(page, "front-mobile")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the front page scrolls sideways on a phone"


def test_story_page_in_the_browser(page, base_url, sample):
    page.goto(f"{base_url}/story/{sample.main}")
    assert page.locator("h1").inner_text() == "Skyward weather satellite reaches orbit"
    cites = page.locator("a.cite")
    assert cites.count() == 3 and cites.nth(0).get_attribute("href") == "https://wire.example/orbital"
    assert page.locator("svg.timeline circle").count() == 3
    assert page.locator("section.similar article").count() == 1
    shot(page, "story")
    page.goto(f"{base_url}/story/{sample.merged}")
    assert page.url.endswith(f"/story/{sample.main}")  # the browser followed the 301


def test_search_and_tag_in_the_browser(page, base_url, sample):
    page.goto(base_url + "/")
    page.fill("#site-q", "skyward")
    page.press("#site-q", "Enter")  # a plain GET form: no JavaScript involved
    page.wait_for_url("**/search?q=skyward")
    assert page.locator("ol.hits li").count() >= 2
    assert page.locator("ol.hits li a").first.get_attribute("href") == f"/story/{sample.main}"
    shot(page, "search")
    page.goto(f"{base_url}/story/{sample.main}")
    page.click("a[rel=tag] >> text=Skyward")
    page.wait_for_url("**/tag/skyward")
    assert "2 stories tagged" in page.locator("main").inner_text()
    shot(page, "tag")
    page.goto(f"{base_url}/source/1")
    shot(page, "source")
    page.goto(f"{base_url}/api/docs")
    shot(page, "api-docs")


@pytest.mark.parametrize("path", ["/", "/story/storyhostile0004", "/tag/xss", "/sources", "/source/3",
                                  "/search?q=hostile", "/section/world",
                                  "/search?q=%3Cimg+src%3Dx+onerror%3Dalert(10)%3E"])
def test_hostile_feed_content_runs_no_script(page, base_url, path):
    page.goto(base_url + path)
    page.wait_for_load_state("load")
    page.mouse.move(200, 200)
    page.mouse.move(400, 300)
    for link in page.locator("a").all()[:60]:
        href = link.get_attribute("href") or ""
        assert not href.strip().lower().startswith(("javascript:", "data:")), href
    assert page.dialogs == []
    # no element that came from a payload exists in the page
    assert page.locator("main img, main script, main svg[onload], [onerror], [onload], [onmouseover]").count() == 0
    assert page.evaluate("document.scripts.length") == (1 if path.startswith("/story/") else 0)  # JSON-LD only
    assert page.evaluate("document.querySelector('script:not([type=\"application/ld+json\"])')") is None
    if path.startswith("/story/"):
        assert "Hostile headline" in page.locator("h1").inner_text()
        shot(page, "xss-story")


def _luminance(rgb: str) -> float:
    values = [int(v) / 255 for v in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("path", ["/", "/story/storymain0000001", "/search?q=skyward", "/sources", "/archive",
                                  "/api/docs"])
def test_pages_are_accessible(page, base_url, path):
    page.goto(base_url + path)
    assert page.locator("h1").count() == 1
    assert page.locator("main").count() == 1 and page.locator("header nav").count() == 1
    assert page.locator("footer").count() == 1
    assert page.evaluate("document.documentElement.lang") == "en"
    # every form control has a label; every image has a text alternative
    unlabeled = page.evaluate("""[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length""")
    assert unlabeled == 0
    assert page.locator("img:not([alt])").count() == 0
    assert page.evaluate("[...document.querySelectorAll('svg')].every(s => s.getAttribute('role') === 'img' &&"
                         " s.querySelector('title'))")
    # headings never skip a level going down
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    # text colours against the page background meet WCAG AA (4.5:1)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    if background in ("rgba(0, 0, 0, 0)", "transparent"):
        background = "rgb(255, 255, 255)"
    for selector in ("main p", "main a", ".meta", "main h1"):
        if page.locator(selector).count():
            color = page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).color")
            assert contrast(color, background) >= 4.5, (selector, color, background)
