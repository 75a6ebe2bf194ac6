"""SummaC benchmark for the faithfulness guard, measured through ``tidings check``.

Run from the repository root::

    .venv/bin/python -m benchmarks.summac            # lexical guard (no model)
    .venv/bin/python -m benchmarks.summac --xsum     # also XSumFaith (one-sentence summaries)
    .venv/bin/python -m benchmarks.summac --embed    # the command with --embed (multilingual-e5-small)

Every figure comes from the command a user runs: the rows are piped through
``python -m tidings check`` as JSON Lines, and its answer is scored. The product
figure is the command's own verdict (``"supported"``: every sentence passes the
hard checks and reaches the guard's ``DEFAULT_THRESHOLD``, the same rule the LLM
path rejects a sentence by).

The threshold was chosen on validation data only: SummaC's Polytope validation
cut, labelled by its faithfulness errors (``inaccuracy_label``: 77 of 634 summaries
state something the article does not; SummaC's own Polytope label also counts
omissions and duplications, which no faithfulness check can see: 592 of 634 are
"inconsistent" by it). The cut is the middle of the widest plateau, not the peak:
for each cut the balanced accuracy is averaged over the cuts within 0.05 of it, and
the best average wins (:func:`plateau_cut`). The curve is printed for both sets
from the command's per-sentence scores (a sentence failing a hard check counts
as failing at every cut); CoGenSumm never chooses anything.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tidings.summarize.guard import DEFAULT_THRESHOLD

PUBLISHED = {
    "xsumfaith": "SummaC-ZS 58.4, SummaC-Conv 66.4 (on SummaC's test cut of it)",
    "cogensumm": "SummaC-ZS 70.4, SummaC-Conv 64.7, NER-overlap 55.3 (overall)",
    "polytope": "SummaC-ZS 62.0, SummaC-Conv 62.7",
}
CUTS = [round(0.5 + 0.01 * k, 2) for k in range(51)]
WINDOW = 0.05  # a cut's plateau score: the mean balanced accuracy of the cuts within this distance


def data_dir() -> Path:
    env = os.environ.get("TIDINGS_DATASETS")
    root = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
    return root / "summarization" / "faithfulness"


def load(path: Path, limit: int | None = None) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return rows[:limit] if limit else rows


def roc_auc(labels: list[int], scores: list[float]) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))


def balanced_accuracy(labels: list[int], predicted: list[int]) -> float:
    pos = [p for y, p in zip(labels, predicted, strict=True) if y == 1]
    neg = [p for y, p in zip(labels, predicted, strict=True) if y == 0]
    tpr = sum(pos) / len(pos) if pos else 0.0
    tnr = sum(1 - p for p in neg) / len(neg) if neg else 0.0
    return (tpr + tnr) / 2


def run_check(records: list[dict], embed: bool = False) -> list[dict]:
    """Pipe ``records`` through ``tidings check`` as a user would; its answers, in order."""
    command = [sys.executable, "-m", "tidings", "check"] + (["--embed"] if embed else [])
    stdin = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    if len(answers) != len(records):
        raise RuntimeError(f"tidings check answered {len(answers)} of {len(records)} lines: {done.stderr[-500:]}")
    return answers


def verdict_at(answer: dict, cut: float) -> int:
    """The command's verdict had its threshold been ``cut``: every sentence passes the hard checks and reaches it."""
    return int(all(not _hard(s) and s["score"] >= cut for s in answer["sentences"]))


def _hard(sentence: dict) -> bool:
    reason = sentence.get("reason")
    return reason is not None and not reason.startswith("low support")


def min_score(answer: dict) -> float:
    """The summary's weakest sentence (0 for one failing a hard check): the score its verdict follows."""
    return min((0.0 if _hard(s) else s["score"] for s in answer["sentences"]), default=1.0)


def curve(labels: list[int], answers: list[dict]) -> list[float]:
    return [balanced_accuracy(labels, [verdict_at(a, c) for a in answers]) for c in CUTS]


def plateau_cut(values: list[float]) -> tuple[float, float, float]:
    """(cut, its balanced accuracy, its plateau score): the cut whose neighbourhood does best on average."""
    steps = round(WINDOW / 0.01)
    smooth = [sum(values[max(0, i - steps): i + steps + 1]) / len(values[max(0, i - steps): i + steps + 1])
              for i in range(len(values))]
    best = max(range(len(values)), key=lambda i: (smooth[i], -abs(CUTS[i] - 0.75)))
    return CUTS[best], values[best], smooth[best]


