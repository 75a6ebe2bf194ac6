"""CPU seconds of this process and of an executor's live worker processes (from /proc, Linux)."""

from __future__ import annotations

import os
import time

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of ``pid`` (0.0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


class CpuClock:
    """CPU seconds of this process plus every worker process seen so far (a dead worker keeps its last reading)."""

    def __init__(self, executor=None) -> None:
        self.executor = executor
        self.workers: dict[int, float] = {}

    def __call__(self) -> float:
        pids = self.executor.worker_pids() if self.executor is not None and hasattr(self.executor, "worker_pids") else []
        for pid in pids:
            self.workers[pid] = max(self.workers.get(pid, 0.0), process_cpu(pid))
        return time.process_time() + sum(self.workers.values())


class StageTimer:
    """Wraps an executor: CPU seconds (this process + workers) and wall seconds spent in each stage's
    ``map``, while the driver consumes it. Everything else the drivers do is the rest."""

    def __init__(self, executor) -> None:
        self.executor = executor
        self.clock = CpuClock(executor)
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self.items: dict[str, int] = {}

    def __getattr__(self, name):
        return getattr(self.executor, name)

    def map(self, stage, items, params=None, **kwargs):
        c0, t0 = self.clock(), time.perf_counter()
        try:
            yield from self.executor.map(stage, items, params, **kwargs)
        finally:
            self.cpu[stage] = self.cpu.get(stage, 0.0) + self.clock() - c0
            self.wall[stage] = self.wall.get(stage, 0.0) + time.perf_counter() - t0
            self.items[stage] = self.items.get(stage, 0) + len(items)

    def submit(self, stage, items, params=None):
        self.items[stage] = self.items.get(stage, 0) + len(items)
        return self.executor.submit(stage, items, params)
