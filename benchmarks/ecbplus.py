"""Story clustering on ECB+: the online clusterer against the gold event clusters.

Run from the repository root::

    .venv/bin/python -m benchmarks.ecbplus            # test split, the shipped settings
    .venv/bin/python -m benchmarks.ecbplus --command-only   # only the product figure (tidings cluster)
    .venv/bin/python -m benchmarks.ecbplus --tune     # grid search on train + dev (never test)

The product figure comes first: the 210 test documents (20 gold event clusters,
the ``subtopic`` field), sorted by ``doc_id``, are piped through ``tidings
cluster`` as JSON Lines (title: the first line that is not a URL), and its
output is applied as a user would, article lines then the merge and split
lines (:func:`apply_lines`). Then, in process, the same documents through the
same :class:`OnlineClusterer` in a few random orders (mean and spread). ECB+ has no publication dates, so
time is neutral. Printed: BCubed precision / recall / F1 (computed here),
V-measure and adjusted Rand index (scikit-learn), and the number of clusters.
Anchor: Barhom et al. 2019, batch K-means topic clusters on the same split,
V-measure 0.989 and ARI 0.974.

``--cache DIR`` keeps the article features (embeddings, keys) between runs in
DIR (outside the repository); the data is never copied into the repository.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.embed_choice import datasets_dir, ecb_title_and_text, load_ecbplus


def bcubed(pred: list, gold: list) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 of a flat clustering ``pred`` against ``gold``."""
    n = len(gold)
    by_pred: dict = {}
    by_gold: dict = {}
    for i, (p, g) in enumerate(zip(pred, gold)):
        by_pred.setdefault(p, set()).add(i)
        by_gold.setdefault(g, set()).add(i)
    precision = recall = 0.0
    for i in range(n):
        cp, cg = by_pred[pred[i]], by_gold[gold[i]]
        both = len(cp & cg)
        precision += both / len(cp)
        recall += both / len(cg)
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def scores(pred: list, gold: list) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, v_measure_score

    p, r, f = bcubed(pred, gold)
    return {"P": p, "R": r, "F1": f, "V": v_measure_score(gold, pred), "ARI": adjusted_rand_score(gold, pred),
            "clusters": float(len(set(pred)))}


def docs_to_articles(docs: list[dict]):
    from tidings.records import Article

    out = []
    for d in docs:
        title, text = ecb_title_and_text(d["text"])
        out.append(Article(id=d["doc_id"], title=title, text=text, language="en"))
    return out


def features(split: str | tuple[str, ...], config, cache: Path | None):
    """(docs, features) of a split; features cached in ``cache`` when given."""
    from tidings.stories.cluster import features_for
    from tidings.stories.embed import resolve_name

    docs = load_ecbplus(split)
    name = resolve_name(config.embedder)
    path = None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        tag = "-".join(split) if isinstance(split, tuple) else split
        kind = "" if config.embed_kind == "passage" else f"-{config.embed_kind}"
        path = cache / f"ecb-{tag}-{name}{kind}-{config.lead_words}-{config.key_chars}.pkl"
        if path.exists():
            return docs, pickle.loads(path.read_bytes())
    feats = features_for(docs_to_articles(docs), None, config)
    if path is not None:
        path.write_bytes(pickle.dumps(feats))
    return docs, feats


def cluster(feats, config, order: list[int] | None = None) -> list[str]:
    """Story id of each feature (in the features' order) after feeding them in ``order``, with the
    merges and splits applied (in process: the same clusterer `tidings cluster` runs)."""
    from tidings.stories.cluster import OnlineClusterer

    counter = itertools.count(1)
    clusterer = OnlineClusterer(config, new_id=lambda: f"s{next(counter)}")
    placed: dict[int, str] = {}
    for i in order if order is not None else range(len(feats)):
        placed[i] = clusterer.place(feats[i]).story_id
    clusterer.repair()  # as `tidings cluster` does after its last line
    moved = {a: new for _, new, ids in clusterer.drain_splits() for a in ids}
    return [clusterer.resolve(moved.get(feats[i].id, placed[i])) for i in range(len(feats))]


def tidings_command() -> list[str]:
    """The `tidings` command of this environment, as a user runs it."""
    exe = Path(sys.executable).with_name("tidings")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tidings"]


