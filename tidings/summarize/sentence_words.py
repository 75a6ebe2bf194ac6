"""The words of a summary sentence: tokens, Snowball stems (stop words as gaps) and concepts (stemmed word
pairs and single content words), with the shared text toolkit's tokenizer, stop words and stemmer."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from tidings.stemming import stem_word as _stem_word
from tidings.text import WORD
from tidings.text.lexicon import STOPWORDS

_WORD = WORD  # the shared toolkit's word tokenizer
_STOPWORDS = STOPWORDS  # per language, from the shared text toolkit (tidings.text.lexicon)
# languages whose words summaries stem (Snowball, see tidings.stemming); others are compared as written
_STEMMED = frozenset("en fr de es it pt nl sv da no fi ru hu ro tr".split())


def stem_word(word: str, language: str) -> str:
    """Snowball stem of one lower-cased word, in the languages whose stopwords and stems summaries use."""
    return _stem_word(word, language) if language in _STEMMED else word


def stopwords(language: str | None) -> frozenset[str]:
    return _STOPWORDS.get((language or "en")[:2], _STOPWORDS["en"] if not language else frozenset())


def tokens(text: str) -> list[str]:
    return [m.group(0).lower().replace("’", "'") for m in _WORD.finditer(text)]


def stems(text: str, language: str | None) -> list[str]:
    """Lower-cased, stemmed words of ``text``; stop words become ``""`` (kept as gaps for bigrams)."""
    lang = (language or "en")[:2]
    stop = stopwords(lang)
    return ["" if w in stop or (len(w) < 2 and not w.isdigit()) else stem_word(w, lang) for w in tokens(text)]


def concepts_of(stemmed: Sequence[str]) -> frozenset[tuple[str, str]]:
    """Adjacent content-word pairs (a stop word, stemmed to ``""``, breaks a pair)."""
    pairs = {(a, b) for a, b in pairwise(stemmed) if a and b}
    return frozenset(pairs)


def loose_concepts_of(text: str, language: str | None) -> frozenset[tuple[str, str]]:
    """Adjacent word pairs, stemmed, except pairs of two stop words."""
    lang = (language or "en")[:2]
    stop = stopwords(lang)
    words = tokens(text)
    stemmed = [stem_word(w, lang) for w in words]
    return frozenset((stemmed[i], stemmed[i + 1]) for i in range(len(words) - 1)
                     if not (words[i] in stop and words[i + 1] in stop))


def unigram_concepts_of(stemmed: Sequence[str]) -> frozenset[tuple[str, str]]:
    """Single content words, as ``(stem, "")``."""
    return frozenset((w, "") for w in stemmed if w)
