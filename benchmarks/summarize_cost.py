"""Cost of the extractive summarizer: seconds per story at 5, 20 and 100 articles.

Run from the repository root::

    .venv/bin/python -m benchmarks.summarize_cost

Stories are built from DUC 2004 articles: 5 articles from one cluster, 20 from two
clusters, 100 from ten clusters mixed together (so the 100-article story is a hard,
loosely related one). Each size is summarised several times with the product's
configuration (120 words); the table gives the median and the slowest run, plus the
greedy selector for comparison. Single process, one thread.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from benchmarks.duc import cluster_articles, data_dir, load_clusters


def stories(clusters: list[dict], size: int, count: int) -> list[list]:
    out = []
    per_cluster = 10
    needed = max(1, -(-size // per_cluster))
    for k in range(count):
        chosen = [clusters[(k * needed + i) % len(clusters)] for i in range(needed)]
        articles = [a for cluster in chosen for a in cluster_articles(cluster)]
        # interleave the clusters so a 100-article story mixes them
        articles.sort(key=lambda a: (a.published is None, a.published))
        out.append(articles[:size])
    return out


def time_story(articles: list, config) -> float:
    from tidings.summarize.extractive import summarize_articles

    start = time.perf_counter()
    summarize_articles(articles, words=120, config=config)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="stories per size (3 for 100 articles)")
    args = parser.parse_args(argv)
    path = data_dir() / "duc2004" / "duc2004_task2.jsonl"
    if not path.exists():
        print(f"SKIP: DUC 2004 data not found at {path.parent} (set TIDINGS_DATASETS)")
        return 0
    from tidings.summarize.extractive import DEFAULT_CONFIG, summarize_articles, with_config

    clusters = load_clusters(path)
    summarize_articles(cluster_articles(clusters[0]), words=120)  # warm up imports and caches
    greedy = with_config(selector="greedy")
    print("Extractive summarizer cost, seconds per story (120-word summaries, DUC 2004 articles)")
    print(f"{'articles':>8} {'sentences':>10} {'stories':>8} {'median s':>9} {'max s':>7} {'greedy median s':>16}")
    for size in (5, 20, 100):
        runs = args.runs if size < 100 else max(1, min(3, args.runs))
        batch = stories(clusters, size, runs)
        from tidings.text.sentences import split_sentences

        sentences = statistics.mean(sum(len(split_sentences(a.text, "en")) for a in story) for story in batch)
        product = [time_story(story, DEFAULT_CONFIG) for story in batch]
        fast = [time_story(story, greedy) for story in batch]
        print(f"{size:>8} {sentences:>10.0f} {runs:>8} {statistics.median(product):>9.3f} {max(product):>7.3f} "
              f"{statistics.median(fast):>16.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
