"""Boundary records of a story summary: cited sentences and the summary itself.

A :class:`StorySummary` is what the summarizers (extractive, LLM, or a mix of
both after the faithfulness guard) hand to the store, the site and the
newsletter. Every sentence names the articles that state it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class CitedSentence:
    """One summary sentence and the ids of every article that states it."""

    text: str
    cites: list[str] = field(default_factory=list)
    source_article: str | None = None  # the article the text was taken from (None for generated text)
    source_index: int | None = None  # its position (0-based sentence number) in that article
    score: float = 0.0  # salience used to pick it

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "cites": list(self.cites),
            "source_article": self.source_article,
            "source_index": self.source_index,
            "score": float(self.score),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CitedSentence:
        return cls(
            text=str(data["text"]),
            cites=[str(c) for c in data.get("cites", [])],
            source_article=data.get("source_article"),
            source_index=data.get("source_index"),
            score=float(data.get("score", 0.0)),
        )


@dataclass(slots=True)
class StorySummary:
    """A story's headline, one-sentence lead and cited summary sentences."""

    headline: str
    lead: str
    sentences: list[CitedSentence] = field(default_factory=list)
    language: str | None = None  # the story's main language
    languages: list[str] = field(default_factory=list)  # every language its articles use
    method: str = "extractive"  # "extractive" | "llm" | "mixed"
    notes: list[str] = field(default_factory=list)  # what was dropped or fell back, for the log
    llm: Any = None  # a tidings.summarize.llm.review.LLMReview when a model was asked (not serialized)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def cited_articles(self) -> list[str]:
        seen: dict[str, None] = {}
        for sentence in self.sentences:
            for cite in sentence.cites:
                seen.setdefault(cite, None)
        return list(seen)

    def to_json(self) -> dict[str, Any]:
        return {
            "headline": self.headline,
            "lead": self.lead,
            "sentences": [s.to_json() for s in self.sentences],
            "language": self.language,
            "languages": list(self.languages),
            "method": self.method,
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StorySummary:
        return cls(
            headline=str(data.get("headline", "")),
            lead=str(data.get("lead", "")),
            sentences=[CitedSentence.from_json(s) for s in data.get("sentences", [])],
            language=data.get("language"),
            languages=list(data.get("languages", [])),
            method=str(data.get("method", "extractive")),
            notes=list(data.get("notes", [])),
        )
