"""The ``[summarize]`` table of tidings.toml: summary length and the optional ``[summarize.llm]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tidings.config_schema import SettingError, build


@dataclass(slots=True)
class SummarizeConfig:
    """Summaries."""

    NESTED: ClassVar[dict[str, str]] = {"llm": "tidings.summarize.llm:LLMConfig"}

    words: int = 120  # about this many words in a summary
    llm: Any = None  # the [summarize.llm] table, checked into a tidings.summarize.llm.LLMConfig

    def __post_init__(self) -> None:
        if self.words < 10:
            raise SettingError("words", f"expected at least 10 words, got {self.words}")

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> SummarizeConfig:
        llm_table = table.pop("llm", None)
        config = build(cls, table)
        if llm_table is not None:
            from tidings.summarize.llm.config import LLMConfig

            if not isinstance(llm_table, dict):
                raise SettingError("llm", "expected a [summarize.llm] table")
            try:
                build(LLMConfig, llm_table)  # names and types, key by key
            except SettingError as exc:
                raise SettingError(f"llm.{exc.key}" if exc.key else "llm", exc.message) from None
            try:
                config.llm = LLMConfig.from_table(llm_table)
            except (TypeError, ValueError) as exc:
                raise SettingError("llm", str(exc)) from None
        return config
