"""The guard's hard checks of one summary sentence against its sources' index: every number by value, every
month and weekday, every name (a capitalised word the sources do not use, or a near-miss of one they do),
every quotation verbatim, and the negation against the best-aligned source sentence. Each returns the
reasons it fails, as short machine-readable strings ("number 42% not in sources")."""

from __future__ import annotations

import re

from jellyfish import levenshtein_distance

from tidings.summarize.guard.index import SourceIndex
from tidings.summarize.guard.reading import (
    MONTHS,
    NEGATIONS,
    STOPWORDS,
    WEEKDAYS,
    date_words,
    extract_numbers,
    name_spans,
    normalize_quotes,
    squash,
    stem,
    words,
)
from tidings.text import WORD
from tidings.text.lexicon import AMBIGUOUS_DATES


def same_value(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def check_numbers(sentence: str, index: SourceIndex) -> list[str]:
    reasons = []
    for n in extract_numbers(sentence, index.language):
        if n.written and n.base == 1 and n.value == 1:
            continue  # "one" is mostly a pronoun
        if any(same_value(n.value, v) for v in index.values):
            continue
        reasons.append(f"number {n.surface} not in sources")
    return reasons


def check_dates(sentence: str, index: SourceIndex) -> list[str]:
    reasons = []
    month_words, weekday_words = date_words(index.language)
    for m in WORD.finditer(normalize_quotes(sentence)):
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


def _misspelt_name(word: str, names: set[str]) -> bool:
    """``word`` is one or two letters away from a name the sources use ("Luxverde" for "Luzverde")."""
    if len(word) < 5:
        return False
    most = 1 if len(word) < 8 else 2
    return any(abs(len(n) - len(word)) <= most and levenshtein_distance(word, n) <= most for n in names if n != word)


def check_names(sentence: str, index: SourceIndex) -> list[str]:
    reasons = []
    for span in name_spans(sentence):
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


_QUOTE_DOUBLE = re.compile(r'"([^"]{2,}?)"')
_QUOTE_SINGLE = re.compile(r"(?<![\w])'([^']{2,}?)'(?![\w])")


def extract_quotes(sentence: str) -> list[str]:
    """Quoted passages (double quotes of any style; single quotes around two or more words)."""
    text = normalize_quotes(sentence)
    quotes = list(_QUOTE_DOUBLE.findall(text))
    quotes += [q for q in _QUOTE_SINGLE.findall(text) if len(q.split()) >= 2]
    return [q.strip() for q in quotes if squash(q)]


def check_quotes(sentence: str, index: SourceIndex) -> list[str]:
    reasons = []
    for quote in extract_quotes(sentence):
        parts = [p for p in re.split(r"\.\.\.|…|\[\.*\]", quote) if squash(p)]
        if not all(squash(p) in index.squashed for p in parts):
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
