"""AG News topic accuracy of the section classifier (zero-shot and 8-shot).

Runs the product's :class:`tidings.stories.sections.SectionClassifier` on the AG
News test set (7,600 news items, 4 classes: World, Sports, Business, Sci/Tech):

* zero-shot: each class is a one-line description. Three candidate wordings were
  written once; the one used is the best on a held-out *dev slice* (100 items a
  class, drawn with seed 0), and every accuracy is then measured on the other
  7,200 items. The dev accuracies of all candidates are printed too.
* 8-shot: the same descriptions plus 8 labelled examples a class, drawn from the
  7,200 with seeds 0-4; evaluated on the remaining items; mean and spread (min-max
  and standard deviation) over the 5 draws.
* transductive (``adapt=True``): the same two settings, but the evaluation items
  are filed as one batch and the prototypes are first adapted to the batch's
  texts (never its labels) by :func:`refine_prototypes`; also in random batches
  of 50, closer to one ``tidings update``, alone or adapting also on the 2,000
  items filed before each batch (``context``). Its settings were chosen on the dev
  slice, where the table printed also covers batches drawn from a single class
  (the case where a careless adaptation lets absent sections take over).

    .venv/bin/python -m benchmarks.ag_news [--embedder e5|use] [--per-class N] [--dev-only]

``--per-class N`` evaluates on a stratified sample of N items a class (seed 1)
instead of all 7,200, for embedders too slow for the whole set on a small box.
Embeddings are cached under ``$TIDINGS_BENCH_CACHE`` (default
``~/.cache/tidings-bench``), keyed by model and text, so a second run is quick.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np

from tidings.stories.cluster import ClusterConfig, title_and_lead
from tidings.stories.embed import E5_NAME, get_embedder, resolve_name
from tidings.stories.sections import (
    ADAPT_PSEUDO_COUNT,
    ADAPT_WEIGHT,
    EXAMPLE_WEIGHT,
    Section,
    SectionClassifier,
    refine_prototypes,
)

CLASSES = ["World", "Sports", "Business", "Sci/Tech"]

# Candidate one-line descriptions, written once before any measurement.
WORDINGS: dict[str, dict[str, str]] = {
    "topic": {
        "World": "World news: international politics, governments, elections, wars, conflicts and diplomacy.",
        "Sports": "Sports news: games, matches, teams, players, coaches, leagues and tournaments.",
        "Business": "Business news: companies, markets, stocks, the economy, earnings, oil prices and trade.",
        "Sci/Tech": "Science and technology news: computers, software, the internet, space, science research "
                    "and technology companies.",
    },
    "short": {
        "World": "World politics and international affairs",
        "Sports": "Sports",
        "Business": "Business and the economy",
        "Sci/Tech": "Science and technology",
    },
    "headline": {
        "World": "A news story about a country's government, politics, a war, an attack or an election.",
        "Sports": "A news story about a sports game, a team, an athlete or a championship.",
        "Business": "A news story about a company's earnings, a merger, stock markets, oil prices or the economy.",
        "Sci/Tech": "A news story about a technology product, software, the internet, a scientific discovery "
                    "or space exploration.",
    },
}
SHOTS = 8
DRAWS = 5
DEV_PER_CLASS = 100
BATCH = 50  # items a batch for the "small batches" transductive rows
CONTEXT = 2000  # earlier items a small batch may adapt on as context (what update could keep of recent stories)


def data_dir() -> Path:
    env = os.environ.get("TIDINGS_DATASETS")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def _clean(s: str) -> str:
    return " ".join(s.replace("\\", " ").replace("#36;", "$").replace("#39;", "'").split())


def load(path: Path) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            labels.append(int(row[0]) - 1)
            # an item is an article: title and lead, as the clusterer embeds it and the story's
            # section vector is made of (tidings.stories.sections.story_vector)
            texts.append(title_and_lead(_clean(row[1]), _clean(row[2]), ClusterConfig().lead_words))
    return texts, np.asarray(labels)


def _cache_path(model: str, kind: str) -> Path:
    cache = Path(os.environ.get("TIDINGS_BENCH_CACHE", Path.home() / ".cache" / "tidings-bench"))
    # "ort": vectors of the ONNX Runtime e5 (December 2026); the C engine's, cached before, differ slightly
    return cache / f"ag_news_{model}_{kind}{'_ort' if model == E5_NAME else ''}.npz"


def _text_id(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def cached_embeddings(classifier: SectionClassifier, model: str, texts: list[str]) -> np.ndarray:
    """``classifier.embed(texts)``, through a cache of earlier runs' vectors (by text)."""
    path = _cache_path(model, classifier.text_kind)
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as data:
            known = dict(zip(data["ids"].tolist(), data["vectors"]))
    ids = [_text_id(t) for t in texts]
    missing = [i for i, tid in enumerate(ids) if tid not in known]
    if missing:
        start = time.perf_counter()
        vectors = classifier.embed([texts[i] for i in missing])
        took = time.perf_counter() - start
        print(f"embedded {len(missing)} texts with {model} in {took:.0f} s "
              f"({len(missing) / took:.1f} texts/s on 2 shared cores)", file=sys.stderr)
        for i, v in zip(missing, vectors):
            known[ids[i]] = v
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, ids=np.asarray(list(known)), vectors=np.vstack(list(known.values())))
    return np.vstack([known[tid] for tid in ids])


