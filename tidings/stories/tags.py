"""Tags of a story: its topic words and phrases and its named entities, normalised and ranked.

A story's tags come from all its articles' titles and texts. Three kinds of
candidate compete: single words (their variants merged by Snowball stem, scored by
frequency, first position and, given a document-frequency table, how few other
stories use them, with the language's stopwords removed and capitalised words, i.e.
names, left to NER), YAKE's lower-case two-word phrases ("open-source model"), and
named entities from :mod:`tidings.stories.entities` (scored by mentions and presence
in a title; a quarter of the places kept for names; a person shown by the surname
where the text mostly uses it alone). :func:`tag_candidates` describes every candidate
by language-agnostic features and :func:`rank_candidates` orders them by the
logistic weights of :mod:`tidings.stories.tag_rank`, fitted on 500N-KPCrowd's dev
slice (or by the hand-set weights below, ``ranker="hand"``). All are keyed the same way (case,
accents, plurals, possessives, hyphens and aliases folded), so "open-source models"
and "Open-Source model" are one tag, "Meta Platforms" joins "Meta", and the words of
a name ("LeCun", "Parlement") fold into it. The list comes best first, with a
display name in title case where the text wrote the word in lower case
("open-source model" -> "Open-Source Model"), leaving acronyms and brand spellings
("GPT-4o", "DeepSeek") as written."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tidings.stemming import stem_word
from tidings.stories.entities import (
    AliasTable,
    default_aliases,
    detect_language,
    entity_key,
    extract_entities,
    normalise_key,
)
from tidings.stories.tag_rank import RANKER, linear_score, weights_for

# Hand-set ranking weights, set on a dev slice of 500N-KPCrowd (benchmarks/keyphrases.py,
# docs/evaluation.md): the "hand" ranker. By default candidates are ranked by the weights fitted on the
# same slice, in tidings.stories.tag_rank ("learned"); the rules below (what is a candidate, names folded,
# places kept for names) hold for both.
WORD_FREQ = 1.0  # times log(1 + uses) of a word
WORD_POSITION = 0.5  # bonus for a word seen early in the story (1 at the start, 0 at the end)
WORD_TITLE = 0.0  # bonus for a word of a title (the position bonus already favours them)
WORD_YAKE = 0.0  # bonus 1/sqrt(rank) for the word's place in YAKE's single-word ranking (0: YAKE not run)
WORD_TITLE_ONLY = -0.5  # for a word only the headlines use, when there is a text
WORD_CAPITALISED = -1.2  # times the share of mid-sentence capitalised uses: names are left to NER
NOUNS_CAPITALISED = frozenset({"de", "lb"})  # languages that capitalise every noun: the rule above is reversed
PHRASE_WEIGHT = 1.2  # times 1/sqrt(rank) for YAKE's two-word phrases written in lower case
ENTITY_WEIGHT = 0.5  # times log(1 + mentions) for a named entity
ENTITY_TITLE = 0.5  # bonus for an entity named in a title
ENTITY_BASE = 0.5  # bonus for being a name at all
ENTITY_LONG = -1.0  # for a name of several words, not a person nor in a title ("Walk of Fame"): readers tag its words
DF_WEIGHT = 1.0  # times (1 - rarity) off a word found in many other documents (only with a doc_freq table)
NAME_SHARE = 0.25  # at least this share of the tags are names (named twice or in a title), where there are
SURNAME_TAGS = True  # show a person by the surname when the text uses it alone more than the full name
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


@dataclass(slots=True)
class Candidate:
    """One tag candidate of a story before ranking: comparison ``key``, display ``name``, ``kind``
    ("keyphrase" or "entity"), ``hand`` (its score under the hand-set weights above), ``features``
    (named values, see :mod:`tidings.stories.tag_rank`), whether a reserved place may go to it
    (``reservable``: a name named twice or in a title) and the word candidates it ``absorbs``
    (the words of a name, which it is, and whose score it takes where that is higher)."""

    key: str
    name: str
    kind: str
    hand: float
    features: dict[str, float] = field(default_factory=dict)
    reservable: bool = False
    absorbs: list[Candidate] = field(default_factory=list)


_ENTITY_LABEL_FEATURES = {"PERSON": "e_person", "ORG": "e_org", "PLACE": "e_place"}  # others: e_other


def _first_at(haystack: str, needles: Iterable[str]) -> float:
    """Where the first of ``needles`` occurs in ``haystack`` (both case-folded), as a share of
    its length: 0 at the start, 1 where none occurs."""
    found = [i for n in needles if n and (i := haystack.find(n.casefold())) >= 0]
    return min(found) / max(1, len(haystack)) if found else 1.0


def tag_candidates(texts: list[str] | str, language: str | None = None, aliases: AliasTable | None = None,
                   doc_freq: DocFreq | None = None) -> list[Candidate]:
    """Every tag candidate of a story, with its hand-weighted score and its ranking features.

    Single words (variants of one stem merged; calendar and number words and English
    words used only in "-ed" forms left out), YAKE's lower-case two-word phrases, and
    named entities; the words of a name are folded into it (``Candidate.absorbs``)."""
    table = aliases or default_aliases()
    titles, bodies, lang, stop = _prepare(texts, language)
    if not titles and not bodies:
        return []
    joined = _join(titles + bodies)
    folded_text = joined.casefold()
    title_text = " ".join(titles).casefold()
    cands: dict[str, Candidate] = {}

    def common(stem: str) -> float:
        return 1 - doc_freq.rarity(stem) if doc_freq is not None else 0.0

    # single words
    stats, length = _word_stats(titles, bodies, stop, table)
    raw_stats = stats
    stats, stems = _group_by_stem(stats, lang, table)
    by_stem = {stem: g for g, stem in stems.items()}
    group_of = {k: by_stem[stem_key(k, lang)] for k in raw_stats}
    unused = {g: w.count for g, w in stats.items()}  # uses not yet read as parts of a name
    folded: set[str] = set()
    yake_words: dict[str, int] = {}
    for r, (p, _) in enumerate(keyphrases(joined, lang, n=1) if WORD_YAKE else []):
        yake_words.setdefault(stem_key(tag_key(_clean_phrase(p), table), lang), r)
    central = cooccurrence_rank({k: w.sentences for k, w in stats.items()})
    for key, w in stats.items():
        position = 1 - w.first / max(1, length)
        score = WORD_FREQ * math.log1p(w.count) + WORD_POSITION * position
        score += WORD_TITLE * w.in_title
        if stems[key] in yake_words:
            score += WORD_YAKE / math.sqrt(yake_words[stems[key]] + 1)
        if doc_freq is not None:
            score -= DF_WEIGHT * common(stems[key])
        capital = 0.0
        if w.mid_sentence:
            capital_share = w.capitalised / w.mid_sentence
            # German capitalises every noun: there a word mostly written in lower case is a verb or an
            # adjective ("stattgegeben", "wesentlichen"), and the nouns are what a reader wants as tags
            capital = (1 - capital_share) if lang in NOUNS_CAPITALISED else capital_share
            score += WORD_CAPITALISED * capital
        title_only = bool(bodies) and w.count == w.in_title_count
        if title_only:
            score += WORD_TITLE_ONLY  # headline verbs ("warns", "unveils") that the text never uses
        if is_not_a_tag(key) or (lang == "en" and _only_past_forms(w.forms or {})):
            continue
        if lang in NOUNS_CAPITALISED and w.mid_sentence and capital > 0.5:
            continue  # German: a word the text writes in lower case is a verb or an adjective, not a tag
        assert w.forms is not None
        # the most used form, lower case first, and in English not a past tense ("release", not "released")
        form = max(w.forms, key=lambda f: (f.islower(), tag_key(f, table) == f.casefold(),  # type: ignore[index]
                                            not (lang == "en" and f.endswith("ed")), w.forms[f]))  # type: ignore[index]
        cands[key] = Candidate(key, display_name(form), "keyphrase", score, {
            "w": 1.0, "w_count": math.log1p(w.count), "w_once": float(w.count == 1), "w_position": position,
            "w_spread": (w.last - w.first) / max(1, length), "w_title": float(w.in_title),
            "w_title_only": float(title_only), "w_capital": capital, "w_common": common(stems[key]),
            "w_length": min(len(key), 15) / 10, "w_central": central.get(key, 0.0)})

    # lower-case two-word phrases ("open-source model", "artificial intelligence")
    for rank, (phrase, _) in enumerate(keyphrases(joined, lang, n=2)):
        phrase = _clean_phrase(phrase)
        if " " not in phrase or phrase != phrase.lower() or lang in NOUNS_CAPITALISED:
            continue  # (in German a phrase in lower case has no noun: "vorerst gestoppt")
        key = tag_key(phrase, table)
        if len(key) < 3 or key in cands or is_not_a_tag(key):
            continue
        words = key.split()
        cands[key] = Candidate(key, display_name(phrase), "keyphrase", PHRASE_WEIGHT / math.sqrt(rank + 1), {
            "p": 1.0, "p_rank": 1 / math.sqrt(rank + 1), "p_count": math.log1p(folded_text.count(phrase)),
            "p_position": 1 - _first_at(folded_text, [phrase]), "p_title": float(phrase in title_text),
            "p_common": sum(common(stem_word(x, lang)) for x in words) / len(words)})

    # named entities (those named twice or in a title may take reserved places, see reserve_names)
    entities = extract_entities(" ".join(_join([t]) for t in titles), "\n".join(_join([b]) for b in bodies),
                                lang, aliases=table)
    for e in entities:
        if e.label not in _TAG_LABELS or not e.text[:1].isupper() and not e.text[:1].isdigit():
            continue
        key = e.key.replace("-", " ") if e.key in table.display else tag_key(e.text, table)
        if len(key) < 2 or is_not_a_tag(key):
            continue
        score = ENTITY_BASE + ENTITY_WEIGHT * math.log1p(e.count) + (ENTITY_TITLE if e.in_title else 0.0)
        e_common = common(stem_key(key, lang)) if " " not in key else 0.0
        score -= DF_WEIGHT * e_common
        name = _surname_form(e.text, stats, table) if SURNAME_TAGS and e.label == "PERSON" else e.text
        long_name = " " in name and e.label != "PERSON" and not e.in_title
        if long_name:
            score += ENTITY_LONG
        features = {"e": 1.0, "e_count": math.log1p(e.count), "e_title": float(e.in_title),
                    "e_words": float(min(3, len(key.split())) - 1), "e_long": float(long_name),
                    _ENTITY_LABEL_FEATURES.get(e.label, "e_other"): 1.0,
                    "e_position": 1 - _first_at(folded_text, (e.text, *e.forms)), "e_common": e_common,
                    "e_surname": float(name != e.text)}
        c = cands.get(key)
        if c is None:
            c = cands[key] = Candidate(key, name, "entity", max(0.0, score), features)
        else:  # a word or phrase that is also a name: one candidate with both kinds' features
            for f, v in features.items():
                c.features[f] = max(c.features.get(f, v), v)
            c.name, c.kind, c.hand = name, "entity", max(c.hand, score)
        c.reservable = c.reservable or e.count >= 2 or e.in_title
        # a word of a longer name ("LeCun" of "Yann LeCun"), capitalised or not used outside it,
        # is that name, not a tag of its own
        words = {w for form in (e.text, *e.forms) for w in normalise_key(form.replace("-", " ")).split()}
        # (a stem group, "européen" with "européenne", goes once all its uses are in names)
        for part in sorted(words) if len(words) > 1 else []:
            w, group = raw_stats.get(part), group_of.get(part)
            if w is None or group is None or group not in cands or cands[group].kind != "keyphrase" \
                    or part in folded:
                continue
            capitalised = bool(w.mid_sentence and w.capitalised / w.mid_sentence > 0.5)
            if w.count <= e.count or capitalised:
                folded.add(part)
                unused[group] -= w.count
                if unused[group] <= 0 or capitalised:
                    c.absorbs.append(cands.pop(group))
    return list(cands.values())


def rank_candidates(candidates: list[Candidate], top: int = 10, min_names: int | None = None,
                    weights: Mapping[str, float] | None = None) -> list[Tag]:
    """The ``top`` best ``candidates`` as tags, best first: scored by the linear ``weights`` over
    their features (None: their hand-weighted score), a name taking the score of a word it
    absorbed where that is higher, with ``min_names`` places (None: ``NAME_SHARE`` of ``top``)
    kept for names named twice or in a title (:func:`reserve_names`)."""
    if top < 1 or not candidates:
        return []

    def value(c: Candidate) -> float:
        return c.hand if weights is None else linear_score(c.features, weights)

    scores = {c.key: max([value(c), *(value(a) for a in c.absorbs)]) for c in candidates}
    by_key = {c.key: c for c in candidates}
    ranked = sorted(scores, key=lambda k: (-scores[k], k))
    share = NAME_SHARE if min_names is None else min_names / max(1, top)
    names = {c.key for c in candidates if c.reservable and c.kind == "entity"}
    picked = reserve_names(ranked, names, top, share)
    return [Tag(by_key[k].name, k, by_key[k].kind, round(scores[k], 4)) for k in picked]


def tags_for(texts: list[str] | str, language: str | None = None, top: int = 10,
             aliases: AliasTable | None = None, doc_freq: DocFreq | None = None,
             min_names: int | None = None, ranker: str = RANKER) -> list[Tag]:
    """The ``top`` tags of a story whose articles' titles and texts are ``texts``, best first.

    Short one-line items are read as titles; ``language`` None detects it from the texts.
    Candidates: single words (frequency, first position, rarity; names are left to NER;
    variants of one stem merged), YAKE's lower-case two-word phrases, and named entities.
    ``doc_freq``, a table of how many other stories use each word (see
    :func:`document_frequencies`), ranks words common everywhere lower. ``min_names``
    places are kept for the best names (None: ``NAME_SHARE`` of ``top``). ``ranker``
    "learned" scores the candidates with the fitted weights of :mod:`tidings.stories.tag_rank`,
    "hand" with the hand-set weights above."""
    if top < 1:
        return []
    if ranker not in ("learned", "hand"):
        raise ValueError(f"unknown ranker {ranker!r}: 'learned' or 'hand'")
    candidates = tag_candidates(texts, language, aliases, doc_freq)
    weights = None if ranker == "hand" else weights_for(doc_freq is not None)
    return rank_candidates(candidates, top, min_names, weights)


# Words too general to be a tag on their own (a reader would not click "Model" or "Company"); in a phrase or
# a name they stay ("Language Model", "AI Office"). English, French, German and Spanish; compared by key.
_GENERIC_WORDS = """
model company firm business server operator centre center agency release developer work question language
customer dollar euro government administration association authority university institute organisation
organization group people official system service product platform project plan report reporting statement
news deal agreement answer team study data people year market industry sector user users area part way
thing case point number level version update
modele entreprise societe agence serveur operateur centre gouvernement developpeur utilisateur marche annonce
projet systeme service produit plateforme rapport equipe donnee annee secteur
modell unternehmen firma betreiber zentrum agentur regierung entwickler nutzer markt projekt system dienst
produkt plattform bericht team daten branche
modelo empresa compania servidor operador centro agencia gobierno desarrollador usuario mercado proyecto
sistema servicio producto plataforma informe equipo datos sector
""".split()


def _generic_keys() -> frozenset[str]:
    return frozenset(normalise_key(w) for w in _GENERIC_WORDS)


GENERIC_KEYS = _generic_keys()

STORY_TAGS = 8  # tags a story page shows
TAG_CANDIDATES = 16  # ranked candidates they are picked from (at least; twice the tags asked for)
MAX_ENTITY_TAGS = 5  # of 8: names first, then keyphrases
TAG_ARTICLES = 6  # a story's first articles in its main language are read ...
TAG_CHARS = 600  # ... each at least this many characters of its text (the lead paragraphs) ...
TAG_STORY_CHARS = 3600  # ... and more when the story has few articles: this many characters in all


@dataclass(slots=True, frozen=True)
class TagText:
    """One article as the tags stage reads it."""

    title: str
    text: str
    language: str | None = None


def story_tags_for(articles: Iterable[object], language: str | None = None, top: int = STORY_TAGS) -> list[Tag]:
    """The tags of a story page, from its articles (anything with ``title``, ``text`` and ``language``): the
    one path for ``tidings update`` and ``tidings tags``.

    Keyphrases come from the story's main-language articles, the language of its page (another language's
    function words never become tags; ``language`` None takes the commonest), the first
    :data:`TAG_ARTICLES` of them, each its title and the first :data:`TAG_CHARS` characters of its text,
    more for a story of few articles (:data:`TAG_STORY_CHARS` in all); :func:`tags_for` ranks at least
    :data:`TAG_CANDIDATES` candidates and :func:`story_tags` picks ``top``: names first, then keyphrases.
    Names do not depend on the language: in a story told in several languages the other languages'
    articles are read for names too, and the names that two or more of its languages give lead
    (:func:`names_across_languages`), so that "Claire Dufresne", named in the French and the English
    articles, comes before "Calcul", a misread that only the French articles give."""
    items = [a for a in articles if (getattr(a, "title", "") or getattr(a, "text", ""))]
    if not items or top < 1:
        return []
    if language is None:
        counts: dict[str, int] = {}
        for a in items:
            if getattr(a, "language", None):
                counts[a.language] = counts.get(a.language, 0) + 1  # type: ignore[attr-defined]
        language = max(counts, key=lambda k: counts[k]) if counts else None
    same = [a for a in items if language is None or getattr(a, "language", None) in (language, None)]
    texts = _tag_texts(same or items)
    wanted = max(TAG_CANDIDATES, 2 * top)
    found = tag_candidates(texts, language)
    weights = weights_for(False)
    candidates = join_phrases(rank_candidates(found, wanted, None, weights), texts, names_only=True)
    others: dict[str, list[object]] = {}
    for a in items:
        lang = getattr(a, "language", None)
        if language is not None and lang and lang != language:
            others.setdefault(lang, []).append(a)
    if others:
        wide = join_phrases(rank_candidates(found, WIDE_CANDIDATES, None, weights), texts, names_only=True)
        candidates = names_across_languages(candidates, wide, [
            {t.key for t in join_phrases(tags_for(_tag_texts(group), lang, top=WIDE_CANDIDATES), _tag_texts(group),
                                         names_only=True) if t.kind == "entity"}
            for lang, group in sorted(others.items())])
    candidates = [t for t in candidates if t.kind == "entity" or t.key not in GENERIC_KEYS]
    return story_tags(candidates, count=top, max_entities=math.ceil(top * MAX_ENTITY_TAGS / STORY_TAGS))


WIDE_CANDIDATES = 48  # in a story of several languages, names are looked for this far down each ranking


def _tag_texts(articles: list[object]) -> list[str]:
    """The titles and lead texts that tags are read from: the first :data:`TAG_ARTICLES` articles, each at
    least :data:`TAG_CHARS` characters, :data:`TAG_STORY_CHARS` in all where there are few."""
    chosen = articles[:TAG_ARTICLES]
    chars = max(TAG_CHARS, TAG_STORY_CHARS // max(1, len(chosen)))
    return [p for a in chosen
            for p in ((getattr(a, "title", "") or ""), lead_text(getattr(a, "text", "") or "", chars)) if p]


def names_across_languages(candidates: list[Tag], wide: list[Tag], other_names: list[set[str]]) -> list[Tag]:
    """A story's ranked ``candidates`` (its main language's) with the names that another of its languages
    gives too (``other_names``: each other language's name keys; a name with one of them in it, or in one of them,
counts too) first among its names: those in
    ``candidates`` in their order, then those only further down the main ranking (``wide``), then the
    names no other language gives. Keyphrases keep their places. Keys compare across languages (accents,
    case and aliases folded: "Commission européenne" is not "European Commission", but "Saclay",
    "Claire Dufresne", "France" are one)."""
    given = [frozenset(key.split()) for names in other_names for key in names]
    if not given:
        return candidates

    def confirmed(tag: Tag) -> bool:  # the same name, or a name with it or in it ("Skagen AI", "Skagen")
        words = set(tag.key.split())
        return any(words <= other or other <= words for other in given)

    present = {t.key for t in candidates}
    extra = [t for t in wide if t.kind == "entity" and t.key not in present and confirmed(t)]
    names = [t for t in candidates if t.kind == "entity"]
    lead = [t for t in names if confirmed(t)] + extra
    rest = [t for t in names if not confirmed(t)]
    ordered = iter(lead + rest)
    return [next(ordered) if t.kind == "entity" else t for t in candidates] + list(ordered)


def lead_text(text: str, chars: int) -> str:
    """The first ``chars`` characters of ``text``, ending at a sentence end or at least a word's end (a name
    cut mid-word, "Meridian Pres", must not become a tag)."""
    if len(text) <= chars:
        return text
    cut = text[:chars]
    end = max(cut.rfind(". "), cut.rfind(".\n"), cut.rfind("! "), cut.rfind("? "))
    if end >= chars // 2:
        return cut[: end + 1]
    space = cut.rfind(" ")
    return cut[:space] if space > 0 else cut


_PHRASE_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*|\S")
_CONNECTOR_WORDS = frozenset({"de", "du", "des", "of", "for", "von", "der", "del", "la", "el", "di"})
MAX_PHRASE_WORDS = 5


def join_phrases(candidates: list[Tag], texts: list[str], names_only: bool = False) -> list[Tag]:
    """Two single-word tags that the texts write side by side, again and again, are one name or phrase:
    "Agence" and "Continentale" become "Agence continentale de presse", "Intelligence" and "Artificielle"
    "Intelligence Artificielle". A pair joins when it stands together at least twice and in at least half
    the uses of its rarer word; the phrase grows to the right (over "de", "of" ...) while every use of the
    pair goes on the same way. The joined tag takes the better score and the place of the better word.
    ``names_only`` (what story pages use) joins only pairs with a name in them: KPCrowd's dev slice lost
    0.012 F@10 when lower-case pairs were joined too ("Training Data"), 0.001 with names only."""
    singles = {t.key: t for t in candidates if " " not in t.key}
    if len(singles) < 2:
        return candidates
    runs: list[list[tuple[str, str]]] = []  # per sentence-ish run: (key, surface)
    for text in texts:
        run: list[tuple[str, str]] = []
        for m in _PHRASE_WORD.finditer(text):
            w = m.group(0)
            if not w[0].isalpha():
                if run:
                    runs.append(run)
                run = []
                continue
            run.append((normalise_key(w), w))
        if run:
            runs.append(run)
    uses: dict[str, int] = {}
    pairs: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for r, run in enumerate(runs):
        for i, (key, _) in enumerate(run):
            uses[key] = uses.get(key, 0) + 1
            if i + 1 < len(run) and key in singles and run[i + 1][0] in singles and run[i + 1][0] != key:
                pairs.setdefault((key, run[i + 1][0]), []).append((r, i))
    joined: dict[str, Tag] = {}
    gone: set[str] = set()
    for (a, b), places in sorted(pairs.items(), key=lambda kv: -len(kv[1])):
        if a in gone or b in gone or len(places) < 2 or len(places) < 0.5 * min(uses.get(a, 0), uses.get(b, 0)):
            continue
        length = 2
        while length < MAX_PHRASE_WORDS:
            nexts = {tuple(k for k, _ in runs[r][i + length: i + length + 2]) for r, i in places}
            if len(nexts) != 1:
                break
            step = next(iter(nexts))
            if len(step) == 2 and step[0] in _CONNECTOR_WORDS:
                length += 2
            elif step and step[0] not in _CONNECTOR_WORDS and len(step) >= 1:
                length += 1
            else:
                break
        forms: dict[str, int] = {}
        for r, i in places:
            surface = " ".join(w for _, w in runs[r][i: i + length])
            forms[surface] = forms.get(surface, 0) + 1
        surface = _ELISION.sub("", max(forms, key=lambda f: (forms[f], f)))
        words = surface.split()
        if any(re.search(r"['\u2019]s$", w) for w in words[:-1]):
            continue  # "Ireland's electricity": a possessive, not a name
        if length == 2 and (words[0][:1].isupper()) != (words[1][:1].isupper()):
            continue  # "London researchers", "Dublin region": a name beside a word; a name runs on ("de presse")
        first, second = singles[a], singles[b]
        if names_only and "entity" not in (first.kind, second.kind):
            continue
        best = first if first.score >= second.score else second
        kind = "entity" if "entity" in (first.kind, second.kind) else "keyphrase"
        name = surface if surface != surface.lower() and kind == "entity" else display_name(surface.lower())
        joined[best.key] = Tag(name=name, key=tag_key(surface), kind=kind, score=max(first.score, second.score))
        gone.update({a, b} - {best.key})
        gone.add(best.key)
    if not joined:
        return candidates
    out: list[Tag] = []
    for t in candidates:
        if t.key in joined:
            out.append(joined[t.key])
        elif t.key not in gone:
            out.append(t)
    return out


def story_tags(candidates: list[Tag], count: int = STORY_TAGS, max_entities: int = MAX_ENTITY_TAGS) -> list[Tag]:
    """A story's displayed tags: its names first (people, organisations, places, products, at most
    ``max_entities``), then its keyphrases, each group in score order — seed 004's
    "Yann Lecun · Meta · Deepseek" next to "Open-Source · Regulation"."""
    picked: list[Tag] = []
    seen: list[set[str]] = []

    def take(tag: Tag) -> None:
        words = set(tag.key.replace("-", " ").split())
        if any(words <= other or other <= words for other in seen):
            return  # "Stratus" next to "Stratus Cloud", "Office" next to "AI Office": one is enough
        picked.append(tag)
        seen.append(words)

    for tag in candidates:
        if tag.kind == "entity" and len(picked) < max_entities:
            take(tag)
    for tag in candidates:
        if tag.kind != "entity" and len(tag.key) >= 4 and len(picked) < count:
            take(tag)
    return picked


def reserve_names(ranked: list[str], names: set[str], top: int, share: float) -> list[str]:
    """The ``top`` best of ``ranked`` keys, with at least ``share`` of them (rounded down) from
    ``names`` where there are that many: the best names left out take the places of the
    weakest other keys. Order stays by rank."""
    chosen = ranked[:top]
    wanted = int(share * top) - sum(k in names for k in chosen)
    if wanted <= 0:
        return chosen
    extra = [k for k in ranked[top:] if k in names][:wanted]
    dropped = set([k for k in chosen if k not in names][-len(extra):]) if extra else set()
    keep = set(chosen) - dropped | set(extra)
    return [k for k in ranked if k in keep]
