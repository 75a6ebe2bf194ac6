"""Tags of a story: its topic words and phrases and its named entities, normalised and ranked.

A story's tags come from all its articles' titles and texts. Three kinds of
candidate compete: single words (scored by frequency, first position, presence in
a title and YAKE's single-word rank, with the language's stopwords removed and
capitalised words, i.e. names, left to NER), YAKE's lower-case two-word phrases
("open-source model"), and named entities from :mod:`tidings.stories.entities`
(scored by mentions and presence in a title). All are keyed the same way (case,
accents, plurals, possessives, hyphens and aliases folded), so "open-source models"
and "Open-Source model" are one tag, "Meta Platforms" joins "Meta", and the words of
a name ("LeCun", "Parlement") fold into it. The list comes best first, with a
display name in title case where the text wrote the word in lower case
("open-source model" -> "Open-Source Model"), leaving acronyms and brand spellings
("GPT-4o", "DeepSeek") as written."""

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
    normalise_key,
)

# Ranking weights, set on a dev slice of 500N-KPCrowd (benchmarks/keyphrases.py).
WORD_POSITION = 0.5  # bonus for a word seen early in the story (1 at the start, 0 at the end)
WORD_TITLE = 0.3  # bonus for a word of a title
WORD_YAKE = 0.5  # bonus 1/sqrt(rank) for the word's place in YAKE's single-word ranking
WORD_TITLE_ONLY = -0.5  # for a word only the headlines use, when there is a text
WORD_CAPITALISED = -0.6  # times the share of mid-sentence capitalised uses: names are left to NER
PHRASE_WEIGHT = 1.2  # times 1/sqrt(rank) for YAKE's two-word phrases written in lower case
ENTITY_WEIGHT = 0.8  # times log(1 + mentions) for a named entity
ENTITY_TITLE = 0.5  # bonus for an entity named in a title
ENTITY_BASE = 0.5  # bonus for being a name at all: a person named once still beats a passing word
YAKE_CANDIDATES = 30
_YAKE_LANGS = {"cs": "cz"}  # ISO 639-1 code -> YAKE's stopword file name, where they differ
_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to", "vs", "via",
                "de", "des", "du", "la", "le", "les", "et", "el", "los", "las", "y", "der", "die", "das", "und",
                "von", "di", "del"}
_TITLE_MAX_WORDS = 25
_TAG_LABELS = {"PERSON", "ORG", "PLACE", "PRODUCT", "EVENT", "WORK", "MISC"}  # not GROUP ("European")
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")


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


def keyphrases(text: str, language: str, top: int = YAKE_CANDIDATES, n: int = 2) -> list[tuple[str, float]]:
    """YAKE keyphrases of ``text`` (up to ``n`` words), best first, with YAKE's score (lower is better)."""
    if not text.strip():
        return []
    return [(phrase, float(score)) for phrase, score in _yake(language, n, top).extract_keywords(text)]


@lru_cache(maxsize=64)
def stopwords(language: str) -> frozenset[str]:
    """YAKE's stopword list for ``language`` (empty where it has none)."""
    import yake

    lan = _YAKE_LANGS.get(language, language)
    path = Path(yake.__file__).parent / "core" / "StopwordsList" / f"stopwords_{lan}.txt"
    if not path.exists():
        return frozenset()
    return frozenset(w.strip().casefold() for w in path.read_text(encoding="utf-8", errors="replace").split())


_ELISION = re.compile(r"^(?:[ldjmnstc]|qu)['\u2019](?=\w)", re.IGNORECASE)  # French l', d', qu' ...


def _clean_phrase(phrase: str) -> str:
    phrase = _ELISION.sub("", phrase.strip())
    phrase = re.sub(r"['\u2019]s\b", "", phrase)
    return " ".join(phrase.strip(" .,;:!?\"'«»“”‘’()[]").split())


def _clean_word(word: str) -> str:
    word = _ELISION.sub("", word)
    return re.sub(r"['\u2019]s?$", "", word).strip("-'\u2019")


def sentence_case_title(title: str, body: str) -> str:
    """Lower-case the words of a Title Case headline that the body writes in lower case,
    so that "Meta Releases Open Weights" does not read as one long name."""
    words = title.split()
    long_words = [w for w in words if len(w) > 3 and w[:1].isalpha()]
    if not long_words or sum(w[:1].isupper() for w in long_words) / len(long_words) < 0.8:
        return title
    lower_in_body = {w for w in _WORD.findall(body) if w.islower()}
    return " ".join(w.lower() if w.lower() in lower_in_body else w for w in words)


@dataclass(slots=True)
class _Word:
    count: int = 0
    first: int = 0
    capitalised: int = 0  # mid-sentence uses written with a capital
    mid_sentence: int = 0
    in_title: bool = False
    in_title_count: int = 0
    forms: dict[str, int] | None = None


