"""Sections: file each story under one of a few configured sections.

A section is a name, a one-line description and optionally a few example
headlines. They come from ``[[sections]]`` tables, either in tidings.toml
(``Config.raw["sections"]``) or in a separate TOML file of the same form; the
shipped defaults (``default_sections.toml``) follow the reference newsletter:
GenAI, Open-source AI, Closed-source AI, Policy & regulation, Robotics, Research.

Classification compares a story's vector with one prototype vector per section.
The story's vector is the unit mean of its articles' vectors as the clusterer
embeds them (title and lead, E5's ``passage:`` kind: :func:`story_vector`), so
filing a story costs no embedding of its own. Without examples the prototype is
the embedding of the description (``query:`` kind; zero-shot). With examples it
mixes the description with the mean of the examples' embeddings (``query:`` kind
too; ``example_weight`` of the mix goes to the examples), which moves
the prototype towards what the section's stories actually look like. Scores are
a softmax over the cosine similarities, so they sum to one.

When a whole batch of stories is filed at once (``tidings update``), the
prototypes can first be adapted to the batch (``adapt=True``, see
:func:`refine_prototypes`): a few anchored k-means steps move each section's
prototype part of the way towards the stories it wins, which corrects
descriptions that are worded unlike real news. It uses the batch's texts only,
never labels; an empty batch leaves the prototypes unchanged and a small one
barely moves them.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

DEFAULT_SECTIONS_PATH = Path(__file__).with_name("default_sections.toml")
TEMPERATURE = 0.02  # softmax temperature over cosine similarities
EXAMPLE_WEIGHT = 0.5  # share of the prototype that comes from the examples (chosen on the AG News dev slice)
ADAPT_WEIGHT = 0.5  # most a prototype may move towards the stories it wins in a batch (AG News dev slice)
ADAPT_PSEUDO_COUNT = 3.0  # a section winning n stories moves ADAPT_WEIGHT * n / (n + this)
ADAPT_ITERATIONS = 5
SECTION_CONTEXT = 2000  # earlier stories (their vectors) a batch's adaptation also reads


class SectionsError(ValueError):
    """The sections configuration is not valid."""


class Embedder(Protocol):
    """What :mod:`tidings.stories.embed` provides: float32, L2-normalised rows."""

    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray: ...


@dataclass(slots=True)
class Section:
    name: str
    description: str
    examples: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SectionResult:
    """The primary section of one text and every section's score (summing to one)."""

    section: str
    scores: dict[str, float]


# ---------------------------------------------------------------------------------------------
# loading


def _parse_sections(tables: Any, where: str) -> list[Section]:
    if not isinstance(tables, list) or not tables:
        raise SectionsError(f"{where}: expected one or more [[sections]] tables")
    sections: list[Section] = []
    seen: set[str] = set()
    for number, table in enumerate(tables, start=1):
        label = f"{where}: [[sections]] #{number}"
        if not isinstance(table, dict):
            raise SectionsError(f"{label}: expected a table, got {type(table).__name__}")
        unknown = set(table) - {"name", "description", "examples"}
        if unknown:
            raise SectionsError(f"{label}: unknown key(s) {', '.join(sorted(unknown))} "
                                "(known: name, description, examples)")
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SectionsError(f"{label}: 'name' must be a non-empty string")
        label = f"{where}: section {name!r}"
        description = table.get("description")
        if not isinstance(description, str) or not description.strip():
            raise SectionsError(f"{label}: 'description' must be a non-empty string")
        examples = table.get("examples", [])
        if not isinstance(examples, list) or not all(isinstance(e, str) and e.strip() for e in examples):
            raise SectionsError(f"{label}: 'examples' must be a list of non-empty strings")
        if name.strip().casefold() in seen:
            raise SectionsError(f"{label}: defined twice")
        seen.add(name.strip().casefold())
        sections.append(Section(name.strip(), description.strip(), [e.strip() for e in examples]))
    if len(sections) < 2:
        raise SectionsError(f"{where}: at least two sections are needed to choose between")
    return sections


