"""What the clusterer remembers: one article's features, a story's running state and its members.

:class:`StoryState` keeps the mean of its articles' vectors, counts of their keys
and languages, the span of dates it covers and, while it is small, its members
(so it can be split again); it persists as JSON (:meth:`StoryState.to_dict`).
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from tidings.timeutil import as_utc

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
class Member:
    """One article of a young story, kept so that the story can be split again (see
    :meth:`OnlineClusterer.split_check`)."""

    id: str
    vector: np.ndarray
    keys: frozenset[str] = frozenset()
    language: str | None = None
    published: datetime | None = None

    def features(self) -> ArticleFeatures:
        return ArticleFeatures(id=self.id, vector=self.vector, published=self.published, keys=self.keys,
                               language=self.language)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "vector": _vector_to_json(self.vector), "keys": sorted(self.keys),
                "language": self.language, "published": _dt_to_json(self.published)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Member:
        return cls(id=str(data["id"]), vector=_vector_from_json(data["vector"]),
                   keys=frozenset(str(k) for k in data.get("keys") or ()), language=data.get("language"),
                   published=_dt_from_json(data.get("published")))


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
    # every member while the story is small (at most ClusterConfig.track_members), so it can be split
    members: list[Member] = field(default_factory=list)

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

    def with_member(self, f: ArticleFeatures, max_keys: int = 256, track: int = 32) -> None:
        """Add one article to this story (the centroid, dates, keys, languages and, while the story
        has at most ``track`` articles, its members follow)."""
        tracked = self.tracks_members()
        _add_member(self, f, max_keys)
        self.members = self.members + [_member(f)] if tracked and self.size <= track else []

    def without_member(self, f: ArticleFeatures) -> None:
        """Take one article out of this story (an editor moved it elsewhere); the story must keep
        at least one member. Dates stay as they were (a span only narrows when rebuilt from members)."""
        if self.size <= 1:
            raise ValueError(f"story {self.id} has no other member: remove the story instead")
        tracked = self.tracks_members()
        self.members = [m for m in self.members if m.id != f.id] if tracked else []
        self.centroid = ((self.centroid * self.size - f.vector) / (self.size - 1)).astype(np.float32)
        self.size -= 1
        self.keys.subtract(f.keys)
        self.keys = Counter({k: v for k, v in self.keys.items() if v > 0})
        if f.language and self.languages.get(f.language):
            self.languages[f.language] -= 1
            n = self.languages[f.language]
            if n <= 0:
                del self.languages[f.language]
                self.by_language.pop(f.language, None)
            elif f.language in self.by_language:
                mean = self.by_language[f.language]
                self.by_language[f.language] = ((mean * (n + 1) - f.vector) / n).astype(np.float32)
            if len(self.languages) <= 1:
                self.by_language = {}

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
            "members": [m.to_dict() for m in self.members],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoryState:
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
            members=[Member.from_dict(m) for m in data.get("members") or ()],
        )

    @classmethod
    def from_members(cls, story_id: str, members: list[Member], title: str = "", max_keys: int = 256,
                     track: int = 32) -> StoryState:
        """A story made of ``members`` (in the order they joined)."""
        first = members[0]
        story = cls(id=story_id, centroid=np.asarray(first.vector, dtype=np.float32).copy(), size=1,
                    first_seen=first.published, last_seen=first.published, keys=Counter(first.keys),
                    languages=Counter([first.language] if first.language else []), title=title)
        for member in members[1:]:
            _add_member(story, member.features(), max_keys)
        story.members = list(members) if len(members) <= track else []
        return story

    def tracks_members(self) -> bool:
        return len(self.members) == self.size


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


def _member(f: ArticleFeatures) -> Member:
    return Member(id=str(f.id), vector=np.asarray(f.vector, dtype=np.float32), keys=frozenset(f.keys),
                  language=f.language, published=f.published)


def _add_member(story: StoryState, f: ArticleFeatures, max_keys: int) -> None:
    """Grow ``story`` by one article: running means of the centroid and of each language's members."""
    story.centroid = ((story.centroid * story.size + f.vector) / (story.size + 1)).astype(np.float32)
    story.size += 1
    if f.published is not None:
        story.first_seen = f.published if story.first_seen is None else min(story.first_seen, f.published)
        story.last_seen = f.published if story.last_seen is None else max(story.last_seen, f.published)
    story.keys.update(f.keys)
    if len(story.keys) > max_keys:
        story.keys = Counter(dict(story.keys.most_common(max_keys)))
    if f.language:
        if len(story.languages) == 1 and f.language not in story.languages:
            (only,) = story.languages  # a second language: remember the first one's mean
            story.by_language[only] = ((story.centroid * story.size - f.vector) / (story.size - 1)).astype(np.float32)
        if story.by_language or (story.languages and f.language not in story.languages):
            n = story.languages[f.language]
            old = story.by_language.get(f.language, np.zeros_like(f.vector))
            story.by_language[f.language] = ((old * n + f.vector) / (n + 1)).astype(np.float32)
        story.languages[f.language] += 1


def _language_means(story: StoryState) -> dict[str, np.ndarray]:
    """Mean member vector per language (the centroid itself for a story in one language)."""
    if len(story.languages) == 1:
        return {next(iter(story.languages)): story.centroid}
    return {lang: v for lang, v in story.by_language.items() if lang in story.languages}


def utc(year: int, month: int, day: int, hour: int = 12) -> datetime:
    """A convenience for tests and benchmarks: an aware UTC datetime."""
    return datetime(year, month, day, hour, tzinfo=timezone.utc)
