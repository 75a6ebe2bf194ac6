"""`tidings backfill` throughput with the local executor and with Ray, on the same archive and cores.

    .venv/bin/python -m benchmarks.backfill_throughput [--synthetic N] [--real N] [--engines local,ray]

``ray`` is the Ray executor as shipped (long-lived actors that every stage shares);
``ray-per-stage`` its other pool (a Ray Data ``map_batches`` with an actor pool per stage).

Builds a CC-NEWS-layout WARC (``benchmarks.warc_archive``: N generated articles plus N real
pages of trafilatura's evaluation set) in a temporary folder, backfills it into a fresh SQLite
store once per engine through ``tidings.backfill.run.backfill`` (the command's own path), and
prints articles/s, CPU seconds (this process + workers), the workers' peak RSS, and whether the
engines built identical stories (the same articles together) and identical summaries.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.cpu import CpuClock
from tests.backfill.warc import outcome, real_pages, synthetic_pages, write_warc


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_engine(kind: str, archive: Path, root: Path) -> dict:
    from tidings.backfill.run import backfill
    from tidings.config import load_config
    from tidings.engine.config import EngineConfig
    from tidings.engine.executors import open_executor
    from tidings.store.db import Store

    db = root / f"{kind}.db"
    toml = root / f"{kind}.toml"
    toml.write_text(f'[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    config = load_config(toml, environ={})
    store = Store(config.database_url)
    engine = EngineConfig(kind=kind.split("-")[0], address="local", workers=2,
                          ray_pool="per-stage" if kind == "ray-per-stage" else "shared")
    t0 = time.perf_counter()
    executor = open_executor(engine, warm_stages=("features", "tags", "summaries"))
    startup = time.perf_counter() - t0
    clock = CpuClock(executor)
    peaks: dict[int, list[float]] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(2.0):
            clock()
            for pid in executor.worker_pids() if hasattr(executor, "worker_pids") else []:
                peaks.setdefault(pid, []).append(rss_mb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    c0, t0 = clock(), time.perf_counter()
    report = backfill(config, store, [archive], executor=executor)
    elapsed, cpu = time.perf_counter() - t0, clock() - c0
    stop.set()
    executor.close()
    store.close()
    rss = [max(v) for v in peaks.values() if v]
    first_last = [(v[len(v) // 4], v[-1]) for v in peaks.values() if len(v) >= 4]
    return {"kind": kind, "report": report, "elapsed": elapsed, "cpu": cpu, "startup": startup, "db": db,
            "worker_rss_peak": max(rss) if rss else None, "worker_rss_quarter_last": first_last}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=500)
    parser.add_argument("--real", type=int, default=100)
    parser.add_argument("--engines", default="local,ray")
    parser.add_argument("--keep", metavar="DIR", help="build the archive and the stores in DIR and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tidings-backfill-") as tmp:
        root = Path(args.keep or tmp)
        root.mkdir(parents=True, exist_ok=True)
        archive = root / "archive.warc.gz"
        count = write_warc(archive, [*synthetic_pages(args.synthetic), *real_pages(args.real)])
        print(f"archive: {count} response records, {archive.stat().st_size / 1e6:.1f} MB", flush=True)
        results = []
        for kind in args.engines.split(","):
            r = run_engine(kind, archive, root)
            results.append(r)
            rep = r["report"]
            print(f"{kind}: {rep.new} new articles ({sum(rep.errors.values())} records failed: {dict(rep.errors)}) "
                  f"in {r['elapsed']:.1f} s = {rep.new / r['elapsed']:.2f} articles/s; {r['cpu']:.1f} CPU s "
                  f"({r['cpu'] / max(1, rep.new) * 1000:.0f} CPU ms an article); executor start {r['startup']:.1f} s; "
                  f"stories {rep.stories.new_stories - rep.stories.merges}, summaries {rep.summaries.summarized}; "
                  f"stage wall s { {k: round(v, 1) for k, v in rep.seconds.items()} }; "
                  f"worker peak RSS {r['worker_rss_peak']} MB (a quarter in / at the end: "
                  f"{[(round(a), round(b)) for a, b in r['worker_rss_quarter_last']]})", flush=True)
        if len(results) == 2:
            (sa, ma), (sb, mb) = outcome(results[0]["db"]), outcome(results[1]["db"])
            print(f"identical stories: {sa == sb} ({len(sa)} / {len(sb)}); identical summaries: {ma == mb}")
            for label, only in ((results[0]["kind"], sa - sb), (results[1]["kind"], sb - sa)):
                for group in sorted(only, key=sorted)[:10]:
                    print(f"  only with {label}: a story of {len(group)}: {sorted(group)[:4]}")
            overhead = results[1]["elapsed"] / results[0]["elapsed"] - 1
            print(f"{results[1]['kind']} vs {results[0]['kind']}: {overhead:+.0%} wall time")


if __name__ == "__main__":
    main()