def load_sections(source: Mapping[str, Any] | str | os.PathLike[str] | None = None) -> list[Section]:
    """Sections from a parsed TOML dict (e.g. ``Config.raw``), a TOML file path, or
    the shipped defaults (``None``, or a dict without ``sections``)."""
    if source is None:
        source = DEFAULT_SECTIONS_PATH
    if isinstance(source, Mapping):
        if "sections" not in source:
            return load_sections(DEFAULT_SECTIONS_PATH)
        return _parse_sections(source["sections"], "configuration")
    path = Path(source)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SectionsError(f"sections file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SectionsError(f"{path}: not valid TOML: {exc}") from None
    if "sections" not in raw:
        raise SectionsError(f"{path}: no [[sections]] tables")
    return _parse_sections(raw["sections"], str(path))


# ---------------------------------------------------------------------------------------------
# classification


def story_vector(vectors: np.ndarray) -> np.ndarray:
    """A story's section vector: the unit mean of its articles' vectors (one row an article,
    each embedded as the clusterer embeds it). AG News, batches of 50 with context: the same
    accuracy as embedding a story text of its own, at no embedding cost (docs/evaluation.md)."""
    rows = np.asarray(vectors, dtype=np.float32)
    if rows.ndim != 2 or not len(rows):
        raise ValueError("a story vector needs at least one article vector")
    return _unit(rows.mean(axis=0)).astype(np.float32)


def _softmax(sims: np.ndarray, temperature: float) -> np.ndarray:
    z = sims / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n else v


def refine_prototypes(anchors: np.ndarray, vectors: np.ndarray, *, weight: float = ADAPT_WEIGHT,
                      pseudo_count: float = ADAPT_PSEUDO_COUNT,
                      iterations: int = ADAPT_ITERATIONS) -> np.ndarray:
    """Adapt unit prototypes (one row a section) to an unlabeled batch of unit vectors.

    Anchored k-means: each round files every vector under its nearest
    prototype, then sets section k's prototype to
    ``unit((1 - w_k) * anchor_k + w_k * unit(mean of the vectors it won))``
    with ``w_k = weight * n_k / (n_k + pseudo_count)``. The pull towards the
    anchor keeps a prototype from drifting off its description; the share that
    grows with n_k means a section winning nothing stays where it is and one
    winning a single story moves little, so a batch of one barely changes
    anything and an empty batch changes nothing. (Hard assignments with a
    small ``pseudo_count`` were chosen on the AG News dev slice over soft EM,
    which let sections absent from a batch, or sections that won more stories,
    take over the others' stories; see docs/evaluation.md.) Stops early when no
    assignment changes."""
    if not 0.0 <= weight <= 1.0:
        raise ValueError("weight must be between 0 and 1")
    if pseudo_count < 0:
        raise ValueError("pseudo_count must not be negative")
    anchors = np.asarray(anchors, dtype=np.float32)
    vectors = np.asarray(vectors, dtype=np.float32)
    prototypes = anchors.copy()
    if len(vectors) == 0 or weight == 0.0:
        return prototypes
    assigned: np.ndarray | None = None
    for _ in range(max(0, iterations)):
        winners = np.argmax(vectors @ prototypes.T, axis=1)
        if assigned is not None and np.array_equal(winners, assigned):
            break
        assigned = winners
        rows = []
        for k, anchor in enumerate(anchors):
            members = vectors[winners == k]
            if len(members) == 0:
                rows.append(anchor)
                continue
            share = weight * len(members) / (len(members) + pseudo_count)
            rows.append(_unit((1.0 - share) * anchor + share * _unit(members.mean(axis=0))))
        prototypes = np.vstack(rows).astype(np.float32)
    return prototypes


class SectionClassifier:
    """Nearest-prototype classifier over sentence embeddings.

    ``use_examples=False`` ignores the sections' examples (pure zero-shot).
    Descriptions and examples, the prototypes' material, are embedded with the
    ``"query"`` kind; texts with ``text_kind``, the kind the clusterer embeds
    articles with (``"passage"``), so that a story's vector (:func:`story_vector`)
    needs no embedding of its own. (Examples embedded as passages filed two of the
    demo's lawsuit and court stories away from "Policy & regulation".)"""

    def __init__(self, sections: Sequence[Section], embedder: Embedder, *, use_examples: bool = True,
                 example_weight: float = EXAMPLE_WEIGHT, temperature: float = TEMPERATURE,
                 text_kind: str = "passage") -> None:
        if len(sections) < 2:
            raise SectionsError("at least two sections are needed to choose between")
        if not 0.0 <= example_weight <= 1.0:
            raise ValueError("example_weight must be between 0 and 1")
        self.sections = list(sections)
        self.names = [s.name for s in self.sections]
        self.embedder = embedder
        self.use_examples = use_examples
        self.example_weight = example_weight
        self.temperature = temperature
        self.text_kind = text_kind
        self.prototypes = self._prototypes()

    def _prototypes(self) -> np.ndarray:
        descriptions = self.embedder.embed([s.description for s in self.sections], kind="query")
        rows = []
        for i, section in enumerate(self.sections):
            proto: np.ndarray = np.asarray(descriptions[i], dtype=np.float32)
            if self.use_examples and section.examples:
                examples = self.embedder.embed(section.examples, kind="query")
                mean = _unit(examples.mean(axis=0))
                proto = (1.0 - self.example_weight) * proto + self.example_weight * mean
            rows.append(_unit(proto))
        return np.vstack(rows).astype(np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embeddings of texts (one article each, title and lead as the clusterer writes them:
        :func:`tidings.stories.cluster.title_and_lead`) as the classifier compares them."""
        return self.embedder.embed(list(texts), kind=self.text_kind)

    def classify_vectors(self, vectors: np.ndarray, *, adapt: bool = False,
                         context: np.ndarray | None = None) -> list[SectionResult]:
        """Classify texts already embedded by :meth:`embed`.

        ``adapt=True`` files the vectors as one batch: the prototypes are first
        adapted to it with :func:`refine_prototypes` (for this call only).
        ``context`` adds unlabeled vectors (e.g. recently filed stories, embedded
        by :meth:`embed`) to the adaptation without classifying them: the
        adaptation needs hundreds of stories to help, more than one incremental
        update usually brings."""
        if len(vectors) == 0:
            return []
        vectors = np.asarray(vectors, dtype=np.float32)
        prototypes = self.prototypes
        if adapt:
            batch = vectors
            if context is not None and len(context):
                batch = np.vstack([vectors, np.asarray(context, dtype=np.float32)])
            prototypes = refine_prototypes(self.prototypes, batch)
        sims = vectors @ prototypes.T
        probs = _softmax(sims, self.temperature)
        results = []
        for row in probs:
            best = int(np.argmax(row))
            scores = {name: round(float(p), 4) for name, p in zip(self.names, row, strict=True)}
            results.append(SectionResult(self.names[best], scores))
        return results

    def classify(self, texts: list[str], *, adapt: bool = False) -> list[SectionResult]:
        """One :class:`SectionResult` per text (one article each; see :func:`story_vector` for stories);
        ``adapt=True`` treats the texts as one batch (see :meth:`classify_vectors`)."""
        if not texts:
            return []
        return self.classify_vectors(self.embed(texts), adapt=adapt)
