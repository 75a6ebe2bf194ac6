"""DUC 2004 Task 2: ROUGE-1/2 recall of Tidings' extractive summarizer beside published systems.

Run from the repository root::

    .venv/bin/python -m benchmarks.duc            # check the scorer, then report on DUC 2004
    .venv/bin/python -m benchmarks.duc --tune     # one knob at a time on DUC 2003, cross-validated, paired
    .venv/bin/python -m benchmarks.duc --fit      # fit the learned concept weights on DUC 2003, print them
    .venv/bin/python -m benchmarks.duc --cv       # their 5-fold leave-clusters-out ROUGE on DUC 2003

Scoring: ``rouge-score`` with Porter stemming, stopwords kept, recall averaged over
the 4 human references and then over the clusters. Like ROUGE-1.5.5 ``-l 100``, the
100-word limit cuts the references as well as the summary (the first 100
whitespace-separated words of each): with that, re-scoring the SumRepo systems'
shipped outputs gives the dataset README's figures exactly (Lead 31.00 / 6.10,
DPP 39.46 / 9.57), about 0.35 R-1 and 0.04 R-2 under the published ROUGE-1.5.5
numbers. Cutting only the summary, as the first version of this benchmark did, puts
every system about 1.2 R-1 lower (the references run to 120 words).

The product figure comes first and from the command a user runs: each cluster is
piped as one story through ``python -m tidings summarize --words N`` (the same
:class:`~tidings.summarize.refresh.Summarizer` that ``tidings update`` runs, with the
product's configuration), and what is scored is what a reader sees: the lead, then
the summary sentences, cut at N words. The budget counts the lead, and the summary
ends as near N words as a further sentence allows (``fill="nearest"``). Beside it,
the evaluation setting the tuning uses (``fill="always"``: one more sentence past the
budget whatever its length, so that the text fills exactly N words after the cut, as
the published systems' outputs do). ``--words 100,200,250`` measures several budgets.

The concept worth the summarizer uses (``tidings/summarize/concept_weights.py``) is a
logistic model fitted on DUC 2003 with ``--fit``: the target is the share of a
cluster's references that contain the concept. ``--cv`` scores summaries made with
weights fitted on the other folds' clusters (cluster k in fold k mod 5), beside the
counted worth used before.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from statistics import mean

from tests.summarize.concept_fit import fit_concept_model, folds_of, paired
from tidings.records import Article
from tidings.timeutil import parse_datetime

PUBLISHED = {  # SumRepo, ROUGE-1.5.5, R-1 / R-2 recall
    "Lead": (31.46, 6.13), "LexRank": (36.00, 7.51), "Centroid": (36.42, 7.98), "FreqSum": (35.31, 8.12),
    "TsSum": (35.93, 8.16), "GreedyKL": (38.03, 8.56), "CLASSY04": (37.71, 9.02), "CLASSY11": (37.21, 9.21),
    "Submodular": (39.23, 9.37), "DPP": (39.84, 9.62), "OCCAMS_V": (38.50, 9.75), "RegSum": (38.60, 9.78),
    "ICSISumm": (38.44, 9.81),
}


def data_dir() -> Path:
    root = os.environ.get("TIDINGS_DATASETS")
    base = Path(root) if root else Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
    return base / "summarization"


def load_clusters(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def cluster_articles(cluster: dict) -> list[Article]:
    return [
        Article(id=doc["doc_id"], title=doc.get("headline") or "", text=doc["text"],
                published=parse_datetime(doc.get("date_time")) if doc.get("date_time") else _date_from_id(doc["doc_id"]),
                language="en", source=doc["doc_id"][:3])
        for doc in cluster["docs"]
    ]


def _date_from_id(doc_id: str):
    """DUC ids carry the date: APW19981016.0240, NYT19981016.0123, XIE19981016.0001."""
    import re
    from datetime import datetime, timezone

    match = re.search(r"(\d{8})\.(\d{4})", doc_id)
    if not match:
        return None
    return datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=timezone.utc, minute=int(match.group(2)) % 60)


class Scorer:
    def __init__(self) -> None:
        from rouge_score import rouge_scorer

        self._scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)

    def recall(self, summary: str, references: list[str], words: int = 100) -> tuple[float, float]:
        """Mean recall over the references. Like ROUGE-1.5.5 ``-l 100``, the limit cuts the references as well
        as the summary (its first ``words`` whitespace-separated words): the DUC 2004 references run to 120."""
        cut = " ".join(summary.split()[:words])
        r1, r2 = [], []
        for ref in references:
            scores = self._scorer.score(" ".join(ref.split()[:words]), cut)
            r1.append(scores["rouge1"].recall)
            r2.append(scores["rouge2"].recall)
        return mean(r1), mean(r2)


def score_systems(scorer: Scorer, systems_path: Path, clusters: list[dict]) -> dict[str, tuple[float, float]]:
    refs = {c["cluster_id"]: references(c) for c in clusters}
    per: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in load_clusters(systems_path):
        per[row["system"]].append(scorer.recall(row["text"], refs[row["cluster_id"]]))
    return {name: (100 * mean(r for r, _ in rows), 100 * mean(r for _, r in rows)) for name, rows in per.items()}


def command_summaries(clusters: list[dict], words: int) -> list[str]:
    """Each cluster summarized by ``tidings summarize --words N`` as a user runs it: what a reader sees."""
    import subprocess

    stories = "".join(json.dumps({"id": c["cluster_id"], "articles": [a.to_json() for a in cluster_articles(c)]})
                      + "\n" for c in clusters)
    done = subprocess.run([sys.executable, "-m", "tidings", "summarize", "--words", str(words)], input=stories,
                          capture_output=True, text=True, check=False)
    answers = {a.get("id"): a for a in map(json.loads, done.stdout.splitlines())}
    texts = []
    for cluster in clusters:
        answer = answers.get(cluster["cluster_id"])
        if answer is None or "error" in answer:
            raise RuntimeError(f"tidings summarize failed on {cluster['cluster_id']}: {answer or done.stderr[-500:]}")
        texts.append(" ".join([answer["lead"]] * bool(answer["lead"]) + [s["text"] for s in answer["sentences"]]))
    return texts


def score_command(scorer: Scorer, clusters: list[dict], words: int) -> tuple[float, float, float, float, float]:
    """R-1, R-2, mean words a reader sees, mean words scored (after the cut) and seconds per cluster."""
    start = time.perf_counter()
    texts = command_summaries(clusters, words)
    seconds = (time.perf_counter() - start) / max(1, len(clusters))
    scores = [scorer.recall(t, references(c), words) for t, c in zip(texts, clusters)]
    return (100 * mean(r for r, _ in scores), 100 * mean(r for _, r in scores), mean(len(t.split()) for t in texts),
            mean(min(words, len(t.split())) for t in texts), seconds)


def summary_for_rouge(summary) -> str:
    """What a reader sees, in order: the lead, then the summary sentences (one space between sentences)."""
    return " ".join([summary.lead] * bool(summary.lead) + [s.text for s in summary.sentences])


def references(cluster: dict) -> list[str]:
    return [r["text"] for r in cluster["references"]]


def summarize_cluster(cluster: dict, config, words: int = 100, *, lead_in_budget: bool = True,
                      fill: bool = True) -> str:
    """The text scored for one cluster: the product's summary of its articles, as a reader sees it."""
    from tidings.summarize.extractive import summarize_articles

    return summary_for_rouge(summarize_articles(cluster_articles(cluster), words=words, config=config,
                                                lead_in_budget=lead_in_budget, fill=fill))


