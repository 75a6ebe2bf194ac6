"""Sentence splitting for news text in English, French, German and Spanish.

A rule-based splitter: a sentence ends at ``.``, ``!``, ``?`` or ``…`` (and any
closing quotes or brackets right after it) when the next word starts a new
sentence. It does not end after a known abbreviation ("Dr.", "Mr.", "z.B.",
"Sr.", "M."), an initial ("J. Smith"), a dotted acronym inside a sentence
("U.S. officials"), inside a number ("3.5") or inside an open quotation that
goes on with a lower-case word. Paragraph breaks always end a sentence.

:func:`split_sentences` returns the sentences' exact text (stripped), so a
sentence can always be found verbatim in its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations that are followed by a period but rarely end a sentence (lower-cased, no final dot).
_COMMON = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "gov", "sen", "rep", "rev",
    "lt", "col", "capt", "cmdr", "sgt", "adm", "maj", "pres", "supt", "det", "insp", "hon",
    "inc", "corp", "co", "ltd", "bros", "no", "nos", "vol", "vols", "fig", "figs", "p", "pp", "ch",
    "vs", "v", "etc", "e.g", "i.e", "approx", "est", "dept", "univ", "assn", "ave", "blvd", "rd",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "kans",
    "ky", "la", "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore",
    "pa", "penn", "tenn", "tex", "va", "vt", "wash", "wis", "wyo",
    "a.m", "p.m", "u.s", "u.k", "u.n", "e.u",
}
_LANG_ABBREVIATIONS: dict[str, set[str]] = {
    "fr": {"m", "mm", "mme", "mmes", "mlle", "mlles", "me", "dr", "pr", "st", "ste", "cf", "env", "av",
           "apr", "j.-c", "etc", "p", "éd", "hab", "min", "max", "nº", "n°", "boul", "bd"},
    "de": {"z.b", "u.a", "d.h", "bzw", "ca", "usw", "vgl", "nr", "hr", "fr", "str", "dr", "prof", "s",
           "u.ä", "o.ä", "z.t", "v.a", "mio", "mrd", "evtl", "ggf", "inkl", "zzgl", "bspw", "jh", "abs",
           "art", "bzgl", "geb", "gest", "tel", "u.s.w", "i.d.r"},
    "es": {"sr", "sra", "srta", "sres", "dr", "dra", "lic", "ing", "arq", "ud", "uds", "vd", "vds",
           "etc", "p.ej", "aprox", "núm", "pág", "avda", "av", "dña", "d", "da", "ee.uu", "cía", "s.a"},
}
_NON_TERMINAL_IN_ANY = set().union(*_LANG_ABBREVIATIONS.values()) | _COMMON

# words that, after a dotted acronym ("U.S."), start a new sentence
_SENTENCE_OPENERS = frozenset({"He", "She", "It", "They", "We", "The", "But", "I", "In", "A"})
_OPEN_QUOTES = "\"“„«‘'`"
# a candidate end: terminal punctuation, then closing quotes/brackets, then whitespace
_CANDIDATE = re.compile(r"([.!?…]+)([\"”“»’')\]]*|'')(?=\s)")
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*[-•*]\s)|\r\n\r\n")
_TOKEN_BEFORE = re.compile(r"(\S+)$")
_WORD_LOOKBACK = 300  # longer than any word the text bounds let through (64 characters, a link 256)
_NEXT_START = re.compile(r"\s+(\S)")


@dataclass(slots=True, frozen=True)
class Span:
    """A sentence and where it lies in the text it came from."""

    text: str
    start: int
    end: int


def _is_abbreviation(token: str, language: str | None) -> bool:
    """``token`` is the word before a period, without that period."""
    word = token.lstrip(_OPEN_QUOTES + "([{").lower()
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Smith", "M. Macron"
    if word in _COMMON:
        return True
    if language and word in _LANG_ABBREVIATIONS.get(language[:2].lower(), set()):
        return True
    if not language and word in _NON_TERMINAL_IN_ANY:
        return True
    # dotted acronyms: "U.S", "e.g", "Ph.D", "a.m"
    return bool(re.fullmatch(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}", word))


def _dotted_acronym(token: str) -> bool:
    word = token.lstrip(_OPEN_QUOTES + "([{")
    return bool(re.fullmatch(r"(?:[A-Z]\.)+[A-Z]", word))


def _starts_sentence(ch: str) -> bool:
    return ch.isupper() or ch.isdigit() or ch in _OPEN_QUOTES or ch in "([¿¡-–—_" or not ch.isalpha() and ch.isalnum()


def _split_block(block: str, offset: int, language: str | None) -> list[Span]:
    spans: list[Span] = []
    start = 0
    for match in _CANDIDATE.finditer(block):
        end = match.end()
        punct = match.group(1)
        nxt = _NEXT_START.match(block, end)
        if nxt is None:
            continue  # end of block: handled below
        following = nxt.group(1)
        if not _starts_sentence(following):
            continue  # "... the U.S. and ...", "« Oui ! » dit-il"
        if punct == ".":
            # the word before the period: look back a word's length, not to the block's start
            # (that made a long paragraph cost its length squared)
            before = _TOKEN_BEFORE.search(block, max(0, match.start() - _WORD_LOOKBACK), match.start())
            token = before.group(1) if before else ""
            if _is_abbreviation(token, language):
                # "U.S. He said" is ambiguous; a dotted acronym before a capitalised
                # pronoun or article is taken as an end of sentence
                word = re.match(r"\S+", block[nxt.start(1):])
                nxt_word = word.group(0) if word else ""
                if not (_dotted_acronym(token) and nxt_word in _SENTENCE_OPENERS):
                    continue
        text = block[start:end].strip()
        if text:
            lead = len(block[start:end]) - len(block[start:end].lstrip())
            spans.append(Span(text, offset + start + lead, offset + end))
        start = nxt.start(1)
    tail = block[start:].strip()
    if tail:
        lead = len(block[start:]) - len(block[start:].lstrip())
        spans.append(Span(tail, offset + start + lead, offset + start + lead + len(tail)))
    return spans


def split_spans(text: str, language: str | None = None) -> list[Span]:
    """Split ``text`` into sentences with their character offsets."""
    spans: list[Span] = []
    pos = 0
    for match in list(_PARAGRAPH.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        block = text[pos:end]
        # single newlines inside a paragraph end a sentence only after terminal punctuation
        for line_match in re.finditer(r"[^\n]+(?:\n(?![A-Z\"“«]|\s*$)[^\n]+)*", block):
            spans.extend(_split_block(line_match.group(0), pos + line_match.start(), language))
        pos = match.end() if match else len(text)
    return spans


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Split ``text`` into sentences; each is an exact, stripped substring of ``text``."""
    return [span.text for span in split_spans(text, language)]
