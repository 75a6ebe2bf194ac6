"""``make demo``: the whole job, offline, on the bundled demo corpus.

Serves the fictional newsstand on loopback, registers its outlets (discovering
the feed-less one from its homepage), ingests everything into a fresh SQLite
file, ingests again to show that unchanged feeds cost a 304, prints which
copies were folded together and which source is unhealthy, then builds the
stories (clustered across outlets and languages, filed, tagged, ranked) and
their cited summaries, checks them against the corpus's ground truth, drafts
and publishes a newsletter edition, and ends serving the site.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import click
import httpx
from defusedxml import ElementTree as SafeET
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

console = Console()


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# the [fetch] table of a desk that reads a newsstand served on this machine
LOOPBACK_FETCH = """[fetch]
allow_networks = ["127.0.0.1/32"]
per_host_delay = 0.0
per_host_concurrency = 4
timeout = 20.0
"""


def write_demo_config(directory: Path, opml_path: Path) -> Path:
    path = directory / "tidings.toml"
    path.write_text(
        f"""# Written by `make demo`: the demo corpus is served on loopback, so loopback is allowed here.
[database]
url = "sqlite:///{directory / 'tidings.db'}"

[sources]
file = "{opml_path}"

{LOOPBACK_FETCH}
[ingest]
sitemap_max_age_days = 36500   # the demo corpus has fixed dates

[site]
title = "Tidings demo"

[newsletter]
name = "Towards Tidings"
intro = \"\"\"The week in AI from the demo newsstand: each story told once, \\
every sentence credited to the outlets that reported it.\"\"\"

