"""How often an article belongs to its story, by the join-score band the story page shows.

    .venv/bin/python -m benchmarks.multinews --keep DIR      # first: a desk built by `tidings update`
    .venv/bin/python -m benchmarks.join_scores --desk DIR    # read its articles' join scores back
    .venv/bin/python -m benchmarks.join_scores --ecb dev     # ECB+ dev through the online clusterer

The story page says how sure Tidings is that an article belongs to its story ("fits this story:
0.62 — moderate", :mod:`tidings.stories.fit`). This measures what each band means: an article
*belongs* when its gold event is the main gold event of the story it ends up in (merged stories
count as their survivor, as the site shows them). "below": below the join threshold (the page's
"opened this story" and "opened a story merged into this one").

``--desk``: the product path. The desk of ``benchmarks.multinews --keep`` (the Multi-News dev slice
served as 8 outlets' feeds and run through ``tidings update``); the scores are the stored
``articles.story_score``. ``--ecb SPLIT``: ECB+ (similar events that must stay apart, no dates), each
document placed in ``doc_id`` order by :meth:`OnlineClusterer.place` with the shipped settings (the
function the stories stage runs); ``--cache DIR`` keeps the features between runs (outside the repo).
Tune bands on dev splits only.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
from collections import Counter, defaultdict
from pathlib import Path

from tidings.stories.fit import join_fit


def belongs(stories: list[str], events: list[str]) -> list[bool]:
    """For each article: is its event the main event of its story?"""
    by_story: dict[str, Counter] = defaultdict(Counter)
    for story, event in zip(stories, events):
        by_story[story][event] += 1
    main = {story: counts.most_common(1)[0][0] for story, counts in by_story.items()}
    return [main[s] == e for s, e in zip(stories, events)]


def table(scores: list[float | None], ok: list[bool], label: str, threshold: float | None = None) -> None:
    bands: dict[str, list[bool]] = defaultdict(list)
    for score, right in zip(scores, ok):
        bands[join_fit(score, threshold=threshold).band or "unscored"].append(right)
    print(f"{label}: {len(scores)} articles")
    print(f"  {'band':<10} {'articles':>8} {'belong':>7}")
    for band in ("strong", "moderate", "weak", "opened", "unscored"):
        if band in bands:
            rows = bands[band]
            name = "below" if band == "opened" else band  # opened or merged: below the join threshold
            print(f"  {name:<10} {len(rows):>8} {sum(rows) / len(rows):>7.1%}")


def from_desk(desk: Path, seed: int = 0) -> None:
    from benchmarks.multinews import layout, load_events

    event_of = {a["id"]: a["event"] for a in layout(load_events(), seed)}
    conn = sqlite3.connect(desk / "tidings.db")
    redirect = dict(conn.execute("SELECT id, merged_into FROM stories WHERE merged_into IS NOT NULL"))
    rows = conn.execute("SELECT canonical_url, story_id, story_score FROM articles "
                        "WHERE copy_of_id IS NULL AND story_id IS NOT NULL ORDER BY id").fetchall()
    conn.close()
    stories, events, scores = [], [], []
    for url, story, score in rows:
        match = re.search(r"/(mn\d{3}-\d+)-", url or "")
        if not match or match.group(1) not in event_of:
            continue
        seen = set()
        while story in redirect and story not in seen:
            seen.add(story)
            story = redirect[story]
        stories.append(story)
        events.append(event_of[match.group(1)])
        scores.append(score)
    table(scores, belongs(stories, events), f"multinews_dev via tidings update ({desk})")


def from_ecb(split: str, cache: Path | None) -> None:
    from benchmarks.ecbplus import features
    from tidings.stories.cluster import ClusterConfig, OnlineClusterer

    config = ClusterConfig()
    docs, feats = features(split, config, cache)
    clusterer = OnlineClusterer(config)
    placements = [clusterer.place(f) for f in feats]
    stories = [clusterer.resolve(p.story_id) for p in placements]
    scores = [p.score for p in placements]
    table(scores, belongs(stories, [d["subtopic"] for d in docs]), f"ECB+ {split} via OnlineClusterer.place",
          config.threshold)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desk", type=Path, help="a desk kept by `benchmarks.multinews --keep DIR`")
    parser.add_argument("--seed", type=int, default=0, help="the seed that desk was laid out with")
    parser.add_argument("--ecb", choices=["train", "dev"], help="an ECB+ split to place (never test)")
    parser.add_argument("--cache", type=Path, help="keep ECB+ features here between runs")
    args = parser.parse_args(argv)
    if not args.desk and not args.ecb:
        parser.error("give --desk DIR and/or --ecb SPLIT")
    if args.desk:
        from_desk(args.desk, args.seed)
    if args.ecb:
        from_ecb(args.ecb, args.cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
