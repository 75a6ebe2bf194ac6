"""``[engine]``: which executor runs the stages, and how big its batches are.

    [engine]
    kind = "local"        # "local": a process pool on this machine; "ray": a Ray cluster
    workers = 0           # local: worker processes (0: one per core)
    address = "auto"      # ray: "auto" (a running cluster, else a local one), or "ray://host:10001"
    concurrency = 0       # ray: actors, each holding the models (0: the cluster's CPUs)
    ray_pool = "shared"   # ray: "shared" (actors kept for the run, every stage) or "per-stage" (Ray Data)
    batch_size = 32       # records per batch handed to a worker
    inline_below = 24     # a job with fewer records runs in this process (no pool start-up)

Environment variables override it like any setting (``TIDINGS_ENGINE__KIND=ray``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

KINDS = ("local", "ray")
RAY_POOLS = ("shared", "per-stage")


@dataclass(slots=True)
class EngineConfig:
    kind: str = "local"
    workers: int = 0
    address: str = "auto"
    concurrency: int = 0
    ray_pool: str = "shared"
    batch_size: int = 32
    inline_below: int = 24

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"engine.kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.ray_pool not in RAY_POOLS:
            raise ValueError(f"engine.ray_pool must be one of {', '.join(RAY_POOLS)}, got {self.ray_pool!r}")
        for name in ("workers", "concurrency", "inline_below"):
            if int(getattr(self, name)) < 0:
                raise ValueError(f"engine.{name} must be 0 or more")
        if int(self.batch_size) < 1:
            raise ValueError("engine.batch_size must be at least 1")

    @property
    def pool_size(self) -> int:
        return self.workers or max(1, os.cpu_count() or 1)

    @classmethod
    def from_table(cls, table: dict[str, Any], environ: dict[str, str] | None = None) -> EngineConfig:
        """From tidings.toml's ``[engine]`` table plus ``TIDINGS_ENGINE__<KEY>`` overrides."""
        env: Mapping[str, str] = os.environ if environ is None else environ
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in known:
                raise ValueError(f"unknown setting engine.{key} (known: {', '.join(sorted(known))})")
            values[key] = value
        for key in known:
            raw = env.get(f"TIDINGS_ENGINE__{key.upper()}")
            if raw is not None:
                values[key] = raw
        for key, value in list(values.items()):
            default = known[key].default
            try:
                values[key] = int(value) if isinstance(default, int) else str(value)
            except (TypeError, ValueError):
                raise ValueError(f"engine.{key}: expected an integer, got {value!r}") from None
        return cls(**values)


def engine_config(config: Any) -> EngineConfig:
    """The ``[engine]`` settings of a loaded :class:`tidings.config.Config`."""
    if config is None:
        return EngineConfig.from_table({})
    settings: EngineConfig = config.settings("engine")  # checked when the configuration was loaded
    return settings
