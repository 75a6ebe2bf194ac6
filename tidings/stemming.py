"""Snowball stemming, shared by tags (variants of one word count once) and summaries (concepts).

``stem_word`` is cached: news text repeats its words. A language Snowball does not know
keeps its words as they are.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

SNOWBALL_LANGUAGES = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french", "hu": "hungarian",
    "id": "indonesian", "it": "italian", "lt": "lithuanian", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}


@lru_cache(maxsize=32)
def snowball(language: str | None) -> Any | None:
    """The Snowball stemmer for an ISO 639-1 code, or None where there is none."""
    name = SNOWBALL_LANGUAGES.get(language or "")
    if name is None:
        return None
    import snowballstemmer

    return snowballstemmer.stemmer(name)


@lru_cache(maxsize=200_000)
def stem_word(word: str, language: str | None) -> str:
    """The stem of one lower-cased word (the word itself where the language has no stemmer)."""
    stemmer = snowball(language)
    return stemmer.stemWord(word) if stemmer is not None else word