def score_ours(scorer: Scorer, clusters: list[dict], config=None, words: int = 100, *, lead_in_budget: bool = True,
               fill: bool = True) -> tuple[float, float, float, float]:
    from tidings.summarize.extractive import DEFAULT_CONFIG

    config = config or DEFAULT_CONFIG
    r1s, r2s, lengths = [], [], []
    start = time.perf_counter()
    for cluster in clusters:
        text = summarize_cluster(cluster, config, words, lead_in_budget=lead_in_budget, fill=fill)
        lengths.append(min(words, len(text.split())))
        r1, r2 = scorer.recall(text, references(cluster), words)
        r1s.append(r1)
        r2s.append(r2)
    seconds = (time.perf_counter() - start) / max(1, len(clusters))
    return 100 * mean(r1s), 100 * mean(r2s), mean(lengths), seconds


ROUND_FIVE_SWEEP: list[dict] = [  # one knob at a time around the shipped configuration (docs/evaluation.md)
    {"ilp_bonus": 0.0}, {"ilp_bonus": 0.3}, {"salience_weight": 1.0}, {"max_sentences": 5}, {"max_sentences": 8},
    {"redundancy_threshold": 0.4}, {"redundancy_threshold": 0.6}, {"learned_power": 1.5}, {"learned_power": 3.0},
    {"learned_df_fraction": 0.3}, {"learned_df_fraction": 0.4}, {"min_words": 8}, {"max_words": 45},
    {"ilp_pool": 80}, {"length_power": 0.3}, {"learned_unigram": 0.2}, {"learned_unigram": 0.4},
]


