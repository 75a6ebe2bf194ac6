"""Reading the model's answer: reasoning and markdown debris stripped, the JSON asked for read, or
what is complete of a JSON answer cut short (salvage), or failing both, lines with ``[1, 2]`` marks."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_THINK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.S | re.I)
_THINK_OPEN = re.compile(r"^.*?</(?:think|thinking|reasoning)>", re.S | re.I)
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)
_REASONING_LINE = re.compile(r"^\s*(?:\*\*)?(?:reasoning|thoughts?|thinking|analysis|explanation)(?:\*\*)?\s*:.*$",
                             re.I | re.M)
AI_PHRASE = re.compile(
    r"\b(?:as an ai\b|as a language model|i(?: am|'m) (?:just )?an ai|i cannot (?:browse|verify|access)|"
    r"i(?: do not|don't) have access|my (?:training|knowledge) (?:data|cutoff))",
    re.I,
)
_CITE_MARKS = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")


@dataclass(slots=True)
class DraftSentence:
    text: str
    articles: list[int]


@dataclass(slots=True)
class Draft:
    headline: str | None
    sentences: list[DraftSentence]
    cleaned: list[str]  # what the cleanup removed, for the notes


def strip_reasoning(raw: str) -> tuple[str, list[str]]:
    """Remove ``<think>`` blocks, "Reasoning:" lines and code fences; returns the text and what was removed."""
    removed = []
    text = raw
    if _THINK.search(text):
        text = _THINK.sub(" ", text)
        removed.append("reasoning block")
    elif re.search(r"</(?:think|thinking|reasoning)>", text, re.I):
        text = _THINK_OPEN.sub(" ", text)
        removed.append("reasoning block")
    if _REASONING_LINE.search(text):
        text = _REASONING_LINE.sub(" ", text)
        removed.append("reasoning line")
    fence = _FENCE.search(text)
    if fence:
        text = fence.group(1)
        removed.append("code fence")
    return text.strip(), removed


def clean_sentence(text: str) -> str:
    """One sentence without markdown debris (bold, headings, bullets, links) or citation marks."""
    s = text.strip()
    s = re.sub(r"^\s*(?:#{1,6}\s*|[-*•+]\s+|\d+[.)]\s+)", "", s)
    s = re.sub(r"\[([^\]]+)\]\((?:[^)]+)\)", r"\1", s)  # [text](url)
    s = re.sub(r"\*\*|__|`", "", s)
    s = re.sub(r"(?<!\w)\*(\S[^*]*?)\*(?!\w)", r"\1", s)
    s = _CITE_MARKS.sub("", s)
    return re.sub(r"\s+", " ", s).strip()


def _numbers(value: Any) -> list[int]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [int(value)]
    if isinstance(value, str):
        return [int(n) for n in re.findall(r"\d+", value)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return []


_JSON_STRING = r'"((?:[^"\\]|\\.)*)"'
_SALVAGE_SENTENCE = re.compile(
    r'\{\s*"text"\s*:\s*' + _JSON_STRING + r'\s*,\s*"(?:articles|cites|sources)"\s*:\s*\[([^\]]*)\]\s*\}')
_SALVAGE_HEADLINE = re.compile(r'"headline"\s*:\s*' + _JSON_STRING + r'\s*[,}]')


def _json_string(body: str) -> str | None:
    try:
        value = json.loads(f'"{body}"')
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, str) else None


def salvage_json(text: str) -> tuple[str | None, list[DraftSentence]]:
    """The headline and the complete ``{"text", "articles"}`` objects of a JSON answer cut short
    (by ``max_tokens``, or a model that stops mid-string); an incomplete last sentence is left out."""
    found = _SALVAGE_HEADLINE.search(text)
    headline = _json_string(found.group(1)) if found else None
    sentences = []
    for match in _SALVAGE_SENTENCE.finditer(text):
        body = _json_string(match.group(1))
        if body is not None:
            sentences.append(DraftSentence(body, _numbers(match.group(2))))
    return headline, sentences


def _without_repeats(sentences: list[DraftSentence], removed: list[str]) -> list[DraftSentence]:
    """Drop sentences that repeat an earlier one word for word (small models loop)."""
    seen: set[str] = set()
    out = []
    for sentence in sentences:
        key = " ".join(clean_sentence(sentence.text).casefold().split())
        if key and key in seen:
            continue
        seen.add(key)
        out.append(sentence)
    if len(out) < len(sentences):
        removed.append(f"{len(sentences) - len(out)} repeated sentences")
    return out


def parse_answer(raw: str) -> Draft:
    """Read the model's answer: the JSON asked for, what is complete of a JSON answer cut short,
    or failing both, lines with ``[1, 2]`` marks. Sentences repeated word for word are dropped."""
    text, removed = strip_reasoning(raw)
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        try:
            data = json.loads(text[start : end + 1])
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("sentences"), list):
            sentences = []
            for item in data["sentences"]:
                if isinstance(item, str):
                    marks = _CITE_MARKS.findall(item)
                    sentences.append(DraftSentence(item, _numbers(marks)))
                elif isinstance(item, dict) and isinstance(item.get("text"), str):
                    cites = item.get("articles", item.get("cites", item.get("sources", [])))
                    sentences.append(DraftSentence(item["text"], _numbers(cites)))
            headline = data.get("headline") if isinstance(data.get("headline"), str) else None
            return Draft(headline, _without_repeats(sentences, removed), removed)
    if start != -1:
        headline, sentences = salvage_json(text[start:])
        if sentences:
            removed.append("unfinished JSON, its complete sentences read")
            return Draft(headline, _without_repeats(sentences, removed), removed)
    # free text: one sentence per line or per end mark, citations as [n]
    removed.append("not JSON, read as text")
    sentences = []
    for line in text.splitlines():
        for piece in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", line.strip()):
            if piece.strip():
                sentences.append(DraftSentence(piece, _numbers(_CITE_MARKS.findall(piece))))
    return Draft(None, _without_repeats(sentences, removed), removed)