def apply_lines(lines: list[dict]) -> dict[str, str]:
    """Article id -> story id from ``tidings cluster``'s output, as a user applies it: each article's
    line, then every ``{"merged": OLD, "into": NEW}`` line (the old story's articles are now NEW's) and
    every ``{"split": OLD, "into": NEW, "articles": [...]}`` line (those articles moved to NEW)."""
    story_of: dict[str, str] = {}
    members: dict[str, set[str]] = {}
    for line in lines:
        if "error" in line:
            raise SystemExit(f"tidings cluster reported an error: {line}")
        if "merged" in line:
            old, new = line["merged"], line["into"]
            for article in members.pop(old, set()):
                story_of[article] = new
                members.setdefault(new, set()).add(article)
        elif "split" in line:
            old, new = line["split"], line["into"]
            for article in line["articles"]:
                members.get(story_of.get(article, old), set()).discard(article)
                story_of[article] = new
                members.setdefault(new, set()).add(article)
        else:
            story_of[line["id"]] = line["story"]
            members.setdefault(line["story"], set()).add(line["id"])
    return story_of


def run_command(docs: list[dict], config_path: Path | None = None) -> tuple[list[str], list[dict]]:
    """Pipe the documents (in the given order) through ``tidings cluster`` as a user would;
    returns each document's story after applying the merge and split lines, and the raw lines."""
    import json
    import subprocess
    import tempfile

    cmd = tidings_command()
    if config_path is not None:
        cmd += ["--config", str(config_path)]
    lines_in = []
    for d in docs:
        title, text = ecb_title_and_text(d["text"])
        lines_in.append(json.dumps({"id": d["doc_id"], "title": title, "text": text, "language": "en"}))
    with tempfile.TemporaryDirectory() as empty:  # no tidings.toml there: the shipped settings
        done = subprocess.run(cmd + ["cluster"], input="\n".join(lines_in) + "\n", capture_output=True,
                              text=True, cwd=empty)
    if done.returncode != 0:
        raise SystemExit(f"tidings cluster failed ({done.returncode}): {done.stderr[-2000:]}")
    out = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    story_of = apply_lines(out)
    return [story_of[d["doc_id"]] for d in docs], out


def evaluate(docs, feats, config, shuffles: int = 0, seed: int = 0) -> tuple[dict, list[dict]]:
    gold = [d["subtopic"] for d in docs]
    fixed = scores(cluster(feats, config), gold)
    rng = random.Random(seed)
    runs = []
    for _ in range(shuffles):
        order = list(range(len(feats)))
        rng.shuffle(order)
        runs.append(scores(cluster(feats, config, order), gold))
    return fixed, runs


