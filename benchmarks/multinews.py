"""Story clustering on real multi-outlet coverage, through ``tidings update``.

    .venv/bin/python -m benchmarks.multinews                 # the product path: feeds on loopback -> tidings update
    .venv/bin/python -m benchmarks.multinews --keep DIR      # keep the desk (config, database) in DIR
    .venv/bin/python -m benchmarks.multinews --seeds 0,1,2,3 # four layouts of the same articles, then a table
    .venv/bin/python -m benchmarks.multinews --features F    # also save the articles' clustering features to F
    .venv/bin/python -m benchmarks.multinews --replay F      # re-place saved features with the shipped settings
                                                             # (a tuning aid, never the reported figure)
    .venv/bin/python -m benchmarks.multinews --tune F        # grid search over the real-coverage evidence

The Multi-News dev slice (``../shared/datasets/multinews_dev/``, 125 real events,
322 articles from different outlets) is laid out as the pages of 8 outlets' RSS
feeds on a loopback server: each article's first sentence is its headline, each
event's articles are published within 10 hours of each other (each at another
outlet), and the events are spread over 45 days (seeded). A fresh desk imports the
outlets (``tidings sources import``) and runs ``tidings update`` as a user would;
the stories are then read back from the desk's database and scored against the
events with BCubed precision, recall and F1 (the stories of merged stories count
as their survivor's, as the site shows them). Also printed: events told in more
than one story, and stories that mix events.

Anchor on the same texts (the dataset's README): multilingual-e5-small vectors of
title + 80 words, average linkage over the whole batch at the best cut, F1 0.915.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchmarks.ecbplus import bcubed, tidings_command

OUTLETS = 8
SPREAD_DAYS = 45
EVENT_HOURS = 10
START = datetime(2026, 9, 1, 6, 0, tzinfo=timezone.utc)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019]?\s+(?=[\"'\u201c\u2018]?[A-Z0-9])")


def datasets_dir() -> Path:
    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("TIDINGS_DATASETS") or root.parent / "shared" / "datasets")


def load_events(path: Path | None = None) -> list[dict]:
    path = path or datasets_dir() / "multinews_dev" / "multinews_dev.jsonl"
    if not path.exists():
        print(f"SKIP: multinews_dev not found at {path} (set TIDINGS_DATASETS; see ../shared/datasets/README.md)")
        sys.exit(0)
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def paragraphs_of(text: str) -> list[str]:
    """The dataset's paragraphs (separated by blank lines), whitespace collapsed."""
    parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return [p for p in parts if p]


def first_sentence(paragraphs: list[str], limit: int = 200) -> str:
    head = paragraphs[0] if paragraphs else ""
    sentence = _SENTENCE_END.split(head, maxsplit=1)[0].strip()
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + "…"
    return sentence or "Untitled"


def layout(events: list[dict], seed: int = 0) -> list[dict]:
    """Each article with its event, outlet, headline, paragraphs and publication time (seeded)."""
    rng = random.Random(seed)
    out = []
    for number, event in enumerate(events):
        start = START + timedelta(minutes=rng.randint(0, SPREAD_DAYS * 24 * 60))
        outlets = rng.sample(range(OUTLETS), k=min(OUTLETS, len(event["docs"])))
        for k, doc in enumerate(event["docs"]):
            paragraphs = paragraphs_of(doc["text"]) or ["(empty)"]
            out.append({
                "id": f"mn{number:03d}-{doc['doc_id']}",
                "event": event["cluster_id"],
                "outlet": outlets[k % len(outlets)],
                "title": first_sentence(paragraphs),
                "paragraphs": paragraphs,
                "published": start + timedelta(minutes=rng.randint(0, EVENT_HOURS * 60)),
            })
    return out


