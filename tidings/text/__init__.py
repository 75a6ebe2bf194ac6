"""The shared text toolkit: one place for what every stage needs to read news text.

* :mod:`tidings.text.lexicon` - per-language word lists (English, French, German, Spanish): stop words,
  months, weekdays, negation cues, number words and scale words;
* :mod:`tidings.text.numbers` - reading numbers by value: digits with either decimal mark, written-out
  numbers and scale words ("2,4 Millionen", "tres millones", "1.2bn", "cinq milliards");
* :data:`WORD` and :func:`words` - the word tokenizer (the guard's and the summarizer's);
  :data:`COMPOUND_WORD` - a word that starts with a letter and keeps its hyphens ("open-source"), for tags;
* :func:`tidings.stemming.stem_word` - Snowball stemming;
* :func:`tidings.text.sentences.split_sentences` - sentence splitting;
* :func:`tidings.text.language.detect_language` - language identification (py3langid).

The last three are re-exported here, so that a stage imports its text tools from one module.
"""

from __future__ import annotations

import re

from tidings.stemming import stem_word
from tidings.text.language import detect_language
from tidings.text.sentences import split_sentences

__all__ = ["COMPOUND_WORD", "WORD", "detect_language", "split_sentences", "stem_word", "words"]

# a word: letters and digits, with inner apostrophes ("don't", "aujourd'hui", "l'IA"); an underscore is
# punctuation (the wires' dash: "Mitch _ once a hurricane")
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# a word as tags read it: it starts with a letter and keeps its hyphens, digits and apostrophes
# ("open-source", "GPT-4o", "l'IA"); "2029" is not one
COMPOUND_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")


def words(text: str, lower: bool = True) -> list[str]:
    """The words of ``text`` (see :data:`WORD`), lower-cased unless ``lower`` is False."""
    found = WORD.findall(text or "")
    return [w.lower() for w in found] if lower else found
