"""Keyphrase quality of the tags stage on 500N-KPCrowd (F@10, stemmed exact match).

For each of the 500 English news articles, :func:`tidings.stories.tags.tags_for`
gets the article's first line as its title and the rest as its text, and its ten
best tags are compared with the crowd-annotated keyphrases. Both sides are
lower-cased, hyphens and punctuation removed, and every word Porter-stemmed
(nltk's implementation, installed with rouge-score); a tag counts when its
stemmed form equals a stemmed gold phrase. P, R and F are averaged over
documents (macro), as in the published results.

Like pke's TfIdf with its DF file, the tags stage may be given a table of how many
other documents use each word (:class:`tidings.stories.tags.DocFreq`); here it is
built from the collection's own texts, leaving each document out of the table it
is tagged with (no keyphrases are read to build it). ``tidings update`` passes
no table, so the default here is none too: the figure is the product's; ``--doc-freq``
tags with the table.

The tag ranking's weights were set on a dev slice (every fifth document in
file-name order, 100 documents); the table reports that slice, the other 400
documents, and all 500. ``--fit`` refits the learned ranking
(:mod:`tidings.stories.tag_rank`) on the dev slice only, choosing its
regularisation by 5-fold cross-validation inside the slice, and prints the weight
table to ship; it reads no other document's keyphrases. ``--cv-all`` reports a
second, separate figure: 5-fold cross-validation over all 500 documents (folds by
document, each scored by a model not fitted on it). ``--ranker hand`` scores the
hand-set weights instead of the shipped default.

The headline figure comes from the command a user runs: every document is piped
through ``python -m tidings tags --top 10`` as ``{"id", "title", "text",
"language": "en"}`` and the tags it answers are scored. ``--doc-freq`` and
``--ranker hand`` score other settings in process, beside it.

    .venv/bin/python -m benchmarks.keyphrases [--top 10] [--limit N] [--doc-freq]
        [--ranker learned|hand] [--fit | --cv-all]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from tests.stories.keyphrase_fit import evaluate, examples, fit_weights, porter_stemmer, score
from tidings.stories.tag_rank import FEATURES, RANKER
from tidings.stories.tags import (
    Candidate,
    document_frequencies,
    document_terms,
    tag_candidates,
    tags_for,
)

ANCHORS = {"YAKE": 0.173, "MultipartiteRank": 0.182, "FirstPhrases": 0.171, "TfIdf": 0.169}


def data_dir() -> Path:
    env = os.environ.get("TIDINGS_DATASETS")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def load_documents(zip_path: Path, workdir: Path) -> list[tuple[str, str, list[str]]]:
    """(name, text, gold keyphrases) for every document, in file-name order."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(workdir)
    root = next(workdir.rglob("docsutf8")).parent
    docs = []
    for path in sorted((root / "docsutf8").glob("*.txt")):
        keys_path = root / "keys" / (path.stem + ".key")
        if not keys_path.exists():
            continue
        gold = [line.strip() for line in keys_path.read_text(encoding="utf-8", errors="replace").splitlines()
                if line.strip()]
        docs.append((path.stem, path.read_text(encoding="utf-8", errors="replace"), gold))
    return docs


def _parts(text: str) -> list[str]:
    """An article's first line as its title and the rest as its text."""
    title, _, body = text.strip().partition("\n")
    return [title, body] if body.strip() else [title]


def command_tags(parts: list[list[str]], top: int) -> list[list[str]]:
    """Each document's tag names from ``tidings tags --top N``, run as a user runs it."""
    import json
    import subprocess

    lines = "".join(json.dumps({"id": str(i), "title": p[0], "text": p[1] if len(p) > 1 else "", "language": "en"})
                    + "\n" for i, p in enumerate(parts))
    done = subprocess.run([sys.executable, "-m", "tidings", "tags", "--top", str(top)], input=lines,
                          capture_output=True, text=True, check=False)
    answers = {a.get("id"): a for a in map(json.loads, done.stdout.splitlines())}
    out = []
    for i in range(len(parts)):
        answer = answers.get(str(i))
        if answer is None or "error" in answer:
            raise RuntimeError(f"tidings tags failed on document {i}: {answer or done.stderr[-500:]}")
        out.append([t["name"] for t in answer["tags"]])
    return out


# --- the learned ranking: candidates, fitting, cross-validation ----------------------------------

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def is_dev(index: int) -> bool:
    """The dev slice: every fifth document in file-name order."""
    return index % 5 == 0