def accuracy(classifier: SectionClassifier, vectors: np.ndarray, labels: np.ndarray, *,
             adapt: bool = False, batch: int = 0, context: int = 0) -> float:
    """Accuracy of the product path; with ``adapt``, the items are filed as one batch,
    or as random batches of ``batch`` items (fixed order, seed 2), each adapting also on
    the up to ``context`` items filed before it (their texts only)."""
    if adapt and batch:
        order = np.random.default_rng(2).permutation(len(labels))
        correct = 0
        for start in range(0, len(order), batch):
            part = order[start:start + batch]
            before = vectors[order[max(0, start - context):start]] if context else None
            results = classifier.classify_vectors(vectors[part], adapt=True, context=before)
            correct += sum(CLASSES.index(r.section) == y for r, y in zip(results, labels[part]))
        return correct / len(labels)
    predicted = [CLASSES.index(r.section) for r in classifier.classify_vectors(vectors, adapt=adapt)]
    return float(np.mean(np.asarray(predicted) == labels))


def _dev_batches(items: np.ndarray, labels: np.ndarray) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """The dev-slice batch shapes the adaptation was chosen on: (batch, context) pairs."""
    order = np.random.default_rng(3).permutation(items)
    none = np.zeros(0, dtype=int)
    return {
        "whole": [(items, none)],
        f"by {BATCH}": [(order[i:i + BATCH], none) for i in range(0, len(order), BATCH)],
        f"{BATCH}+ctx": [(order[i:i + BATCH], order[max(0, i - CONTEXT):i]) for i in range(0, len(order), BATCH)],
        "1 class": [(items[labels[items] == c], none) for c in range(len(CLASSES))],
    }


def dev_adaptation_table(embedder: object, wording: dict[str, str], texts: list[str], vectors: np.ndarray,
                         labels: np.ndarray, dev: np.ndarray) -> None:
    """Print dev accuracy of the adaptation settings (zero-shot and 8-shot inside the dev slice)."""
    settings: list[tuple[str, float, float]] = [("inductive", 0.0, 0.0)]
    settings += [(f"w {w} / n0 {n0:g}", w, n0) for w in (0.3, 0.5, 0.7) for n0 in (3.0, 10.0)]
    for shots in (0, SHOTS):
        rows = {name: {} for name, _, _ in settings}
        for seed in range(100, 100 + DRAWS):
            draw = np.random.default_rng(seed)
            picked = np.concatenate([draw.permutation(dev[labels[dev] == c])[:shots] for c in range(4)])
            examples = {CLASSES[c]: [texts[i] for i in picked if labels[i] == c] for c in range(4)}
            clf = SectionClassifier(sections_for(wording, examples), embedder)  # type: ignore[arg-type]
            held = np.setdiff1d(dev, picked)
            for shape, batches in _dev_batches(held, labels).items():
                for name, weight, n0 in settings:
                    correct = 0
                    for part, context in batches:
                        adapt_on = vectors[np.concatenate([part, context])]
                        protos = refine_prototypes(clf.prototypes, adapt_on, weight=weight, pseudo_count=n0)
                        correct += int(np.sum(np.argmax(vectors[part] @ protos.T, axis=1) == labels[part]))
                    rows[name].setdefault(shape, []).append(correct / len(held))
        shapes = list(_dev_batches(dev, labels))
        title = "zero-shot" if not shots else f"{shots}-shot"
        print(f"{'adaptation, dev ' + title:<26}" + "".join(f"{s:>10}" for s in shapes))
        for name, weight, n0 in settings:
            mark = "  (product default)" if (weight, n0) == (ADAPT_WEIGHT, ADAPT_PSEUDO_COUNT) else ""
            print(f"{name:<26}" + "".join(f"{np.mean(rows[name][s]):>10.3f}" for s in shapes) + mark)
        print()


