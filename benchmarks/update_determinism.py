"""Do the same articles make the same stories from one `tidings update` to the next?

    .venv/bin/python -m benchmarks.update_determinism [--articles 200] [--feeds 10] [--runs 2]

Serves one generated newsstand on loopback and runs ``tidings update``'s stages (ingest, stories,
summaries; the configured ``[engine]``) on it several times, each into a fresh SQLite store.
The feeds are fetched concurrently, so the order in which articles are stored (their ids)
differs between runs. Prints, for each run, the stories (as sets of article URLs) and whether
every run grouped the articles exactly as the first one did; for runs that differ, how many
articles sit in a story whose set of URLs the first run did not make.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import httpx

from tests.backfill.warc import outcome
from tidings.config import load_config
from tidings.demo.run import write_demo_config
from tidings.demo.server import serve_site
from tidings.demo.synthetic import build_synthetic_site
from tidings.pipeline import ingest
from tidings.store.db import Store
from tidings.stories.update import update_stories


def one_run(server, root: Path) -> set[frozenset[str]]:
    root.mkdir()
    opml = root / "sources.opml"
    opml.write_text(httpx.get(server.opml_url).text, encoding="utf-8")
    config = load_config(write_demo_config(root, opml), environ={})
    config.ingest.max_entries_per_feed = 100_000
    store = Store(config.database_url)
    try:
        ingest(config, store, force=True)
        update_stories(config, store)
    finally:
        store.close()
    return outcome(Path(config.database_url.removeprefix("sqlite:///")))[0]  # the stories as sets of URLs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    site = build_synthetic_site("http://127.0.0.1", args.feeds, args.articles)
    runs: list[set[frozenset[str]]] = []
    with tempfile.TemporaryDirectory() as tmp, serve_site(site) as server:
        for n in range(args.runs):
            runs.append(one_run(server, Path(tmp) / f"run{n}"))
            articles = sum(len(s) for s in runs[-1])
            print(f"run {n + 1}: {articles} articles in {len(runs[-1])} stories", flush=True)
    first = runs[0]
    same = all(r == first for r in runs[1:])
    print(f"every run grouped the articles as the first: {same}")
    for n, r in enumerate(runs[1:], start=2):
        if r != first:
            moved = sum(len(s) for s in r - first)
            print(f"run {n}: {len(r - first)} stories the first run did not make, holding {moved} articles")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
