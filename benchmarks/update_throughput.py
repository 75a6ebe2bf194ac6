"""`tidings update` throughput: ingest, then the story stages and summaries, end to end.

    .venv/bin/python -m benchmarks.update_throughput [--synthetic-articles N --synthetic-feeds F]

Without options it runs on the bundled demo newsstand (77 articles, 4 languages);
with them, on a generated one. Prints articles/s for the whole update and the
seconds spent in each stage (embedding, clustering, sections, tags, ranking, summaries).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx

from tidings.config import load_config
from tidings.demo.run import write_demo_config
from tidings.demo.server import serve_site
from tidings.pipeline import ingest
from tidings.store.db import Store
from tidings.stories.update import update_stories
from tidings.summarize.refresh import refresh_summaries


def run(site) -> dict:
    with tempfile.TemporaryDirectory() as tmp, serve_site(site) as server:
        root = Path(tmp)
        opml = root / "sources.opml"
        opml.write_text(httpx.get(server.opml_url).text, encoding="utf-8")
        config = load_config(write_demo_config(root, opml), environ={})
        config.ingest.max_entries_per_feed = 100_000
        store = Store(config.database_url)
        t0 = time.perf_counter()
        ingested = ingest(config, store, force=True)
        t1 = time.perf_counter()
        stories = update_stories(config, store)
        t2 = time.perf_counter()
        summaries = refresh_summaries(config, store)
        t3 = time.perf_counter()
        store.close()
    articles = ingested.new
    return {
        "articles": articles, "stories": stories.new_stories - stories.merges, "started": stories.new_stories,
        "merges": stories.merges, "summaries": summaries.summarized,
        "total_s": t3 - t0, "ingest_s": t1 - t0, "stories_s": t2 - t1, "summaries_s": t3 - t2,
        "stage_s": dict(stories.seconds), "articles_per_s": articles / (t3 - t0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic-articles", type=int)
    parser.add_argument("--synthetic-feeds", type=int, default=20)
    args = parser.parse_args()
    if args.synthetic_articles:
        from tidings.demo.synthetic import build_synthetic_site

        site = build_synthetic_site("http://127.0.0.1:0", args.synthetic_feeds, args.synthetic_articles)
        name = f"synthetic newsstand ({args.synthetic_feeds} feeds)"
    else:
        from tidings.demo.site import build_demo_site

        site = build_demo_site("http://127.0.0.1:0")
        name = "demo newsstand"
    r = run(site)
    print(f"{name}: {r['articles']} articles -> {r['stories']} stories ({r['started']} started, {r['merges']} merged "
          f"into another), {r['summaries']} summaries")
    print(f"tidings update end to end: {r['total_s']:.1f} s = {r['articles_per_s']:.2f} articles/s")
    print(f"  ingest     {r['ingest_s']:7.1f} s")
    print(f"  stories    {r['stories_s']:7.1f} s  " + ", ".join(f"{k} {v:.1f}" for k, v in r["stage_s"].items()))
    print(f"  summaries  {r['summaries_s']:7.1f} s")


if __name__ == "__main__":
    main()