def sections_for(wording: dict[str, str], examples: dict[str, list[str]] | None = None) -> list[Section]:
    return [Section(c, wording[c], list((examples or {}).get(c, []))) for c in CLASSES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default=None, help="embedding model (default: the product's)")
    parser.add_argument("--per-class", type=int, default=0,
                        help="evaluate on a stratified sample of N items a class (for slow embedders)")
    parser.add_argument("--dev-only", action="store_true",
                        help="print the dev-slice tables only (for choosing settings); skip the held-out items")
    args = parser.parse_args(argv)

    path = data_dir() / "ag_news" / "test.csv"
    if not path.exists():
        print(f"SKIP: AG News test set not found at {path} (set TIDINGS_DATASETS)")
        return 0
    texts, labels = load(path)
    model = resolve_name(args.embedder)
    embedder = get_embedder(model)

    rng = np.random.default_rng(0)
    dev = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:DEV_PER_CLASS] for c in range(4)])
    rest = np.setdiff1d(np.arange(len(labels)), dev)

    pool = rest  # 8-shot examples are drawn from here
    evaluation = rest
    if args.per_class:  # a stratified sample of the evaluation items (seed 1), for slow embedders
        sampler = np.random.default_rng(1)
        evaluation = np.sort(np.concatenate(
            [sampler.permutation(rest[labels[rest] == c])[: args.per_class] for c in range(4)]))
    draws = []
    for seed in range(DRAWS):
        draw = np.random.default_rng(seed)
        draws.append(np.concatenate([draw.permutation(pool[labels[pool] == c])[:SHOTS] for c in range(4)]))
    needed = np.unique(np.concatenate([dev, evaluation, *draws]))

    probe = SectionClassifier(sections_for(WORDINGS["topic"]), embedder)
    vectors = np.zeros((len(texts), probe.prototypes.shape[1]), dtype=np.float32)
    vectors[needed] = cached_embeddings(probe, model, [texts[i] for i in needed])

    print(f"AG News test set, {len(labels)} items; embedder {model}")
    print(f"dev slice: {len(dev)} items (seed 0); evaluation: {len(evaluation)} of the other {len(rest)} items"
          + (f" (stratified sample, {args.per_class} a class, seed 1)" if args.per_class else "") + "\n")
    print(f"{'wording':<10} {'dev acc':>8}")
    dev_scores = {}
    for name, wording in WORDINGS.items():
        clf = SectionClassifier(sections_for(wording), embedder)
        dev_scores[name] = accuracy(clf, vectors[dev], labels[dev])
        print(f"{name:<10} {dev_scores[name]:>8.3f}")
    chosen = max(dev_scores, key=dev_scores.__getitem__)
    print(f"chosen wording: {chosen}\n")

    # how the prototype's example share was chosen: 8-shot inside the dev slice (seeds 100-104)
    print(f"{'example weight':<15} {'dev 8-shot':>10}")
    for weight in (0.3, 0.5, 0.7, 1.0):
        accs = []
        for seed in range(100, 100 + DRAWS):
            draw = np.random.default_rng(seed)
            picked = np.concatenate([draw.permutation(dev[labels[dev] == c])[:SHOTS] for c in range(4)])
            examples = {CLASSES[c]: [texts[i] for i in picked if labels[i] == c] for c in range(4)}
            clf = SectionClassifier(sections_for(WORDINGS[chosen], examples), embedder, example_weight=weight)
            held = np.setdiff1d(dev, picked)
            accs.append(accuracy(clf, vectors[held], labels[held]))
        mark = "  (product default)" if weight == EXAMPLE_WEIGHT else ""
        print(f"{weight:<15} {np.mean(accs):>10.3f}{mark}")
    print()

    dev_adaptation_table(embedder, WORDINGS[chosen], texts, vectors, labels, dev)
    if args.dev_only:
        return 0

    modes = {"inductive": {}, "transductive, one batch": {"adapt": True},
             f"transductive, batches of {BATCH}": {"adapt": True, "batch": BATCH},
             f"transductive, batches of {BATCH} + {CONTEXT} earlier as context":
                 {"adapt": True, "batch": BATCH, "context": CONTEXT}}
    zero = SectionClassifier(sections_for(WORDINGS[chosen]), embedder)
    zero_acc = {mode: accuracy(zero, vectors[evaluation], labels[evaluation], **kw) for mode, kw in modes.items()}

    shot_accs: dict[str, list[float]] = {mode: [] for mode in modes}
    for picked in draws:
        examples = {CLASSES[c]: [texts[i] for i in picked if labels[i] == c] for c in range(4)}
        clf = SectionClassifier(sections_for(WORDINGS[chosen], examples), embedder)
        evaluate = np.setdiff1d(evaluation, picked)
        for mode, kw in modes.items():
            shot_accs[mode].append(accuracy(clf, vectors[evaluate], labels[evaluate], **kw))

    for mode in modes:
        shots = np.asarray(shot_accs[mode])
        print(f"{mode}")
        print(f"{'  zero-shot (descriptions)':<34} {zero_acc[mode]:>22.3f}")
        print(f"{f'  {SHOTS}-shot, {DRAWS} draws (mean ± sd)':<34} "
              f"{f'{shots.mean():.3f} ± {shots.std():.3f}':>22}")
        print(f"{'  8-shot min / max':<34} {f'{shots.min():.3f} / {shots.max():.3f}':>22}")
        print(f"{'  per draw':<34} {' '.join(f'{a:.3f}' for a in shots):>22}")
    print("\nanchors: TF-IDF + linear SVM, 5-fold inside the test set 0.878; fastText (120k training items) 0.925")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
