"""Which sentence embedder should story clustering use? Measure, then choose.

Run from the repository root::

    .venv/bin/python -m benchmarks.embed_choice

For each model that :mod:`tidings.stories.embed` knows it prints:

* speed: texts per second embedding ECB+ leads (title + first ~80 words) in
  batches of 64 on this machine's cores (noisy when the cores are shared);
* ECB+ pair separation on the train and dev splits (never test): ROC AUC of
  the cosine between two documents for "same gold event" against "different
  event", over all pairs and over the hard pairs only (same topic, so two
  similar events of one kind, e.g. two celebrity rehab stays);
* cross-lingual check on :data:`TRANSLATIONS` (20 news sentences written for
  Tidings in English, French, German and Spanish): the share of sentences whose
  nearest other sentence is one of its own translations, and the mean margin
  between the least similar translation and the most similar other sentence.

The ECB+ part is skipped with a message when the data folder is missing; the
cross-lingual part needs no data.

``--xl`` prints instead the calibration of the clusterer's cross-language floor
(``ClusterConfig.xl_shift``) on :data:`TRANSLATIONS` with the default embedder:
how much lower unrelated sentences score across languages than within one
(mean, 90th and 99th percentile), and BCubed scores of the online clusterer
over the 80 sentences (20 gold clusters, 20 random orders) for several shifts.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

from tests.stories.translations import LANGUAGES, TRANSLATIONS


def datasets_dir() -> Path:
    env = os.environ.get("TIDINGS_DATASETS")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


_DETOK = [
    (re.compile(r" ([,.;:!?%)\]}])"), r"\1"),
    (re.compile(r"([(\[{$]) "), r"\1"),
    (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", re.I), r"\1"),
    (re.compile(r"\s*(``|'')\s*"), ' " '),
    (re.compile(r"(\w) - (\w)"), r"\1-\2"),
    (re.compile(r" / "), "/"),
    (re.compile(r"[ \t]+"), " "),
]


def detokenize(text: str) -> str:
    """Undo ECB+'s tokenisation (spaces around punctuation) well enough for embedding and keys."""
    for pattern, repl in _DETOK:
        text = pattern.sub(repl, text)
    return text.strip()


def ecb_title_and_text(raw: str) -> tuple[str, str]:
    """ECB+ documents have no title field: take the first line that is not a URL or a date-only line."""
    lines = [detokenize(line) for line in raw.split("\n") if line.strip()]
    body = [line for line in lines if not re.match(r"^(https?:|www\.)", line.replace(" ", ""))]
    if not body:
        return "", ""
    return body[0], "\n".join(body[1:])


def load_ecbplus(split: str | tuple[str, ...]) -> list[dict]:
    """ECB+ documents of one or more splits (``train``/``dev``/``test``), sorted by doc_id."""
    path = datasets_dir() / "ecbplus" / "ecbplus_docs.jsonl"
    splits = (split,) if isinstance(split, str) else split
    docs = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            if doc["split_cybulska_vossen"] in splits:
                docs.append(doc)
    docs.sort(key=lambda d: d["doc_id"])
    return docs


def lead(title: str, text: str, words: int = 80) -> str:
    return (title + "\n" + " ".join(text.split()[:words])).strip()


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    return float(roc_auc_score(y, np.r_[pos, neg]))


def ecb_separation(vectors: np.ndarray, docs: list[dict]) -> tuple[float, float]:
    """(AUC over all pairs, AUC over same-topic pairs) of cosine for same-subtopic pairs."""
    sims = vectors @ vectors.T
    sub = np.array([d["subtopic"] for d in docs])
    top = np.array([d["topic"] for d in docs])
    iu = np.triu_indices(len(docs), k=1)
    s = sims[iu]
    same = (sub[:, None] == sub[None, :])[iu]
    same_topic = (top[:, None] == top[None, :])[iu]
    return auc(s[same], s[~same]), auc(s[same], s[same_topic & ~same])


def crosslingual(embedder) -> tuple[float, float]:
    """(top-1 accuracy, mean margin) on :data:`TRANSLATIONS`."""
    texts = [t for row in TRANSLATIONS for t in row]
    group = np.repeat(np.arange(len(TRANSLATIONS)), len(LANGUAGES))
    v = embedder.embed(texts)
    sims = v @ v.T
    np.fill_diagonal(sims, -np.inf)
    hits, margins = 0, []
    for i in range(len(texts)):
        same = group == group[i]
        same[i] = False
        other = group != group[i]
        hits += int(same[int(np.argmax(sims[i]))])
        margins.append(float(sims[i][same].min() - sims[i][other].max()))
    return hits / len(texts), float(np.mean(margins))


