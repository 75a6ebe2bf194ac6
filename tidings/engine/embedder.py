"""The embedder as a driver sees it: its texts go to the executor's ``embed`` stage.

A driver that needs a few vectors of its own (the sections' prototypes, embedded from their
descriptions and examples on every run) must not load the model into its process: that load costs
seconds of CPU and the model's memory on each run, beside workers that hold the model already.
:class:`StageEmbedder` has the one method those callers use, ``embed(texts, kind)``, and runs it
where the models live (in process with the inline executor, in a worker or an actor otherwise).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tidings.engine.stages import StageError


class StageEmbedder:
    """``embed(texts, kind)`` through ``executor``'s ``embed`` stage with the embedder ``name``
    (None: the default); the same vectors as that embedder's own ``embed``, row for row."""

    def __init__(self, executor: Any, name: str | None, batch_size: int = 64) -> None:
        self.executor = executor
        self.name = name
        self.batch_size = batch_size

    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = list(self.executor.map("embed", texts, (self.name, kind), batch_size=self.batch_size))
        failed = next((v for v in vectors if isinstance(v, StageError)), None)
        if failed is not None:
            raise RuntimeError(f"embedding {len(texts)} texts failed: {failed}")
        return np.vstack(vectors).astype(np.float32, copy=False)
