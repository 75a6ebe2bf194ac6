"""The words of a story, as the tags stage reads them: keys, display names, stop and not-a-tag words,
YAKE's phrases, word statistics (uses, positions, sentences, capitals), stems and the document-frequency
table. Pure functions; the candidates they feed are made in :mod:`tidings.stories.tag_candidates`."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tidings.stemming import stem_word
from tidings.stories.entities import AliasTable, default_aliases, detect_language, entity_key
from tidings.text import COMPOUND_WORD

NOUNS_CAPITALISED = frozenset({"de", "lb"})  # languages that capitalise every noun: the rule above is reversed
YAKE_CANDIDATES = 30
_YAKE_LANGS = {"cs": "cz"}  # ISO 639-1 code -> YAKE's stopword file name, where they differ
_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to", "vs", "via",
                "de", "des", "du", "la", "le", "les", "et", "el", "los", "las", "y", "der", "die", "das", "und",
                "von", "di", "del"}
_TITLE_MAX_WORDS = 25
_WORD = COMPOUND_WORD  # the shared toolkit's word as tags read it


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


# Calendar words, number words and units say nothing about a story: never a tag, nor the first or last
# word of one ("Donnerstag Leitlinien", "Millionen Euro"), in English, French, German or Spanish.
_NOT_TAG_WORDS = """
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december lundi mardi mercredi jeudi vendredi samedi dimanche janvier
fevrier mars avril mai juin juillet aout septembre octobre novembre decembre montag dienstag mittwoch
donnerstag freitag samstag sonntag januar februar marz juni juli oktober dezember lunes martes miercoles
jueves viernes sabado domingo enero febrero marzo abril mayo junio julio agosto septiembre octubre
noviembre diciembre today yesterday tomorrow week weeks year years month months day days hour hours
minute minutes second seconds percent per cent pourcent prozent porcentaje million millions billion
billions trillion trillions thousand thousands hundred hundreds milliard milliards millier milliers
million millionen milliarde milliarden billion billionen tausend millon millone millones mil
minuten stunde stunden tag tage tagen jahr jahre jahren woche wochen monat monate monaten
""".split()
NOT_TAGS = frozenset(_NOT_TAG_WORDS)


def is_not_a_tag(key: str) -> bool:
    """A calendar word, number word or unit, alone or at either end of a phrase (``key`` normalised)."""
    parts = key.replace("-", " ").split()
    return not parts or parts[0] in NOT_TAGS or parts[-1] in NOT_TAGS


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


def _only_past_forms(forms: Mapping[str, int]) -> bool:
    """Every use of an English word is an "-ed" form of a verb ("launched", "opened"; not "seed" or "red"):
    an action, not a topic, so not a tag."""
    return bool(forms) and all(f.lower().endswith("ed") and len(stem_word(f.lower(), "en")) <= len(f) - 2
                               for f in forms)


def stem_key(key: str, language: str) -> str:
    """The Snowball stem of each word of a tag key ("hiring" and "hired" -> "hire"), so that
    a word's morphological variants count as one candidate; the key itself where the
    language has no stemmer."""
    return " ".join(stem_word(word, language) for word in key.split())


@dataclass(frozen=True, slots=True)
class DocFreq:
    """How many of ``docs`` documents use each stemmed word (``counts``), to rank words
    common everywhere ("said", "year") below the words of this story. ``left_out`` are the
    stems of one document taken out of the table (leave-one-out), see :meth:`without`."""

    counts: Mapping[str, int]
    docs: int
    left_out: frozenset[str] = field(default_factory=frozenset)

    def rarity(self, stem: str) -> float:
        """Inverse document frequency scaled to [0, 1]: 1 for a word no other document uses."""
        docs = self.docs - (1 if self.left_out else 0)
        if docs < 1:
            return 1.0
        df = max(0, self.counts.get(stem, 0) - (stem in self.left_out))
        return math.log((docs + 1) / (df + 1)) / math.log(docs + 1)

    def without(self, stems: Iterable[str]) -> DocFreq:
        """The table less one document whose stems are ``stems`` (one document at a time)."""
        return DocFreq(self.counts, self.docs, frozenset(stems))


@dataclass(slots=True)
class _Word:
    count: int = 0
    first: int = 0
    last: int = 0  # position of the last use
    sentences: list[int] = field(default_factory=list)  # the sentence of each use, numbered through the story
    capitalised: int = 0  # mid-sentence uses written with a capital
    mid_sentence: int = 0
    in_title: bool = False
    in_title_count: int = 0
    forms: dict[str, int] | None = None


def _sentences(titles: list[str], bodies: list[str]) -> list[tuple[str, bool]]:
    """The sentences of a story's titles and texts, in order, each with whether it is a title."""
    return [(sentence, is_title) for part, is_title in [(t, True) for t in titles] + [(b, False) for b in bodies]
            for sentence in re.split(r"(?<=[.!?…])\s+|\n+", part)]


