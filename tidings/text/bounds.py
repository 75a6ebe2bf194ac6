"""Bounded work per item: every text is cut to size before a model, a regex or a parser sees it.

A feed entry, an article page or a JSON line can carry a 200,000-character title, a
word of a megabyte or 50,000 one-letter words. Several stages cost more than linear
time in such input (the embedder's tokenizer and windows, sentence splitting, entity
and keyphrase extraction), so one hostile item could stall a run for minutes. The
bounds here keep each item's cost close to an ordinary article's:

* ``title_chars`` — a title is cut (at a word boundary) to this many characters;
* ``text_chars``, ``text_words`` and ``text_sentences`` — the text a stage works on
  (embedding, sections, tags, summaries, the guard) is cut to this many characters,
  words and sentences; an article longer than that is read from its beginning (news
  puts what matters first);
* ``stored_text_chars`` — what is kept of an extracted page's text in the database
  (the stages still read only the bounded beginning);
* ``lead_chars`` — a feed entry's summary or a page's description;
* ``word_chars`` — a "word" (a run without white space) longer than this is cut to it
  (a web address to four times that);
* ``sentence_words`` — a run of this many words with no sentence end gets a paragraph
  break, so no sentence handed to a model is longer;
* ``embed_tokens`` — a text handed to the embedder is cut (at a word boundary) to this
  many of the model's tokens. Characters are a poor proxy for the embedder's cost: 1,000
  characters of prose are about 250 tokens, 1,000 characters of one-letter words 500;
* ``summary_sentences`` — ``tidings check`` checks a summary's first this many sentences
  (the guard compares each with every source sentence) and answers the rest unchecked.

The defaults sit above ordinary news: a headline is rarely over 150 characters, and no
article of the DUC 2003/2004 evaluation sets (longest: 4,902 words, 217 sentences) is
changed by them, so only long reads are cut, and only for the stages (the stored text
keeps 500,000 characters). A hostile item then costs what the longest ordinary article
does; lowering ``text_words`` makes that cheaper, at the price of reading less of long
articles. They are read from the
``[limits]`` table of tidings.toml (or ``TIDINGS_LIMITS__<KEY>`` variables) by
:func:`configure`, which also exports them to the environment so worker processes,
forked or spawned, apply the same bounds. Every function here runs in linear time.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace
from typing import Any

ENV_PREFIX = "TIDINGS_LIMITS__"


@dataclass(frozen=True, slots=True)
class TextLimits:
    """The ``[limits]`` table."""

    title_chars: int = 300
    text_chars: int = 40_000
    text_words: int = 5_000
    text_sentences: int = 400
    stored_text_chars: int = 500_000
    lead_chars: int = 2_000
    word_chars: int = 64
    sentence_words: int = 150
    embed_tokens: int = 320
    summary_sentences: int = 50

    @classmethod
    def from_table(cls, table: dict[str, Any], where: str = "limits") -> TextLimits:
        known = {f.name for f in fields(cls)}
        values: dict[str, int] = {}
        for key, value in table.items():
            if key not in known:
                raise ValueError(f"unknown setting {where}.{key} (known: {', '.join(sorted(known))})")
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{where}.{key}: expected a positive integer, got {value!r}")
            values[key] = value
        return cls(**values)

    @classmethod
    def from_env(cls, environ: dict[str, str] | os._Environ[str] | None = None) -> TextLimits:
        environ = os.environ if environ is None else environ
        table: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                try:
                    table[f.name] = int(raw)
                except ValueError:
                    raise ValueError(f"{ENV_PREFIX}{f.name.upper()}: expected an integer, got {raw!r}") from None
        return cls.from_table(table, "environment")


_current: TextLimits | None = None


def limits() -> TextLimits:
    """The bounds in force in this process (the environment's, else the defaults)."""
    global _current
    if _current is None:
        _current = TextLimits.from_env()
    return _current


def configure(config: Any = None, **overrides: int) -> TextLimits:
    """Set this process's bounds from a :class:`tidings.config.Config` (its ``[limits]``
    table, then ``TIDINGS_LIMITS__*``), and export them for worker processes."""
    global _current
    base = TextLimits.from_table(config.table("limits")) if config is not None else TextLimits()
    env = TextLimits.from_env()
    merged = {f.name: getattr(env, f.name) for f in fields(TextLimits)
              if ENV_PREFIX + f.name.upper() in os.environ}
    current = replace(base, **merged, **overrides)
    for f in fields(TextLimits):
        os.environ[ENV_PREFIX + f.name.upper()] = str(getattr(current, f.name))
    _current = current
    return current


def _long_words(limit: int) -> re.Pattern[str]:
    return re.compile(rf"\S{{{limit + 1},}}")


_WORD_PATTERNS: dict[int, re.Pattern[str]] = {}
_TOKEN = re.compile(r"\S+|\s+")
_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?…。！？;:]['\"’”»)\]]*$")


def cut_words(text: str, word_chars: int) -> str:
    """Cut every run of more than ``word_chars`` non-space characters down to ``word_chars``
    (a web address down to four times that)."""
    pattern = _WORD_PATTERNS.get(word_chars)
    if pattern is None:
        pattern = _WORD_PATTERNS[word_chars] = _long_words(word_chars)

    def cut(match: re.Match[str]) -> str:
        word = match.group(0)
        if "://" in word[: word_chars] or word.startswith("www."):
            return word[: word_chars * 4]
        return word[:word_chars]

    return pattern.sub(cut, text)


def cut_chars(text: str, max_chars: int) -> str:
    """``text`` cut to at most ``max_chars`` characters, at the last white space when one is near."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= max_chars * 0.8:
        head = head[:space]
    return head.rstrip()


def break_long_sentences(text: str, sentence_words: int, max_sentences: int | None = None) -> str:
    """Insert a paragraph break after every ``sentence_words`` words that carry no sentence
    end, and cut the text after its ``max_sentences``-th sentence."""
    if text.count(" ") + text.count("\n") < sentence_words and (
            max_sentences is None or len(text) < max_sentences * 2):
        return text  # cannot hold a sentence that long, nor that many sentences
    out: list[str] = []
    words = sentences = 0
    inserted = False
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token[0].isspace():
            if "\n\n" in token:
                if words:
                    sentences += 1
                words = 0
            out.append(token)
            continue
        if max_sentences is not None and sentences >= max_sentences:
            return "".join(out).rstrip()
        out.append(token)
        words += 1
        if _SENTENCE_END.search(token):
            words = 0
            sentences += 1
        elif words >= sentence_words:
            out.append("\n\n")
            words = 0
            sentences += 1
            inserted = True
    return "".join(out) if inserted else text


def cut_word_count(text: str, max_words: int) -> str:
    """``text`` up to the end of its ``max_words``-th word."""
    if text.count(" ") + text.count("\n") < max_words:
        return text
    for number, match in enumerate(_WORD.finditer(text), start=1):
        if number == max_words:
            return text[: match.end()]
    return text


def bound_title(title: str | None, bounds: TextLimits | None = None) -> str | None:
    """A title with its words and its length bounded (unchanged when within the bounds)."""
    if not title:
        return title
    b = bounds or limits()
    title = cut_chars(title, b.title_chars * 4)  # bounds the work below
    return cut_chars(cut_words(title, b.word_chars), b.title_chars)


def bound_lead(text: str | None, bounds: TextLimits | None = None) -> str | None:
    """A summary or description: bounded like a title, at ``lead_chars``."""
    if not text:
        return text
    b = bounds or limits()
    text = cut_words(cut_chars(text, b.lead_chars * 4), b.word_chars)
    return cut_chars(text, b.lead_chars)


def bound_text(text: str | None, bounds: TextLimits | None = None) -> str | None:
    """An article's text with its length, words and sentences bounded (paragraphs kept)."""
    if not text:
        return text
    b = bounds or limits()
    text = cut_chars(text, b.text_chars * 2)  # bounds the work below
    text = cut_words(text, b.word_chars)
    text = break_long_sentences(cut_word_count(text, b.text_words), b.sentence_words, b.text_sentences)
    return cut_chars(text, b.text_chars)


def bound_stored_text(text: str | None, bounds: TextLimits | None = None) -> str | None:
    """An extracted page's text as stored: only its length is bounded (the words stay intact)."""
    if not text:
        return text
    return cut_chars(text, (bounds or limits()).stored_text_chars)


def bound_short(value: str | None, max_chars: int = 500) -> str | None:
    """A short field (author, site name): one line, at most ``max_chars`` characters."""
    if not value:
        return value
    return cut_chars(" ".join(value[: max_chars * 4].split()), max_chars)
