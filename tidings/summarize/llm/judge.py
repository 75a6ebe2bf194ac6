"""An optional second opinion: a model asked whether the cited articles state a sentence. The offline
guard always decides first; the judge can only reject more."""

from __future__ import annotations

import json
from collections.abc import Sequence

from tidings.summarize.llm.answers import strip_reasoning
from tidings.summarize.llm.clients import ChatClient
from tidings.summarize.llm.config import LLMError
from tidings.summarize.llm.prompts import JUDGE_PROMPT, MAX_ARTICLE_CHARS


def llm_judge(client: ChatClient, sentence: str, sources: Sequence[str]) -> tuple[bool | None, str]:
    """An extra, optional verdict from a model: (supported, reason); (None, why) when it cannot say.

    The offline guard always decides first; the judge can only reject more."""
    parts = [f"[{i}] {text[:MAX_ARTICLE_CHARS]}" for i, text in enumerate(sources, start=1)]
    messages = [
        {"role": "system", "content": JUDGE_PROMPT},
        {"role": "user", "content": "\n\n".join(parts) + f"\n\nClaim: {sentence}"},
    ]
    try:
        raw = client.complete(messages)
    except LLMError as exc:
        return None, str(exc)
    text, _ = strip_reasoning(raw)
    start, end = text.find("{"), text.rfind("}")
    try:
        data = json.loads(text[start : end + 1]) if start != -1 and end > start else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("supported"), bool):
        return None, "judge answer not understood"
    return data["supported"], str(data.get("reason") or "")[:120]
