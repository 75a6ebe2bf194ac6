"""When two sentences say one thing: the same words, one fact with one distinctive number, most of one's
words again, or three of the same numbers. Pure functions over the sentences' text and stems."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from tidings.summarize.sentence_words import stems, tokens
from tidings.text.numbers import read_numbers


@lru_cache(maxsize=65_536)
def _token_set(text: str) -> frozenset[str]:
    return frozenset(tokens(text))


def same_words(a: str, b: str, threshold: float = 0.8) -> bool:
    """``a`` and ``b`` use nearly the same words (Jaccard of their word sets at least ``threshold``)."""
    x, y = _token_set(a), _token_set(b)
    if not x or not y:
        return False
    return len(x & y) / len(x | y) >= threshold


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def distinctive_numbers(text: str) -> frozenset[str]:
    """Numbers that name one fact ("14,000", "9.8", "80"): not a day of the month (1-31) or a year."""
    out = set()
    for raw in _NUMBER.findall(text):
        digits = raw.replace(",", "")
        if "." in digits:
            out.add(digits)
            continue
        value = int(digits)
        if value > 31 and not 1900 <= value <= 2100:
            out.add(digits)
    return frozenset(out)


def same_fact(a: str, b: str, language: str | None = "en", overlap: float = 0.4) -> bool:
    """``a`` and ``b`` state one fact in other words: they give the same distinctive number and at least
    ``overlap`` of the shorter one's content words are in the other ("scans found about 14,000 servers
    reachable from the public internet" / "counted about 14,000 instances reachable from the internet")."""
    if overlap <= 0 or not distinctive_numbers(a) & distinctive_numbers(b):
        return False
    x, y = {w for w in stems(a, language) if w}, {w for w in stems(b, language) if w}
    if not x or not y:
        return False
    return len(x & y) / min(len(x), len(y)) >= overlap


def retells(a: Sequence[str], b: Sequence[str], least: int = 4, share: float = 0.5) -> bool:
    """Two sentences whose content-word stems ``a`` and ``b`` (stop words as ``""``, see :func:`stems`) say one
    thing twice: at least ``least`` stems in common, and at least ``share`` of the shorter one's."""
    if least <= 0:
        return False
    x, y = {w for w in a if w}, {w for w in b if w}
    common = len(x & y)
    return common >= least and common >= share * min(len(x), len(y))


@lru_cache(maxsize=4096)
def number_values(text: str, language: str | None) -> frozenset[float]:
    """The values of the numbers ``text`` gives, digits or words ("eleven", "2", "14"), by the toolkit's reader."""
    return frozenset(n.value for n in read_numbers(text, language))


def same_numbers(a: str, b: str, language: str | None, least: int = 3) -> bool:
    """``a`` and ``b`` give at least ``least`` of the same numbers: one fact in two outlets' words ("eleven
    widely used models fell by between 2 and 14 points ... in five of the eight benchmarks" / "eleven models
    lost between 2 and 14 points ... in five of the eight tests"); 0: off."""
    return least > 0 and len(number_values(a, language) & number_values(b, language)) >= least
