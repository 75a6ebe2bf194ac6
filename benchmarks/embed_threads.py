"""How the embedder's threads should wait for work: spinning (ONNX Runtime's default) or asleep.

Embeds the same 40 news-length texts (about 160 tokens each) one at a time through the
product's e5 runtime (``tidings.stories.e5.E5Runtime``, as ``get_embedder`` builds it but for
the setting under test), once per setting, each in a fresh process, and reports wall-clock and
CPU seconds. ``--busy N`` starts N processes that spin on a core for the whole run, standing for
whatever else the machine does (a web server, an update round, another worker).

    .venv/bin/python -m benchmarks.embed_threads [--busy 1] [--texts 40]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

SETTINGS = {
    "spin (allow_spinning=1, ONNX Runtime's default)": {"BENCH_SPIN": "1"},
    "asleep (allow_spinning=0, Tidings' default)": {},
    "one thread (OMP_NUM_THREADS=1, a pool worker's share)": {"OMP_NUM_THREADS": "1"},
}


def _texts(count: int) -> list[str]:
    from tidings.demo.corpus import load_corpus

    articles = load_corpus().articles
    out = []
    for n in range(count):
        a = articles[n % len(articles)]
        out.append(f"{a.title}\n{' '.join(a.paragraphs)[:700]}")
    return out


def measure(count: int) -> tuple[float, float]:
    from tidings.stories.e5 import E5Runtime

    runtime = E5Runtime(spinning=os.environ.get("BENCH_SPIN") == "1")
    texts = _texts(count)
    runtime.encode(texts[:2])
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    for text in texts:
        runtime.encode([text])
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=0, help="processes spinning on a core during the run")
    parser.add_argument("--texts", type=int, default=40)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        wall, cpu = measure(args.texts)
        print(f"{wall:.2f} {cpu:.2f}")
        return
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        print(f"{args.texts} texts embedded one at a time, {os.cpu_count()} cores, "
              f"{args.busy} other process(es) spinning, load average {os.getloadavg()[0]:.1f}")
        print("| setting | wall s | CPU s | ms a text |")
        print("|---|---:|---:|---:|")
        for name, env in SETTINGS.items():
            clean = {k: v for k, v in os.environ.items() if k not in ("BENCH_SPIN", "OMP_NUM_THREADS")}
            out = subprocess.run([sys.executable, "-m", "benchmarks.embed_threads", "--child", "--texts",
                                  str(args.texts)], env={**clean, **env}, capture_output=True, text=True,
                                 check=True, cwd=Path(__file__).resolve().parents[1]).stdout.split()
            wall, cpu = float(out[-2]), float(out[-1])
            print(f"| {name} | {wall:.1f} | {cpu:.1f} | {wall / args.texts * 1000:.0f} |", flush=True)
    finally:
        for p in spinners:
            p.kill()
            p.wait()


if __name__ == "__main__":
    main()
