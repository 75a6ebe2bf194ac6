"""The demo newsstand end to end: sources discovered, articles ingested, copies folded,
the broken feed flagged, and (slow) every event of the ground truth in one story."""

from __future__ import annotations

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tidings.cli import cli
from tidings.demo.run import homepages_without_feed, story_truth_check, write_demo_config
from tidings.demo.server import serve_site
from tidings.demo.site import build_demo_site
from tidings.pipeline import ingest
from tidings.sources.registry import read_source_list, sync_sources
from tidings.store.db import Store
from tidings.store.models import Article, Source


@pytest.fixture(scope="module")
def demo_server():
    with serve_site(build_demo_site("http://127.0.0.1:0")) as server:
        yield server


@pytest.fixture(scope="module")
def ingested(demo_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    opml = tmp / "sources.opml"
    opml.write_text(httpx.get(demo_server.opml_url).text, encoding="utf-8")
    toml = write_demo_config(tmp, opml)
    runner = CliRunner()
    for name, homepage, attrs in homepages_without_feed(opml.read_text()):
        result = runner.invoke(cli, ["--config", str(toml), "sources", "add", homepage, "--name", name,
                                     "--country", attrs["country"]])
        assert result.exit_code == 0, result.output
        assert "sitemap" in result.output
    from tidings.config import load_config

    config = load_config(toml, environ={})
    store = Store(config.database_url)
    with store.transaction() as session:
        sync_sources(session, read_source_list(opml))
    report = ingest(config, store, force=True)
    return config, store, report


def test_every_readable_article_is_stored_once_with_its_outlet(demo_server, ingested):
    _, store, report = ingested
    site = demo_server.site
    with store.reading() as session:
        rows = {a.canonical_url: a for a in session.scalars(select(Article))}
        # all but what the broken feed lost are stored, each under its canonical URL
        broken = [a for a in site.articles if a.outlet == "prairie-signal"]
        expected = {a.url for a in site.articles}
        assert expected - set(rows) <= {a.url for a in broken}
        assert len(rows) >= len(site.articles) - len(broken) + 1
        assert not any("utm_" in url for url in rows)
        sitemap_outlet = session.scalar(select(Source).where(Source.kind == "sitemap"))
        assert sitemap_outlet is not None
        assert sum(1 for a in rows.values() if a.source_id == sitemap_outlet.id) >= 3
        assert {a.language for a in rows.values()} == {"en", "fr", "de", "es"}
    assert report.failed == 0


def test_syndicated_copies_are_folded_onto_one_original(demo_server, ingested):
    _, store, _ = ingested
    groups = demo_server.site.truth.copy_group_of()
    url_of = {a.id: a.url for a in demo_server.site.articles}
    with store.reading() as session:
        by_url = {a.canonical_url: a for a in session.scalars(select(Article))}
        for group in set(groups.values()):
            members = [by_url[url_of[i]] for i, g in groups.items() if g == group and url_of[i] in by_url]
            roots = {m.copy_of_id or m.id for m in members}
            assert len(roots) == 1, [m.canonical_url for m in members]
            assert sum(m.copy_of_id is None for m in members) == 1
            assert len({m.source_id for m in members}) == len(members)  # each outlet keeps its credit


def test_the_broken_feed_is_flagged_and_doctor_says_why(ingested):
    config, store, report = ingested
    assert report.errors.get("malformed") == 1
    result = CliRunner().invoke(cli, ["--config", str(config.path), "doctor", "--json"])
    assert result.exit_code == 0, result.output
    flagged = __import__("json").loads(result.output)
    assert [row["name"] for row in flagged] == ["Prairie Signal"]
    assert flagged[0]["kind"] == "malformed"


def test_the_report_counts_every_error_and_lists_the_broken_feed_first(ingested, capsys):
    from tidings.cli.run import print_errors

    _, _, report = ingested
    total = sum(report.errors.values())
    print_errors(report, shown=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{total} errors: 1 of whole sources")
    assert "malformed" in lines[1] and "Prairie Signal" in lines[1]
    if total > 1:
        assert f"... and {total - 1} more" in lines[-2]
    assert "`tidings doctor`" in lines[-1]


def test_doctor_fits_80_columns_and_keeps_urls_whole(ingested):
    config, _, _ = ingested
    result = CliRunner().invoke(cli, ["--config", str(config.path), "doctor"], terminal_width=80)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#") and "Prairie Signal" in line)
    block = lines[start:]
    assert all(len(line) <= 80 for line in block), block
    assert any(line.strip().startswith("http://127.0.0.1:") and line.strip().endswith(".xml") for line in block)
    assert len(block) <= 6


@pytest.mark.slow
def test_update_puts_each_event_in_one_story_with_a_cited_summary(demo_server, ingested):
    from tidings.store.models import Story, Summary
    from tidings.stories.update import update_stories
    from tidings.summarize.refresh import refresh_summaries

    config, store, _ = ingested
    events: list[tuple[str, dict]] = []
    stories = update_stories(config, store, progress=lambda event, info: events.append((event, info)))
    names = [e for e, _ in events]
    # signs of life all along: the model load, then a tick per batch of 16, per article placed, per story tagged
    assert names.index("loading") < names.index("embedded")
    assert names.count("embedded") >= stories.placed // 16 and names.count("placed") == stories.placed
    assert names.count("tagged") == dict(events)["tags"]["count"] > 0
    assert stories.placed > 0 and stories.copies == len(demo_server.site.truth.copy_group_of()) - len(
        set(demo_server.site.truth.copy_group_of().values()))
    whole, events, split = story_truth_check(store, demo_server.site.truth, demo_server.site.articles)
    assert split == [] and whole == events
    ticks: list[str] = []
    summaries = refresh_summaries(config, store, progress=lambda event, info: ticks.append(event))
    assert summaries.failed == 0 and ticks.count("summarized") == summaries.summarized + summaries.unchanged
    with store.reading() as session:
        live = list(session.scalars(select(Story).where(Story.merged_into.is_(None))))
        assert len(live) == events
        for story in live:
            summary = session.get(Summary, story.summary_id)
            members = {a.id for a in session.scalars(select(Article).where(Article.story_id == story.id))}
            assert summary.sentences and summary.lead
            assert all(s["cites"] and set(s["cites"]) <= members for s in summary.sentences)
            assert story.section and story.tags
            assert story.language == summary.language  # one language per story, everywhere
