"""Planted errors: a sentence with one number, name, date or quoted word changed to one the sources
never give, and the tally of what the faithfulness guard flags. Used by
tests/summarize/test_guard_planted.py and benchmarks/planted_errors.py (on DUC 2003)."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from tidings.summarize.guard import (
    MONTHS,
    STOPWORDS,
    WEEKDAYS,
    SourceIndex,
    build_index,
    check_sentence,
    extract_numbers,
    extract_quotes,
    normalize_quotes,
    words,
)

ERROR_TYPES = ("number", "name", "date", "quote")


@lru_cache(maxsize=8)
def _index(sources_text: str) -> SourceIndex:
    return build_index([sources_text])
FOREIGN_NAMES = ("Okonkwo", "Lindqvist", "Kowalczyk", "Tanaka", "Moreau", "Haddad", "Oyelaran", "Vasquez",
                 "Brennan", "Castellanos", "Nakamura", "Petrov", "Abernathy", "Szabo", "Mbeki")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(slots=True)
class Planted:
    kind: str
    original: str
    changed: str


def plant_number(sentence: str, sources_text: str, rng: random.Random) -> str | None:
    """Change one number of ``sentence`` to a value no source gives (in digits, words or with a scale)."""
    matches = list(re.finditer(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w])", sentence))
    if not matches:
        return None
    m = rng.choice(matches)
    present = set(_index(sources_text).values)
    digits = m.group(0)
    base = int(digits.replace(",", "").split(".")[0] or 0)
    for _ in range(50):
        new = base + rng.choice([1, 2, 3, 5, 7, 11, 13]) * rng.choice([1, -1])
        if new <= 0 or str(new) == digits:
            continue
        changed = sentence[: m.start()] + str(new) + sentence[m.end():]
        # the planted number, with any scale word after it, must be absent from the sources
        if any(abs(n.value - v) < 1e-9 for n in extract_numbers(changed[m.start():m.start() + 30])[:1] for v in present):
            continue
        if new in present:
            continue
        return changed
    return None


def plant_name(sentence: str, sources_text: str, rng: random.Random) -> str | None:
    """Swap one capitalised name (not opening the sentence) for a surname no source uses."""
    text_words = _index(sources_text).all_words
    candidates = []
    for m in re.finditer(r"(?<=[a-z,;] )([A-Z][a-z]{2,})\b", sentence):
        low = m.group(1).lower()
        if low in STOPWORDS or low in MONTHS or low in WEEKDAYS:
            continue
        candidates.append(m)
    if not candidates:
        return None
    m = rng.choice(candidates)
    fresh = [n for n in FOREIGN_NAMES if n.lower() not in text_words]
    return sentence[: m.start(1)] + rng.choice(fresh) + sentence[m.end(1):]


def plant_date(sentence: str, sources_text: str, rng: random.Random) -> str | None:
    """Change one month or weekday to one the sources never mention."""
    index = _index(sources_text)
    pattern = r"\b(" + "|".join(MONTH_NAMES + DAY_NAMES) + r")\b"
    matches = [m for m in re.finditer(pattern, sentence) if not (m.group(1) == "May" and m.start() == 0)]
    if not matches:
        return None
    m = rng.choice(matches)
    if m.group(1) in DAY_NAMES:
        fresh = [d for d in DAY_NAMES if WEEKDAYS[d.lower()] not in index.weekdays]
    else:
        fresh = [d for d in MONTH_NAMES if MONTHS[d.lower()] not in index.months and d != "May"]
    if not fresh:
        return None
    return sentence[: m.start()] + rng.choice(fresh) + sentence[m.end():]


def plant_quote(sentence: str, sources_text: str, rng: random.Random) -> str | None:
    """Swap one word inside a quotation (of three or more words) for another word of the sources."""
    quotes = [q for q in extract_quotes(sentence) if len(q.split()) >= 3]
    if not quotes:
        return None
    quote = rng.choice(quotes)
    q_words = [m for m in re.finditer(r"[A-Za-z]{3,}", quote) if m.group(0).lower() not in STOPWORDS]
    if not q_words:
        return None
    target = rng.choice(q_words)
    vocabulary = sorted({w for w in words(sources_text) if w.isalpha() and len(w) > 3 and w not in STOPWORDS}
                        - {target.group(0).lower()})
    new_quote = quote[: target.start()] + rng.choice(vocabulary) + quote[target.end():]
    norm = normalize_quotes(sentence)
    at = norm.find(quote)
    if at < 0:
        return None
    return norm[:at] + new_quote + norm[at + len(quote):]


PLANTERS = {"number": plant_number, "name": plant_name, "date": plant_date, "quote": plant_quote}


def plant_all(sentence: str, sources_text: str, rng: random.Random) -> list[Planted]:
    out = []
    for kind in ERROR_TYPES:
        changed = PLANTERS[kind](sentence, sources_text, rng)
        if changed and changed != sentence:
            out.append(Planted(kind, sentence, changed))
    return out


@dataclass(slots=True)
class Tally:
    planted: dict[str, list[int]]  # kind -> [flagged, total]
    untouched: list[int]  # [flagged, total]
    misses: list[tuple[str, str]]
    false_alarms: list[tuple[str, str]]


def evaluate(items: Sequence[tuple[str, Sequence[str]]], seed: int = 13) -> Tally:
    """Check each ``(sentence, sources)`` untouched and with each plantable error."""
    rng = random.Random(seed)
    tally = Tally({k: [0, 0] for k in ERROR_TYPES}, [0, 0], [], [])
    index_cache: dict[int, object] = {}
    for sentence, sources in items:
        key = id(sources)
        if key not in index_cache:
            index_cache[key] = build_index(list(sources))
        index = index_cache[key]
        sources_text = "\n".join(sources)
        verdict = check_sentence(sentence, index)
        tally.untouched[1] += 1
        if not verdict.supported:
            tally.untouched[0] += 1
            tally.false_alarms.append((sentence, verdict.reason or ""))
        for planted in plant_all(sentence, sources_text, rng):
            v = check_sentence(planted.changed, index)
            tally.planted[planted.kind][1] += 1
            if not v.supported:
                tally.planted[planted.kind][0] += 1
            else:
                tally.misses.append((planted.kind, planted.changed))
    return tally
