"""Extraction quality on trafilatura's evaluation set (990 pages, 2,951 + 2,966 segments).

Runs OUR path (:func:`tidings.extract.article.extract_article`) over every page
and, as a control in the same run, plain ``trafilatura.extract`` with the
settings of trafilatura's own benchmark. Scoring follows its ``evaluate.py``:
a segment that must be kept counts as found when its whitespace-normalised
text is a substring of the output; a segment that must be dropped must not be.

    .venv/bin/python -m benchmarks.extraction [--limit N]

The corpus is unpacked into a temporary folder, never into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PUBLISHED = [  # trafilatura docs/evaluation.rst, same corpus
    ("trafilatura 2.2 (published)", 0.906, 0.943, 0.924),
    ("magic-html (published)", None, None, 0.889),
    ("news-please (published)", None, None, 0.836),
    ("readability-lxml (published)", None, None, 0.826),
    ("goose3 (published)", None, None, 0.810),
    ("newspaper4k (published)", None, None, 0.801),
    ("html_text (published)", None, None, 0.691),
]


def datasets_dir() -> Path:
    env = os.environ.get("TIDINGS_DATASETS")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    seconds: float = 0.0
    pages: int = 0
    empty: int = 0
    errors: int = 0

    def add(self, item: dict, output: str | None) -> None:
        result = _norm(output or "")
        keep = [_norm(w) for w in item["with"]]
        drop = [_norm(w) for w in item["without"]]
        tp = sum(1 for w in keep if result and w in result)
        fp = sum(1 for w in drop if result and w in result)
        self.tp += tp
        self.fn += len(keep) - tp
        self.fp += fp
        self.tn += len(drop) - fp

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        denom = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denom if denom else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / total if total else 0.0


def _ours(html: bytes, url: str) -> str:
    from tidings.extract.article import NoArticle, extract_article

    try:
        return extract_article(html, url).text
    except NoArticle:
        return ""


def _control(html: bytes, url: str) -> str:
    import trafilatura

    # trafilatura's benchmark runner "fallback": extract(fast=False, **EXTRACT_OPTS)
    return trafilatura.extract(html, fast=False, include_comments=False, include_tables=True, include_formatting=False) or ""


def _resolve(root: Path, name: str) -> Path | None:
    for sub in ("cache", "eval"):
        path = root / "tests" / sub / name
        if path.is_file():
            return path
    return None


def run(limit: int | None = None) -> int:
    tarball = datasets_dir() / "trafilatura_eval" / "trafilatura_eval_corpus.tar.gz"
    if not tarball.is_file():
        print(f"skipped: {tarball} is missing (set TIDINGS_DATASETS to the datasets folder)")
        return 0
    import trafilatura

    runners: dict[str, Callable[[bytes, str], str]] = {
        "tidings extract_article": _ours,
        f"trafilatura {trafilatura.__version__} extract (control)": _control,
    }
    scores = {name: Score() for name in runners}
    with tempfile.TemporaryDirectory(prefix="tidings-trafeval-") as tmp:
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp, filter="data")
        root = Path(tmp)
        evaldata = json.loads((root / "tests" / "evaldata.json").read_text(encoding="utf-8"))
        items = sorted(evaldata.items())[:limit] if limit else sorted(evaldata.items())
        for fn in runners.values():  # pay lazy imports and model loads before timing
            fn(b"<html><body><article><p>" + b"Warm-up text. " * 30 + b"</p></article></body></html>", "https://example.org/")
        for number, (url, item) in enumerate(items, 1):
            path = _resolve(root, item["file"])
            if path is None:
                print(f"missing page {item['file']}", file=sys.stderr)
                continue
            html = path.read_bytes()
            for name, fn in runners.items():
                score = scores[name]
                start = time.perf_counter()
                try:
                    output = fn(html, url)
                except Exception as exc:  # a crash counts as a full miss, as in evaluate.py
                    output = None
                    score.errors += 1
                    if score.errors == 1:
                        print(f"{name}: {item['file']}: {type(exc).__name__}: {exc}", file=sys.stderr)
                score.seconds += time.perf_counter() - start
                score.pages += 1
                score.empty += not output
                score.add(item, output)
            if number % 100 == 0:
                print(f"  {number}/{len(items)} pages", file=sys.stderr)

    print(f"\nExtraction quality, trafilatura evaluation set ({len(items)} pages)\n")
    header = f"{'extractor':44} {'precision':>9} {'recall':>7} {'F1':>6} {'accuracy':>8} {'pages/s':>8} {'empty':>5} {'errors':>6}"
    print(header)
    print("-" * len(header))
    for name, s in scores.items():
        rate = s.pages / s.seconds if s.seconds else 0.0
        print(
            f"{name:44} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.accuracy:8.3f} {rate:8.1f} {s.empty:5d} {s.errors:6d}"
        )
    for name, p, r, f in PUBLISHED:
        ps = f"{p:9.3f}" if p is not None else f"{'-':>9}"
        rs = f"{r:7.3f}" if r is not None else f"{'-':>7}"
        print(f"{name:44} {ps} {rs} {f:6.3f} {'-':>8} {'-':>8} {'-':>5} {'-':>6}")
    print("\nSpeed is wall time per page on a shared machine: treat pages/s as rough.")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    args = parser.parse_args()
    sys.exit(run(args.limit))


if __name__ == "__main__":
    main()