def build_site(articles: list[dict], base_url: str = "http://127.0.0.1:0"):
    """The articles as 8 outlets' RSS/Atom feeds and article pages (tidings.demo.site)."""
    from tidings.demo.corpus import CorpusArticle, Event, GroundTruth, Outlet
    from tidings.demo.site import assemble_site

    outlets = [Outlet(slug=f"outlet-{i}", name=f"Outlet {i}", country="US", language="en", authority=0.6,
                      feed_format="rss2" if i % 2 == 0 else "atom", full_content=False,
                      tagline="Real coverage from the Multi-News dev slice.") for i in range(OUTLETS)]
    corpus = []
    for a in articles:
        slug = re.sub(r"[^a-z0-9]+", "-", a["title"].lower()).strip("-")[:50] or "story"
        corpus.append(CorpusArticle(
            id=a["id"], outlet=outlets[a["outlet"]].slug, title=a["title"], author="Staff",
            published=a["published"], language="en", slug=f"{a['id']}-{slug}", paragraphs=tuple(a["paragraphs"]),
            summary=a["title"]))
    by_event: dict[str, list[str]] = defaultdict(list)
    for a in articles:
        by_event[a["event"]].append(a["id"])
    truth = GroundTruth(events=tuple(Event(e, e, tuple(ids)) for e, ids in by_event.items()))
    return assemble_site(base_url, outlets, corpus, truth, title="Multi-News dev newsstand",
                         builder=lambda base: build_site(articles, base))


def write_config(directory: Path) -> Path:
    """A desk that reads the loopback newsstand; every other setting is the shipped default."""
    from tidings.demo.run import LOOPBACK_FETCH

    path = directory / "tidings.toml"
    path.write_text(f"""[database]
url = "sqlite:///{directory / 'tidings.db'}"

{LOOPBACK_FETCH}
[ingest]
max_entries_per_feed = 1000
""", encoding="utf-8")
    return path


