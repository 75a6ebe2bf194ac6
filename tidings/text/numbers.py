"""Reading numbers by value in English, French, German and Spanish.

:func:`read_numbers` finds every number in a text: digits with either decimal mark ("2.4", "2,4"; a
thousands separator where the language uses one: "1,500" in English, "1.500" in German and Spanish),
written-out numbers ("twenty-five", "vingt-deux", "treinta y dos") and scale words ("5m", "2.3bn",
"2,4 Millionen", "tres millones", "cinq milliards", "mil millones"). Each mention carries its value with
the scale applied, its value without it, and where it stands, so that "$5m" and "5 million dollars" can be
matched by value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from tidings.text.lexicon import PERCENT, SCALES, TENS, UNITS, for_language

_CURRENCY = "$€£¥"
_DOT_THOUSANDS = frozenset({"fr", "de", "es", "it", "pt", "nl"})  # "1.500" is fifteen hundred there


@dataclass(slots=True, frozen=True)
class NumberMention:
    surface: str  # as written, with a currency sign before and a percent word after it
    value: float  # with its scale applied
    base: float  # without it
    written: bool  # spelled out in words
    start: int = 0
    end: int = 0


def to_float(raw: str, language: str | None = None) -> float | None:
    """The value of a run of digits with separators: "1,500.5", "1.500,5", "2,4", "1.500" (language aware)."""
    s = raw.replace("\u2009", "")
    if "," in s and "." in s:
        s = s.replace(",", "") if s.rfind(",") < s.rfind(".") else s.replace(".", "").replace(",", ".")
    elif "," in s:
        parts = s.split(",")
        thousands = all(len(p) == 3 for p in parts[1:]) and language not in _DOT_THOUSANDS
        s = s.replace(",", "") if thousands or len(parts) > 2 else s.replace(",", ".")
    elif s.count(".") > 1:
        s = s.replace(".", "")
    elif "." in s and language in _DOT_THOUSANDS and len(s.split(".")[1]) == 3:
        s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        return None


def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=16)
def _patterns(language: str | None) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    scales = for_language(SCALES, language)
    units = for_language(UNITS, language)
    tens = for_language(TENS, language)
    scale = _alternation(scales)
    digits = re.compile(r"(?<![\w.,])(?P<num>\d+(?:[.,\u2009]\d+)*)(?:\s?(?P<scale>" + scale + r")\b)?", re.I)
    small = _alternation(k for k, v in units.items() if 0 < v < 10)
    joiner = r"(?:[- ]|\s+y\s+|\s+et\s+|-et-)"
    written = re.compile(
        r"\b(?P<w>(?:" + _alternation(tens) + r")(?:" + joiner + r"(?:" + small + r"))?|" + _alternation(units)
        + r")(?:\s(?P<scale>" + scale + r")\b)?", re.I)
    percent = re.compile(r"\s?(?:" + _alternation(p for p in PERCENT if p != "%") + r")\b|\s?%", re.I)
    return digits, written, percent


def _written_value(phrase: str, language: str | None) -> float | None:
    units, tens = for_language(UNITS, language), for_language(TENS, language)
    total = 0.0
    for part in re.split(r"[- ]+|\s+(?:y|et)\s+", phrase.lower()):
        if part in ("y", "et", ""):
            continue
        if part in tens:
            total += tens[part]
        elif part in units:
            total += units[part]
        else:
            return None
    return total


def _scale(word: str | None, language: str | None) -> float:
    if not word:
        return 1.0
    return float(for_language(SCALES, language).get(re.sub(r"\s+", " ", word.lower()), 1.0))


def read_numbers(text: str, language: str | None = None) -> list[NumberMention]:
    """Every number in ``text`` (see the module docstring), leftmost first, none overlapping another."""
    text = re.sub(r"(?<![\d,.])(\d{1,3}), (\d{3})\b", r"\1,\2", text or "")  # "100, 000" (tokenised text)
    # thousands grouped by a (narrow) no-break space anywhere, by a plain space in French: "2 400 000"
    spaces = "[\u00a0\u202f ]" if language == "fr" else "[\u00a0\u202f]"
    text = re.sub(r"(?<![\d,.])\d{1,3}(?:" + spaces + r"\d{3})+(?![\d])",
                  lambda m: re.sub(spaces, "\u2009", m.group(0)), text)
    digits, written, percent = _patterns(language)
    found: list[NumberMention] = []
    for m in digits.finditer(text):
        base = to_float(m.group("num"), language)
        if base is None:
            continue
        tail = percent.match(text, m.end())
        end = tail.end() if tail else m.end()
        start = m.start() - 1 if m.start() and text[m.start() - 1] in _CURRENCY else m.start()
        found.append(NumberMention(text[start:end].strip(), base * _scale(m.group("scale"), language), base,
                                   False, start, end))
    for m in written.finditer(text):
        base = _written_value(m.group("w"), language)
        if base is None:
            continue
        tail = percent.match(text, m.end())
        end = tail.end() if tail else m.end()
        found.append(NumberMention(text[m.start():end], base * _scale(m.group("scale"), language), base, True,
                                   m.start(), end))
    found.sort(key=lambda n: (n.start, -n.end))
    out: list[NumberMention] = []
    for n in found:
        if not out or n.start >= out[-1].end:
            out.append(n)
    return out


# ---------------------------------------------------------------- number keys (story clustering)
# Moved from tidings.stories.cluster (which re-exports it), unchanged.

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ .,\u00a0\u202f]\d{3})+|\d+)(?:[.,](\d+))?(?![\w])")


# Scale words after a number, in the corpus languages (en, fr, de, es): "340 million dollars",
# "340 millions de dollars", "340 Millionen Dollar" and "340 millones de dólares" all give #340000000.
_SCALE = re.compile(
    r"\s*(mil\s+millones|millones|millón|millon|millions?|millionen|mio\b\.?|mn\b|"
    r"billions?|bn\b|milliards?|milliarden?|mrd\b\.?|thousand|tausend|mille|mil\b)",
    re.IGNORECASE,
)
_SCALES = {"thousand": 3, "tausend": 3, "mille": 3, "mil": 3, "billion": 9, "billions": 9, "bn": 9,
           "milliard": 9, "milliards": 9, "milliarde": 9, "milliarden": 9, "mrd": 9, "mil millones": 9}


def _scale_of(word: str) -> int:
    word = re.sub(r"\s+", " ", word.lower().rstrip("."))
    return _SCALES.get(word, 6)  # every other word of _SCALE means a million


def number_keys(text: str) -> set[str]:
    """Language-agnostic keys of the numbers in ``text``: ``"2,000"``, ``"2 000"`` and
    ``"2.000"`` all give ``#2000``; ``"6.8"`` and ``"6,8"`` give ``#6.8``; a scale word
    after a number is applied in any of the corpus languages (``"1.5 billion"``,
    ``"1,5 Milliarden"`` and ``"1500 millones"`` all give ``#1500000000``). Numbers
    below 10 without decimals or scale are too common to tell stories apart and are skipped."""
    out: set[str] = set()
    for match in _NUMBER.finditer(text):
        whole = re.sub(r"[ .,\u00a0\u202f]", "", match.group(1))
        frac = match.group(2)
        value = whole.lstrip("0") or "0"
        scale = _SCALE.match(text, match.end())
        if scale:
            amount = Decimal(f"{value}.{frac}" if frac else value).scaleb(_scale_of(scale.group(1)))
            out.add(f"#{amount.normalize():f}")
        elif frac:
            out.add(f"#{value}.{frac}")
        elif len(value) >= 2:
            out.add(f"#{value}")
    return out
