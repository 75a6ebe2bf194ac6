"""Ingest throughput: a loopback server with generated articles across many feeds,
ingested end to end (fetch, parse, extract, dedup, store) into a fresh SQLite file.

    .venv/bin/python -m benchmarks.ingest_throughput [--feeds 50] [--articles 2000] [--workers 2]

Prints articles/s, the busy time of each stage, and peak memory. Stage times are
summed over concurrent work, so they are shares of busy time, not of the wall clock:
"fetch" is time spent waiting on HTTP (overlapping across requests), "extract" the
CPU time of the extraction workers, "parse" and "dedup+store" main-process time.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import httpx

from tidings.config import Config
from tidings.demo.server import serve_site
from tidings.demo.synthetic import build_synthetic_site
from tidings.pipeline import ingest
from tidings.store.db import Store


def run(feeds: int, articles: int, workers: int, seed: int = 0) -> dict:
    site = build_synthetic_site("http://127.0.0.1:0", n_feeds=feeds, n_articles=articles, seed=seed)
    with tempfile.TemporaryDirectory() as tmp, serve_site(site) as server:
        opml = Path(tmp) / "sources.opml"
        opml.write_text(httpx.get(server.opml_url).text, encoding="utf-8")
        config = Config(database_url=f"sqlite:///{tmp}/bench.db", sources_file=str(opml))
        config.fetch.allow_networks = ["127.0.0.1/32"]
        config.fetch.per_host_delay = 0.0
        config.fetch.per_host_concurrency = 16  # one loopback host serves every "outlet"
        config.ingest.extract_workers = workers
        config.ingest.max_entries_per_feed = 10_000
        store = Store(config.database_url)
        started = time.perf_counter()
        report = ingest(config, store, force=True)
        wall = time.perf_counter() - started
        again_started = time.perf_counter()
        again = ingest(config, store, force=True)
        again_wall = time.perf_counter() - again_started
        store.close()
    busy = {
        "fetch (HTTP wait)": report.seconds.get("fetch_wait", 0.0),
        "parse": report.seconds.get("parse", 0.0),
        "extract (worker CPU)": report.seconds.get("extract", 0.0),
        "dedup+store": report.seconds.get("dedup_store", 0.0),
    }
    return {
        "feeds": feeds, "articles": articles, "workers": workers,
        "stored": report.new, "copies": report.copies_near + report.copies_exact, "errors": dict(report.errors),
        "wall_s": round(wall, 2), "articles_per_s": round(report.new / wall, 1) if wall else 0.0,
        "busy_s": {k: round(v, 2) for k, v in busy.items()},
        "peak_rss_mb": round(report.peak_rss_mb, 1),
        "second_run_s": round(again_wall, 2), "second_run_304": again.not_modified,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.feeds, args.articles, args.workers)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['stored']} articles from {result['feeds']} feeds in {result['wall_s']} s "
          f"= {result['articles_per_s']} articles/s (extract workers: {result['workers']})")
    print(f"near/exact copies found: {result['copies']}; errors: {result['errors'] or 'none'}")
    print(f"peak RSS (largest process): {result['peak_rss_mb']} MB")
    total_cpu = sum(v for k, v in result["busy_s"].items() if not k.startswith("fetch"))
    print("busy time by stage:")
    for stage, secs in result["busy_s"].items():
        share = f"{100 * secs / total_cpu:5.1f}% of CPU stages" if not stage.startswith("fetch") and total_cpu else ""
        print(f"  {stage:22s} {secs:8.2f} s  {share}")
    print(f"second run: {result['second_run_304']} feeds answered 304, {result['second_run_s']} s")


if __name__ == "__main__":
    main()