def tune(config, cache: Path | None, top: int = 15) -> None:
    """Grid search over the decision rule on train + dev (BCubed F1, sorted order and 2 shuffles):
    first cosine floor x key weight x join threshold (merge threshold 0.2 above the join threshold,
    at least 0.7), then merge threshold x key boost around the shipped floor, weight and threshold,
    then join threshold x single_merge_margin (1.0 turns the delayed merge of one-article stories off),
    then the repair pass's repair_single_margin."""
    sets = [features(split, config, cache) for split in ("train", "dev")]
    grid = [(floor, kw, th, max(th + 0.2, 0.7), config.key_boost) for floor, kw, th in itertools.product(
        [0.75, 0.78, 0.80, 0.82, 0.84],  # cos_floor
        [0.3, 0.4, 0.5, 0.6, 0.7],  # key_weight
        [0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60],  # threshold
    )]
    grid += [(config.cos_floor, config.key_weight, config.threshold, merge, boost)
             for merge, boost in itertools.product([0.5, 0.6, 0.7, 0.8], [1.5, 2.5, 3.5])]
    grid = [(*setting, config.single_merge_margin) for setting in grid]
    grid += [(config.cos_floor, config.key_weight, th, config.merge_threshold, config.key_boost, margin)
             for th, margin in itertools.product([0.35, 0.38, 0.40, 0.42], [0.03, 0.05, 0.08, 1.0])]
    grid = [(*setting, config.repair_single_margin) for setting in grid]
    grid += [(config.cos_floor, config.key_weight, config.threshold, config.merge_threshold, config.key_boost,
              config.single_merge_margin, repair) for repair in (-0.08, -0.06, -0.04, -0.02, 0.0, 0.02, 0.05)]
    results = []
    for setting in dict.fromkeys(grid):
        floor, kw, th, merge, boost, margin, repair = setting
        cfg = replace(config, cos_floor=floor, key_weight=kw, threshold=th, merge_threshold=merge, key_boost=boost,
                      single_merge_margin=margin, repair_single_margin=repair)
        f1s = []
        for docs, feats in sets:
            fixed, runs = evaluate(docs, feats, cfg, shuffles=2, seed=1)
            f1s.append(statistics.mean([fixed["F1"]] + [r["F1"] for r in runs]))
        results.append((statistics.mean(f1s), f1s, setting))
    results.sort(reverse=True)
    print(f"embed_kind {config.embed_kind}, lead_words {config.lead_words}")
    print("| mean F1 | train F1 | dev F1 | cos_floor | key_weight | threshold | merge_threshold | key_boost "
          "| single_merge_margin | repair_single_margin |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for mean_f1, f1s, setting in results[:top]:
        print(f"| {mean_f1:.3f} | {f1s[0]:.3f} | {f1s[1]:.3f} | " + " | ".join(str(x) for x in setting) + " |")


def print_rows(split: str, docs: list[dict], rows: list) -> None:
    print(f"ECB+ {split}: {len(docs)} documents, {len({d['subtopic'] for d in docs})} gold clusters")
    print("| run | BCubed P | BCubed R | BCubed F1 | V-measure | ARI | clusters |")
    print("|---|---|---|---|---|---|---|")
    for label, m, sd in rows:
        cells = [f"{m[k]:.3f}" + (f" ± {sd[k]:.3f}" if sd else "") for k in ("P", "R", "F1", "V", "ARI")]
        cells.append(f"{m['clusters']:.1f}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("| Barhom et al. 2019 (batch K-means topic clusters) | | | | 0.989 | 0.974 | |")


def main(argv: list[str] | None = None) -> int:
    from tidings.stories.cluster import ClusterConfig

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="grid search on train + dev")
    parser.add_argument("--split", default="test")
    parser.add_argument("--shuffles", type=int, default=5)
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--kind", default=None, help="embedder input kind (passage or query)")
    parser.add_argument("--cache", type=Path, default=None, help="feature cache folder (outside the repo)")
    parser.add_argument("--command-only", action="store_true",
                        help="only the product figure: the documents piped through `tidings cluster`")
    args = parser.parse_args(argv)
    if not (datasets_dir() / "ecbplus" / "ecbplus_docs.jsonl").exists():
        print(f"skipped: ECB+ not found under {datasets_dir() / 'ecbplus'} (set TIDINGS_DATASETS)")
        return 0
    config = ClusterConfig(embedder=args.embedder)
    if args.kind:
        config.embed_kind = args.kind
    if args.tune:
        tune(config, args.cache)
        return 0
    rows = []
    docs = load_ecbplus(args.split)
    gold = [d["subtopic"] for d in docs]
    t0 = time.perf_counter()
    pred, lines = run_command(docs)
    notices = sum(1 for line in lines if "merged" in line or "split" in line)
    rows.append((f"`tidings cluster` (the product), sorted by doc_id, its {notices} merge/split lines applied",
                 scores(pred, gold), None))
    print(f"tidings cluster: {len(docs)} documents in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if args.command_only:
        print_rows(args.split, docs, rows)
        return 0
    t0 = time.perf_counter()
    docs, feats = features(args.split, config, args.cache)
    feat_s = time.perf_counter() - t0
    variants = (("in process, shipped settings", config),
                ("in process, index only (cells learnt from 16 stories on, 2 probed)",
                 replace(config, exact_below=0, index_cells=8, index_probe=2, index_warmup=16)))
    for label, cfg in variants if args.shuffles >= 0 else ():
        t0 = time.perf_counter()
        fixed, runs = evaluate(docs, feats, cfg, shuffles=args.shuffles, seed=2026)
        rows.append((label + ", sorted by doc_id", fixed, None))
        if runs:
            mean = {k: statistics.mean(r[k] for r in runs) for k in fixed}
            spread = {k: statistics.pstdev(r[k] for r in runs) for k in fixed}
            rows.append((label + f", {len(runs)} random orders (mean ± sd)", mean, spread))
    print(f"features in {feat_s:.1f}s", file=sys.stderr)
    print_rows(args.split, docs, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
