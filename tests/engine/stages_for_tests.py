"""Stages the executor tests run in worker processes (importable by ``spawn`` workers and Ray actors)."""

from __future__ import annotations

import os


def square(batch: list[int], params: object) -> list[int]:
    return [x * x for x in batch]


def pid(batch: list[int], params: object) -> list[int]:
    return [os.getpid() for _ in batch]


def die_on(batch: list[int], params: int) -> list[int]:
    """The worker process dies (as if killed) when it meets the record ``params``."""
    if params in batch:
        os._exit(9)
    return [x + 1 for x in batch]


def fail_on(batch: list[int], params: int) -> list[int]:
    """A stage that raises for the whole batch when it holds ``params``."""
    if params in batch:
        raise ValueError(f"bad record {params}")
    return [x + 1 for x in batch]


MARK = "unset"  # the test process sets it; a forked worker would inherit it, a spawned one does not


def mark(batch: list[int], params: object) -> list[str]:
    return [MARK for _ in batch]


def slow(batch: list[int], params: float) -> list[int]:
    import time

    time.sleep(params)
    return [x + 1 for x in batch]


def blas_threads(batch: list[int], params: object) -> list[int]:
    """The threads numpy's OpenBLAS runs matrix products on, in this worker."""
    import numpy  # noqa: F401  (loaded, if it was not yet)
    from threadpoolctl import threadpool_info

    threads = [pool["num_threads"] for pool in threadpool_info() if pool["internal_api"] == "openblas"]
    return [max(threads) if threads else 0 for _ in batch]
