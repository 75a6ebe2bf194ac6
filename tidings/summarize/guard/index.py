"""The sources of a summary as the guard looks them up, computed once per set of sources
(:func:`build_index`): their sentences and windows of two, stems, bigrams and trigrams, numbers by value,
months and weekdays, the squashed text for verbatim quotes, the words they write as names, and, with an
embedder, one vector per sentence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Protocol

import numpy as np

from tidings.summarize.guard.reading import (
    bigrams,
    date_words,
    extract_numbers,
    name_spans,
    split_sentences,
    squash,
    stem,
    support_tokens,
    trigrams,
    without_asides,
    words,
)
from tidings.text import detect_language


class SupportsEmbed(Protocol):
    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray: ...


@dataclass(slots=True)
class SourceIndex:
    """Everything the checks look up in the sources, computed once per set of sources."""

    sentences: list[str]
    windows: list[str]  # sentences and pairs of adjacent sentences
    window_stems: list[set[str]]
    window_bigrams: list[set[tuple[str, str]]]
    all_stems: set[str]
    all_words: set[str]
    all_bigrams: set[tuple[str, str]]
    all_trigrams: set[tuple[str, str, str]]
    values: list[float]
    months: set[int]
    weekdays: set[int]
    squashed: str
    name_words: set[str] = field(default_factory=set)  # lower-cased words the sources write as names mid-sentence
    positions: list[dict[str, list[int]]] = field(default_factory=list)  # per source sentence: token -> places
    language: str | None = None  # of the sources (tidings.text.detect_language); None: all four lexicons
    window_vectors: np.ndarray | None = None  # one row per entry of ``sentences``
    claim_vectors: dict[str, np.ndarray] = field(default_factory=dict)  # claims embedded ahead, in one batch


def build_index(sources: Sequence[str], embedder: SupportsEmbed | None = None) -> SourceIndex:
    """Index ``sources`` (plain texts) for :func:`check_sentence`."""
    sentences: list[str] = []
    windows: list[str] = []
    for src in sources:
        sents = split_sentences(src)
        sentences.extend(sents)
        windows.extend(sents)
        windows.extend(f"{a} {b}" for a, b in pairwise(sents))
    full = "\n".join(sources)
    language = detect_language(full)
    all_words = set(words(full))
    values: list[float] = []
    for n in extract_numbers(full, language):
        values.extend((n.value, n.base))
    month_words, weekday_words = date_words(language)
    months = {month_words[w] for w in all_words if w in month_words}
    weekdays = {weekday_words[w] for w in all_words if w in weekday_words}
    window_tokens = [support_tokens(x, language) for x in windows]
    source_trigrams: set[tuple[str, str, str]] = set()
    for src in sources:
        source_trigrams.update(trigrams(support_tokens(src, language)))
    positions: list[dict[str, list[int]]] = []
    for sent in [v for x in sentences for v in without_asides(x)]:
        places: dict[str, list[int]] = {}
        for k, tok in enumerate(support_tokens(sent, language)):
            places.setdefault(tok, []).append(k)
        positions.append(places)
    index = SourceIndex(
        sentences=sentences,
        windows=windows,
        window_stems=[set(toks) for toks in window_tokens],
        window_bigrams=[bigrams(toks) for toks in window_tokens],
        all_stems={stem(w) for w in all_words},
        all_words=all_words,
        all_bigrams=set().union(*[bigrams(t) for t in window_tokens]) if window_tokens else set(),
        all_trigrams=source_trigrams,
        values=values,
        months=months,
        weekdays=weekdays,
        squashed=squash(full),
        name_words={w.lower() for s in sentences for span in name_spans(s) for w, initial in span if not initial},
        positions=positions,
        language=language,
    )
    if embedder is not None and sentences:
        index.window_vectors = np.asarray(embedder.embed(sentences, kind="passage"), dtype=np.float32)
    return index
