"""The chat clients a summary is written with: an OpenAI-compatible HTTP endpoint (httpx, with
timeouts) or a GGUF model in process (llama-cpp-python). Each answers ``complete(messages)`` or
raises :class:`tidings.summarize.llm.config.LLMError`."""

from __future__ import annotations

import os
from typing import Any, Protocol

import httpx

from tidings.summarize.llm.config import LLMConfig, LLMError
from tidings.summarize.llm.gguf import find_gguf
from tidings.summarize.llm.prompts import schema_for


class ChatClient(Protocol):
    name: str

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The assistant's reply to ``messages``; raises :class:`LLMError`."""
        ...


class OpenAIChatClient:
    """A client of an OpenAI-compatible ``/chat/completions`` endpoint (httpx, with timeouts)."""

    def __init__(self, config: LLMConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.name = config.model
        headers = {"Content-Type": "application/json"}
        if config.api_key_env:
            key = os.environ.get(config.api_key_env)
            if key:
                headers["Authorization"] = f"Bearer {key}"
        timeout = httpx.Timeout(config.timeout, connect=min(10.0, config.timeout))
        self._client = httpx.Client(headers=headers, timeout=timeout, transport=transport)
        self.url = config.base_url.rstrip("/") + "/chat/completions"

    def complete(self, messages: list[dict[str, str]]) -> str:
        body = {
            "model": self.config.model,
            "messages": messages,
            "max_tokens": self.config.max_tokens,
            "temperature": self.config.temperature,
        }
        try:
            response = self._client.post(self.url, json=body)
        except httpx.TimeoutException:
            raise LLMError(f"timed out after {self.config.timeout:g}s waiting for {self.url}") from None
        except httpx.HTTPError as exc:
            raise LLMError(f"cannot reach {self.url}: {exc.__class__.__name__}: {exc}") from None
        if response.status_code >= 400:
            raise LLMError(f"HTTP {response.status_code} from {self.url}: {response.text[:200]!r}")
        try:
            data = response.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError(f"not a chat-completions answer from {self.url}: {response.text[:200]!r}") from None
        if not isinstance(content, str) or not content.strip():
            raise LLMError("the model returned an empty answer")
        return content

    def close(self) -> None:
        self._client.close()


class LlamaCppClient:
    """A GGUF model run in process through the optional ``llama-cpp-python`` (extra ``tidings[llm]``).

    The model is loaded once, when the client is built. With ``json_grammar`` (the default) the
    answer is constrained to the JSON shape the prompt asks for, which the tiny packaged models
    rarely produce unaided; :func:`parse_answer` still reads whatever comes back.
    """

    def __init__(self, config: LLMConfig) -> None:
        try:
            from llama_cpp import Llama  # type: ignore[import-not-found]
        except ImportError:
            raise LLMError("backend 'llama-cpp' needs the optional package llama-cpp-python "
                           "(pip install 'tidings[llm]')") from None
        gguf = find_gguf(config.model_path or "")
        self.config = config
        self.path = gguf
        self.name = gguf.stem
        try:
            self._llm = Llama(model_path=str(gguf), n_ctx=config.n_ctx, n_threads=config.n_threads,
                              seed=config.seed, verbose=False)
        except Exception as exc:  # the binding raises plain ValueError/RuntimeError
            raise LLMError(f"cannot load {gguf}: {exc}") from None

    def complete(self, messages: list[dict[str, str]]) -> str:
        extra: dict[str, Any] = {}
        schema = schema_for(messages)
        if self.config.json_grammar and schema is not None:
            extra["response_format"] = {"type": "json_object", "schema": schema}
        try:
            out = self._llm.create_chat_completion(
                messages=messages, max_tokens=self.config.max_tokens, temperature=self.config.temperature,
                seed=self.config.seed, **extra,
            )
            content = out["choices"][0]["message"]["content"]
        except Exception as exc:
            raise LLMError(f"llama-cpp failed: {exc.__class__.__name__}: {exc}") from None
        if not isinstance(content, str) or not content.strip():
            raise LLMError("the model returned an empty answer")
        return content

    def variant(self, **changes: Any) -> LlamaCppClient:
        """A client on the same loaded model with other settings (``max_tokens``, ``temperature``,
        ``seed``, ``json_grammar``), e.g. a judge; the model itself is not loaded again."""
        fixed = {"backend", "model_path", "n_ctx", "n_threads"} & set(changes)
        if fixed:
            raise ValueError(f"{sorted(fixed)[0]} needs a new model load, not a variant")
        twin = object.__new__(LlamaCppClient)
        twin.config = LLMConfig.from_table({**{f: getattr(self.config, f) for f in LLMConfig.__dataclass_fields__},
                                            **changes})
        twin.path, twin.name, twin._llm = self.path, self.name, self._llm
        return twin

    def close(self) -> None:
        close = getattr(self._llm, "close", None)
        if callable(close):
            close()


def make_client(config: LLMConfig) -> ChatClient:
    return LlamaCppClient(config) if config.backend == "llama-cpp" else OpenAIChatClient(config)
