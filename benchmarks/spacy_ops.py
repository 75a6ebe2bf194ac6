"""What the names cost: spaCy's NER on each article's title and first 2,000 characters, with
thinc's BLIS kernels against numpy's matrix product, one call an article against one ``pipe`` over
a batch, the shared ``tok2vec`` component kept (as before) or not (``ner`` has its own), and whether
the entities are the same.

    .venv/bin/python -m benchmarks.spacy_ops [--articles 400] [--wide --articles 3000]

Texts: the demo corpus and the Multi-News dev slice (``TIDINGS_DATASETS``), as the ``features`` stage
reads them; ``--wide`` adds every ECB+ document and KPCrowd's 500. Each variant runs in a fresh process on one thread (as a worker does), so a variant's
model is loaded the way the product loads it; CPU time is the process's own.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.multinews import datasets_dir


def texts(limit: int, wide: bool = False) -> list[tuple[str, str]]:
    """The demo corpus and Multi-News dev; with ``wide``, also every ECB+ document and KPCrowd's
    500 (the texts behind the clustering and tags figures of docs/evaluation.md)."""
    from tidings.demo.corpus import load_corpus

    items = [(a.title, a.text[:2000]) for a in load_corpus().articles]
    data = datasets_dir() / "multinews_dev" / "multinews_dev.jsonl"
    if data.exists():
        for line in data.read_text(encoding="utf-8").splitlines():
            for doc in json.loads(line)["docs"]:
                items.append((doc["text"].split("\n")[0][:150], doc["text"][:2000]))
    if wide:
        from benchmarks.ecbplus import docs_to_articles
        from benchmarks.embed_choice import load_ecbplus

        for split in ("train", "dev", "test"):
            items += [(a.title, a.text[:2000]) for a in docs_to_articles(load_ecbplus(split))]
        zip_path = datasets_dir() / "keyphrases" / "500N-KPCrowd-v1.1.zip"
        if zip_path.exists():
            from benchmarks.keyphrases import load_documents

            with tempfile.TemporaryDirectory() as tmp:
                for _, text, _ in load_documents(zip_path, Path(tmp)):
                    lines = [line for line in text.splitlines() if line.strip()]
                    items.append((lines[0][:200] if lines else "", "\n".join(lines[1:])[:2000]))
    return items[:limit]


def variant(blis: bool, batched: bool, limit: int, out: str, wide: bool = False, tok2vec: bool = False) -> None:
    """One variant, in this (fresh) process: load the models, warm up, time, keep the entities."""
    from tidings.stories import entities
    from tidings.stories.entities import detect_language

    items = texts(limit, wide)
    languages = [(detect_language(f"{t}\n{x}") or "")[:2] for t, x in items]
    if blis or tok2vec:  # the product loads under numpy's ops, the recogniser alone
        keep = entities._KEEP_PIPES | ({"tok2vec"} if tok2vec else set())
        entities._models.clear()
        entities._models.update({lang: entities.load_spacy(lang, keep=keep, use_blis=blis)
                                 for lang in entities._SPACY_MODELS})
    models = {lang: entities.spacy_model(lang) for lang in set(languages)}
    for nlp in models.values():
        if nlp is not None:
            list(nlp.pipe(["Warm-up in Paris.", "Lena Hartmann met the European Commission in Brussels."]))
    found: list[list[tuple[int, int, str]] | None] = [None] * len(items)
    start = time.process_time()
    if batched:
        for lang, nlp in models.items():
            idx = [i for i, x in enumerate(languages) if x == lang]
            if nlp is None or not idx:
                continue
            docs = list(nlp.pipe([p for i in idx for p in items[i]], batch_size=64))
            for n, i in enumerate(idx):
                found[i] = [(e.start_char, e.end_char, e.label_) for d in docs[2 * n:2 * n + 2] for e in d.ents]
    else:
        for i, (lang, item) in enumerate(zip(languages, items, strict=True)):
            nlp = models.get(lang)
            if nlp is not None:
                found[i] = [(e.start_char, e.end_char, e.label_) for d in nlp.pipe(list(item)) for e in d.ents]
    seconds = time.process_time() - start
    counted = sum(f is not None for f in found)
    Path(out).write_bytes(pickle.dumps({"seconds": seconds, "articles": counted, "found": found}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--wide", action="store_true",
                        help="also every ECB+ document and KPCrowd's 500 (set --articles high enough)")
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        blis, batched, tok2vec, out = args.variant.split(",")
        variant(blis == "1", batched == "1", args.articles, out, args.wide, tok2vec == "1")
        return
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    results = {}
    # (BLIS, batched, shared tok2vec kept): round two's product first, the shipped one last
    variants = [(True, False, True), (True, True, True), (False, False, True), (False, True, True),
                (False, True, False)]
    with tempfile.TemporaryDirectory() as tmp:
        for blis, batched, tok2vec in variants:
            out = f"{tmp}/{int(blis)}{int(batched)}{int(tok2vec)}.pkl"
            subprocess.run([sys.executable, "-m", "benchmarks.spacy_ops", "--articles", str(args.articles),
                            *(["--wide"] if args.wide else []),
                            "--variant", f"{int(blis)},{int(batched)},{int(tok2vec)},{out}"], check=True, env=env)
            results[(blis, batched, tok2vec)] = pickle.loads(Path(out).read_bytes())
    base = results[variants[0]]
    print(f"spaCy NER on {base['articles']} articles (title + first 2,000 characters), one thread:")
    print("| gemm | calls | components | CPU ms an article | entities as the first row's |")
    print("|---|---|---|---:|---|")
    for (blis, batched, tok2vec), r in results.items():
        same = sum(a == b for a, b in zip(r["found"], base["found"], strict=True))
        shipped = (blis, batched, tok2vec) == variants[-1]
        print(f"| {'BLIS (thinc default)' if blis else 'numpy'} | "
              f"{'one pipe a batch' if batched else 'one call an article'} | "
              f"{'tok2vec + ner' if tok2vec else 'ner alone'}{' (shipped)' if shipped else ''} | "
              f"{r['seconds'] / max(1, r['articles']) * 1000:.1f} | {same} of {len(r['found'])} the same |")


if __name__ == "__main__":
    main()
