import pytest
from click.testing import CliRunner

from tidings.cli import cli
from tidings.sources.opml import OPMLError, read_opml, write_opml
from tidings.sources.registry import DEFAULT_SOURCES_PATH, read_source_list, sync_sources
from tidings.sources.spec import SourceSpec


def test_default_source_list_is_about_twenty_ai_feeds():
    specs = read_source_list(DEFAULT_SOURCES_PATH)
    assert 18 <= len(specs) <= 30
    assert len({s.url for s in specs}) == len(specs)
    assert all(s.url.startswith("https://") or s.url.startswith("http://") for s in specs)
    assert {"en", "fr", "de"} <= {s.language for s in specs}


def test_opml_round_trip_keeps_metadata():
    specs = [SourceSpec(url="https://a.example/feed.xml", name="A & Co", homepage="https://a.example/",
                        country="fr", language="FR", authority=0.7),
             SourceSpec(url="https://b.example/sitemap.xml", name="B", kind="sitemap")]
    again = read_opml(write_opml(specs))
    assert again == specs
    assert again[0].country == "FR" and again[0].language == "fr"


def test_opml_nested_folders_and_repeats():
    doc = """<opml version="1.0"><body><outline text="Folder">
      <outline text="One" xmlUrl="https://one.example/rss"/>
      <outline text="One again" xmlUrl="https://one.example/rss"/>
      <outline text="Two" type="rss" xmlUrl="https://two.example/atom" htmlUrl="https://two.example"/>
    </outline></body></opml>"""
    specs = read_opml(doc)
    assert [s.name for s in specs] == ["One", "Two"]


@pytest.mark.parametrize("doc", ["<rss/>", "not xml at all <",
                                 '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><opml>&b;</opml>'])
def test_bad_opml_is_refused_clearly(doc):
    with pytest.raises(OPMLError):
        read_opml(doc)


def test_sync_adds_then_leaves_unchanged(store):
    specs = read_source_list(DEFAULT_SOURCES_PATH)
    with store.transaction() as s:
        first = sync_sources(s, specs)
    with store.transaction() as s:
        second = sync_sources(s, specs)
    assert (first.added, second.added, second.unchanged) == (len(specs), 0, len(specs))


def test_sources_commands_import_list_remove_export(tmp_path):
    cfg = tmp_path / "tidings.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "t.db"}"\n')
    opml = tmp_path / "in.opml"
    opml.write_text(write_opml([SourceSpec(url="https://a.example/feed", name="Alpha", country="US"),
                                SourceSpec(url="https://b.example/feed", name="Beta", language="de")]))
    run = CliRunner().invoke
    r = run(cli, ["--config", str(cfg), "sources", "import", str(opml)])
    assert r.exit_code == 0, r.output
    assert "2 added" in r.output
    r = run(cli, ["--config", str(cfg), "sources", "list", "--json"])
    assert [x["name"] for x in __import__("json").loads(r.output)] == ["Alpha", "Beta"]
    r = run(cli, ["--config", str(cfg), "sources", "remove", "https://a.example/feed"])
    assert r.exit_code == 0 and "removed" in r.output
    r = run(cli, ["--config", str(cfg), "sources", "export"])
    assert "https://b.example/feed" in r.output and "https://a.example/feed" not in r.output
    r = run(cli, ["--config", str(cfg), "sources", "remove", "999"])
    assert r.exit_code != 0 and "no source" in r.output
