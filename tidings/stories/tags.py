"""Tags of a story: its keyphrases and named entities, normalised and ranked.

A story's tags come from all its articles' titles and texts. Keyphrases are
found by YAKE with the language's stopword list; named entities by
:mod:`tidings.stories.entities`. Both are keyed the same way (case, accents,
plurals, possessives, hyphens and aliases folded), so "open-source models" and
"Open-Source model" are one tag and "Meta Platforms" joins "Meta". A tag's score
blends how high YAKE ranks the phrase with how often (and whether in a title) the
entity is named; the list comes best first, with a display name in title case
where the source text was lower case ("open-source model" -> "Open-Source
Model"), leaving acronyms and brand spellings ("GPT-4o", "DeepSeek") as written.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tidings.stories.entities import (
    AliasTable,
    default_aliases,
    detect_language,
    entity_key,
    extract_entities,
)

YAKE_NGRAMS = 3
YAKE_CANDIDATES = 40
KEYPHRASE_WEIGHT = 1.0
ENTITY_WEIGHT = 0.6
TITLE_BONUS = 0.3
_YAKE_LANGS = {"cs": "cz"}  # ISO 639-1 code -> YAKE's stopword file name, where they differ
_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to", "vs", "via",
                "de", "des", "du", "la", "le", "les", "et", "el", "los", "las", "y", "der", "die", "das", "und",
                "von", "di", "del"}
_TITLE_MAX_WORDS = 25


@dataclass(slots=True)
class Tag:
    """One tag: display ``name``, comparison ``key``, ``kind`` ("entity" or
    "keyphrase") and ``score`` (higher is better; comparable within one story)."""

    name: str
    key: str
    kind: str
    score: float


def tag_key(phrase: str, aliases: AliasTable | None = None) -> str:
    """The comparison key of a tag: the entity key with hyphens read as spaces."""
    key = entity_key(phrase.replace("-", " "), aliases)
    return key.replace("-", " ")


def display_name(phrase: str) -> str:
    """Title case for words written in lower case; other words stay as written."""
    words = phrase.split()
    out = []
    for i, word in enumerate(words):
        if word != word.lower():
            out.append(word)  # "GPT-4o", "DeepSeek", "EU": keep
        elif 0 < i < len(words) - 1 and word in _SMALL_WORDS:
            out.append(word)
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)


@lru_cache(maxsize=16)
def _yake(language: str, n: int, top: int):
    import yake

    lan = _YAKE_LANGS.get(language, language)
    stopwords = Path(yake.__file__).parent / "core" / "StopwordsList" / f"stopwords_{lan}.txt"
    if not stopwords.exists():
        lan = "noLang"
    return yake.KeywordExtractor(lan=lan, n=n, top=top, dedup_lim=0.9)


def _is_title(text: str) -> bool:
    """A headline: one short line without a full stop at its end."""
    stripped = text.strip()
    return "\n" not in stripped and len(stripped.split()) <= _TITLE_MAX_WORDS and not stripped.endswith((".", "!"))


def _join(parts: list[str]) -> str:
    """Join titles and texts so that YAKE does not read across their boundaries."""
    out = []
    for part in parts:
        part = part.strip()
        if part and part[-1] not in ".!?…:;\"'»”":
            part += "."
        out.append(part)
    return "\n".join(out)


def keyphrases(text: str, language: str, top: int = YAKE_CANDIDATES, n: int = YAKE_NGRAMS) -> list[tuple[str, float]]:
    """YAKE keyphrases of ``text``, best first, each with YAKE's score (lower is better)."""
    if not text.strip():
        return []
    return [(phrase, float(score)) for phrase, score in _yake(language, n, top).extract_keywords(text)]


def _clean_phrase(phrase: str) -> str:
    phrase = re.sub(r"['\u2019]s\b", "", phrase)
    return " ".join(phrase.strip(" .,;:!?\"'«»“”‘’()[]").split())


def tags_for(texts: list[str] | str, language: str | None = None, top: int = 10,
             aliases: AliasTable | None = None) -> list[Tag]:
    """The ``top`` tags of a story whose articles' titles and texts are ``texts``, best first.

    Short one-line items are read as titles (their entities count more); ``language``
    None detects it from the texts."""
    table = aliases or default_aliases()
    parts = [texts] if isinstance(texts, str) else [t for t in texts if t and t.strip()]
    if not parts or top < 1:
        return []
    joined = _join(parts)
    lang = (language or detect_language(joined) or "en").split("-")[0].lower()

    titles = [p for p in parts if _is_title(p)]
    bodies = [p for p in parts if not _is_title(p)]
    entities = extract_entities(_join(titles).replace("\n", " "), _join(bodies), lang, aliases=table)

    scores: dict[str, float] = {}
    names: dict[str, str] = {}
    kinds: dict[str, str] = {}

    phrases = keyphrases(joined, lang)
    for rank, (phrase, _) in enumerate(phrases):
        phrase = _clean_phrase(phrase)
        key = tag_key(phrase, table)
        if len(key) < 2 or key in table.generic or key in scores:
            continue
        scores[key] = KEYPHRASE_WEIGHT / math.sqrt(rank + 1)
        names[key] = display_name(phrase)
        kinds[key] = "keyphrase"

    if entities:
        most = max(e.count for e in entities)
        for e in entities:
            key = tag_key(e.text, table) if e.key not in table.display else e.key.replace("-", " ")
            if len(key) < 2:
                continue
            weight = ENTITY_WEIGHT * math.log1p(e.count) / math.log1p(most) + (TITLE_BONUS if e.in_title else 0.0)
            scores[key] = scores.get(key, 0.0) + weight
            names[key] = e.text if e.text != e.text.lower() else display_name(e.text)
            kinds[key] = "entity"

    ranked = sorted(scores, key=lambda k: (-scores[k], k))
    return [Tag(names[k], k, kinds[k], round(scores[k], 4)) for k in ranked[:top]]
