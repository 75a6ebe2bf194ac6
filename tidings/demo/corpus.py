"""The bundled demo corpus: fictional outlets and articles, and the ground truth.

The corpus lives as data inside the package: ``corpus/outlets.toml`` lists the
outlets, ``corpus/articles/*.md`` holds one article each (TOML front matter
between ``+++`` lines, then paragraphs separated by blank lines), and
``corpus/ground_truth.toml`` says which event each article reports and which
articles are syndicated copies of one wire story. Everything here is written
for the project: the outlets, companies and people are fictional.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path

FEED_FORMATS = ("rss2", "atom", "jsonfeed", "rss1", "sitemap", "broken-rss2")
LANGUAGES = ("en", "fr", "de", "es")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Outlet:
    """One fictional news outlet, served under ``/<slug>/`` of the demo origin."""

    slug: str
    name: str
    country: str  # ISO 3166-1 alpha-2
    language: str  # ISO 639-1
    authority: float  # 0..1, how much weight its reporting deserves
    feed_format: str  # one of FEED_FORMATS
    full_content: bool  # whether its feed carries the whole article
    tagline: str = ""
    disallow: tuple[str, ...] = ()  # robots.txt Disallow paths under its prefix

    @property
    def has_feed(self) -> bool:
        return self.feed_format != "sitemap"


@dataclass(frozen=True, slots=True)
class CorpusArticle:
    """One article of the corpus, as written."""

    id: str
    outlet: str  # Outlet.slug
    title: str
    author: str
    published: datetime
    language: str
    slug: str
    paragraphs: tuple[str, ...]
    summary: str  # the dek / feed description
    updated: datetime | None = None
    tracking_query: str | None = None  # utm_ parameters the feed adds to its link
    alias_slug: str | None = None  # served also at /<outlet>/amp/<alias>; that page names the canonical URL

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def word_count(self) -> int:
        return len(_WORD.findall(self.text))


@dataclass(frozen=True, slots=True)
class Event:
    """One real-world (fictional) happening that several articles report."""

    id: str
    title: str
    articles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """Which event each article reports, and which articles copy one wire story."""

    events: tuple[Event, ...]
    syndicated: tuple[tuple[str, ...], ...] = ()  # groups of near-identical articles
    confusable: tuple[tuple[str, str], ...] = ()  # pairs of different events that share vocabulary

    def event_of(self) -> dict[str, str]:
        """article id -> event id."""
        return {article: event.id for event in self.events for article in event.articles}

    def copy_group_of(self) -> dict[str, int]:
        """article id -> index of its syndication group (absent when it is no copy)."""
        return {article: i for i, group in enumerate(self.syndicated) for article in group}


@dataclass(frozen=True, slots=True)
class Corpus:
    outlets: tuple[Outlet, ...]
    articles: tuple[CorpusArticle, ...]
    truth: GroundTruth
    now: datetime = field(default=datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc))

    def outlet(self, slug: str) -> Outlet:
        for outlet in self.outlets:
            if outlet.slug == slug:
                return outlet
        raise KeyError(slug)

    def by_outlet(self, slug: str) -> list[CorpusArticle]:
        """An outlet's articles, newest first."""
        return sorted((a for a in self.articles if a.outlet == slug), key=lambda a: a.published, reverse=True)