[newsletter.sponsor]
name = "Open Weights Fund"
text = "A fictional sponsor, shown so you can see how a sponsored block is labelled."
url = "https://example.org/sponsor"
""",
        encoding="utf-8",
    )
    return path


def homepages_without_feed(opml_text: str) -> list[tuple[str, str, dict[str, str]]]:
    """Outlines that name a homepage but no feed (name, homepage, other attributes):
    their feed or sitemap is discovered."""
    root = SafeET.fromstring(opml_text)
    return [
        (o.get("text") or home, home, {k: v for k in ("country", "language", "authority") if (v := o.get(k))})
        for o in root.iter("outline")
        if (home := o.get("htmlUrl")) and not o.get("xmlUrl")
    ]


def discover_feedless(config, store, outlets: list[tuple[str, str, dict[str, str]]]) -> None:
    from tidings.fetch.client import Fetcher
    from tidings.sources.finder import SourceNotFound, find_source
    from tidings.sources.registry import upsert_source

    async def run() -> list:
        found = []
        async with Fetcher(config.fetch) as fetcher:
            for name, homepage, attrs in outlets:
                try:
                    found.append(await find_source(fetcher, homepage, name=name, country=attrs.get("country"),
                                                   language=attrs.get("language"),
                                                   authority=float(attrs.get("authority", 0.5))))
                except SourceNotFound as exc:
                    console.print(f"[yellow]no feed or sitemap for {name}: {exc}[/yellow]")
        return found

    for item in asyncio.run(run()):
        with store.transaction() as session:
            upsert_source(session, item.spec)
        console.print(f"discovered [bold]{item.spec.name}[/bold]: {item.how} at {item.spec.url}")


def show_articles(store, truth) -> None:
    from tidings.store.models import Article

    with store.reading() as session:
        articles = list(session.scalars(select(Article)))
        by_lang = Counter(a.language or "?" for a in articles)
        copies = [a for a in articles if a.copy_of_id is not None]
        table = Table(title="syndicated copies folded together", show_header=True, header_style="bold")
        for col in ("copy (outlet)", "Jaccard", "original (outlet)"):
            table.add_column(col, overflow="fold")
        for a in copies:
            original = a.copy_of
            table.add_row(f"{(a.title or '')[:50]} ({a.source.name if a.source else '?'})",
                          f"{a.copy_similarity:.2f}",
                          f"{(original.title or '')[:50]} ({original.source.name if original.source else '?'})")
        console.print(table)
        langs = ", ".join(f"{k}: {v}" for k, v in sorted(by_lang.items()))
        console.print(f"{len(articles)} articles stored ({langs}); {len(copies)} recorded as copies")
        if truth is not None:
            groups = truth.copy_group_of()
            console.print(f"the corpus has {len(set(groups.values()))} syndication groups "
                          f"({len(groups)} articles in them)")


def story_truth_check(store, truth, site_articles) -> tuple[int, int, list[str]]:
    """How many ground-truth events landed in exactly one story (and which did not)."""
    from tidings.store.models import Article

    event_of_url = {a.url: a.event for a in site_articles}
    with store.reading() as session:
        story_of_event: dict[str, set[str]] = {}
        for url, story_id in session.execute(select(Article.canonical_url, Article.story_id)):
            event = event_of_url.get(url)
            if event is not None:
                story_of_event.setdefault(event, set()).add(story_id)
    split = sorted(e for e, ids in story_of_event.items() if len(ids) > 1)
    return len(story_of_event) - len(split), len(story_of_event), split


def show_stories(store, truth, site_articles, limit: int = 6) -> None:
    from tidings.store.models import Article, Story, Summary

    with store.reading() as session:
        stories = list(session.scalars(select(Story).where(Story.merged_into.is_(None)).order_by(Story.score.desc())))
        for story in stories[:limit]:
            summary = session.get(Summary, story.summary_id) if story.summary_id else None
            names = {a.id: a.source.name for a in session.scalars(select(Article).where(Article.story_id == story.id))
                     if a.source}
            console.print(f"\n[bold]{story.title}[/bold]")
            console.print(f"[dim]{story.section} · {story.outlet_count} outlets · {', '.join(story.languages)} · "
                          f"tags: {', '.join(t['name'] for t in story.tags[:6])}[/dim]")
            if summary is not None:
                console.print(summary.lead, style="italic")
                for sentence in summary.sentences:
                    cites = ", ".join(sorted({names.get(c, str(c)) for c in sentence["cites"]}))
                    console.print(f"  {sentence['text']} [cyan][{cites}][/cyan]")
        console.print(f"\n... {len(stories)} stories in all")
    whole, events, split = story_truth_check(store, truth, site_articles)
    console.print(f"ground truth: {whole} of {events} events landed in exactly one story"
                  + (f"; split: {', '.join(split)}" if split else ""))


def publish_edition(config, store) -> str:
    """Draft an edition from the week before the newest story and publish it; returns its slug."""
    from datetime import timedelta

    from sqlalchemy import func

    from tidings.publish.editions.service import new_draft, publish
    from tidings.publish.editions.settings import newsletter_settings
    from tidings.store.models import Story

    settings = newsletter_settings(config)
    with store.reading() as session:
        latest = session.scalar(select(func.max(Story.last_published)))
    edition_id = new_draft(store, settings, since=latest - timedelta(days=7), now=latest)
    return publish(store, settings, edition_id, now=latest)


def serve_site_forever(config, store, port: int, slug: str) -> None:
    import uvicorn

    from tidings.publish.web.app import create_app

    if port and not _port_free(port):
        console.print(f"port {port} is busy; using a free one")
        port = 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))
        port = probe.getsockname()[1]
    app = create_app(config, store)
    console.rule("[bold]the site")
    console.print(f"front page:  http://127.0.0.1:{port}/")
    console.print(f"edition:     http://127.0.0.1:{port}/editions/{slug}")
    console.print(f"search:      http://127.0.0.1:{port}/search?q=open-weight")
    console.print(f"API:         http://127.0.0.1:{port}/api/docs")
    console.print("Ctrl-C stops the demo.")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)



@click.command()
@click.option("--dir", "directory", default="var/demo", show_default=True, type=click.Path(file_okay=False))
@click.option("--port", default=8765, show_default=True, help="Port of the demo newsstand (0: any free port).")
@click.option("--site-port", default=8000, show_default=True, help="Port of the Tidings site.")
@click.option("--serve/--no-serve", default=True, help="End by serving the site until Ctrl-C.")
def main(directory: str, port: int, site_port: int, serve: bool) -> None:
    """Run Tidings end to end on the bundled demo corpus, offline."""
    from tidings.config import load_config
    from tidings.demo.server import serve_site
    from tidings.demo.site import build_demo_site
    from tidings.pipeline import ingest
    from tidings.store.db import Store

    root = Path(directory).resolve()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    if port and not _port_free(port):
        console.print(f"port {port} is busy; using a free one")
        port = 0
    site = build_demo_site(f"http://127.0.0.1:{port}")
    with serve_site(site, port=port) as server:
        console.rule("[bold]Tidings demo")
        console.print(f"demo newsstand: {len(server.site.outlets)} fictional outlets, "
                      f"{len(server.site.articles)} articles at {server.url}/")
        opml_text = httpx.get(server.opml_url, timeout=10).text
        opml_path = root / "sources.opml"
        opml_path.write_text(opml_text, encoding="utf-8")
        config = load_config(write_demo_config(root, opml_path), environ={})
        store = Store(config.database_url)

        console.rule("sources")
        from tidings.sources.registry import read_source_list, sync_sources

        with store.transaction() as session:
            result = sync_sources(session, read_source_list(opml_path))
        console.print(f"{result.added} feeds registered from {server.opml_url}")
        discover_feedless(config, store, homepages_without_feed(opml_text))

        console.rule("ingest")
        report = ingest(config, store, force=True)
        console.print(report.table())
        for sample in report.error_samples[:5]:
            console.print(f"[red]{sample['kind']}[/red] {sample['source']}: {sample['message']}", highlight=False)

        console.rule("ingest again: unchanged feeds answer 304")
        again = ingest(config, store, force=True)
        console.print(f"{again.not_modified} of {again.sources} feeds not modified, {again.new} new, "
                      f"{again.updated} updated, {again.failed} failed; the malformed feed stays flagged in doctor")

        console.rule("what is stored")
        show_articles(store, getattr(server.site, "truth", None))

        console.rule("doctor")
        doctor = subprocess.run([sys.executable, "-m", "tidings", "--config", str(root / "tidings.toml"), "doctor"],
                                capture_output=True, text=True, check=False)  # as a user runs it
        console.print(doctor.stdout + doctor.stderr, highlight=False)

        console.rule("stories: cluster, file, tag, rank, summarize")
        from tidings.stories.update import update_stories
        from tidings.summarize.refresh import refresh_summaries

        stories = update_stories(config, store)
        summaries = refresh_summaries(config, store)
        console.print(f"{stories.placed} articles placed in {stories.new_stories} stories "
                      f"({stories.copies} copies attached, {stories.merges} merges); "
                      f"{summaries.summarized} summaries written")
        show_stories(store, server.site.truth, server.site.articles)

        console.rule("newsletter edition")
        slug = publish_edition(config, store)
        console.print(f"published edition [bold]{slug}[/bold]")
        from tidings.store.search import reindex

        reindex(store)
        console.print(f"database: {root / 'tidings.db'}  config: {root / 'tidings.toml'}")
        console.print(f"try: .venv/bin/tidings --config {root / 'tidings.toml'} sources list")
        if serve:
            serve_site_forever(config, store, site_port, slug)


if __name__ == "__main__":
    main()