def tune(scorer: Scorer, clusters: list[dict], budgets: tuple[int, ...] = (90, 100, 110), folds: int = 30,
         sweep: list[dict] | None = None) -> None:
    """One knob at a time around the shipped configuration, on DUC 2003. The concept worth is learned on DUC
    2003 too, so each setting is scored by leave-clusters-out cross-validation (weights fitted on the other
    folds), never in-sample, at each of ``budgets`` (see :func:`cross_validate`); each line gives the paired
    bootstrap of its R-1 difference from the shipped configuration over the clusters."""
    from tidings.summarize.extractive import with_config

    examples = concept_examples(clusters, with_config())
    r1, r2, base = cross_validate(scorer, clusters, with_config(), folds=folds, examples=examples, budgets=budgets)
    print(f"shipped configuration, {folds} folds, budgets {budgets}: R-1 {r1:.2f}  R-2 {r2:.2f}", flush=True)
    for change in sweep if sweep is not None else ROUND_FIVE_SWEEP:
        config = with_config(**change)
        # a setting that changes which concepts exist or count is fitted on its own concepts
        own = set(change) & {"concepts", "compress", "unigram_weight", "learned_min_df", "learned_df_fraction"}
        r1, r2, per = cross_validate(scorer, clusters, config, folds=folds,
                                     examples=concept_examples(clusters, config) if own else examples,
                                     budgets=budgets)
        diff, low, high, ahead = paired(base, per)
        print(f"{change}  R-1 {r1:.2f}  R-2 {r2:.2f}  R-1 vs shipped {diff:+.2f} [{low:+.2f}, {high:+.2f}], "
              f"ahead on {ahead}/{len(clusters)} clusters", flush=True)


# ---------------------------------------------------------------- learned concept weights (DUC 2003 only)


def concept_examples(clusters: list[dict], config=None) -> list[tuple[list, object, object]]:
    """Per cluster: the concepts that get a learned worth under ``config`` (``concept_weights.counted``), their
    feature rows (``concept_weights.FEATURES``) and the share of the cluster's references that contain each."""
    import numpy as np

    from tidings.summarize.concept_weights import counted
    from tidings.summarize.extractive import DEFAULT_CONFIG, story_concept_rows, text_concepts

    config = config or DEFAULT_CONFIG
    out = []
    for cluster in clusters:
        main, n_main, rows = story_concept_rows(cluster_articles(cluster), config)
        refs = [text_concepts(r["text"], main, config) for r in cluster["references"]]
        kept = counted(rows, n_main, config.learned_min_df, config.learned_df_fraction)
        features = np.array([rows[c] for c in kept], dtype=float).reshape(len(kept), -1)
        target = np.array([sum(c in r for r in refs) / len(refs) for c in kept], dtype=float)
        out.append((kept, features, target))
    return out


def cross_validate(scorer: Scorer, clusters: list[dict], config=None, folds: int = 5, c: float = 1.0,
                   features: tuple[int, ...] | None = None, examples=None,
                   budgets: tuple[int, ...] = (100,)) -> tuple[float, float, list]:
    """ROUGE-1/2 on DUC 2003 of summaries whose concept weights were fitted on the other folds' clusters.

    With several ``budgets`` each cluster is summarized (and its references cut) at every one of them and its
    scores are their mean: a one-word change that reshuffles the selection at 100 words then moves a cluster's
    score by a third as much, which is most of the noise between two close settings (see ``paired``)."""
    from dataclasses import replace

    from tidings.summarize.extractive import DEFAULT_CONFIG

    config = config or replace(DEFAULT_CONFIG, concept_model="learned")
    examples = examples or concept_examples(clusters, config)
    per: list[tuple[float, float]] = [(0.0, 0.0)] * len(clusters)
    for fold in folds_of(len(clusters), folds):
        train = [examples[k] for k in range(len(clusters)) if k not in fold]
        fitted = replace(config, learned_coefficients=fit_concept_model(train, c, features))
        for k in fold:
            scores = [scorer.recall(summarize_cluster(clusters[k], fitted, words), references(clusters[k]), words)
                      for words in budgets]
            per[k] = (mean(r for r, _ in scores), mean(r for _, r in scores))
    return 100 * mean(r for r, _ in per), 100 * mean(r for _, r in per), per