def _parse_time(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def parse_article(text: str, name: str = "<article>") -> CorpusArticle:
    """Parse one article file: ``+++`` TOML front matter, then blank-line separated paragraphs."""
    parts = text.split("+++", 2)
    if len(parts) != 3 or parts[0].strip():
        raise ValueError(f"{name}: expected +++ front matter +++ then the body")
    meta = tomllib.loads(parts[1])
    paragraphs = tuple(" ".join(p.split()) for p in re.split(r"\n\s*\n", parts[2].strip()) if p.strip())
    try:
        return CorpusArticle(
            id=meta["id"],
            outlet=meta["outlet"],
            title=meta["title"],
            author=meta["author"],
            published=_parse_time(meta["published"]),
            language=meta["language"],
            slug=meta["slug"],
            paragraphs=paragraphs,
            summary=meta.get("summary") or paragraphs[0],
            updated=_parse_time(meta["updated"]) if "updated" in meta else None,
            tracking_query=meta.get("tracking_query"),
            alias_slug=meta.get("alias_slug"),
        )
    except KeyError as exc:
        raise ValueError(f"{name}: front matter lacks {exc}") from None


def _corpus_dir() -> Path:
    return Path(str(resources.files("tidings.demo") / "corpus"))


@lru_cache(maxsize=1)
def load_corpus(folder: str | None = None) -> Corpus:
    """Load the bundled corpus (or one in ``folder`` laid out the same way)."""
    root = Path(folder) if folder else _corpus_dir()
    outlets_data = tomllib.loads((root / "outlets.toml").read_text("utf-8"))
    outlets = tuple(
        Outlet(
            slug=o["slug"],
            name=o["name"],
            country=o["country"],
            language=o["language"],
            authority=float(o["authority"]),
            feed_format=o["feed_format"],
            full_content=bool(o.get("full_content", False)),
            tagline=o.get("tagline", ""),
            disallow=tuple(o.get("disallow", ())),
        )
        for o in outlets_data["outlet"]
    )
    articles = tuple(
        sorted(
            (parse_article(p.read_text("utf-8"), p.name) for p in sorted((root / "articles").glob("*.md"))),
            key=lambda a: (a.published, a.id),
        )
    )
    truth_data = tomllib.loads((root / "ground_truth.toml").read_text("utf-8"))
    truth = GroundTruth(
        events=tuple(Event(e["id"], e["title"], tuple(e["articles"])) for e in truth_data["event"]),
        syndicated=tuple(tuple(g) for g in truth_data.get("syndicated", [])),
        confusable=tuple((a, b) for a, b in truth_data.get("confusable", [])),
    )
    return Corpus(outlets=outlets, articles=articles, truth=truth)


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    """The set of ``size``-word shingles of a text (lower-cased words)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set, b: set) -> float:
    """Jaccard similarity of two sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def validate_corpus(corpus: Corpus) -> list[str]:
    """Problems with the corpus, as messages; an empty list means it is sound."""
    problems: list[str] = []
    slugs = {o.slug for o in corpus.outlets}
    if len(slugs) != len(corpus.outlets):
        problems.append("duplicate outlet slugs")
    for outlet in corpus.outlets:
        if outlet.feed_format not in FEED_FORMATS:
            problems.append(f"{outlet.slug}: unknown feed format {outlet.feed_format}")
        if outlet.language not in LANGUAGES:
            problems.append(f"{outlet.slug}: unknown language {outlet.language}")
        if not 0.0 <= outlet.authority <= 1.0:
            problems.append(f"{outlet.slug}: authority out of 0..1")
    ids = [a.id for a in corpus.articles]
    if len(set(ids)) != len(ids):
        problems.append("duplicate article ids")
    paths = [(a.outlet, a.slug) for a in corpus.articles]
    if len(set(paths)) != len(paths):
        problems.append("duplicate article paths")
    for article in corpus.articles:
        if article.outlet not in slugs:
            problems.append(f"{article.id}: unknown outlet {article.outlet}")
        if article.language not in LANGUAGES:
            problems.append(f"{article.id}: unknown language {article.language}")
        if not 120 <= article.word_count <= 400:
            problems.append(f"{article.id}: {article.word_count} words, outside 120..400")
    event_of = corpus.truth.event_of()
    listed = [a for e in corpus.truth.events for a in e.articles]
    if len(set(listed)) != len(listed):
        problems.append("an article is listed under two events")
    for article_id in ids:
        if article_id not in event_of:
            problems.append(f"{article_id}: not in the ground truth")
    for article_id in set(listed) - set(ids):
        problems.append(f"{article_id}: in the ground truth but not in the corpus")
    for group in corpus.truth.syndicated:
        if len({event_of.get(a) for a in group}) != 1:
            problems.append(f"syndicated group {group} spans several events")
    return problems
