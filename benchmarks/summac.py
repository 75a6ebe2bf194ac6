"""SummaC benchmark for the faithfulness guard: balanced accuracy of its document-level verdict.

Run from the repository root::

    .venv/bin/python -m benchmarks.summac            # lexical guard (no model)
    .venv/bin/python -m benchmarks.summac --embed    # plus multilingual-e5-small alignment

The score threshold is chosen on SummaC's Polytope validation cut (held out) and
then applied unchanged to the CoGenSumm test cut; nothing is tuned on CoGenSumm.
Also reported: the guard's own verdict (``supported``) with its default threshold,
and the best threshold on CoGenSumm as an upper bound ("oracle", not a result).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from tidings.summarize.guard import SUMMARY_THRESHOLD, check_summary


def roc_auc(labels: list[int], scores: list[float]) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))

PUBLISHED = {
    "xsumfaith": "SummaC-ZS 58.4, SummaC-Conv 66.4 (on SummaC's test cut of it)",
    "cogensumm": "SummaC-ZS 70.4, SummaC-Conv 64.7, NER-overlap 55.3 (overall)",
    "polytope": "SummaC-ZS 62.0, SummaC-Conv 62.7",
}


def data_dir() -> Path:
    env = os.environ.get("TIDINGS_DATASETS")
    root = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
    return root / "summarization" / "faithfulness"


def load(path: Path, limit: int | None = None) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return rows[:limit] if limit else rows


def balanced_accuracy(labels: list[int], predicted: list[int]) -> float:
    pos = [p for l, p in zip(labels, predicted) if l == 1]
    neg = [p for l, p in zip(labels, predicted) if l == 0]
    tpr = sum(pos) / len(pos) if pos else 0.0
    tnr = sum(1 - p for p in neg) / len(neg) if neg else 0.0
    return (tpr + tnr) / 2


def best_threshold(labels: list[int], scores: list[float]) -> tuple[float, float]:
    """The cut on ``scores`` (claim consistent when score >= cut) with the best balanced accuracy."""
    candidates = sorted(set(scores))
    best = (0.0, 0.0)
    for i, cut in enumerate(candidates):
        mid = cut if i == 0 else (cut + candidates[i - 1]) / 2
        ba = balanced_accuracy(labels, [int(s >= mid) for s in scores])
        if ba > best[1]:
            best = (mid, ba)
    return best


HARD_FLAGS: list[tuple[int, bool]] = []  # (label, a hard check fired) per scored summary


def score_rows(rows: list[dict], embedder=None) -> tuple[list[int], list[float], list[int]]:
    labels, scores, verdicts = [], [], []
    HARD_FLAGS.clear()
    for row in rows:
        if "claim" not in row and row.get("factual_majority") is None:
            continue  # XSumFaith: annotators split
        claim = row["claim"] if "claim" in row else row["summary"].replace("\\'", "'")
        label = row["label"] if "label" in row else bool(row["factual_majority"])
        verdict = check_summary(claim, [row["document"]], embedder=embedder)
        labels.append(int(label))
        HARD_FLAGS.append((int(label), any(not r.startswith("low support") for v in verdict.sentences for r in v.reasons)))
        scores.append(verdict.score)
        verdicts.append(int(verdict.score >= SUMMARY_THRESHOLD))
    return labels, scores, verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embed", action="store_true", help="add embedding alignment (multilingual-e5-small)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--xsum", action="store_true", help="also score XSumFaith (2,425 summaries) with the same cut")
    args = parser.parse_args(argv)
    folder = data_dir()
    test_path = folder / "summac_cogensumm_test.jsonl"
    val_path = folder / "summac_val_polytope_pr_subset.jsonl"
    if not test_path.exists() or not val_path.exists():
        print(f"SKIP: SummaC data not found under {folder} (set TIDINGS_DATASETS)")
        return 0
    embedder = None
    if args.embed:
        from tidings.stories.embed import get_embedder

        embedder = get_embedder()
    started = time.perf_counter()
    v_labels, v_scores, v_verdicts = score_rows(load(val_path, args.limit), embedder)
    t_labels, t_scores, t_verdicts = score_rows(load(test_path, args.limit), embedder)
    elapsed = time.perf_counter() - started
    cut, val_ba = best_threshold(v_labels, v_scores)
    test_ba = balanced_accuracy(t_labels, [int(s >= cut) for s in t_scores])
    oracle_cut, oracle_ba = best_threshold(t_labels, t_scores)
    mode = "lexical + e5 alignment" if embedder else "lexical (no model)"
    print(f"Faithfulness guard on SummaC — {mode}; {len(v_labels) + len(t_labels)} documents in {elapsed:.1f}s")
    print()
    print("| cut | threshold | Polytope (val) BA | CoGenSumm (test) BA |")
    print("|---|---|---|---|")
    print(f"| chosen on Polytope (the protocol) | {cut:.3f} | {100 * val_ba:.1f} | {100 * test_ba:.1f} |")
    print(
        f"| guard's SUMMARY_THRESHOLD | {SUMMARY_THRESHOLD:.3f} | "
        f"{100 * balanced_accuracy(v_labels, v_verdicts):.1f} | {100 * balanced_accuracy(t_labels, t_verdicts):.1f} |"
    )
    print(f"| oracle on CoGenSumm (ceiling of this score, not a result) | {oracle_cut:.3f} | | {100 * oracle_ba:.1f} |")
    near = [c for c in sorted(set(v_scores)) if balanced_accuracy(v_labels, [int(s >= c) for s in v_scores]) >= val_ba - 0.005]
    if near:
        on_test = [balanced_accuracy(t_labels, [int(s >= c) for s in t_scores]) for c in near]
        print(f"| any cut within 0.5 pt of the best on Polytope ({near[0]:.3f} to {near[-1]:.3f}) | | "
              f">= {100 * (val_ba - 0.005):.1f} | {100 * min(on_test):.1f} to {100 * max(on_test):.1f} |")
    print()
    print(f"ROC AUC of the score (no threshold): Polytope {roc_auc(v_labels, v_scores):.3f}, "
          f"CoGenSumm {roc_auc(t_labels, t_scores):.3f}")
    print(f"CoGenSumm published: {PUBLISHED['cogensumm']}")
    xsum_path = folder / "xsumfaith_with_docs.jsonl"
    if args.xsum and xsum_path.exists():
        x_labels, x_scores, _ = score_rows(load(xsum_path, args.limit), embedder)
        x_ba = balanced_accuracy(x_labels, [int(s >= cut) for s in x_scores])
        print(f"XSumFaith ({len(x_labels)} summaries with a majority label, {sum(x_labels)} factual), Polytope cut: BA {100 * x_ba:.1f}, "
              f"AUC {roc_auc(x_labels, x_scores):.3f}; published {PUBLISHED['xsumfaith']}")
        for label, name in ((0, "not factual"), (1, "factual")):
            flags = [h for l, h in HARD_FLAGS if l == label]
            print(f"  hard checks (number, name, date, quote, negation) fire on {sum(flags)}/{len(flags)} "
                  f"({100 * sum(flags) / max(1, len(flags)):.1f}%) {name} XSumFaith summaries")
    print()
    print(f"Polytope published: {PUBLISHED['polytope']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
