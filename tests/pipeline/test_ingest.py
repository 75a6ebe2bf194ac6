"""Ingest end to end over real loopback HTTP servers into a real database."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from tests.loopback import LoopbackServer, Reply
from tests.pipeline.helpers import loopback_config
from tidings.demo.server import serve_site
from tidings.demo.synthetic import build_synthetic_site
from tidings.pipeline import ingest
from tidings.sources.opml import write_opml
from tidings.sources.spec import SourceSpec
from tidings.store.db import Store
from tidings.store.models import Article, ArticleVersion, IngestRun, SeenEntry, Source

BODY = (
    "<p>The city council of Tallinn voted on Thursday to run its public chatbot on an open-weight model hosted "
    "in a municipal data centre, so that residents' questions never leave Estonia. The contract, worth 1.2 "
    "million euros over three years, goes to a local integrator.</p><p>Council member Liis Kask said the vote "
    "followed a year of pilots in three districts, during which the assistant answered 48,000 questions about "
    "parking, schools and waste collection. Opposition members asked for an independent audit of the "
    "system's answers before it is extended to social services.</p><p>The council will publish the audit "
    "results in the spring, officials said.</p>"
)


def page(title: str, body: str = BODY, extra_head: str = "") -> str:
    return (f"<html lang='en'><head><title>{title}</title>{extra_head}</head><body><nav>Home | World | Tech</nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Contact us | Privacy</footer></body></html>")


def rss(items: list[tuple[str, str, str]], title: str = "Test feed") -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{guid}</guid>"
        f"<pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate><description>{t} summary.</description></item>"
        for guid, link, t in items
    )
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title}</title><link>http://x/</link>"
            f"{entries}</channel></rss>")


def count(store: Store, model) -> int:
    with store.reading() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_synthetic_site_ingests_once_and_second_run_costs_304s(tmp_path):
    site = build_synthetic_site("http://127.0.0.1:0", n_feeds=3, n_articles=24, seed=7)
    with serve_site(site) as srv:
        opml = httpx.get(srv.opml_url).text
        cfg = loopback_config(tmp_path, opml)
        cfg.ingest.extract_workers = 1  # exercise the worker-process path too
        store = Store(cfg.database_url)
        first = ingest(cfg, store, force=True)
        assert (first.sources, first.fetched, first.failed) == (3, 3, 0)
        assert first.new == 24 and not first.errors
        assert count(store, Article) == 24
        second = ingest(cfg, store, force=True)
        assert (second.not_modified, second.new, second.updated) == (3, 0, 0)
        assert count(store, Article) == 24
        # not forced: nothing is due yet, nothing is fetched
        third = ingest(cfg, store)
        assert third.sources == 0
    with store.reading() as s:
        runs = s.scalars(select(IngestRun).order_by(IngestRun.id)).all()
        assert [r.status for r in runs] == ["done", "done", "done"]
        assert runs[0].stats["new"] == 24


def test_bad_feeds_fail_alone_and_doctor_knows_why(tmp_path):
    with LoopbackServer() as srv:
        srv.route("/good.xml", Reply(200, rss([("g1", srv.url("/a1"), "Tallinn runs its chatbot at home")]),
                                     content_type="application/rss+xml"))
        srv.route("/a1", Reply(200, page("Tallinn runs its chatbot at home")))
        srv.route("/broken.xml", Reply(200, "<rss><channel><item><title>unclosed", content_type="application/xml"))
        bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
                '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><rss><channel><title>&lol3;</title></channel></rss>')
        srv.route("/bomb.xml", Reply(200, bomb, content_type="application/rss+xml"))
        srv.route("/gone.xml", Reply(500, "oops"))
        srv.route("/empty.xml", Reply(200, rss([]), content_type="application/rss+xml"))
        specs = [SourceSpec(url=srv.url(p), name=p) for p in
                 ("/good.xml", "/broken.xml", "/bomb.xml", "/gone.xml", "/empty.xml")]
        cfg = loopback_config(tmp_path, write_opml(specs))
        store = Store(cfg.database_url)
        report = ingest(cfg, store, force=True)
        assert report.new == 1 and report.fetched == 2 and report.failed == 3
        assert report.errors["parse"] == 2 and report.errors["http"] == 1
        ingest(cfg, store, force=True)
    with store.reading() as s:
        health = {src.name: src for src in s.scalars(select(Source))}
        assert health["/good.xml"].consecutive_errors == 0
        assert health["/broken.xml"].consecutive_errors == 2
        assert health["/gone.xml"].last_status == 500 and health["/gone.xml"].last_error_kind == "http"
        assert health["/gone.xml"].next_due_at > health["/good.xml"].last_fetched_at
        assert s.scalar(select(func.count(Article.id))) == 1


def test_page_failures_fall_back_to_feed_text_and_duplicate_guids_store_once(tmp_path):
    long_desc = ("Researchers in Lisbon released a Portuguese speech dataset of 2,000 hours under an open "
                 "licence, recorded with volunteers from every region of the country, to train open models "
                 "that understand regional accents. ") * 2
    feed = ("<?xml version='1.0'?><rss version='2.0'><channel><title>F</title><link>http://x/</link>"
            f"<item><title>Dataset</title><link>{{u}}/missing?utm_source=rss&amp;id=3</link><guid>d1</guid>"
            f"<description>{long_desc}</description></item>"
            f"<item><title>Dataset again</title><link>{{u}}/missing?utm_source=rss&amp;id=3</link><guid>d1</guid>"
            f"<description>{long_desc}</description></item></channel></rss>")
    with LoopbackServer() as srv:
        srv.route("/feed.xml", Reply(200, feed.replace("{u}", srv.url("")), content_type="application/rss+xml"))
        cfg = loopback_config(tmp_path, write_opml([SourceSpec(url=srv.url("/feed.xml"), name="F")]))
        store = Store(cfg.database_url)
        report = ingest(cfg, store, force=True)
    assert report.new == 1 and report.from_feed == 1 and report.errors["page_http"] == 1
    with store.reading() as s:
        art = s.scalar(select(Article))
        assert art.text_source == "feed" and "Lisbon" in art.text
        assert "utm_source" not in art.canonical_url and "id=3" in art.canonical_url


def test_an_edited_article_is_updated_in_place_with_history(tmp_path):
    state = {"title": "Council votes on chatbot", "body": BODY, "stamp": "Mon, 23 Nov 2026 08:00:00 GMT"}

    def feed(_req):
        return Reply(200, rss([("c1", srv.url("/c1"), state["title"])]).replace(
            "Mon, 23 Nov 2026 08:00:00 GMT", state["stamp"]), content_type="application/rss+xml")

    with LoopbackServer() as srv:
        srv.route("/feed.xml", feed)
        srv.route("/c1", lambda _r: Reply(200, page(state["title"], state["body"])))
        cfg = loopback_config(tmp_path, write_opml([SourceSpec(url=srv.url("/feed.xml"), name="F")]))
        store = Store(cfg.database_url)
        assert ingest(cfg, store, force=True).new == 1
        state.update(title="Council approves home-hosted chatbot",
                     body=BODY.replace("48,000", "52,000"), stamp="Mon, 23 Nov 2026 11:00:00 GMT")
        report = ingest(cfg, store, force=True)
        assert report.updated == 1 and report.new == 0
    with store.reading() as s:
        art = s.scalar(select(Article))
        assert art.version == 2 and "52,000" in art.text and art.title.startswith("Council approves")
        old = s.scalar(select(ArticleVersion))
        assert "48,000" in old.text and old.title == "Council votes on chatbot"
        assert s.scalar(select(func.count(SeenEntry.id))) == 1


@pytest.mark.postgres
def test_ingest_into_postgresql(tmp_path, pg_url):
    site = build_synthetic_site("http://127.0.0.1:0", n_feeds=2, n_articles=10, seed=3)
    with serve_site(site) as srv:
        cfg = loopback_config(tmp_path, httpx.get(srv.opml_url).text)
        cfg.database_url = pg_url
        store = Store(pg_url)
        assert ingest(cfg, store, force=True).new == 10
        assert ingest(cfg, store, force=True).new == 0
        assert count(store, Article) == 10
