"""The summaries stage the engine runs (:mod:`tidings.engine`): a story's articles -> its
``StorySummary``, with the configured method (extractive, or LLM + guard); one Summarizer per setting,
per process.
"""

from __future__ import annotations

from typing import Any

from tidings.engine.stages import StageError
from tidings.records import Article

_SUMMARIZERS: dict[str, Any] = {}


def summaries(batch: list[list[Article]], config: Any) -> list[Any]:
    """Each story's summary with the configured method (extractive, or LLM + guard)."""
    from tidings.summarize.refresh import Summarizer

    key = repr(config.raw) if config is not None else ""  # one Summarizer (and LLM) per setting, per process
    summarizer = _SUMMARIZERS.get(key)
    if summarizer is None:
        summarizer = _SUMMARIZERS[key] = Summarizer(config)
    out: list[Any] = []
    for articles in batch:
        try:
            out.append(summarizer(articles))
        except Exception as exc:
            out.append(StageError(f"{exc.__class__.__name__}: {exc}"))
    return out
