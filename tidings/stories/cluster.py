"""Online story clustering: each new article joins an existing story or starts one.

An article is described by :class:`ArticleFeatures`: the embedding of its title
and lead, the normalised keys of the names and numbers it mentions, its language
and its date. A story (:class:`StoryState`) keeps the mean of its articles'
vectors, counts of their keys and languages, and the span of dates it covers.

The decision rule (:func:`story_score`) mixes three signals into a score in
[0, 1]:

* text: the cosine between the article and the story centroid, rescaled so that
  ``cos_floor`` (about what two unrelated news texts score with the embedder)
  maps to 0 and 1 stays 1. When the article's language is not among the
  story's, the floor is ``xl_shift`` lower: unrelated texts score that much
  lower across languages (measured on translated sentences,
  ``benchmarks/embed_choice.py --xl``). A story in several languages also keeps
  the mean vector of its members in each language, and an article is scored
  against the better of the centroid and its own language's mean;
* keys: the Jaccard index between the article's keys and the story's salient
  keys (those held by at least a third of its members), times ``key_boost``
  and capped at 1. Keys are compared only when they can be: across languages
  place names are spelled differently, so there they may raise the score but
  never lower it;
* time: a story is a candidate only when it was active within ``window_days``
  of the article's date; beyond ``grace_hours`` the score loses up to
  ``time_penalty`` as the gap grows. Undated articles are neutral in time.

The article joins the best-scoring candidate at or above ``threshold``; else it
starts a story. After a join, the grown story is compared with the other
candidates; two stories scoring ``merge_threshold`` or more are merged, the
smaller one's id redirecting to the larger one's (:meth:`OnlineClusterer.merges`).
A one-article story needs only ``threshold + single_merge_margin``: its article
was refused when the other story was smaller, and this places it again now that
the story has grown (a delayed decision; with the join threshold moved from 0.35 to
0.38, mean ECB+ train + dev BCubed F1 0.898 to 0.918, and 0.901 to 0.913 on another set of orders).

Candidates come from :class:`tidings.stories.index.CentroidIndex` (time blocking
plus a small inverted file over centroids), never from a scan of all stories. The thresholds were tuned on the
ECB+ train and dev splits (``benchmarks/ecbplus.py``; docs/evaluation.md).
"""

from __future__ import annotations

import base64
import math
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from tidings.records import Article
from tidings.stories.index import CentroidIndex, DayKey
from tidings.text.numbers import number_keys  # noqa: F401  (moved to the shared text toolkit; re-exported)
from tidings.timeutil import as_utc

SECONDS_PER_DAY = 86_400.0


@dataclass(slots=True)
class ClusterConfig:
    """Settings of the online clusterer; the defaults were tuned on ECB+ train/dev."""

    embedder: str | None = None  # None: tidings.stories.embed.DEFAULT_EMBEDDER
    lead_words: int = 80  # words of the text embedded after the title
    embed_kind: str = "passage"  # the embedder's input kind ("passage" or "query": E5's prefixes)
    key_chars: int = 2_000  # characters of the text searched for names and numbers
    threshold: float = 0.38  # join the best story at or above this score
    merge_threshold: float = 0.70  # merge two stories at or above this score
    # a one-article story merges into a grown story at threshold + this (a delayed join decision)
    single_merge_margin: float = 0.05
    key_weight: float = 0.3  # share of the score given to shared keys
    key_boost: float = 2.5  # Jaccard index of the keys times this (capped at 1) is their agreement
    salient_share: float = 1 / 3  # a story's salient keys: held by at least this share of its members
    cos_floor: float = 0.84  # cosine that counts as "unrelated" (0 on the text scale)
    xl_shift: float = 0.04  # across languages the floor is this much lower (unrelated pairs score lower)
    window_days: float = 3.0  # only stories active within this many days are candidates
    grace_hours: float = 36.0  # no time penalty within this gap
    time_penalty: float = 0.25  # score lost at the edge of the window
    max_keys: int = 256  # keys kept per story (the most frequent)
    exact_below: int = 512  # scan the whole window when it holds at most this many stories
    index_cells: int = 64  # IVF cells over story centroids
    index_probe: int = 8  # cells searched per article
    index_warmup: int = 512  # stories seen before the cells are learnt (exact scans until then)

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> "ClusterConfig":
        """Build from a ``[cluster]`` table of tidings.toml (unknown keys are an error)."""
        config = cls()
        for key, value in table.items():
            if key not in cls.__dataclass_fields__:
                raise ValueError(f"unknown setting cluster.{key}")
            current = getattr(config, key)
            if isinstance(current, (int, float)) and not isinstance(value, (int, float)):
                raise ValueError(f"cluster.{key}: expected a number, got {value!r}")
            setattr(config, key, type(current)(value) if current is not None else value)
        return config


