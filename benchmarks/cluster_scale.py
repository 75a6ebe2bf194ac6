"""Does placing an article stay cheap as the number of stored stories grows?

Run from the repository root::

    .venv/bin/python -m benchmarks.cluster_scale

Generated data, no download: story centres are random 384-d unit vectors that
share a common direction the way real sentence embeddings do (two unrelated
centres have a cosine of about 0.78, as two unrelated e5 news texts do) and
lean towards one of 300 random topic directions (news clusters by topic); each
story has three keys out of a 50,000-key vocabulary and a first date spread
uniformly over 180 days (or, in the "longer history" run, over ten times as
many days, so that a day holds as many stories as in the 10k run), lasting 0 to
2 days. The clusterer is loaded with 10,000 and then 100,000 such stories
(``add_story``, as from the database) and then places 1,000 new articles, in random date order: 70 % are drawn around an
existing story (cosine about 0.93 to its centre, two of its keys, a date inside
its span) and 30 % around fresh centres. Printed per store size: milliseconds
per article, candidates scored per article, and how often an article of an
existing story landed in that story (the index's recall, end to end), next to
an exhaustive scan of every story in the time window (at 10k only: at 100k it
takes minutes).

Timings: mean and median wall-clock milliseconds per article, and CPU
milliseconds per article (process time, less sensitive to other work sharing
the cores; the median is robust to bursts of it).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np

DIM = 384
COMMON = 0.78  # squared weight of the shared direction: cos between unrelated centres
TOPIC = 0.8  # weight of a story's topic (one of N_TOPICS) in its own part: news clusters by topic
N_TOPICS = 300
NOISE = 0.4  # article = centre + NOISE * random unit vector (cos ~0.93 to the centre)
DAYS = 180
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
VOCAB = 50_000


def _unit_rows(m: np.ndarray) -> np.ndarray:
    return (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float32)


def make_centres(rng: np.random.Generator, common: np.ndarray, topics: np.ndarray, n: int) -> np.ndarray:
    """``n`` story centres: the shared direction, plus one of the topics, plus their own part."""
    r = _unit_rows(rng.standard_normal((n, DIM)))
    t = topics[rng.integers(len(topics), size=n)]
    own = _unit_rows(TOPIC * t + r)
    return _unit_rows(np.sqrt(COMMON) * common[None, :] + np.sqrt(1 - COMMON) * own)


def make_stories(rng: np.random.Generator, common: np.ndarray, topics: np.ndarray, n: int, days: float = DAYS):
    from tidings.stories.cluster import StoryState

    centres = make_centres(rng, common, topics, n)
    starts = rng.uniform(0, days, n)
    spans = rng.uniform(0, 2, n)
    keys = rng.integers(0, VOCAB, (n, 3))
    stories = []
    for i in range(n):
        first = START + timedelta(days=float(starts[i]))
        stories.append(StoryState(id=f"s{i}", centroid=centres[i], size=3, first_seen=first,
                                  last_seen=first + timedelta(days=float(spans[i])),
                                  keys=Counter({f"k{k}": 2 for k in keys[i]}), languages=Counter({"en": 3})))
    return stories


def make_articles(rng: np.random.Generator, common: np.ndarray, topics: np.ndarray, stories, n: int,
                  days: float = DAYS):
    from tidings.stories.cluster import ArticleFeatures

    out, truth = [], []
    fresh = make_centres(rng, common, topics, n)
    for j in range(n):
        if rng.random() < 0.7:
            story = stories[int(rng.integers(len(stories)))]
            centre = story.centroid
            span = (story.last_seen - story.first_seen).total_seconds()
            when = story.first_seen + timedelta(seconds=float(rng.uniform(0, max(span, 1.0))))
            keys = frozenset(list(story.keys)[:2])
            truth.append(story.id)
        else:
            centre = fresh[j]
            when = START + timedelta(days=float(rng.uniform(0, days)))
            keys = frozenset(f"k{k}" for k in rng.integers(0, VOCAB, 3))
            truth.append(None)
        noise = rng.standard_normal(DIM)
        vec = centre + NOISE * noise / np.linalg.norm(noise)
        out.append(ArticleFeatures(id=f"a{j}", vector=(vec / np.linalg.norm(vec)).astype(np.float32),
                                   published=when, keys=keys, language="en"))
    return out, truth


def run(n_stories: int, config, days: float = DAYS, articles_n: int = 1000, seed: int = 11) -> dict[str, float]:
    from tidings.stories.cluster import OnlineClusterer

    rng = np.random.default_rng(seed)
    common = _unit_rows(rng.standard_normal((1, DIM)))[0]
    topics = _unit_rows(rng.standard_normal((N_TOPICS, DIM)))
    stories = make_stories(rng, common, topics, n_stories, days)
    articles, truth = make_articles(rng, common, topics, stories, articles_n, days)
    clusterer = OnlineClusterer(config)
    t0 = time.perf_counter()
    for story in stories:
        clusterer.add_story(story)
    load_s = time.perf_counter() - t0
    n_cands = [len(clusterer.candidates(f)) for f in articles]
    placements, walls = [], []
    cpu0 = time.process_time()
    for f in articles:
        t0 = time.perf_counter()
        placements.append(clusterer.place(f))
        walls.append(time.perf_counter() - t0)
    cpu_s = time.process_time() - cpu0
    existing = [(p, t) for p, t in zip(placements, truth) if t is not None]
    fresh = [p for p, t in zip(placements, truth) if t is None]
    return {
        "stories": n_stories,
        "days": days,
        "load_s": load_s,
        "ms_per_article": 1000 * sum(walls) / articles_n,
        "median_ms": 1000 * statistics.median(walls),
        "cpu_ms": 1000 * cpu_s / articles_n,
        "candidates": statistics.mean(n_cands),
        "joined_right": sum(clusterer.resolve(p.story_id) == clusterer.resolve(t) for p, t in existing) / len(existing),
        "fresh_new": sum(p.is_new for p in fresh) / max(1, len(fresh)),
    }


def main() -> int:
    from tidings.stories.cluster import ClusterConfig

    base = ClusterConfig()
    exact = replace(base, exact_below=10**9)  # scan every story of the time window
    rows = [
        ("time window + IVF (shipped)", run(10_000, base)),
        ("time window, exhaustive scan", run(10_000, exact)),
        ("time window + IVF (shipped), 10x denser", run(100_000, base)),
        ("time window + IVF (shipped), longer history", run(100_000, base, days=DAYS * 10)),
    ]
    cols = ["stories", "days", "ms_per_article", "median_ms", "cpu_ms", "candidates", "joined_right", "fresh_new",
            "load_s"]
    print(f"1,000 articles placed per run, {DIM}-d vectors, {os.cpu_count()} cores (shared: timings are noisy)")
    print("| index | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for label, row in rows:
        print(f"| {label} | " + " | ".join(f"{row[c]:,.3f}" if isinstance(row[c], float) else f"{row[c]:,}"
                                           for c in cols) + " |")
    for key in ("ms_per_article", "median_ms", "cpu_ms"):
        for label, row in rows[2:]:
            print(f"{key}, {label} / 10k: {row[key] / rows[0][1][key]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
