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
is tagged with (no keyphrases are read to build it). ``--no-doc-freq`` tags
without a table, as the product does where it has none.

The tag ranking's weights were set on a dev slice (every fifth document in
file-name order, 100 documents); the table reports that slice, the other 400
documents, and all 500.

    .venv/bin/python -m benchmarks.keyphrases [--top 10] [--limit N] [--no-doc-freq]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from tidings.stories.tags import document_frequencies, document_terms, tags_for

ANCHORS = {"YAKE": 0.173, "MultipartiteRank": 0.182, "FirstPhrases": 0.171, "TfIdf": 0.169}


def data_dir() -> Path:
    env = os.environ.get("TIDINGS_DATASETS")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def _stemmer():
    try:
        from nltk.stem.porter import PorterStemmer
    except ImportError:  # pragma: no cover - nltk comes with rouge-score (the test extra)
        return None
    return PorterStemmer()


def normalise(phrase: str, stem) -> str:
    text = phrase.lower().replace("-", "").replace("\u2019", "'")
    text = re.sub(r"'s\b", "", text)
    words = re.findall(r"\w+", text)
    return " ".join(stem(w) for w in words)


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


def score(predicted: list[str], gold: list[str], stem) -> tuple[float, float, float]:
    gold_set = {normalise(g, stem) for g in gold} - {""}
    seen: list[str] = []
    for p in predicted:
        n = normalise(p, stem)
        if n and n not in seen:
            seen.append(n)
    if not seen or not gold_set:
        return 0.0, 0.0, 0.0
    hits = sum(1 for p in seen if p in gold_set)
    precision, recall = hits / len(seen), hits / len(gold_set)
    f = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents (quick look)")
    parser.add_argument("--no-doc-freq", action="store_true",
                        help="tag without the collection's document-frequency table")
    args = parser.parse_args(argv)

    zip_path = data_dir() / "keyphrases" / "500N-KPCrowd-v1.1.zip"
    if not zip_path.exists():
        print(f"SKIP: 500N-KPCrowd not found at {zip_path} (set TIDINGS_DATASETS)")
        return 0
    stemmer = _stemmer()
    if stemmer is None:
        print("SKIP: nltk (Porter stemmer) is not installed; install the test extra")
        return 0
    with tempfile.TemporaryDirectory(prefix="kpcrowd-") as tmp:
        docs = load_documents(zip_path, Path(tmp))
    if args.limit:
        docs = docs[: args.limit]

    parts = [_parts(text) for _, text, _ in docs]
    table = None if args.no_doc_freq else document_frequencies(parts, "en")

    rows: dict[str, list[tuple[float, float, float]]] = {"dev (every 5th, 100)": [], "rest (400)": [], "all": []}
    start = time.perf_counter()
    for i, (_, _, gold) in enumerate(docs):
        doc_freq = table.without(document_terms(parts[i], "en")) if table is not None else None
        tags = tags_for(parts[i], "en", top=args.top, doc_freq=doc_freq)
        result = score([t.name for t in tags], gold, stemmer.stem)
        rows["dev (every 5th, 100)" if i % 5 == 0 else "rest (400)"].append(result)
        rows["all"].append(result)
    elapsed = time.perf_counter() - start

    print(f"500N-KPCrowd: {len(docs)} documents, top {args.top} tags, stemmed exact match, "
          + ("no document-frequency table" if table is None else "leave-one-out document frequencies"))
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


if __name__ == "__main__":
    sys.exit(main())