def _word_stats(titles: list[str], bodies: list[str], stop: frozenset[str],
                table: AliasTable) -> tuple[dict[str, _Word], int]:
    stats: dict[str, _Word] = {}
    position = 0
    for number, (sentence, is_title) in enumerate(_sentences(titles, bodies)):
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
            entry.last = position
            entry.sentences.append(number)
            entry.in_title = entry.in_title or is_title
            entry.in_title_count += is_title
            if not is_title and i > 0:
                entry.mid_sentence += 1
                entry.capitalised += word[:1].isupper()
            assert entry.forms is not None
            entry.forms[word] = entry.forms.get(word, 0) + 1
    return stats, position


def _group_by_stem(stats: dict[str, _Word], language: str,
                   table: AliasTable) -> tuple[dict[str, _Word], dict[str, str]]:
    """Merge the words whose keys share a stem; the most used key names the group.
    Returns the merged stats by that key, and each group key's stem."""
    groups: dict[str, list[str]] = {}
    for key in stats:
        groups.setdefault(stem_key(key, language), []).append(key)
    merged: dict[str, _Word] = {}
    stems: dict[str, str] = {}
    for stem, keys in groups.items():
        keys.sort(key=lambda k: (-stats[k].count, len(k), k))
        if len(keys) == 1:
            merged[keys[0]] = stats[keys[0]]
        else:
            words = [stats[k] for k in keys]
            forms: dict[str, int] = {}
            for w in words:
                for form, n in (w.forms or {}).items():
                    forms[form] = forms.get(form, 0) + n
            merged[keys[0]] = _Word(count=sum(w.count for w in words), first=min(w.first for w in words),
                                    last=max(w.last for w in words),
                                    sentences=sorted(n for w in words for n in w.sentences),
                                    capitalised=sum(w.capitalised for w in words),
                                    mid_sentence=sum(w.mid_sentence for w in words),
                                    in_title=any(w.in_title for w in words),
                                    in_title_count=sum(w.in_title_count for w in words),
                                    forms={f: n for f, n in forms.items() if tag_key(f, table) == keys[0]} or forms)
        stems[keys[0]] = stem
    return merged, stems


def cooccurrence_rank(sentences: Mapping[str, list[int]], steps: int = 20,
                      damping: float = 0.85) -> dict[str, float]:
    """TextRank-style centrality of each word: PageRank over the graph that links two words once
    for each pair of their uses in one sentence (``sentences``: the sentence number of each use
    of each word), scaled so that the most central word has 1."""
    by_sentence: dict[int, list[str]] = {}
    for key, numbers in sentences.items():
        for n in numbers:
            by_sentence.setdefault(n, []).append(key)
    links: dict[str, dict[str, int]] = {key: {} for key in sentences}
    for keys in by_sentence.values():
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if a != b:
                    links[a][b] = links[a].get(b, 0) + 1
                    links[b][a] = links[b].get(a, 0) + 1
    out_weight = {k: sum(v.values()) for k, v in links.items()}
    rank = dict.fromkeys(sentences, 1.0)
    for _ in range(steps):
        new = dict.fromkeys(sentences, 1 - damping)
        for a, neighbours in links.items():
            if out_weight[a]:
                share = damping * rank[a] / out_weight[a]
                for b, n in neighbours.items():
                    new[b] += share * n
        rank = new
    top = max(rank.values(), default=1.0) or 1.0
    return {k: v / top for k, v in rank.items()}


def _surname_form(name: str, stats: dict[str, _Word], table: AliasTable) -> str:
    """A person's surname alone ("LeCun") where the text uses it more often alone than with
    the first name ("Yann LeCun"); the full name otherwise."""
    words = name.split()
    if len(words) < 2:
        return name
    first, last = stats.get(tag_key(words[0], table)), stats.get(tag_key(words[-1], table))
    if last is None:
        return name
    full = first.count if first is not None else 0
    return words[-1] if last.count - full > full else name


def _prepare(texts: list[str] | str, language: str | None) -> tuple[list[str], list[str], str, frozenset[str]]:
    """Titles (sentence-cased), bodies, language and stopwords of a story's texts."""
    parts = [texts] if isinstance(texts, str) else [t for t in texts if t and t.strip()]
    parts = [html.unescape(p) for p in parts]
    if not parts:
        return [], [], (language or "en"), frozenset()
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
    return [sentence_case_title(t, body_text) for t in titles], bodies, lang, stop


def document_terms(texts: list[str] | str, language: str | None = None,
                   aliases: AliasTable | None = None) -> set[str]:
    """The stemmed words that :func:`tags_for` would weigh in these texts: one document's
    entry in a :class:`DocFreq` table."""
    table = aliases or default_aliases()
    titles, bodies, lang, stop = _prepare(texts, language)
    stats, _ = _word_stats(titles, bodies, stop, table)
    return {stem_key(key, lang) for key in stats}


def document_frequencies(documents: Iterable[list[str] | str], language: str | None = None,
                         aliases: AliasTable | None = None) -> DocFreq:
    """A :class:`DocFreq` table over ``documents`` (each a story's or an article's texts)."""
    counts: dict[str, int] = {}
    docs = 0
    for texts in documents:
        docs += 1
        for stem in document_terms(texts, language, aliases):
            counts[stem] = counts.get(stem, 0) + 1
    return DocFreq(counts, docs)
