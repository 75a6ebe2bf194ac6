"""`tidings update` throughput: ingest, then the story stages and summaries, end to end.

    .venv/bin/python -m benchmarks.update_throughput [--synthetic-articles N --synthetic-feeds F | --multinews] [--floor]

Without options it runs on the bundled demo newsstand (77 articles, 4 languages);
with ``--synthetic-articles``, on a generated one (templated texts from a small
vocabulary, so the clusterer folds them into few, large stories); with
``--multinews``, on real coverage: the Multi-News dev slice as 8 outlets' feeds
(322 articles of 125 events, about 2.6 articles a story). The stages run as ``tidings update`` runs them
(``tidings.pipeline.update``'s order, one ``[engine]`` executor for the whole run).
Prints articles/s for the whole update, and wall and CPU seconds (this process plus
the executor's workers) for each stage. ``--floor`` also runs, in the same process
and on the same pages, the floor: extraction (trafilatura) and the embedder alone (the
``embed`` stage on each article's title and lead, as ``features`` embeds it: no
names or numbers), through the same executor, with no fetching, database,
clustering, sections, tags or summaries.

The newsstand is served from a process of its own (``benchmarks.loopback``), as a remote site
would be: its CPU seconds are printed apart, not counted as the update's (before 4 December 2026
it ran in a thread of the measured process and shared its interpreter lock).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

from benchmarks.cpu import CpuClock, StageTimer
from benchmarks.loopback import ProcessServer
from tidings.config import load_config
from tidings.demo.run import write_demo_config
from tidings.engine.config import engine_config
from tidings.engine.executors import open_executor
from tidings.pipeline import ingest
from tidings.store.db import Store
from tidings.stories.cluster import ClusterConfig, title_and_lead
from tidings.stories.update import update_stories
from tidings.summarize.refresh import refresh_summaries


def floor(site, config, executor) -> dict:
    """Extraction + embedding alone over the site's article pages, through the executor."""
    from tidings.dedup.stage import Extracted, RawPage
    from tidings.records import Article

    pages = [RawPage(a.url, site[a.url[len(site.base_url):]][1].decode("utf-8"), None) for a in site.articles]
    clock = CpuClock(executor)
    c0, t0 = clock(), time.perf_counter()
    extracted = [r for r in executor.map("extract", pages, config.dedup) if isinstance(r, Extracted) and r.article]
    records = [Article(id=str(i), title=r.article.title or "", text=r.article.text, published=r.article.published,
                       language=r.article.language) for i, r in enumerate(extracted)]
    c1, t1 = clock(), time.perf_counter()
    clustering = ClusterConfig.from_table(config.table("cluster"))
    # the embedder alone, on the text the clusterer embeds (title and lead), as `features` embeds it
    texts = [title_and_lead(r.title, r.text, clustering.lead_words) for r in records]
    features = list(executor.map("embed", texts, (clustering.embedder, clustering.embed_kind), batch_size=64))
    c2, t2 = clock(), time.perf_counter()
    return {"articles": len(features), "extract_s": t1 - t0, "embed_s": t2 - t1, "total_s": t2 - t0,
            "extract_cpu": c1 - c0, "embed_cpu": c2 - c1, "articles_per_s": len(features) / (t2 - t0)}