def fit_table(clusters: list[dict], c: float = 1.0) -> str:
    """The coefficients fitted on all of ``clusters`` (DUC 2003), as the constants of concept_weights.py."""
    from tidings.summarize.concept_weights import FEATURES
    from tidings.summarize.extractive import DEFAULT_CONFIG

    fitted = fit_concept_model(concept_examples(clusters, DEFAULT_CONFIG), c)
    lines = [f"INTERCEPT: float = {fitted[0]:.4f}", "COEFFICIENTS: tuple[float, ...] = ("]
    lines += [f"    {w:.4f},  # {name}" for name, w in zip(FEATURES, fitted[1:])]
    lines.append(")")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="one knob at a time around the shipped configuration on DUC 2003, cross-validated, with paired bootstrap intervals")
    parser.add_argument("--fit", action="store_true",
                        help="fit the learned concept weights on DUC 2003 and print them (for concept_weights.py)")
    parser.add_argument("--cv", action="store_true",
                        help="leave-clusters-out cross-validation of the learned concept weights on DUC 2003")
    parser.add_argument("--skip-check", action="store_true", help="do not re-score the SumRepo outputs")
    parser.add_argument("--words", default="100",
                        help="comma-separated budgets for the command's figure on DUC 2004 (default 100; e.g. "
                             "100,200,250); summaries and references are cut at each")
    parser.add_argument("--limit", type=int, default=None, help="only the first N clusters (a quick look)")
    parser.add_argument("--budgets", default=None,
                        help="comma-separated word budgets for --cv and --tune, each cluster scored at every one "
                             "and averaged (default: 100 for --cv, 90,100,110 for --tune)")
    parser.add_argument("--folds", type=int, default=None,
                        help="cross-validation folds for --cv and --tune (default: 5 for --cv, 30 for --tune)")
    args = parser.parse_args(argv)
    folder = data_dir()
    duc2004 = folder / "duc2004" / "duc2004_task2.jsonl"
    duc2003 = folder / "duc2003" / "duc2003_task2.jsonl"
    if not duc2004.exists():
        print(f"SKIP: DUC data not found at {folder} (set TIDINGS_DATASETS)")
        return 0
    scorer = Scorer()
    budgets = tuple(int(b) for b in args.budgets.split(",")) if args.budgets else None
    if args.tune:
        tune(scorer, load_clusters(duc2003), budgets or (90, 100, 110), args.folds or 30)
        return 0
    if args.fit:
        print(fit_table(load_clusters(duc2003)))
        return 0
    if args.cv:
        from tidings.summarize.extractive import with_config

        clusters = load_clusters(duc2003)
        folds = args.folds or 5
        r1, r2, _ = cross_validate(scorer, clusters, with_config(concept_model="learned"), folds=folds,
                                   budgets=budgets or (100,))
        print(f"DUC 2003, {folds}-fold leave-clusters-out, budgets {budgets or (100,)}, learned concept weights: "
              f"R-1 {r1:.2f}  R-2 {r2:.2f}")
        r1, r2, _, _ = score_ours(scorer, clusters, with_config(concept_model="counts"))
        print(f"DUC 2003, counted concept weights: R-1 {r1:.2f}  R-2 {r2:.2f}")
        return 0
    clusters = load_clusters(duc2004)[: args.limit]
    print(f"DUC 2004 Task 2 through `tidings summarize --words N` (the product's path): {len(clusters)} clusters, "
          "lead + sentences as a reader sees them, summary and references cut at N words, ROUGE recall (%)")
    print(f"{'N':>5} {'R-1':>7} {'R-2':>7} {'words seen':>11} {'words scored':>13} {'s/cluster':>10}")
    for words in (int(w) for w in args.words.split(",")):
        r1, r2, seen, scored, seconds = score_command(scorer, clusters, words)
        print(f"{words:>5} {r1:>7.2f} {r2:>7.2f} {seen:>11.1f} {scored:>13.1f} {seconds:>10.3f}", flush=True)
    print()
    ours = score_ours(scorer, clusters)
    tuned = score_ours(scorer, load_clusters(duc2003)) if duc2003.exists() and not args.limit else None
    measured = {} if args.skip_check else score_systems(scorer, folder / "duc2004" / "sumrepo_system_summaries.jsonl", clusters)
    print("DUC 2004 Task 2, ROUGE recall (%), summaries and references cut to 100 words, Porter stemming, "
          "50 clusters x 4 references")
    print(f"{'system':<22} {'R-1 published':>14} {'R-2 published':>14} {'R-1 rouge-score':>16} {'R-2 rouge-score':>16}")
    for name, (p1, p2) in sorted(PUBLISHED.items(), key=lambda kv: kv[1][1]):
        m1, m2 = measured.get(name, (float("nan"), float("nan")))
        print(f"{name:<22} {p1:>14.2f} {p2:>14.2f} {m1:>16.2f} {m2:>16.2f}")
    print(f"{'Tidings, fill=always':<22} {'':>14} {'':>14} {ours[0]:>16.2f} {ours[1]:>16.2f}")
    print("(the tuning's evaluation setting: one sentence past the budget whatever its length; the product's "
          "figure is the command's, above)")
    from tidings.summarize.extractive import DEFAULT_CONFIG

    print(f"\nTidings configuration (the product default): {DEFAULT_CONFIG}")
    print(f"Tidings: mean summary length {ours[2]:.1f} words (budget 100), {ours[3]:.3f} s per cluster")
    if tuned:
        print(f"Tidings on DUC 2003 (tuning set; in-sample: the concept weights were fitted on it, see --cv): "
              f"R-1 {tuned[0]:.2f}  R-2 {tuned[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
