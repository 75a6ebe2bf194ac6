"""Run every benchmark in turn (``make bench``) and keep each one's output in var/bench/.

    .venv/bin/python -m benchmarks.run_all [--only NAME ...] [--skip NAME ...]

Each benchmark is its own command (see docs/benchmarks.md and docs/evaluation.md);
this only runs them one after another, so the 2 cores are not shared between them.
Benchmarks whose data is missing print SKIP and go on. Some take long on 2 cores
(ag_news embeds 7,600 texts: about 25 minutes the first time, cached afterwards).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ORDER = [
    "extraction", "charset", "ingest_throughput", "embed_choice", "ecbplus", "multinews", "cluster_scale", "ag_news",
    "keyphrases", "duc", "summarize_cost", "summac", "planted_errors", "llm_local", "update_throughput", "web_load",
    "newsletter_email",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--skip", nargs="*", default=[])
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    out_dir = root / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    names = [n for n in (args.only or ORDER) if n not in args.skip]
    failed = []
    for name in names:
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        with open(out_dir / f"{name}.txt", "w", encoding="utf-8") as log:
            proc = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], cwd=root, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
            log.write(proc.stdout)
        print(proc.stdout[-2000:], flush=True)
        print(f"== {name}: exit {proc.returncode} in {time.perf_counter() - started:.0f} s", flush=True)
        if proc.returncode != 0:
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
