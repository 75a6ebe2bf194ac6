"""The faithfulness guard: is a summary sentence stated by the articles it cites?

Pure functions, no model required. A sentence passes only when

* every **number** it gives (digits, written-out numbers, percentages, money and
  scaled amounts such as "$5 million" or "2.3bn") is found in the sources, by
  value: "$5m" matches "5 million dollars";
* every **month and weekday** it names is found in the sources;
* every **name** (a capitalised word that is not an ordinary word of the
  sources) is found in the sources;
* every **quotation** is found VERBATIM in the sources, modulo quote-mark style,
  case, whitespace and punctuation (an ellipsis splits it into parts that must
  each be verbatim);
* its **negation** agrees with the source sentence it aligns with best ("did
  not raise" against "raised" fails);
* its **support** score reaches the threshold. Support is the share of the
  claim's word trigrams (light stems) that occur in the sources; with an
  embedder (anything with ``embed(texts, kind=...)`` returning L2-normalised
  rows, e.g. :func:`tidings.stories.embed.get_embedder`), a close paraphrase is
  supported through its cosine with the best source sentence.

One rule, :data:`DEFAULT_THRESHOLD`: a sentence is supported when no hard check
fails and its support reaches the threshold; a summary is supported when every
sentence is. It is the rule ``tidings check`` answers with and the rule the LLM
path rejects a sentence by. The threshold was chosen on validation data only
(SummaC's Polytope validation cut, its faithfulness-error label), as the middle of
the widest plateau of the balanced-accuracy curve rather than its peak
(``benchmarks/summac.py`` prints the curve and the cut it picks).

Reasons are short machine-readable strings: ``"number 42% not in sources"``,
``"quote not verbatim"``, ``"name 'X' not in sources"``, ``"date 'Monday' not in
sources"``, ``"negation mismatch"``, ``"low support 0.31"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tidings.summarize.guard.checks import (
    check_dates,
    check_names,
    check_numbers,
    check_quotes,
    extract_quotes,
    negation_mismatch,
)
from tidings.summarize.guard.index import SourceIndex, SupportsEmbed, build_index
from tidings.summarize.guard.reading import (
    MONTHS,
    NEGATIONS,
    STOPWORDS,
    WEEKDAYS,
    content_stems,
    extract_numbers,
    normalize_quotes,
    split_sentences,
    stem,
    support_tokens,
    words,
)
from tidings.summarize.guard.scoring import GAP, SEM_HIGH, SEM_LOW, Support, support

# re-exported: the guard's public names from before its split into modules of one job
__all__ = [
    "DEFAULT_THRESHOLD", "GAP", "MONTHS", "NEGATIONS", "SEM_HIGH", "SEM_LOW", "STOPWORDS", "WEEKDAYS",
    "SentenceVerdict", "SourceIndex", "SummaryVerdict", "Support", "SupportsEmbed", "build_index", "check_dates",
    "check_names", "check_numbers", "check_quotes", "check_sentence", "check_summary", "content_stems",
    "extract_numbers", "extract_quotes", "negation_mismatch", "normalize_quotes", "split_sentences", "stem",
    "support", "support_tokens", "words",
]

# a sentence with less support fails: the plateau cut on SummaC's Polytope validation cut (benchmarks/summac.py)
DEFAULT_THRESHOLD = 0.79


@dataclass(slots=True)
class SentenceVerdict:
    """The guard's verdict on one sentence."""

    text: str
    supported: bool
    score: float  # support in [0, 1]
    reason: str | None = None  # the first failed check, None when supported
    reasons: list[str] = field(default_factory=list)  # every failed check
    evidence: str | None = None  # the best-aligned source sentence (or pair)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "supported": self.supported, "score": round(self.score, 4), "reason": self.reason}


@dataclass(slots=True)
class SummaryVerdict:
    """The guard's verdict on a whole summary: supported when every sentence is."""

    supported: bool
    score: float  # mean sentence support; a sentence failing a hard check (number, name ...) counts 0
    sentences: list[SentenceVerdict] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "supported": self.supported,
            "score": round(self.score, 4),
            "sentences": [s.to_json() for s in self.sentences],
        }


def check_sentence(
    sentence: str,
    sources: Sequence[str] | SourceIndex,
    *,
    embedder: SupportsEmbed | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> SentenceVerdict:
    """Check one summary sentence against the texts it cites (or a prebuilt :class:`SourceIndex`).

    The guard judges faithfulness only: a piece that says nothing ("...", a stray quote mark) makes no
    claim and passes; the LLM path rejects such sentences before they reach the guard (``llm.too_thin``)."""
    index = sources if isinstance(sources, SourceIndex) else build_index(list(sources), embedder)
    reasons: list[str] = []
    reasons += check_quotes(sentence, index)
    reasons += check_numbers(sentence, index)
    reasons += check_dates(sentence, index)
    reasons += check_names(sentence, index)
    sup = support(sentence, index, embedder)
    evidence = index.windows[sup.best_window] if sup.best_window is not None else None
    if evidence is not None and sup.window >= 0.5 and negation_mismatch(sentence, evidence):
        reasons.append("negation mismatch")
    if sup.score < threshold:
        reasons.append(f"low support {sup.score:.2f}")
    return SentenceVerdict(
        text=sentence,
        supported=not reasons,
        score=sup.score,
        reason=reasons[0] if reasons else None,
        reasons=reasons,
        evidence=evidence,
    )


def check_summary(
    summary: str | Sequence[str],
    sources: Sequence[str],
    *,
    embedder: SupportsEmbed | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> SummaryVerdict:
    """Check every sentence of ``summary`` (a text, or a list of sentences) against ``sources``."""
    sentences = split_sentences(summary) if isinstance(summary, str) else [s for s in summary if s and s.strip()]
    index = build_index(list(sources), embedder)
    if embedder is not None and sentences and index.window_vectors is not None:
        vectors = np.asarray(embedder.embed(list(sentences), kind="passage"), dtype=np.float32)
        index.claim_vectors.update(zip(sentences, vectors, strict=True))
    verdicts = [check_sentence(s, index, embedder=embedder, threshold=threshold) for s in sentences]
    if not verdicts:
        return SummaryVerdict(True, 1.0, [])
    hard = [any(not r.startswith("low support") for r in v.reasons) for v in verdicts]
    score = sum(0.0 if h else v.score for v, h in zip(verdicts, hard, strict=True)) / len(verdicts)
    return SummaryVerdict(all(v.supported for v in verdicts), round(score, 4), verdicts)
