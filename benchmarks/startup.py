"""Startup time of everyday commands, as a user meets it: a fresh process, a warm bytecode cache.

    .venv/bin/python -m benchmarks.startup [--runs 7]

Each command runs in its own process in a fresh folder holding the file that
``tidings init`` writes (its database upgraded once beforehand, with one editor for ``users list``). The bytecode cache is
kept in a temporary folder (``PYTHONPYCACHEPREFIX``) and warmed by one untimed run, so
what is measured is importing and running, not compiling. The figures are the median
and the minimum wall time of ``--runs`` runs, and the median CPU time (user + system),
which a busy machine inflates less than the wall time; the load average is printed first. Goal (issue 17): at most 0.5 s for
``tidings --help``, ``users list`` and ``db current``; ``tags`` on one line is shown for the
cost of loading the tagging models.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TAGS_LINE = ('{"id": "1", "title": "Halvard Compute breaks ground on Aragon data centre", '
             '"text": "Halvard Compute began building a 1.2-gigawatt data centre campus in Aragon, Spain."}\n')
COMMANDS: list[tuple[str, list[str], str | None]] = [
    ("tidings --help", ["--help"], None),
    ("tidings users list", ["users", "list"], None),
    ("tidings db current", ["db", "current"], None),
    ("tidings tags (one line)", ["tags", "--top", "3"], TAGS_LINE),
]


def run_once(exe: str, args: list[str], stdin: str | None, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([exe, *args], cwd=cwd, env=env, input=stdin, text=True, capture_output=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"tidings {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default=None, help="Only commands whose name contains this.")
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("tidings"))
    with tempfile.TemporaryDirectory() as tmp:
        work, cache = Path(tmp) / "desk", Path(tmp) / "pycache"
        work.mkdir()
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "TIDINGS_CONFIG")}
        env["PYTHONPYCACHEPREFIX"] = str(cache)
        run_once(exe, ["init"], None, work, env)
        run_once(exe, ["db", "upgrade"], None, work, env)
        run_once(exe, ["users", "add", "editor@example.org", "--password-stdin"], "a long enough password\n", work, env)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; {args.runs} runs, warm bytecode cache")
        print(f"{'command':<26} {'wall median':>11} {'wall min':>9} {'CPU median':>11}")
        for name, argv, stdin in COMMANDS:
            if args.only and args.only not in name:
                continue
            run_once(exe, argv, stdin, work, env)  # warms the cache
            runs = [run_once(exe, argv, stdin, work, env) for _ in range(args.runs)]
            wall, cpu = [w for w, _ in runs], [c for _, c in runs]
            print(f"{name:<26} {statistics.median(wall):>10.2f}s {min(wall):>8.2f}s {statistics.median(cpu):>10.2f}s",
                  flush=True)


if __name__ == "__main__":
    main()
