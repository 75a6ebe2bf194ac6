"""What the guard did with a model's draft, as fields: the counts, and each rejected sentence with
the kind of its fault (:class:`Fault`). :func:`summarize_with_llm` sets it on the summary
(``StorySummary.llm``); the benchmarks count from it (``LLMReview.tally``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Fault(StrEnum):
    """Why a sentence of the model's was not published."""

    NUMBER = "number"
    DATE = "date"
    NAME = "name"
    QUOTATION = "quotation"
    NEGATION = "negation"
    LOW_SUPPORT = "low support"
    ASSISTANT = "assistant phrasing"
    NO_CITATION = "no citation"
    JUDGE = "llm judge"
    TOO_SHORT = "too short"
    OTHER = "other"


# the guard's verdicts say their reason in words ("number 40 not in sources"): its first words
_GUARD_REASONS = (
    ("number", Fault.NUMBER), ("date", Fault.DATE), ("name", Fault.NAME), ("quote", Fault.QUOTATION),
    ("negation", Fault.NEGATION), ("low support", Fault.LOW_SUPPORT),
)


def guard_fault(reason: str) -> Fault:
    """The kind of a rejection by the faithfulness guard ("number 40 not in sources" -> NUMBER)."""
    for prefix, fault in _GUARD_REASONS:
        if reason.startswith(prefix):
            return fault
    return Fault.OTHER


@dataclass(slots=True)
class Rejected:
    """One sentence of the model's that was not published."""

    number: int  # its place in the draft, from 1
    fault: Fault
    reason: str  # in words, as the guard or the check gave it
    text: str
    replaced: bool = False  # an extractive sentence took its place (else it was dropped)
    replaced_by: str | None = None  # the article that sentence came from


@dataclass(slots=True)
class LLMReview:
    """The model's draft as the guard saw it. ``failure``: why no draft was used at all (the model
    failed, or wrote no sentence); the counts are then zero."""

    model: str
    proposed: int = 0  # sentences in the draft
    kept: int = 0  # published as the model wrote them
    unchecked: int = 0  # not checked: the summary was already full
    rejected: list[Rejected] = field(default_factory=list)
    failure: str | None = None
    headline_kept: bool = False

    def tally(self) -> dict[str, Any]:
        """``{"proposed", "kept", "unchecked", "rejected": {fault: count}}``."""
        rejected: dict[str, int] = {}
        for item in self.rejected:
            rejected[item.fault.value] = rejected.get(item.fault.value, 0) + 1
        return {"proposed": self.proposed, "kept": self.kept, "unchecked": self.unchecked, "rejected": rejected}
