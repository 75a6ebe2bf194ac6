"""`tidings sources import`: from a file or a URL; homepage outlines discovered like `sources add`;
every outline left out reported; a source removed by hand stays removed when the configured list syncs."""

import json

from click.testing import CliRunner

from tests.loopback import LoopbackServer, Reply
from tidings.cli import cli

RSS = ("<?xml version='1.0'?><rss version='2.0'><channel><title>Quay Wire</title><link>{home}</link>"
       "<item><title>One</title><link>{home}a1</link><guid>1</guid></item></channel></rss>")
SITEMAP = ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
           "<url><loc>{home}story-1</loc><lastmod>2026-11-20</lastmod></url></urlset>")
OPML = """<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>
<outline text="Folder">
  <outline type="rss" text="Quay Wire" xmlUrl="{feed}" htmlUrl="{home}"/>
</outline>
<outline type="link" text="Harbour Daily" htmlUrl="{site}"/>
<outline text="Nothing to poll"/>
<outline type="rss" text="Broken Link" xmlUrl="not a url"/>
</body></opml>"""


def _config(tmp_path):
    cfg = tmp_path / "tidings.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "t.db"}"\n[fetch]\nallow_loopback = true\n'
                   'per_host_delay = 0.0\ntimeout = 5.0\n')
    return cfg


def test_import_from_a_url_discovers_homepages_and_reports_every_skipped_outline(tmp_path):
    cfg = _config(tmp_path)
    run = CliRunner().invoke
    with LoopbackServer() as feeds, LoopbackServer() as site:
        home = feeds.url("/")
        feeds.route("/rss.xml", Reply(200, RSS.format(home=home), content_type="application/rss+xml"))
        site.route("/", Reply(200, "<html><head><title>Harbour Daily</title>"
                                   "<meta property='og:site_name' content='Harbour Daily'></head><body>n</body></html>"))
        site.route("/robots.txt", Reply(200, f"User-agent: *\nSitemap: {site.url('/news.xml')}\n",
                                        content_type="text/plain"))
        site.route("/news.xml", Reply(200, SITEMAP.format(home=site.url("/")), content_type="application/xml"))
        feeds.route("/list.opml", Reply(200, OPML.format(feed=feeds.url("/rss.xml"), home=home, site=site.url("/")),
                                        content_type="text/x-opml"))
        result = run(cli, ["sources", "import", feeds.url("/list.opml"), "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "imported 2 of 4 sources: 2 added" in result.output
    assert "discovered Harbour Daily: sitemap at " + site.url("/news.xml") in result.output
    assert "skipped 2:" in result.output
    assert "Nothing to poll: no xmlUrl (feed) or htmlUrl (homepage)" in result.output
    assert "Broken Link: xmlUrl is not an http(s) URL: 'not a url'" in result.output
    listed = json.loads(run(cli, ["--config", str(cfg), "sources", "list", "--json"]).output)
    assert sorted((r["name"], r["kind"]) for r in listed) == [("Harbour Daily", "sitemap"), ("Quay Wire", "feed")]
    table = run(cli, ["--config", str(cfg), "sources", "list"]).output
    assert "never fetched" in table and " ok " not in table


def test_import_of_a_missing_file_says_so(tmp_path):
    result = CliRunner().invoke(cli, ["--config", str(_config(tmp_path)), "sources", "import", "nope.opml"])
    assert result.exit_code != 0 and "nope.opml: no such file" in result.output


def test_a_discovered_sitemap_source_is_named_after_the_site(tmp_path):
    cfg = _config(tmp_path)
    with LoopbackServer() as site:
        site.route("/", Reply(200, "<html><head><title>Lantern Post</title></head><body>news</body></html>"))
        site.route("/sitemap.xml", Reply(200, SITEMAP.format(home=site.url("/")), content_type="application/xml"))
        result = CliRunner().invoke(cli, ["--config", str(cfg), "sources", "add", site.url("/")])
    assert result.exit_code == 0, result.output
    assert "Lantern Post <" + site.url("/sitemap.xml") in result.output


def test_a_removed_source_stays_removed_when_the_configured_list_syncs(tmp_path):
    from tidings.config import load_config
    from tidings.sources.registry import read_source_list, sync_sources
    from tidings.store.db import open_store

    opml = tmp_path / "sources.opml"
    opml.write_text(OPML.format(feed="https://quay.example/rss.xml", home="https://quay.example/",
                                site="https://harbour.example/"))
    cfg = _config(tmp_path)
    cfg.write_text(cfg.read_text() + f'[sources]\nfile = "{opml}"\n')
    store = open_store(load_config(cfg, environ={}))
    with store.transaction() as session:
        sync_sources(session, read_source_list(opml))
    removed = CliRunner().invoke(cli, ["--config", str(cfg), "sources", "remove", "https://quay.example/rss.xml"])
    assert removed.exit_code == 0, removed.output
    with store.transaction() as session:
        again = sync_sources(session, read_source_list(opml))  # what every ingest does with [sources] file
    assert again.added == 0
    listed = json.loads(CliRunner().invoke(cli, ["--config", str(cfg), "sources", "list", "--json"]).output)
    assert listed == []