def tidings(config: Path, *args: str) -> str:
    cmd = [*tidings_command(), "--config", str(config), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    if done.returncode != 0:
        sys.exit(f"`tidings {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def stories_of(db_path: Path) -> dict[str, str | None]:
    """stored article URL -> the story it is shown in (merged stories resolved to their survivor),
    or None for an article stored in no story (a reprint)."""
    conn = sqlite3.connect(db_path)
    redirect = dict(conn.execute("SELECT id, merged_into FROM stories WHERE merged_into IS NOT NULL"))
    out: dict[str, str | None] = {}
    for url, story in conn.execute("SELECT canonical_url, story_id FROM articles"):
        seen = set()
        while story in redirect and story not in seen:
            seen.add(story)
            story = redirect[story]
        out[url] = story
    conn.close()
    return out


def report(pred: list[str], gold: list[str], label: str) -> dict:
    p, r, f = bcubed(pred, gold)
    events: dict[str, set[str]] = defaultdict(set)
    stories: dict[str, set[str]] = defaultdict(set)
    for s, g in zip(pred, gold):
        events[g].add(s)
        stories[s].add(g)
    multi = [g for g in events if sum(1 for x in gold if x == g) > 1]
    split = sum(1 for g in multi if len(events[g]) > 1)
    mixed = sum(1 for s in stories if len(stories[s]) > 1)
    print(f"{label}: BCubed P {p:.3f}  R {r:.3f}  F1 {f:.3f}  | {len(set(pred))} stories for {len(events)} events; "
          f"{split} of {len(multi)} multi-article events split; {mixed} stories mix events")
    return {"P": p, "R": r, "F1": f, "stories": len(set(pred)), "split": split, "multi": len(multi), "mixed": mixed}


def run_product(articles: list[dict], keep: Path | None) -> tuple[list[str], list[str], Path]:
    import httpx

    from tidings.demo.server import serve_site

    site = build_site(articles)
    workdir = keep or Path(tempfile.mkdtemp(prefix="tidings-multinews-"))
    workdir.mkdir(parents=True, exist_ok=True)
    for old in workdir.glob("tidings.db*"):
        old.unlink()
    config = write_config(workdir)
    with serve_site(site) as server:
        opml = workdir / "sources.opml"
        opml.write_text(httpx.get(server.opml_url).text, encoding="utf-8")
        tidings(config, "sources", "import", str(opml))
        t0 = time.perf_counter()
        out = tidings(config, "update")
        seconds = time.perf_counter() - t0
        site_articles = server.site.articles
    print(out.strip().splitlines()[-1] if out.strip() else "", file=sys.stderr)
    placed = stories_of(workdir / "tidings.db")
    pred, gold, ids, missing, alone = [], [], [], 0, 0
    for a in site_articles:
        if a.url not in placed:
            missing += 1
            continue
        story = placed[a.url]
        if story is None:
            alone += 1  # stored in no story (a reprint): a reader meets it in no story, so it scores as
            story = f"no story: {a.id}"  # a story of its own, apart from its event's
        pred.append(story)
        gold.append(a.event)
        ids.append(a.id)
    print(f"tidings update: {len(pred) - alone} of {len(site_articles)} articles placed, {alone} stored in no "
          f"story (reprints; each scored as a story of its own), {missing} not stored; {seconds:.0f} s")
    return pred, gold, ids, workdir


def boilerplate(articles: list[dict]) -> set[str]:
    """Articles whose text is word for word the text of an article of another event: page debris the
    scrape kept ("Tweet with a location ...", the Wayback Machine's crawl notice). The same text cannot
    tell two events, so the gold is wrong for them whatever a clusterer does; the second figure leaves
    them out (the first keeps every article)."""
    events_of: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        events_of[" ".join(a["paragraphs"]).lower()].add(a["event"])
    return {a["id"] for a in articles if len(events_of[" ".join(a["paragraphs"]).lower()]) > 1}


def save_features(db_path: Path, articles: list[dict], path: Path) -> None:
    """The clustering features of the stored articles, computed by the product's own code."""
    from tidings.records import Article
    from tidings.stories.cluster import ClusterConfig, features_for

    event_of = {a["id"]: a["event"] for a in articles}
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT id, title, text, published_at, language, canonical_url FROM articles "
                        "WHERE copy_of_id IS NULL ORDER BY published_at, id").fetchall()
    conn.close()
    records, gold = [], []
    for row_id, title, text, published, language, url in rows:
        match = re.search(r"/(mn\d{3}-\d+)-", url or "")
        if not match:
            continue
        records.append(Article(id=str(row_id), title=title or "", text=text or "",
                               published=datetime.fromisoformat(published).replace(tzinfo=timezone.utc)
                               if published else None, language=language, url=url))
        gold.append(event_of[match.group(1)])
    feats = features_for(records, None, ClusterConfig())
    path.write_bytes(pickle.dumps({"features": feats, "gold": gold, "records": records}))
    print(f"saved the features of {len(feats)} articles to {path}")


def compressed(features: list, gold: list[str], days: float) -> tuple[list, list[str]]:
    """The same articles with their events' start times squeezed into ``days`` (each article keeps
    its offset from its event's first report), in publication order: a denser stream, where more
    events run at the same time, to check that time evidence does not do all the work."""
    from dataclasses import replace

    first: dict[str, datetime] = {}
    for f, event in zip(features, gold):
        first[event] = min(first.get(event, f.published), f.published)
    t0 = min(first.values())
    span = max((max(first.values()) - t0).total_seconds(), 1.0)
    moved = [replace(f, published=t0 + (first[e] - t0) * (days * 86_400 / span) + (f.published - first[e]))
             for f, e in zip(features, gold)]
    order = sorted(range(len(moved)), key=lambda i: (moved[i].published, int(moved[i].id)))
    return [moved[i] for i in order], [gold[i] for i in order]


def place(features: list, config) -> list[str]:
    """Each article's story after placing them in order and a final repair (as the driver does)."""
    from tidings.stories.cluster import OnlineClusterer

    clusterer = OnlineClusterer(config)
    placed = [clusterer.place(f).story_id for f in features]
    clusterer.repair()
    return [clusterer.resolve(s) for s in placed]


def replay(path: Path, config=None) -> dict:
    """Place saved features in publication order with the online clusterer (the driver's order)."""
    from tidings.stories.cluster import ClusterConfig

    data = pickle.loads(path.read_bytes())
    config = config or ClusterConfig()
    report(place(data["features"], config), data["gold"], "replay, 45 days")
    feats, gold = compressed(data["features"], data["gold"], 3)
    return report(place(feats, config), gold, "replay, squeezed into 3 days")


def tune(path: Path) -> None:
    """Grid over the real-coverage evidence on saved features (dev data only): mean BCubed F1 of the
    45-day layout and the same stream squeezed into 3 days."""
    import itertools
    from dataclasses import replace

    from benchmarks.ecbplus import bcubed as score
    from tidings.stories.cluster import ClusterConfig

    data = pickle.loads(path.read_bytes())
    layouts = [(data["features"], data["gold"]), compressed(data["features"], data["gold"], 3)]
    base = ClusterConfig()
    rows = []
    for names_full, common, hours, bonus in itertools.product(
            [0, 2, 3], [0.0, 0.02, 0.05], [0, 12, 24], [0.1, 0.15, 0.2]):
        if (hours == 0) != (bonus == 0.1) or (names_full == 0 and common):
            continue  # one row for "no bonus"; no common-name discount without names
        cfg = replace(base, names_full=names_full, names_common=common, fresh_hours=hours,
                      fresh_bonus=bonus if hours else 0.0)
        f1s = [score(place(feats, cfg), gold)[2] for feats, gold in layouts]
        rows.append((sum(f1s) / 2, f1s, (names_full, common, hours, bonus if hours else 0.0)))
    rows.sort(reverse=True)
    print("| mean F1 | 45 days | 3 days | names_full | names_common | fresh_hours | fresh_bonus |")
    print("|---|---|---|---|---|---|---|")
    for mean, f1s, setting in rows[:15]:
        print(f"| {mean:.3f} | {f1s[0]:.3f} | {f1s[1]:.3f} | " + " | ".join(str(x) for x in setting) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the publication times and outlets")
    parser.add_argument("--seeds", help="several layouts, e.g. 0,1,2,3: each run, then a table (mean, lowest)")
    parser.add_argument("--keep", type=Path, help="keep the desk (config, database) in this folder")
    parser.add_argument("--features", type=Path, help="save the stored articles' clustering features here")
    parser.add_argument("--replay", type=Path, help="re-place saved features (tuning aid, not the product figure)")
    parser.add_argument("--tune", type=Path, help="grid search on saved features (dev data)")
    args = parser.parse_args(argv)
    if args.replay:
        replay(args.replay)
        return 0
    if args.tune:
        tune(args.tune)
        return 0
    seeds = [int(x) for x in args.seeds.split(",")] if args.seeds else [args.seed]
    rows = []
    for seed in seeds:
        if len(seeds) > 1:
            print(f"-- seed {seed}")
        articles = layout(load_events(), seed)
        keep = args.keep / f"seed-{seed}" if args.keep and len(seeds) > 1 else args.keep
        pred, gold, ids, workdir = run_product(articles, keep)
        every = report(pred, gold, "multinews_dev via tidings update, every article")
        debris = boilerplate(articles)
        kept = [i for i, article_id in enumerate(ids) if article_id not in debris]
        clean = report([pred[i] for i in kept], [gold[i] for i in kept],
                       f"the same run without the {len(ids) - len(kept)} pages whose text also stands for another event")
        rows.append((seed, every, clean))
        if args.features:
            path = args.features if len(seeds) == 1 else args.features.with_name(f"{args.features.stem}-seed{seed}.pkl")
            save_features(workdir / "tidings.db", articles, path)
    if len(rows) > 1:
        print("| seed | every article P / R / F1 | without the debris pages P / R / F1 |")
        print("|---|---|---|")
        for seed, every, clean in rows:
            print(f"| {seed} | {every['P']:.3f} / {every['R']:.3f} / {every['F1']:.3f} "
                  f"| {clean['P']:.3f} / {clean['R']:.3f} / {clean['F1']:.3f} |")
        for label, key in (("mean", statistics.mean), ("lowest", min)):
            print(f"| {label} | F1 {key(e['F1'] for _, e, _ in rows):.3f} | F1 {key(c['F1'] for _, _, c in rows):.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