def xl_calibration(shifts: tuple[float, ...] = (0.0, 0.02, 0.04, 0.06, 0.08), orders: int = 20) -> int:
    """Print the cross-language cosine shift and clustering scores on :data:`TRANSLATIONS`."""
    import itertools
    import random
    from dataclasses import replace

    from benchmarks.ecbplus import bcubed
    from tidings.records import Article
    from tidings.stories.cluster import ClusterConfig, OnlineClusterer, features_for

    articles = [Article(id=f"{r}-{lang}", title="", text=text, language=lang)
                for r, row in enumerate(TRANSLATIONS) for lang, text in zip(LANGUAGES, row)]
    gold = [r for r in range(len(TRANSLATIONS)) for _ in LANGUAGES]
    feats = features_for(articles, None, ClusterConfig())
    v = np.stack([f.vector for f in feats])
    iu = np.triu_indices(len(feats), k=1)
    sims = (v @ v.T)[iu]
    row = np.array(gold)
    lang = np.array([a.language for a in articles])
    unrelated = row[iu[0]] != row[iu[1]]
    same_lang = lang[iu[0]] == lang[iu[1]]
    mono, cross = sims[unrelated & same_lang], sims[unrelated & ~same_lang]
    print("| unrelated sentence pairs | mean | p90 | p99 |")
    print("|---|---|---|---|")
    for label, s in (("same language", mono), ("across languages", cross)):
        print(f"| {label} ({len(s)}) | {s.mean():.3f} | {np.percentile(s, 90):.3f} | {np.percentile(s, 99):.3f} |")
    print(f"| shift (same - across) | {mono.mean() - cross.mean():.3f} | "
          f"{np.percentile(mono, 90) - np.percentile(cross, 90):.3f} | "
          f"{np.percentile(mono, 99) - np.percentile(cross, 99):.3f} |")
    print()
    print(f"| xl_shift | BCubed P | BCubed R | BCubed F1 ({orders} random orders, mean) |")
    print("|---|---|---|---|")
    for shift in shifts:
        config = replace(ClusterConfig(), xl_shift=shift)
        rng = random.Random(0)
        runs = []
        for _ in range(orders):
            order = list(range(len(feats)))
            rng.shuffle(order)
            counter = itertools.count(1)
            clusterer = OnlineClusterer(config, new_id=lambda counter=counter: f"s{next(counter)}")
            placed = {i: clusterer.place(feats[i]).story_id for i in order}
            runs.append(bcubed([clusterer.resolve(placed[i]) for i in range(len(feats))], gold))
        p, r, f = (float(np.mean([x[k] for x in runs])) for k in range(3))
        print(f"| {shift:.2f} | {p:.3f} | {r:.3f} | {f:.3f} |")
    return 0


def main() -> int:
    from tidings.stories.embed import DEFAULT_EMBEDDER, available_embedders, get_embedder

    if "--xl" in sys.argv[1:]:
        return xl_calibration()

    data_ok = (datasets_dir() / "ecbplus" / "ecbplus_docs.jsonl").exists()
    if not data_ok:
        print(f"ECB+ not found under {datasets_dir()}: skipping the speed and ECB+ columns.", file=sys.stderr)
    docs = load_ecbplus(("train", "dev")) if data_ok else []
    leads = [lead(*ecb_title_and_text(d["text"])) for d in docs]
    rows = []
    for name in available_embedders():
        t0 = time.perf_counter()
        emb = get_embedder(name)
        emb.embed(["warm up"])
        load_s = time.perf_counter() - t0
        row = {"model": name, "dim": emb.dim, "load_s": load_s}
        if data_ok:
            t0 = time.perf_counter()
            vec = emb.embed(leads, batch_size=64)
            row["texts_per_s"] = len(leads) / (time.perf_counter() - t0)
            for split in ("train", "dev"):
                idx = [i for i, d in enumerate(docs) if d["split_cybulska_vossen"] == split]
                row[f"{split}_auc"], row[f"{split}_auc_hard"] = ecb_separation(vec[idx], [docs[i] for i in idx])
        row["xling_acc"], row["xling_margin"] = crosslingual(emb)
        rows.append(row)

    cols = ["model", "dim", "load_s", "texts_per_s", "train_auc", "train_auc_hard", "dev_auc", "dev_auc_hard",
            "xling_acc", "xling_margin"]
    print(f"cores: {os.cpu_count()}; ECB+ leads embedded: {len(leads)}; default: {DEFAULT_EMBEDDER}")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in rows:
        cells = []
        for c in cols:
            v = row.get(c, "n/a")
            cells.append(f"{v:.3f}" if isinstance(v, float) else str(v))
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
