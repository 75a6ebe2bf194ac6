"""Planted errors: does the faithfulness guard catch a changed number, name, date or quotation?

Run from the repository root::

    .venv/bin/python -m benchmarks.planted_errors [--clusters 30] [--per-cluster 25]

Sentences come from the DUC 2003 Task 2 clusters: the extractive summary of each
cluster (``summarize_articles``) and a seeded sample of its articles' sentences.
Each sentence is checked untouched against the cluster's articles (it should
pass), then once per error type with one error planted (it should fail):

* number: one number changed to a value that no article of the cluster gives;
* name: one capitalised name (found in the articles) swapped for a surname that
  no article uses;
* date: one month or weekday changed to one the articles never mention;
* quote: one word inside a quotation swapped for another word of the articles
  (so only the verbatim check can catch it).

Goal: at least 95% of planted errors flagged, at most 5% of untouched sentences.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

from tests.summarize.planted import DAY_NAMES, ERROR_TYPES, MONTH_NAMES, Tally, evaluate, plant_all  # noqa: F401
from tidings.summarize.guard import split_sentences


def data_path() -> Path:
    env = os.environ.get("TIDINGS_DATASETS")
    root = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
    return root / "summarization" / "duc2003" / "duc2003_task2.jsonl"


def duc_items(path: Path, clusters: int, per_cluster: int, seed: int) -> list[tuple[str, list[str]]]:
    from tidings.records import Article
    from tidings.summarize.extractive import summarize_articles

    rng = random.Random(seed)
    items: list[tuple[str, list[str]]] = []
    for line in path.open(encoding="utf-8").readlines()[:clusters]:
        cluster = json.loads(line)
        docs = [d["text"] for d in cluster["docs"] if d.get("text")]
        articles = [Article(id=d["doc_id"], title=d.get("headline") or "", text=d["text"]) for d in cluster["docs"]]
        summary = summarize_articles(articles, words=120)
        items.extend((s.text, docs) for s in summary.sentences)
        pool = [s for d in docs for s in split_sentences(d) if 8 <= len(s.split()) <= 60 and s[:1].isupper()]
        # favour sentences that carry something to plant, as summaries of news do
        rich = [s for s in pool if re.search(r"\d|[\"`“]|" + "|".join(MONTH_NAMES + DAY_NAMES), s)]
        rng.shuffle(rich)
        items.extend((s, docs) for s in rich[:per_cluster])
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=30)
    parser.add_argument("--per-cluster", type=int, default=25)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--show", type=int, default=5, help="print this many misses and false alarms")
    args = parser.parse_args(argv)
    path = data_path()
    if not path.exists():
        print(f"SKIP: DUC 2003 data not found at {path} (set TIDINGS_DATASETS)")
        return 0
    started = time.perf_counter()
    items = duc_items(path, args.clusters, args.per_cluster, args.seed)
    tally = evaluate(items, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(f"Planted errors on DUC 2003 ({args.clusters} clusters, {len(items)} sentences, {elapsed:.1f}s)")
    print()
    print("| error type | planted | flagged | flagged % | goal |")
    print("|---|---|---|---|---|")
    total_f = total_n = 0
    for kind in ERROR_TYPES:
        f, n = tally.planted[kind]
        total_f, total_n = total_f + f, total_n + n
        print(f"| {kind} | {n} | {f} | {100 * f / n if n else 0:.1f} | >= 95 |")
    print(f"| all planted | {total_n} | {total_f} | {100 * total_f / total_n if total_n else 0:.1f} | >= 95 |")
    f, n = tally.untouched
    print(f"| untouched (false alarms) | {n} | {f} | {100 * f / n if n else 0:.1f} | <= 5 |")
    for kind, text in tally.misses[: args.show]:
        print(f"  missed {kind}: {text[:160]}")
    for text, reason in tally.false_alarms[: args.show]:
        print(f"  false alarm ({reason}): {text[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
