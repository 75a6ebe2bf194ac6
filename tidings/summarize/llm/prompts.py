"""What the model is asked: the summary prompt and the judge's, and the JSON schema of each answer
(used to constrain decoding where the backend can)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tidings.records import Article

MAX_ARTICLE_CHARS = 4000  # of each article's text in the prompt
MAX_PROMPT_CHARS = 16000  # of all articles together

SYSTEM_PROMPT = (
    "You are a careful news editor. Summarize the story told by the numbered articles. "
    "Use only facts the articles state. Copy numbers, names, dates and quotations exactly as written. "
    "Answer with JSON only, no other text, in this form: "
    '{"headline": "...", "sentences": [{"text": "...", "articles": [1, 2]}]} '
    "where each sentence lists the numbers of the articles that state it."
)

# The answer's shape as a JSON schema, used to constrain decoding where the backend can (llama-cpp).
# The bounds keep a small model that loops from filling max_tokens with one endless sentence or list
# (measured: they cost no time; the first constrained call of a process pays a few seconds of set-up).
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "headline": {"type": "string", "maxLength": 160},
        "sentences": {
            "type": "array",
            "minItems": 1,
            "maxItems": 8,
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "maxLength": 400},
                    "articles": {"type": "array", "maxItems": 10, "items": {"type": "integer"}},
                },
                "required": ["text", "articles"],
            },
        },
    },
    "required": ["headline", "sentences"],
}


def article_text(article: Article) -> str:
    return f"{article.title}\n\n{article.text}" if article.title else article.text


def build_messages(articles: Sequence[Article], words: int = 120) -> list[dict[str, str]]:
    """The chat messages asking for a cited JSON summary of about ``words`` words."""
    per_article = max(500, min(MAX_ARTICLE_CHARS, MAX_PROMPT_CHARS // max(1, len(articles))))
    parts = []
    for number, article in enumerate(articles, start=1):
        text = article.text[:per_article]
        source = f" ({article.source})" if article.source else ""
        parts.append(f"[{number}]{source} {article.title}\n{text}")
    from tidings.summarize.extractive import sentence_cap

    user = (
        f"Write a summary of about {words} words in 3 to {sentence_cap(words)} sentences, in the articles' main "
        "language.\n\n"
        + "\n\n".join(parts)
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


JUDGE_PROMPT = (
    "You are a strict fact-checker. Say whether the numbered articles state the claim: every number, name, "
    "date and quotation in it must appear in them, and its meaning must follow from them. "
    'Answer with JSON only: {"supported": true or false, "reason": "a few words"}.'
)


JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"supported": {"type": "boolean"}, "reason": {"type": "string", "maxLength": 120}},
    "required": ["supported", "reason"],
}


def schema_for(messages: Sequence[dict[str, str]]) -> dict[str, Any] | None:
    """The JSON schema of the answer that ``messages`` (built here) ask for, or None for other messages."""
    system = messages[0].get("content") if messages else None
    return {SYSTEM_PROMPT: ANSWER_SCHEMA, JUDGE_PROMPT: JUDGE_SCHEMA}.get(system or "")