# ---------------------------------------------------------------------------------------------
# records


def _vector_to_json(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def _vector_from_json(value: Any) -> np.ndarray:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return np.frombuffer(bytes(value), dtype="<f4").astype(np.float32)
    if isinstance(value, str):
        return np.frombuffer(base64.b64decode(value), dtype="<f4").astype(np.float32)
    return np.asarray(value, dtype=np.float32)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else np.asarray(vector, dtype=np.float32)


def _dt_to_json(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt_from_json(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(str(value)))


@dataclass(slots=True)
class StoryState:
    """What the clusterer remembers of one story; persist with :meth:`to_dict`."""

    id: str
    centroid: np.ndarray  # mean of the member vectors (float32, not normalised)
    size: int = 1
    first_seen: datetime | None = None  # earliest member date (aware UTC), None if no member is dated
    last_seen: datetime | None = None
    keys: Counter[str] = field(default_factory=Counter)  # key -> members mentioning it
    languages: Counter[str] = field(default_factory=Counter)
    title: str = ""  # the first member's title, for people reading logs and dumps
    # mean vector of the members in each language, kept only while the story has more than one language
    by_language: dict[str, np.ndarray] = field(default_factory=dict)

    def unit(self) -> np.ndarray:
        return _unit(self.centroid)

    def language_unit(self, language: str | None) -> np.ndarray | None:
        """The unit mean of the members written in ``language``; None when there are none
        (for a story in one language, that mean is the centroid itself)."""
        if language is None or language not in self.languages:
            return None
        if len(self.languages) == 1:
            return self.unit()
        vector = self.by_language.get(language)
        return None if vector is None else _unit(vector)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; the centroid is base64 of little-endian float32 bytes."""
        return {
            "id": self.id,
            "centroid": _vector_to_json(self.centroid),
            "size": self.size,
            "first_seen": _dt_to_json(self.first_seen),
            "last_seen": _dt_to_json(self.last_seen),
            "keys": dict(self.keys),
            "languages": dict(self.languages),
            "title": self.title,
            "by_language": {lang: _vector_to_json(v) for lang, v in self.by_language.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "StoryState":
        """Inverse of :meth:`to_dict`; the centroid may also be raw float32 bytes or a list."""
        return cls(
            id=str(data["id"]),
            centroid=_vector_from_json(data["centroid"]),
            size=int(data.get("size", 1)),
            first_seen=_dt_from_json(data.get("first_seen")),
            last_seen=_dt_from_json(data.get("last_seen")),
            keys=Counter({str(k): int(v) for k, v in (data.get("keys") or {}).items()}),
            languages=Counter({str(k): int(v) for k, v in (data.get("languages") or {}).items()}),
            title=str(data.get("title") or ""),
            by_language={str(k): _vector_from_json(v) for k, v in (data.get("by_language") or {}).items()},
        )


@dataclass(slots=True)
class ArticleFeatures:
    """The clusterer's view of one article."""

    id: str
    vector: np.ndarray  # unit float32 embedding of title + lead
    published: datetime | None = None
    keys: frozenset[str] = frozenset()
    language: str | None = None
    title: str = ""


@dataclass(slots=True, frozen=True)
class Placement:
    """Where :meth:`OnlineClusterer.place` put an article."""

    story_id: str
    is_new: bool
    score: float  # the winning score; for a new story, the best score it did not reach


# ---------------------------------------------------------------------------------------------
# features


def lead_text(text: str, words: int) -> str:
    return " ".join(text.split()[:words])


def embed_text(article: Article, lead_words: int = 80) -> str:
    """The text that stands for an article in the embedding space: title and lead."""
    return f"{article.title}\n{lead_text(article.text, lead_words)}".strip()


def article_keys(title: str, text: str, language: str | None) -> set[str]:
    """Entity keys (:func:`tidings.stories.entities.entity_keys`) and number keys."""
    from tidings.stories.entities import entity_keys

    return set(entity_keys(title, text, language)) | number_keys(f"{title}\n{text}")


def detect_language(title: str, text: str) -> str | None:
    from tidings.stories.entities import detect_language as detect

    return detect(f"{title}\n{text[:1000]}")


def features_for(articles: list[Article], embedder: Any = None, config: ClusterConfig | None = None) -> list[ArticleFeatures]:
    """Features of many articles at once (one batched embedding call)."""
    from tidings.stories.embed import get_embedder

    config = config or ClusterConfig()
    embedder = embedder or get_embedder(config.embedder)
    if not articles:
        return []
    vectors = embedder.embed([embed_text(a, config.lead_words) for a in articles], kind=config.embed_kind)
    out = []
    for article, vector in zip(articles, vectors):
        head = article.text[: config.key_chars]
        language = (article.language or detect_language(article.title, head) or "").split("-")[0].lower() or None
        out.append(
            ArticleFeatures(
                id=article.id,
                vector=vector,
                published=as_utc(article.published),
                keys=frozenset(article_keys(article.title, head, language)),
                language=language,
                title=article.title,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# the decision rule


def text_scale(cosine: float | np.ndarray, config: ClusterConfig) -> float | np.ndarray:
    """Cosine rescaled so that ``cos_floor`` is 0 and 1 is 1 (clipped to [0, 1])."""
    return np.clip((np.asarray(cosine) - config.cos_floor) / (1.0 - config.cos_floor), 0.0, 1.0)


def salient_keys(story_keys: Counter[str] | set[str] | frozenset[str], size: int, share: float) -> set[str]:
    """The keys held by at least ``share`` of a story's ``size`` members (all of them for one article)."""
    if not isinstance(story_keys, Counter):
        return set(story_keys)
    cut = max(1.0, size * share)
    return {key for key, count in story_keys.items() if count >= cut}


def key_agreement(keys: Iterable[str], salient: set[str] | frozenset[str], boost: float = 1.0) -> float | None:
    """How far an article's keys agree with a story's salient keys: their Jaccard
    index times ``boost``, capped at 1; None when the article has no keys."""
    keys = set(keys)
    if not keys:
        return None
    union = len(keys | salient)
    return min(1.0, boost * len(keys & salient) / union)


def time_gap_days(when: datetime | None, first: datetime | None, last: datetime | None) -> float | None:
    """Days between ``when`` and the span [first, last]; None when either side is undated."""
    if when is None or first is None or last is None:
        return None
    if first <= when <= last:
        return 0.0
    edge = first if when < first else last
    return abs((when - edge).total_seconds()) / SECONDS_PER_DAY


def story_score(
    cosine: float,
    overlap: float | None,
    same_language: bool,
    gap_days: float | None,
    config: ClusterConfig,
) -> float:
    """The clusterer's score of an article against a story (or of two stories), in [0, 1]."""
    if gap_days is not None and gap_days > config.window_days:
        return 0.0
    floor = config.cos_floor if same_language else config.cos_floor - config.xl_shift
    text = min(1.0, max(0.0, (cosine - floor) / (1.0 - floor)))
    if overlap is None:
        score = text
    else:
        mixed = (1.0 - config.key_weight) * text + config.key_weight * overlap
        score = mixed if same_language else max(text, mixed)
    if gap_days is not None:
        grace = config.grace_hours / 24.0
        if gap_days > grace and config.window_days > grace:
            score -= config.time_penalty * (gap_days - grace) / (config.window_days - grace)
    return float(min(1.0, max(0.0, score)))


def _same_language(language: str | None, languages: Counter[str] | set[str]) -> bool:
    return language is None or not languages or language in languages


def pair_similarity(fa: ArticleFeatures, fb: ArticleFeatures, config: ClusterConfig | None = None) -> tuple[float, bool]:
    """Score article ``fa`` against ``fb`` taken as a one-article story, with the
    clusterer's rule: ``(score in [0, 1], same_story)``. Keys weigh the same
    (a pair has no story frequencies to weight them by)."""
    config = config or ClusterConfig()
    cosine = float(np.asarray(fa.vector) @ np.asarray(fb.vector))
    gap = time_gap_days(fa.published, fb.published, fb.published)
    same_lang = _same_language(fa.language, {fb.language} if fb.language else set())
    overlap = key_agreement(fa.keys, set(fb.keys), config.key_boost)
    score = story_score(cosine, overlap, same_lang, gap, config)
    return score, score >= config.threshold


def similarity(a: Article, b: Article, embedder: Any = None, config: ClusterConfig | None = None) -> tuple[float, bool]:
    """Score two articles with the clusterer's rule (``b`` as a one-article story):
    ``(score in [0, 1], same_story)``."""
    fa, fb = features_for([a, b], embedder, config)
    return pair_similarity(fa, fb, config)


# ---------------------------------------------------------------------------------------------
# the clusterer


def _day(when: datetime | None) -> DayKey:
    return None if when is None else math.floor(when.timestamp() / SECONDS_PER_DAY)


def _new_uuid() -> str:
    return uuid.uuid4().hex[:16]


class OnlineClusterer:
    """Places articles one at a time into stories; see the module docstring."""

    def __init__(self, config: ClusterConfig | None = None, new_id: Callable[[], str] = _new_uuid) -> None:
        self.config = config or ClusterConfig()
        self.new_id = new_id
        self.stories: dict[str, StoryState] = {}
        self._redirects: dict[str, str] = {}
        self._merges: list[tuple[str, str]] = []
        self._index: CentroidIndex | None = None
        self.clock: datetime | None = None  # the latest date seen; undated articles are placed at it

    # --- state -----------------------------------------------------------------------------

    def _ensure_index(self, dim: int) -> CentroidIndex:
        if self._index is None:
            c = self.config
            self._index = CentroidIndex(dim, n_cells=c.index_cells, n_probe=c.index_probe, warmup=c.index_warmup)
        return self._index

    def _index_story(self, story: StoryState) -> None:
        index = self._ensure_index(len(story.centroid))
        index.add(story.id, story.unit(), _day(story.first_seen), _day(story.last_seen))

    def _tick(self, when: datetime | None) -> None:
        if when is not None and (self.clock is None or when > self.clock):
            self.clock = when

    def add_story(self, story: StoryState) -> None:
        """Load a stored story (e.g. from the database) before placing new articles."""
        if story.id in self.stories:
            self._forget(story.id)
        self.stories[story.id] = story
        self._index_story(story)
        self._tick(story.last_seen)

    def add_redirect(self, old_id: str, new_id: str) -> None:
        """Load a stored merge (old story id -> surviving id)."""
        self._redirects[old_id] = new_id

    def resolve(self, story_id: str) -> str:
        """The surviving id of a story, following merges."""
        seen = set()
        while story_id in self._redirects and story_id not in seen:
            seen.add(story_id)
            story_id = self._redirects[story_id]
        return story_id

    def merges(self) -> list[tuple[str, str]]:
        """Every merge so far as ``(old_id, surviving_id)``, oldest first."""
        return list(self._merges)

    def drain_merges(self) -> list[tuple[str, str]]:
        """The merges since the last call (then forgets them)."""
        out, self._merges = self._merges, []
        return out

    def _forget(self, story_id: str) -> None:
        story = self.stories.pop(story_id)
        if self._index is not None:
            self._index.remove(story_id)

    def _score(self, vector: np.ndarray, keys: Iterable[str], language: str | None, when: datetime | None,
               story: StoryState, cosine: float | None = None) -> float:
        if cosine is None:
            cosine = float(vector @ story.unit())
        own = story.language_unit(language) if len(story.languages) > 1 else None
        if own is not None:  # the members in the article's own language, free of cross-lingual offsets
            cosine = max(cosine, float(vector @ own))
        salient = salient_keys(story.keys, story.size, self.config.salient_share)
        same = _same_language(language, story.languages)
        overlap = key_agreement(keys, salient, self.config.key_boost)
        gap = time_gap_days(when, story.first_seen, story.last_seen)
        return story_score(cosine, overlap, same, gap, self.config)

    def _window(self, when: datetime | None) -> list[DayKey]:
        assert self._index is not None
        if when is None:
            return self._index.window_days(None, None)
        w = math.ceil(self.config.window_days)
        day = _day(when)
        assert day is not None
        return self._index.window_days(day - w, day + w)

    def candidates(self, f: ArticleFeatures) -> list[str]:
        """Ids of the stories the index offers for an article (time window + IVF cells)."""
        index = self._ensure_index(len(f.vector))
        when = f.published or self.clock
        return sorted(index.candidates(f.vector, self._window(when), self.config.exact_below))

    # --- placing ---------------------------------------------------------------------------

    def place(self, f: ArticleFeatures) -> Placement:
        """Put one article into the best story at or above the threshold, or a new one.
        An undated article looks among the stories around the latest date seen, and
        time does not count in its score."""
        when = f.published
        ids = self.candidates(f)
        best_id, best = None, -1.0
        scores: dict[str, float] = {}
        if ids:
            index = self._index
            assert index is not None
            cosines = np.stack([index.vector(i) for i in ids]) @ f.vector
            for story_id, cosine in zip(ids, cosines):
                score = self._score(f.vector, f.keys, f.language, when, self.stories[story_id], float(cosine))
                scores[story_id] = score
                if score > best:
                    best_id, best = story_id, score
        self._tick(f.published)
        if best_id is None or best < self.config.threshold:
            story = StoryState(
                id=self.new_id(),
                centroid=np.asarray(f.vector, dtype=np.float32).copy(),
                size=1,
                first_seen=f.published,
                last_seen=f.published,
                keys=Counter(f.keys),
                languages=Counter([f.language] if f.language else []),
                title=f.title,
            )
            self.stories[story.id] = story
            self._index_story(story)
            return Placement(story.id, True, max(best, 0.0))
        story = self.stories[best_id]
        self._join(story, f)
        survivor = self._maybe_merge(story, [i for i in ids if i != best_id and scores[i] > 0.0])
        return Placement(survivor, False, best)

    def _join(self, story: StoryState, f: ArticleFeatures) -> None:
        story.centroid = ((story.centroid * story.size + f.vector) / (story.size + 1)).astype(np.float32)
        story.size += 1
        if f.published is not None:
            story.first_seen = f.published if story.first_seen is None else min(story.first_seen, f.published)
            story.last_seen = f.published if story.last_seen is None else max(story.last_seen, f.published)
        story.keys.update(f.keys)
        if len(story.keys) > self.config.max_keys:
            story.keys = Counter(dict(story.keys.most_common(self.config.max_keys)))
        if f.language:
            if len(story.languages) == 1 and f.language not in story.languages:
                (only,) = story.languages  # a second language: remember the first one's mean
                story.by_language[only] = ((story.centroid * story.size - f.vector) / (story.size - 1)).astype(np.float32)
            if story.by_language or (story.languages and f.language not in story.languages):
                n = story.languages[f.language]
                old = story.by_language.get(f.language, np.zeros_like(f.vector))
                story.by_language[f.language] = ((old * n + f.vector) / (n + 1)).astype(np.float32)
            story.languages[f.language] += 1
        self._index_story(story)

    def _pair_score(self, a: StoryState, b: StoryState) -> float:
        """Story-to-story score: all the smaller story's keys against the larger one's salient keys
        (its salient keys alone would make merging too easy: dev BCubed F1 0.873 against 0.905)."""
        small, large = (a, b) if a.size <= b.size else (b, a)
        when = small.last_seen
        lang = small.languages.most_common(1)[0][0] if small.languages else None
        return self._score(small.unit(), list(small.keys), lang, when, large)

    def merge_threshold_for(self, a: StoryState, b: StoryState) -> float:
        """The score two stories need to merge. A one-article story is the article whose
        join was refused when the other story was smaller: it is placed again against
        the grown story, at the join threshold plus ``single_merge_margin`` (a delayed
        decision); two larger stories need ``merge_threshold``."""
        c = self.config
        if min(a.size, b.size) == 1:
            return min(c.merge_threshold, c.threshold + c.single_merge_margin)
        return c.merge_threshold

    def _maybe_merge(self, story: StoryState, others: list[str]) -> str:
        """Merge ``story`` with any of ``others`` that now score at or above
        :meth:`merge_threshold_for` the pair."""
        survivor = story
        for other_id in others:
            other = self.stories.get(other_id)
            if other is None or other.id == survivor.id:
                continue
            if self._pair_score(survivor, other) >= self.merge_threshold_for(survivor, other):
                survivor = self._merge(survivor, other)
        return survivor.id

    def _merge(self, a: StoryState, b: StoryState) -> StoryState:
        keep, gone = (a, b) if (a.size, -_order(a), a.id) >= (b.size, -_order(b), b.id) else (b, a)
        self._forget(gone.id)
        self._forget(keep.id)
        total = keep.size + gone.size
        keep.centroid = ((keep.centroid * keep.size + gone.centroid * gone.size) / total).astype(np.float32)
        keep.size = total
        dated = [d for d in (keep.first_seen, gone.first_seen) if d is not None]
        keep.first_seen = min(dated) if dated else None
        dated = [d for d in (keep.last_seen, gone.last_seen) if d is not None]
        keep.last_seen = max(dated) if dated else None
        keep.keys = Counter(dict((keep.keys + gone.keys).most_common(self.config.max_keys)))
        means = {}
        for lang in set(keep.languages) | set(gone.languages):
            parts = [(m[lang], s.languages[lang]) for s, m in ((keep, _language_means(keep)),
                                                               (gone, _language_means(gone))) if lang in m]
            n = sum(c for _, c in parts)
            means[lang] = (sum(v * c for v, c in parts) / n).astype(np.float32)
        keep.languages = keep.languages + gone.languages
        keep.by_language = means if len(keep.languages) > 1 else {}
        self.add_story(keep)
        self._redirects[gone.id] = keep.id
        self._merges.append((gone.id, keep.id))
        return keep

    def export(self) -> list[dict[str, Any]]:
        """Every story as :meth:`StoryState.to_dict` (for a save/restore round trip)."""
        return [story.to_dict() for story in self.stories.values()]


def _language_means(story: StoryState) -> dict[str, np.ndarray]:
    """Mean member vector per language (the centroid itself for a story in one language)."""
    if len(story.languages) == 1:
        return {next(iter(story.languages)): story.centroid}
    return {lang: v for lang, v in story.by_language.items() if lang in story.languages}


def _order(story: StoryState) -> float:
    """Earlier stories win ties when merging (their ids are older and already published)."""
    return story.first_seen.timestamp() if story.first_seen else float("inf")


def utc(year: int, month: int, day: int, hour: int = 12) -> datetime:
    """A convenience for tests and benchmarks: an aware UTC datetime."""
    return datetime(year, month, day, hour, tzinfo=timezone.utc)