def _cache_path(table: bool, documents: int = 500) -> Path:
    import hashlib

    import tidings.stories.entities as entities_module
    import tidings.stories.tag_candidates as candidates_module
    import tidings.stories.tag_words as words_module

    source = b"".join(Path(m.__file__).read_bytes() for m in (words_module, candidates_module, entities_module))  # type: ignore[arg-type]
    digest = hashlib.sha1(source + (b"table" if table else b"none") + str(documents).encode()).hexdigest()[:12]
    return Path.home() / ".cache" / "tidings-bench" / "kpx" / f"candidates-{digest}.pkl"


def document_candidates(parts: list[list[str]], table) -> list[list[Candidate]]:
    """Every document's tag candidates (the product's :func:`tag_candidates`, each document
    left out of the doc_freq table), cached on disk by the source of the code that makes them."""
    import pickle

    path = _cache_path(table is not None, len(parts))
    if path.exists():
        return pickle.loads(path.read_bytes())
    out = []
    for doc in parts:
        doc_freq = table.without(document_terms(doc, "en")) if table is not None else None
        out.append(tag_candidates(doc, "en", doc_freq=doc_freq))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(out))
    return out


def cross_validate(cands, golds, stem, c: float, folds: int = 5, features: tuple[str, ...] = FEATURES,
                   balanced: bool = False, top: int = 10) -> float:
    """Mean F@``top`` over the documents, each ranked by a model fitted on the other folds
    (document ``i`` in fold ``i % folds``)."""
    total = 0.0
    for k in range(folds):
        train = [i for i in range(len(cands)) if i % folds != k]
        held = [i for i in range(len(cands)) if i % folds == k]
        weights = fit_weights([cands[i] for i in train], [golds[i] for i in train], stem, c, features, balanced)
        total += evaluate([cands[i] for i in held], [golds[i] for i in held], stem, weights, top) * len(held)
    return total / max(1, len(cands))


def choose_and_fit(cands, golds, stem, top: int = 10, echo: bool = True) -> tuple[float, float, dict[str, float]]:
    """The regularisation with the best cross-validated F@``top`` on these documents, that figure, and
    the weights fitted on all of them with it. ``echo`` prints every setting's figure."""
    results = {}
    for c in C_GRID:
        results[c] = cross_validate(cands, golds, stem, c, top=top)
        if echo:
            print(f"  C={c:<5} cross-validated F@{top} {results[c]:.3f}")
    best = max(results, key=lambda c: (results[c], -c))
    return best, results[best], fit_weights(cands, golds, stem, best)


