"""The shared toolkit's word tokenizers: one for the guard and the summarizer, one for tags."""

from __future__ import annotations

from tidings.text import COMPOUND_WORD, WORD, words


def test_a_word_keeps_inner_apostrophes_and_an_underscore_is_punctuation():
    assert words("Mitch _ once a hurricane, l'IA and rock'n'roll") == [
        "mitch", "once", "a", "hurricane", "l'ia", "and", "rock'n'roll"]
    assert WORD.findall("foo_bar 2,4") == ["foo", "bar", "2", "4"]


def test_the_summarizer_and_the_guard_read_words_with_the_toolkit():
    import tidings.stories.tag_words as tag_words
    import tidings.summarize.guard.reading as guard_reading
    import tidings.summarize.sentence_words as sentence_words

    assert sentence_words._WORD is WORD and guard_reading._WORD is WORD
    assert tag_words._WORD is COMPOUND_WORD


def test_a_tag_word_starts_with_a_letter_and_keeps_its_hyphens():
    assert COMPOUND_WORD.findall("open-source GPT-4o models, 2029 l'IA") == ["open-source", "GPT-4o", "models",
                                                                          "l'IA"]
