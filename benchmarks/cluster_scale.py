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
the cores; the median is robust to bursts of it). After every 100 placements the
repair pass that ``tidings update`` runs after each chunk (every story changed by
them compared again with its candidates) is timed too: ``repair_ms`` (wall) and
``total_cpu_ms`` (CPU of placing and repairing, per article). The stores are
loaded first, then placed into in turn (one article each), so that whatever
else shares the cores weighs on every store alike. ``--repeat N``
runs the stores N times and prints the median of each ratio (the cores are
shared: one run's ratio can be off by half).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
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


@dataclass
class Setup:
    """One store loaded and ready, with the articles to place in it."""

    label: str
    stories: int
    days: float
    clusterer: object
    articles: list
    truth: list
    load_s: float
    candidates: float = 0.0  # mean candidates per article, before any is placed
    placements: list = field(default_factory=list)
    walls: list = field(default_factory=list)
    cpus: list = field(default_factory=list)
    repair_walls: list = field(default_factory=list)
    repair_cpus: list = field(default_factory=list)


def build(label: str, n_stories: int, config, days: float = DAYS, articles_n: int = 1000, seed: int = 11) -> Setup:
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
    candidates = statistics.mean(len(clusterer.candidates(f)) for f in articles)
    return Setup(label, n_stories, days, clusterer, articles, truth, load_s, candidates)


def place_interleaved(setups: list[Setup], chunk: int = 100) -> None:
    """Place every setup's articles, one article of each setup in turn (so that the stores
    share whatever else the cores are doing), timing each placement; after every ``chunk``
    articles, the repair pass ``tidings update`` runs after its placements (every story changed
    by them compared again with its candidates) is timed too, spread over those articles."""
    n = max(len(s.articles) for s in setups)
    for i in range(n):
        for s in setups:
            if i >= len(s.articles):
                continue
            c0, t0 = time.process_time(), time.perf_counter()
            s.placements.append(s.clusterer.place(s.articles[i]))
            s.walls.append(time.perf_counter() - t0)
            s.cpus.append(time.process_time() - c0)
        if (i + 1) % chunk == 0 or i + 1 == n:
            for s in setups:
                c0, t0 = time.process_time(), time.perf_counter()
                s.clusterer.repair()
                s.repair_walls.append(time.perf_counter() - t0)
                s.repair_cpus.append(time.process_time() - c0)


def summary(s: Setup) -> dict[str, float]:
    n = len(s.articles)
    existing = [(p, t) for p, t in zip(s.placements, s.truth) if t is not None]
    fresh = [p for p, t in zip(s.placements, s.truth) if t is None]
    resolve = s.clusterer.resolve
    return {
        "stories": s.stories,
        "days": s.days,
        "load_s": s.load_s,
        "ms_per_article": 1000 * sum(s.walls) / n,
        "median_ms": 1000 * statistics.median(s.walls),
        "cpu_ms": 1000 * sum(s.cpus) / n,
        "median_cpu_ms": 1000 * statistics.median(s.cpus),
        "repair_ms": 1000 * sum(s.repair_walls) / n,
        "total_cpu_ms": 1000 * (sum(s.cpus) + sum(s.repair_cpus)) / n,
        "candidates": s.candidates,
        "joined_right": sum(resolve(p.story_id) == resolve(t) for p, t in existing) / len(existing),
        "fresh_new": sum(p.is_new for p in fresh) / max(1, len(fresh)),
    }


RATIOS = ("ms_per_article", "median_ms", "cpu_ms", "median_cpu_ms", "total_cpu_ms")


def main(argv: list[str] | None = None) -> int:
    import argparse

    from tidings.stories.cluster import ClusterConfig

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1,
                        help="place and time this many times (fresh stores each time); the ratios' median is printed")
    parser.add_argument("--no-exact", action="store_true", help="skip the exhaustive-scan row")
    args = parser.parse_args(argv)
    base = ClusterConfig()
    exact = replace(base, exact_below=10**9)  # scan every story of the time window
    cols = ["stories", "days", "ms_per_article", "median_ms", "cpu_ms", "median_cpu_ms", "repair_ms", "total_cpu_ms",
            "candidates", "joined_right", "fresh_new", "load_s"]
    print(f"1,000 articles placed per store, {DIM}-d vectors, {os.cpu_count()} cores (shared: timings are noisy; "
          "the stores are placed into in turn, one article each, so they share the same load)")
    ratios: dict[tuple[str, str], list[float]] = {}
    for rep in range(args.repeat):
        setups = [build("time window + IVF (shipped)", 10_000, base)]
        if not args.no_exact and rep == 0:
            setups.append(build("time window, exhaustive scan", 10_000, exact))
        setups += [
            build("time window + IVF (shipped), 10x denser", 100_000, base),
            build("time window + IVF (shipped), longer history", 100_000, base, days=DAYS * 10),
        ]
        load0 = os.getloadavg()[0]
        place_interleaved(setups)
        rows = [(s.label, summary(s)) for s in setups]
        del setups
        print(f"run {rep + 1} of {args.repeat} (load average {load0:.1f} before, {os.getloadavg()[0]:.1f} after)")
        print("| index | " + " | ".join(cols) + " |")
        print("|---|" + "---|" * len(cols))
        for label, row in rows:
            print(f"| {label} | " + " | ".join(f"{row[c]:,.3f}" if isinstance(row[c], float) else f"{row[c]:,}"
                                               for c in cols) + " |")
        for key in RATIOS:
            for label, row in rows[-2:]:
                ratio = row[key] / rows[0][1][key]
                ratios.setdefault((key, label), []).append(ratio)
                print(f"{key}, {label} / 10k: {ratio:.2f}x")
        sys.stdout.flush()
    if args.repeat > 1:
        print(f"median over {args.repeat} runs:")
        for (key, label), values in ratios.items():
            print(f"{key}, {label} / 10k: {statistics.median(values):.2f}x "
                  f"(runs: {', '.join(f'{v:.2f}' for v in values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
