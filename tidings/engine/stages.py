"""The stages an executor runs, by name: pure functions from a batch of typed records to one result each.

The engine knows the stages only by name: :data:`STAGES` maps each to the ``module:function`` that
implements it, imported in the worker that runs it. So the engine sits below every stage (it imports
none of them), and each stage's code lives with its stage. No database session and no global state
beyond the models a process loads once. A record that fails gives a :class:`StageError` in its
place; the rest of the batch goes on. Every executor (in process, local pool, Ray) runs exactly
these functions, so their results are the same whichever runs them.

=============  ======================================  ==========================================
stage          one input                               one output
=============  ======================================  ==========================================
``extract``    ``dedup.stage.RawPage``                 ``dedup.stage.Extracted`` (text, language, MinHash)
``archive``    ``backfill.readers.ArchiveRecord``      ``dedup.stage.Extracted`` (decoded, then as ``extract``)
``features``   :class:`tidings.records.Article`        ``ArticleFeatures`` (embedding, keys)
``embed``      ``str``                                 ``np.ndarray`` (its vector: the embedder alone)
``tags``       ``stories.stage.TagJob``                ``list[dict]`` (the story's tags)
``summaries``  ``list[Article]`` (a story's articles)  ``StorySummary``
=============  ======================================  ==========================================
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class StageError:
    """One record's failure, returned in its place (picklable, never raised across a worker)."""

    message: str

    def __str__(self) -> str:
        return self.message


STAGES: dict[str, str] = {
    "extract": "tidings.dedup.stage:extract",
    "archive": "tidings.dedup.stage:archive",
    "features": "tidings.stories.stage:features",
    "embed": "tidings.stories.stage:embed",
    "tags": "tidings.stories.stage:tags",
    "summaries": "tidings.summarize.stage:summaries",
}
# the stages that embed text, and the function that loads (and caches) the embedder in a process
EMBEDDING_STAGES = frozenset({"features", "embed", "summaries"})
EMBEDDER = "tidings.stories.embed:get_embedder"


def resolve(target: str) -> Callable[..., Any]:
    """The function named ``module:function``."""
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def run_stage(name: str, batch: list[Any], params: Any) -> list[Any]:
    """Run stage ``name`` over ``batch``; always one result per record, in order."""
    # a stage given as "module:function" (a plug-in, or the executors' own tests) runs as named
    fn = resolve(name if ":" in name else STAGES[name])
    out = fn(batch, params)
    if len(out) != len(batch):
        raise RuntimeError(f"stage {name} gave {len(out)} results for {len(batch)} records")
    return out


def warm(names: tuple[str, ...], embedder_name: str | None = None) -> None:
    """Load the models the named stages use, once, in this process (a worker's start)."""
    if EMBEDDING_STAGES & set(names):
        resolve(EMBEDDER)(embedder_name)


def init_worker(threads: int) -> None:
    """A worker's start: its share of the cores for the models' own threads.

    The variables hold for the libraries loaded from now on. One may be loaded already: a
    ``spawn`` child imports its parent's main module first (``tidings``' command line, a
    benchmark), which imports numpy, whose OpenBLAS then starts a thread per core; spaCy's matrix
    products run on it, and two workers' spinning threads on two cores doubled the tags stage's
    CPU. ``threadpoolctl`` limits what is already loaded."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(max(1, threads))
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=max(1, threads))
