"""`tidings sources add URL`: a feed URL, a homepage linking its feed, or a sitemap-only site."""

import json

from click.testing import CliRunner

from tests.loopback import LoopbackServer, Reply
from tidings.cli import cli

RSS = ("<?xml version='1.0'?><rss version='2.0'><channel><title>Harbour Notes</title><link>{home}</link>"
       "<language>fr</language><item><title>Un</title><link>{home}a1</link><guid>1</guid></item></channel></rss>")
SITEMAP = ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
           "<url><loc>{home}story-1</loc><lastmod>2026-11-20</lastmod></url></urlset>")


def _config(tmp_path):
    cfg = tmp_path / "tidings.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "t.db"}"\n[fetch]\nallow_loopback = true\n'
                   'per_host_delay = 0.0\ntimeout = 5.0\n')
    return cfg


def test_homepage_with_a_feed_link_and_a_sitemap_only_site(tmp_path):
    cfg = _config(tmp_path)
    run = CliRunner().invoke
    with LoopbackServer() as srv:
        home = srv.url("/")
        srv.route("/", Reply(200, "<html><head><title>Harbour</title><link rel='alternate' "
                                  "type='application/rss+xml' href='/feeds/main.xml'></head><body>hi</body></html>"))
        srv.route("/feeds/main.xml", Reply(200, RSS.format(home=home), content_type="application/rss+xml"))
        result = run(cli, ["--config", str(cfg), "sources", "add", home, "--country", "fr", "--authority", "0.7"])
        assert result.exit_code == 0, result.output
        assert "linked feed" in result.output and srv.url("/feeds/main.xml") in result.output
        # adding the same source again updates it instead of duplicating it
        again = run(cli, ["--config", str(cfg), "sources", "add", srv.url("/feeds/main.xml")])
        assert again.exit_code == 0 and ("unchanged" in again.output or "updated" in again.output)

    with LoopbackServer() as srv:
        home = srv.url("/")
        srv.route("/", Reply(200, "<html><head><title>No feed here</title></head><body>news</body></html>"))
        srv.route("/robots.txt", Reply(200, f"User-agent: *\nDisallow:\nSitemap: {srv.url('/news.xml')}\n",
                                       content_type="text/plain"))
        srv.route("/news.xml", Reply(200, SITEMAP.format(home=home), content_type="application/xml"))
        result = run(cli, ["--config", str(cfg), "sources", "add", home, "--name", "Sitemap Daily"])
        assert result.exit_code == 0, result.output
        assert "sitemap" in result.output

        missing = run(cli, ["--config", str(cfg), "sources", "add", srv.url("/nothing")])
        assert missing.exit_code != 0 and "Traceback" not in missing.output

    listed = json.loads(run(cli, ["--config", str(cfg), "sources", "list", "--json"]).output)
    by_name = {row["name"]: row for row in listed}
    assert by_name["Harbour Notes"]["kind"] == "feed" and by_name["Harbour Notes"]["country"] == "FR"
    assert by_name["Harbour Notes"]["language"] == "fr" and by_name["Harbour Notes"]["authority"] == 0.7
    assert by_name["Sitemap Daily"]["kind"] == "sitemap"
    assert len(listed) == 2


def test_loopback_is_refused_unless_configured(tmp_path):
    cfg = tmp_path / "tidings.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "t.db"}"\n')
    with LoopbackServer() as srv:
        srv.route("/", Reply(200, "<html></html>"))
        result = CliRunner().invoke(cli, ["--config", str(cfg), "sources", "add", srv.url("/")])
    assert result.exit_code != 0 and "blocked" in result.output