def records_of(rows: list[dict]) -> tuple[list[dict], list[int], list[int | None]]:
    """Command input lines, SummaC labels and (Polytope) faithfulness labels; XSumFaith rows without a
    majority label are skipped."""
    records, labels, faithful = [], [], []
    for n, row in enumerate(rows):
        if "claim" not in row and row.get("factual_majority") is None:
            continue
        claim = row["claim"] if "claim" in row else row["summary"].replace("\\'", "'")
        records.append({"id": n, "sources": [row["document"]], "summary": claim})
        labels.append(int(row["label"] if "label" in row else bool(row["factual_majority"])))
        faithful.append(int(row["inaccuracy_label"]) if "inaccuracy_label" in row else None)
    return records, labels, faithful


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embed", action="store_true", help="run the command with --embed (multilingual-e5-small)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--xsum", action="store_true", help="also score XSumFaith (one-sentence summaries)")
    args = parser.parse_args(argv)
    folder = data_dir()
    test_path = folder / "summac_cogensumm_test.jsonl"
    val_path = folder / "summac_val_polytope_pr_subset.jsonl"
    if not test_path.exists() or not val_path.exists():
        print(f"SKIP: SummaC data not found under {folder} (set TIDINGS_DATASETS)")
        return 0
    started = time.perf_counter()
    v_records, v_summac, v_labels = records_of(load(val_path, args.limit))
    t_records, t_labels, _ = records_of(load(test_path, args.limit))
    v_answers = run_check(v_records, args.embed)
    t_answers = run_check(t_records, args.embed)
    elapsed = time.perf_counter() - started
    mode = "tidings check --embed" if args.embed else "tidings check (lexical, no model)"
    v_verdicts = [int(a["supported"]) for a in v_answers]
    t_verdicts = [int(a["supported"]) for a in t_answers]
    print(f"Faithfulness guard on SummaC through `{mode}`; {len(v_records) + len(t_records)} documents "
          f"in {elapsed:.1f}s; threshold DEFAULT_THRESHOLD = {DEFAULT_THRESHOLD}")
    print()
    print("The command's verdict (\"supported\"), balanced accuracy:")
    print("| set | summaries | BA of the command's verdict |")
    print("|---|---|---|")
    print(f"| CoGenSumm test (SummaC label) | {len(t_labels)} | **{100 * balanced_accuracy(t_labels, t_verdicts):.1f}** |")
    print(f"| Polytope val, faithfulness label (inaccuracy; chooses the cut) | {len(v_labels)} | "
          f"{100 * balanced_accuracy(v_labels, v_verdicts):.1f} |")
    print(f"| Polytope val, SummaC label (omissions count) | {len(v_summac)} | "
          f"{100 * balanced_accuracy(v_summac, v_verdicts):.1f} |")
    v_curve, t_curve = curve(v_labels, v_answers), curve(t_labels, t_answers)
    cut, val_ba, smooth = plateau_cut(v_curve)
    print()
    print(f"Cut chosen on Polytope (faithfulness label) by the plateau rule (+-{WINDOW}): {cut:.2f} "
          f"(its BA {100 * val_ba:.1f}, plateau mean {100 * smooth:.1f}); the guard ships {DEFAULT_THRESHOLD}"
          + ("" if abs(cut - DEFAULT_THRESHOLD) < 1e-9 else "  <-- DIFFERENT: update guard.DEFAULT_THRESHOLD"))
    peak = max(range(len(CUTS)), key=lambda i: v_curve[i])
    print(f"Peak on Polytope: {CUTS[peak]:.2f} (BA {100 * v_curve[peak]:.1f}); CoGenSumm there "
          f"{100 * t_curve[peak]:.1f}")
    print()
    print("Curve: cut, Polytope-faithfulness BA / CoGenSumm BA (the verdict had the threshold been the cut)")
    for i in range(0, len(CUTS), 1):
        mark = "  <- shipped" if abs(CUTS[i] - DEFAULT_THRESHOLD) < 1e-9 else ""
        print(f"  {CUTS[i]:.2f}  {100 * v_curve[i]:5.1f} / {100 * t_curve[i]:5.1f}{mark}")
    print()
    print(f"ROC AUC of the weakest sentence's score (no cut): Polytope-faithfulness "
          f"{roc_auc(v_labels, [min_score(a) for a in v_answers]):.3f}, Polytope-SummaC "
          f"{roc_auc(v_summac, [min_score(a) for a in v_answers]):.3f}, CoGenSumm "
          f"{roc_auc(t_labels, [min_score(a) for a in t_answers]):.3f}")
    print(f"CoGenSumm published: {PUBLISHED['cogensumm']}; Polytope published: {PUBLISHED['polytope']}")
    xsum_path = folder / "xsumfaith_with_docs.jsonl"
    if args.xsum and xsum_path.exists():
        x_records, x_labels, _ = records_of(load(xsum_path, args.limit))
        x_answers = run_check(x_records, args.embed)
        sentences = sum(len(a["sentences"]) for a in x_answers)
        x_verdicts = [int(a["supported"]) for a in x_answers]
        print()
        print(f"XSumFaith: {len(x_labels)} summaries with a majority label ({sum(x_labels)} factual), "
              f"{sentences} sentences: sentence-level BA of the command's verdict "
              f"{100 * balanced_accuracy(x_labels, x_verdicts):.1f}, AUC "
              f"{roc_auc(x_labels, [min_score(a) for a in x_answers]):.3f}; published {PUBLISHED['xsumfaith']}")
        for label, name in ((0, "not factual"), (1, "factual")):
            flags = [any(_hard(s) for s in a["sentences"]) for a, y in zip(x_answers, x_labels) if y == label]
            print(f"  hard checks (number, name, date, quote, negation) fire on {sum(flags)}/{len(flags)} "
                  f"({100 * sum(flags) / max(1, len(flags)):.1f}%) {name} XSumFaith summaries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