def run(site, with_floor: bool = False, history: int = 0) -> dict:
    with tempfile.TemporaryDirectory() as tmp, ProcessServer(site) as server:
        root = Path(tmp)
        opml = root / "sources.opml"
        opml.write_text(httpx.get(server.opml_url).text, encoding="utf-8")
        config = load_config(write_demo_config(root, opml), environ={})
        config.ingest.max_entries_per_feed = 100_000
        store = Store(config.database_url)
        seeded = 0.0
        if history:
            from benchmarks.history import seed_history

            started = time.perf_counter()
            seed_history(store, history, before=min(a.published for a in site.articles) - timedelta(days=7))
            seeded = time.perf_counter() - started
        embedder = ClusterConfig.from_table(config.table("cluster")).embedder
        with open_executor(engine_config(config), embedder=embedder,
                           warm_stages=("features", "tags", "summaries")) as engine:
            clock = CpuClock(engine)
            s0, w0 = clock(), time.perf_counter()
            if hasattr(engine, "start"):
                engine.start()  # workers up and models loaded: measured apart
            startup = (clock() - s0, time.perf_counter() - w0)
            executor = StageTimer(engine)
            c0, t0 = clock(), time.perf_counter()
            ingested = ingest(config, store, force=True, executor=executor)
            c1, t1 = clock(), time.perf_counter()
            stories = update_stories(config, store, executor=executor)
            c2, t2 = clock(), time.perf_counter()
            summaries = refresh_summaries(config, store, executor=executor)
            c3, t3 = clock(), time.perf_counter()
            server_cpu = server.cpu()
            floor_result = floor(server.site, config, engine) if with_floor else None
        store.close()
    articles = ingested.new
    return {
        "articles": articles, "stories": stories.new_stories - stories.merges, "started": stories.new_stories,
        "merges": stories.merges, "summaries": summaries.summarized, "engine": executor.kind,
        "total_s": t3 - t0, "ingest_s": t1 - t0, "stories_s": t2 - t1, "summaries_s": t3 - t2,
        "total_cpu": c3 - c0, "ingest_cpu": c1 - c0, "stories_cpu": c2 - c1, "summaries_cpu": c3 - c2,
        "stage_s": dict(stories.seconds), "articles_per_s": articles / (t3 - t0), "floor": floor_result,
        "startup": startup, "server_cpu": server_cpu, "history": history, "seeded_s": seeded, "stage_cpu": executor.cpu, "stage_wall": executor.wall, "stage_items": executor.items,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic-articles", type=int)
    parser.add_argument("--synthetic-feeds", type=int, default=20)
    parser.add_argument("--multinews", action="store_true",
                        help="real coverage instead: the Multi-News dev slice as 8 outlets' feeds "
                             "(benchmarks/multinews.py: 322 articles, 125 events)")
    parser.add_argument("--floor", action="store_true", help="also measure extraction + embedding alone")
    parser.add_argument("--history", type=int, default=0,
                        help="older articles stored before the run (benchmarks/history.py)")
    args = parser.parse_args()
    if args.multinews:
        from benchmarks.multinews import build_site, layout, load_events

        site = build_site(layout(load_events()))
        name = "Multi-News dev newsstand (8 outlets, real articles)"
    elif args.synthetic_articles:
        from tidings.demo.synthetic import build_synthetic_site

        site = build_synthetic_site("http://127.0.0.1:0", args.synthetic_feeds, args.synthetic_articles)
        name = f"synthetic newsstand ({args.synthetic_feeds} feeds)"
    else:
        from tidings.demo.site import build_demo_site

        site = build_demo_site("http://127.0.0.1:0")
        name = "demo newsstand"
    r = run(site, args.floor, args.history)
    if r["history"]:
        print(f"store seeded with {r['history']:,} older articles in {r['seeded_s']:.1f} s")
    print(f"{name}: {r['articles']} articles -> {r['stories']} stories ({r['started']} started, {r['merges']} merged "
          f"into another), {r['summaries']} summaries; engine {r['engine']}")
    print(f"tidings update end to end: {r['total_s']:.1f} s = {r['articles_per_s']:.2f} articles/s; "
          f"{r['total_cpu']:.1f} CPU s = {r['total_cpu'] / max(1, r['articles']) * 1000:.0f} CPU ms an article")
    print(f"  ingest     {r['ingest_s']:7.1f} s  {r['ingest_cpu']:7.1f} CPU s")
    print(f"  stories    {r['stories_s']:7.1f} s  {r['stories_cpu']:7.1f} CPU s  "
          + ", ".join(f"{k} {v:.1f}" for k, v in r["stage_s"].items()))
    print(f"  summaries  {r['summaries_s']:7.1f} s  {r['summaries_cpu']:7.1f} CPU s")
    print(f"  the loopback newsstand's server (a process of its own, not counted above): "
          f"{r['server_cpu']:.1f} CPU s")
    print(f"workers' start-up (models loaded once per worker, before the run): {r['startup'][1]:.1f} s, "
          f"{r['startup'][0]:.1f} CPU s")
    print("per stage (executor work; CPU = this process + workers):")
    print("| stage | records | wall s | CPU s | CPU ms a record |")
    print("|---|---:|---:|---:|---:|")
    for stage, cpu in r["stage_cpu"].items():
        n = r["stage_items"].get(stage, 0)
        print(f"| {stage} | {n} | {r['stage_wall'][stage]:.1f} | {cpu:.1f} | {cpu / max(1, n) * 1000:.0f} |")
    rest = r["total_cpu"] - sum(r["stage_cpu"].values())
    print(f"| driver (fetch, parse, dedup, store, place, rank) and extract (ingest) | | | {rest:.1f} | |")
    f = r["floor"]
    if f:
        print(f"floor (extraction + embedding alone, same pages, same executor): {f['articles']} articles in "
              f"{f['total_s']:.1f} s = {f['articles_per_s']:.2f} articles/s (extract {f['extract_s']:.1f} s / "
              f"{f['extract_cpu']:.1f} CPU s, embed {f['embed_s']:.1f} s / {f['embed_cpu']:.1f} CPU s)")
        print(f"update / floor: {r['articles_per_s'] / f['articles_per_s']:.2f}")


if __name__ == "__main__":
    main()
