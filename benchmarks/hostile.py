"""Bounded work per item: hostile shapes through every stage command, timed per item.

    .venv/bin/python -m benchmarks.hostile [--stages cluster,tags,...] [--json OUT]

Each stage command (`tidings cluster`, `similarity`, `classify`, `tags`, `summarize`,
`check`) runs as the product runs it: one subprocess reading JSON Lines on stdin. It is
warmed with ordinary lines first (models loaded, one batch answered); then each shape is
written as one line and timed from the write to its answer. Extraction is timed in
process through :func:`tidings.extract.article.extract_article` (what `tidings extract`
and the pipeline's workers call) on an HTML page built from the shape. The ``ordinary``
row is an ordinary news article, the yardstick. The bounds are those of
``tidings.text.bounds`` (tidings.toml's ``[limits]``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.hostile_shapes import shapes, stage_line

ROOT = Path(__file__).resolve().parents[1]
TIDINGS = [sys.executable, "-m", "tidings"]

STAGES = {  # stage -> extra arguments, lines in one batch (answered together)
    "cluster": (["--batch-size", "1"], 1),
    "similarity": ([], 32),
    "classify": (["--batch-size", "1"], 1),
    "tags": ([], 1),
    "summarize": ([], 1),
    "check": ([], 1),
}


def time_stage(stage: str, names: list[str]) -> dict[str, float]:
    """Seconds from writing each shape's line(s) to reading its answer, in one process."""
    args, batch = STAGES[stage]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*TIDINGS, stage, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=ROOT, env=env)
    assert proc.stdin and proc.stdout
    every = shapes()

    def send(name: str) -> float:
        started = time.perf_counter()
        lines = [stage_line(stage, name, every[name])] + [
            stage_line(stage, f"pad{i}", every["ordinary"]) for i in range(batch - 1)]
        for line in lines:
            proc.stdin.write(json.dumps(line) + "\n")
        proc.stdin.flush()
        answers = [json.loads(proc.stdout.readline()) for _ in lines]
        elapsed = time.perf_counter() - started
        if "error" in answers[0]:
            print(f"  {stage} {name}: answered with an error: {answers[0]['error'][:200]}", flush=True)
        return elapsed

    send("ordinary")  # warm: models loaded
    send("ordinary")
    out: dict[str, float] = {}
    for name in names:
        out[name] = send(name)
        print(f"  {stage:10} {name:34} {out[name]:8.3f} s", flush=True)
    proc.stdin.close()
    proc.wait(timeout=600)
    return out


def time_extract(names: list[str]) -> dict[str, float]:
    from html import escape

    from tidings.extract.article import NoArticle, extract_article

    every = shapes()

    def page(fields: dict[str, str]) -> str:
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in fields["text"].split("\n\n"))
        return (f"<html><head><title>{escape(fields['title'])}</title></head><body><article>"
                f"<h1>{escape(fields['title'])}</h1>{paragraphs}</article></body></html>")

    def run(name: str) -> float:
        html = page(every[name])
        started = time.perf_counter()
        try:
            extract_article(html, "https://news.example.org/a/1")
        except NoArticle:
            pass
        return time.perf_counter() - started

    run("ordinary")
    out = {}
    for name in names:
        out[name] = run(name)
        print(f"  {'extract':10} {name:34} {out[name]:8.3f} s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", default="extract," + ",".join(STAGES))
    parser.add_argument("--json", dest="json_out", default=None)
    args = parser.parse_args()
    names = list(shapes())
    table: dict[str, dict[str, float]] = {}
    for stage in args.stages.split(","):
        print(f"{stage}:", flush=True)
        table[stage] = time_extract(names) if stage == "extract" else time_stage(stage, names)
    stages = list(table)
    print("\nseconds per item (the ordinary row is an ordinary article)")
    print("| shape | " + " | ".join(stages) + " |")
    print("|---|" + "---:|" * len(stages))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{table[s][name]:.3f}" for s in stages) + " |")
    worst = {s: max(v for k, v in table[s].items() if k != "ordinary") for s in stages}
    print("worst hostile item per stage: " + ", ".join(f"{s} {w:.3f} s" for s, w in worst.items()))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(table, indent=2))


if __name__ == "__main__":
    main()
