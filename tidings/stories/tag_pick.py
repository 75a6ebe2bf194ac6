"""A story page's tags: which articles are read, names two languages give, phrases joined, generic words
out, and the pick (names first, then keyphrases). :func:`story_tags_for` is the one path of
``tidings update`` and ``tidings tags``."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from tidings.stories.entities import normalise_key
from tidings.stories.tag_candidates import tag_candidates
from tidings.stories.tag_rank import rank_candidates, tags_for, weights_for
from tidings.stories.tag_words import _ELISION, Tag, display_name, tag_key
from tidings.text import COMPOUND_WORD

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
            lang = getattr(a, "language", None)
            if lang:
                counts[lang] = counts.get(lang, 0) + 1
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


_PHRASE_WORD = re.compile(COMPOUND_WORD.pattern + r"|\S")  # a word, else one other character
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
