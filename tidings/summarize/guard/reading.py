"""How the faithfulness guard reads a text: quote marks made plain, sentences split (not after "No." or a
title), words and light language-neutral stems, numbers by value (one token per value in
:func:`support_tokens`), month and weekday names, runs of capitalised words (names), word bigrams and
trigrams. Pure functions; the checks (:mod:`~tidings.summarize.guard.checks`) and the support score
(:mod:`~tidings.summarize.guard.scoring`) read text only through them."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from tidings.text import WORD
from tidings.text.lexicon import ALL_MONTHS, ALL_NEGATIONS, ALL_WEEKDAYS, for_language
from tidings.text.lexicon import MONTHS as MONTHS_BY_LANGUAGE
from tidings.text.lexicon import WEEKDAYS as WEEKDAYS_BY_LANGUAGE
from tidings.text.numbers import NumberMention, read_numbers

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


def squash(text: str) -> str:
    """Lower-case letters and digits only: the key for verbatim quote matching."""
    return re.sub(r"[\W_]+", "", normalize_quotes(text).lower())


def extract_numbers(text: str, language: str | None = None) -> list[NumberMention]:
    """Numbers in ``text`` by value (:func:`tidings.text.numbers.read_numbers`)."""
    return read_numbers(normalize_quotes(text), language)


_ASIDE = re.compile(r"\s(?:_|--|–|—)\s[^_–—]{1,200}?\s(?:_|--|–|—)(?=\s)|\s?\([^()]{1,200}\)")


def without_asides(sentence: str) -> list[str]:
    """The sentence, and the sentence without its dash and bracket asides (a summary may leave them out,
    as ``cleanup.compress_sentence`` does)."""
    shorter = _ASIDE.sub("", sentence)
    return [sentence, shorter] if shorter != sentence else [sentence]


def date_words(language: str | None) -> tuple[dict[str, int], dict[str, int]]:
    """Month and weekday names of ``language`` (all four languages' when it is unknown or another one)."""
    return for_language(MONTHS_BY_LANGUAGE, language), for_language(WEEKDAYS_BY_LANGUAGE, language)


def bigrams(tokens: list[str]) -> set[tuple[str, str]]:
    return set(pairwise(tokens))


def trigrams(tokens: list[str]) -> set[tuple[str, str, str]]:
    return set(zip(tokens, tokens[1:], tokens[2:], strict=False))  # each three neighbours


def name_spans(sentence: str) -> list[list[tuple[str, bool]]]:
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