def format_weights(weights: dict[str, float], name: str) -> str:
    lines = [f"{name}: dict[str, float] = {{"]
    for f in FEATURES:
        lines.append(f"    {f!r}: {weights.get(f, 0.0)},")
    return "\n".join(lines) + "\n}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents (quick look)")
    parser.add_argument("--dev", action="store_true", help="only the dev slice (every fifth document)")
    parser.add_argument("--doc-freq", action="store_true",
                        help="tag with the collection's leave-one-out document-frequency table "
                             "(the product has none: the default is without)")
    parser.add_argument("--no-doc-freq", action="store_true", help="(the default) tag without a table")
    parser.add_argument("--ranker", choices=("learned", "hand"), default=RANKER,
                        help=f"rank the candidates by the fitted or the hand-set weights (default {RANKER})")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--fit", action="store_true",
                      help="refit the learned ranking on the dev slice only and print its weight table")
    mode.add_argument("--cv-all", action="store_true",
                      help="5-fold cross-validation over all documents (a second figure, not the headline)")
    args = parser.parse_args(argv)

    zip_path = data_dir() / "keyphrases" / "500N-KPCrowd-v1.1.zip"
    if not zip_path.exists():
        print(f"SKIP: 500N-KPCrowd not found at {zip_path} (set TIDINGS_DATASETS)")
        return 0
    stemmer = porter_stemmer()
    if stemmer is None:
        print("SKIP: nltk (Porter stemmer) is not installed; install the test extra")
        return 0
    with tempfile.TemporaryDirectory(prefix="kpcrowd-") as tmp:
        docs = load_documents(zip_path, Path(tmp))
    if args.limit:
        docs = docs[: args.limit]
    if args.dev:
        docs = [d for i, d in enumerate(docs) if is_dev(i)]

    parts = [_parts(text) for _, text, _ in docs]
    table = document_frequencies(parts, "en") if args.doc_freq and not args.no_doc_freq else None
    if args.fit or args.cv_all:
        return _learn(args, docs, parts, table, stemmer.stem)

    rows: dict[str, list[tuple[float, float, float]]] = {"dev (every 5th, 100)": [], "rest (400)": [], "all": []}
    start = time.perf_counter()
    product = table is None and args.ranker == RANKER
    names = command_tags(parts, args.top) if product else None
    for i, (_, _, gold) in enumerate(docs):
        if names is not None:
            predicted = names[i]
        else:
            doc_freq = table.without(document_terms(parts[i], "en")) if table is not None else None
            predicted = [t.name for t in tags_for(parts[i], "en", top=args.top, doc_freq=doc_freq,
                                                  ranker=args.ranker)]
        result = score(predicted, gold, stemmer.stem)
        rows["dev (every 5th, 100)" if args.dev or is_dev(i) else "rest (400)"].append(result)
        rows["all"].append(result)
    elapsed = time.perf_counter() - start

    print(f"500N-KPCrowd: {len(docs)} documents, top {args.top} tags, stemmed exact match, "
          + (f"through `tidings tags --top {args.top}` (the product's path)" if product else
             ("no document-frequency table" if table is None else "leave-one-out document frequencies")
             + f", {args.ranker} ranking, in process (not the product's setting)"))
    print(f"{'documents':<22} {'n':>4} {'P@10':>7} {'R@10':>7} {'F@10':>7}")
    for name, values in rows.items():
        if not values:
            continue
        n = len(values)
        p, r, f = (sum(v[k] for v in values) / n for k in range(3))
        print(f"{name:<22} {n:>4} {p:>7.3f} {r:>7.3f} {f:>7.3f}")
    print(f"\n{elapsed:.1f} s for {len(docs)} documents ({elapsed / max(1, len(docs)) * 1000:.0f} ms each, "
          "2 shared cores: noisy)")
    print("published F@10: " + ", ".join(f"{k} {v:.3f}" for k, v in ANCHORS.items()))
    return 0


def _learn(args, docs, parts, table, stem) -> int:
    """``--fit``: choose the regularisation by cross-validation inside the dev slice, fit on the
    whole slice and print the table. ``--cv-all``: the 5-fold figure over every document."""
    golds = [gold for _, _, gold in docs]
    start = time.perf_counter()
    cands = document_candidates(parts, table)
    print(f"candidates of {len(cands)} documents in {time.perf_counter() - start:.0f} s "
          f"({sum(map(len, cands))} in all), " + ("no table" if table is None else "leave-one-out table"))
    if args.fit:
        dev = [i for i in range(len(docs)) if is_dev(i)]
        dev_cands, dev_golds = [cands[i] for i in dev], [golds[i] for i in dev]
        positives = sum(int(y) for y in examples(dev_cands, dev_golds, stem, FEATURES)[1])
        print(f"dev slice: {len(dev)} documents, {sum(len(c) for c in dev_cands)} candidates, {positives} gold")
        print(f"  hand-set weights: dev F@{args.top} {evaluate(dev_cands, dev_golds, stem, None, args.top):.3f}")
        best, _, weights = choose_and_fit(dev_cands, dev_golds, stem, args.top)
        print(f"chosen C={best}; fitted on the whole dev slice "
              f"(dev F@{args.top} in-sample {evaluate(dev_cands, dev_golds, stem, weights, args.top):.3f})")
        print(format_weights(weights, "WEIGHTS_NO_TABLE" if table is None else "WEIGHTS"))
        return 0
    # --cv-all: each fold chooses its own regularisation inside its training documents
    total, n = 0.0, len(cands)
    for k in range(5):
        train = [i for i in range(n) if i % 5 != k]
        held = [i for i in range(n) if i % 5 == k]
        best, inner, weights = choose_and_fit([cands[i] for i in train], [golds[i] for i in train], stem,
                                              args.top, echo=False)
        f = evaluate([cands[i] for i in held], [golds[i] for i in held], stem, weights, args.top)
        print(f"  fold {k}: C={best} (inner CV {inner:.3f}), held-out F@{args.top} {f:.3f} ({len(held)} docs)")
        total += f * len(held)
    print(f"5-fold cross-validation over all {n} documents: F@{args.top} {total / n:.3f} "
          f"(hand-set weights on the same documents: {evaluate(cands, golds, stem, None, args.top):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