def _word_stats(titles: list[str], bodies: list[str], stop: frozenset[str],
                table: AliasTable) -> tuple[dict[str, _Word], int]:
    stats: dict[str, _Word] = {}
    position = 0
    for part, is_title in [(t, True) for t in titles] + [(b, False) for b in bodies]:
        for sentence in re.split(r"(?<=[.!?…])\s+|\n+", part):
            for i, raw in enumerate(_WORD.findall(sentence)):
                position += 1
                word = _clean_word(raw)
                folded = word.casefold()
                if len(word) < 3 or folded in stop or not any(ch.isalpha() for ch in word):
                    continue
                key = tag_key(word, table)
                if len(key) < 3 or key in table.generic or key in stop:
                    continue
                entry = stats.get(key)
                if entry is None:
                    entry = stats[key] = _Word(first=position, forms={})
                entry.count += 1
                entry.in_title = entry.in_title or is_title
                entry.in_title_count += is_title
                if not is_title and i > 0:
                    entry.mid_sentence += 1
                    entry.capitalised += word[:1].isupper()
                assert entry.forms is not None
                entry.forms[word] = entry.forms.get(word, 0) + 1
    return stats, position


def tags_for(texts: list[str] | str, language: str | None = None, top: int = 10,
             aliases: AliasTable | None = None) -> list[Tag]:
    """The ``top`` tags of a story whose articles' titles and texts are ``texts``, best first.

    Short one-line items are read as titles; ``language`` None detects it from the texts.
    Candidates: single words (frequency, first position, titles, YAKE's rank; names are
    left to NER), YAKE's lower-case two-word phrases, and named entities."""
    table = aliases or default_aliases()
    parts = [texts] if isinstance(texts, str) else [t for t in texts if t and t.strip()]
    if not parts or top < 1:
        return []
    lang = (language or detect_language(_join(parts)) or "en").split("-")[0].lower()
    stop = stopwords(lang)
    if language is None and len(parts) > 1:  # a story in several languages: every one's stopwords
        for part in parts:
            other = detect_language(part)
            if other and other != lang:
                stop = stop | stopwords(other)

    titles = [p.strip() for p in parts if _is_title(p)]
    bodies = [p.strip() for p in parts if not _is_title(p)]
    body_text = "\n".join(bodies)
    titles_cased = [sentence_case_title(t, body_text) for t in titles]
    joined = _join(titles_cased + bodies)

    scores: dict[str, float] = {}
    names: dict[str, str] = {}
    kinds: dict[str, str] = {}

    # single words
    stats, length = _word_stats(titles_cased, bodies, stop, table)
    yake_words = {tag_key(_clean_phrase(p), table): r for r, (p, _) in enumerate(keyphrases(joined, lang, n=1))}
    for key, w in stats.items():
        score = math.log1p(w.count) + WORD_POSITION * (1 - w.first / max(1, length))
        score += WORD_TITLE * w.in_title
        if key in yake_words:
            score += WORD_YAKE / math.sqrt(yake_words[key] + 1)
        if w.mid_sentence:
            score += WORD_CAPITALISED * w.capitalised / w.mid_sentence
        if bodies and w.count == w.in_title_count:
            score += WORD_TITLE_ONLY  # headline verbs ("warns", "unveils") that the text never uses
        scores[key] = score
        assert w.forms is not None
        form = max(w.forms, key=lambda f: (f.islower(), tag_key(f, table) == f.casefold(), w.forms[f]))  # type: ignore[index]
        names[key] = display_name(form)
        kinds[key] = "keyphrase"

    # lower-case two-word phrases ("open-source model", "artificial intelligence")
    for rank, (phrase, _) in enumerate(keyphrases(joined, lang, n=2)):
        phrase = _clean_phrase(phrase)
        if " " not in phrase or phrase != phrase.lower():
            continue
        key = tag_key(phrase, table)
        if len(key) < 3 or key in scores:
            continue
        scores[key] = PHRASE_WEIGHT / math.sqrt(rank + 1)
        names[key] = display_name(phrase)
        kinds[key] = "keyphrase"

    # named entities
    entities = extract_entities(" ".join(_join([t]) for t in titles), "\n".join(_join([b]) for b in bodies),
                                lang, aliases=table)
    for e in entities:
        if e.label not in _TAG_LABELS or not e.text[:1].isupper() and not e.text[:1].isdigit():
            continue
        key = e.key.replace("-", " ") if e.key in table.display else tag_key(e.text, table)
        if len(key) < 2:
            continue
        score = ENTITY_BASE + ENTITY_WEIGHT * math.log1p(e.count) + (ENTITY_TITLE if e.in_title else 0.0)
        scores[key] = max(scores.get(key, 0.0), score)
        names[key] = e.text
        kinds[key] = "entity"
        # a word of a longer name ("LeCun" of "Yann LeCun"), capitalised or not used outside it,
        # is that name, not a tag of its own
        words = {w for form in (e.text, *e.forms) for w in normalise_key(form.replace("-", " ")).split()}
        for part in sorted(words) if len(words) > 1 else []:
            w = stats.get(part)
            if w is not None and kinds.get(part) == "keyphrase" and (
                    w.count <= e.count or w.mid_sentence and w.capitalised / w.mid_sentence > 0.5):
                scores[key] = max(scores[key], scores.pop(part))
                del names[part], kinds[part]

    ranked = sorted(scores, key=lambda k: (-scores[k], k))
    return [Tag(names[k], k, kinds[k], round(scores[k], 4)) for k in ranked[:top]]
