"""The LLM summarizer against a real HTTP server on loopback that speaks the
OpenAI chat-completions protocol (a small fake of that third-party API)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tidings.config import load_config
from tidings.records import Article
from tidings.summarize.llm import (
    Fault,
    LLMConfig,
    LLMError,
    OpenAIChatClient,
    clean_sentence,
    llm_config,
    parse_answer,
    summarize_with_llm,
)

ARTICLES = [
    Article(
        id="wire-1",
        title="Flooding forces 3,000 from homes in Valencia",
        text=(
            "Heavy rain caused rivers to burst their banks around Valencia on Sunday, forcing about 3,000 people "
            "from their homes. Emergency services said 14 people had been rescued from cars trapped by the water. "
            "Regional president Carlos Mazon said “we have never seen water rise this fast in the city”. "
            "Schools in 20 towns will stay closed on Monday while engineers inspect bridges. "
            "The weather agency expects more rain until Tuesday evening."
        ),
        source="wire",
    ),
    Article(
        id="paper-2",
        title="Valencia floods: thousands evacuated",
        text=(
            "About 3,000 residents were evacuated after flash floods hit the Valencia region on Sunday. "
            "Rescue teams pulled 14 people from vehicles caught in the flood water. "
            "Mazon told reporters the regional government had asked Madrid for army support. "
            "Farmers fear heavy losses in the orange groves south of the city. "
            "Train services between Valencia and Madrid were suspended for the day."
        ),
        source="paper",
    ),
]

GOOD = {
    "headline": "Floods force 3,000 from their homes around Valencia",
    "sentences": [
        {"text": "Heavy rain caused rivers to burst their banks around Valencia on Sunday, forcing about 3,000 "
                 "people from their homes.", "articles": [1, 2]},
        {"text": "Rescue teams pulled 14 people from vehicles caught in the flood water.", "articles": [2]},
        {"text": "Schools in 20 towns will stay closed on Monday while engineers inspect bridges.", "articles": [1]},
    ],
}

BAD = (
    "<think>The user wants a summary. I could say 40 people were rescued to make it dramatic.</think>\n"
    "Reasoning: combine both articles.\n"
    "```json\n"
    + json.dumps(
        {
            "headline": "**Valencia floods**",
            "sentences": [
                {"text": "**Heavy rain** caused rivers to burst their banks around Valencia on Sunday, forcing "
                         "about 3,000 people from their homes.", "articles": [1]},
                {"text": "Emergency services said 40 people had been rescued from cars trapped by the water.",
                 "articles": [1]},
                {"text": "Regional president Carlos Mazon said “we have never seen such a disaster in the city”.",
                 "articles": [1]},
                {"text": "As an AI language model, I cannot verify the number of victims.", "articles": [1, 2]},
            ],
        }
    )
    + "\n```"
)


class FakeOpenAI:
    """A chat-completions endpoint on 127.0.0.1; ``answer(body)`` returns (status, payload, delay)."""

    def __init__(self, answer: Callable[[dict], tuple[int, object, float]]) -> None:
        self.answer = answer
        self.requests: list[tuple[str, dict, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status, payload, delay = fake.answer(body)
                if delay:
                    time.sleep(delay)
                data = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def completion(content: str) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
    }


def client_for(server: FakeOpenAI, timeout: float = 5.0, api_key_env: str | None = None) -> OpenAIChatClient:
    return OpenAIChatClient(LLMConfig(base_url=server.base_url, model="fake-7b", timeout=timeout,
                                      api_key_env=api_key_env))


def source_texts() -> str:
    return " ".join(a.title + " " + a.text for a in ARTICLES)


def test_good_cited_answer_is_kept(monkeypatch):
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    with FakeOpenAI(lambda body: (200, completion(json.dumps(GOOD)), 0.0)) as server:
        summary = summarize_with_llm(ARTICLES, client_for(server, api_key_env="FAKE_LLM_KEY"), words=120)
    path, headers, body = server.requests[0]
    assert path == "/v1/chat/completions"
    assert headers["authorization"] == "Bearer sk-test"
    assert body["model"] == "fake-7b" and body["messages"][0]["role"] == "system"
    assert "[1]" in body["messages"][1]["content"] and "[2]" in body["messages"][1]["content"]
    assert summary.method == "llm"
    # the first sentence is the lead; the summary goes on from there without repeating it
    assert summary.lead == GOOD["sentences"][0]["text"]
    assert [s.text for s in summary.sentences] == [s["text"] for s in GOOD["sentences"][1:]]
    assert summary.sentences[0].cites == ["paper-2"]
    assert summary.headline == GOOD["headline"]
    assert any("fake-7b" in n for n in summary.notes)


def test_bad_answer_is_cleaned_and_checked():
    with FakeOpenAI(lambda body: (200, completion(BAD), 0.0)) as server:
        summary = summarize_with_llm(ARTICLES, client_for(server), words=120)
    texts = [s.text for s in summary.sentences]
    joined = " ".join([summary.lead, *texts])
    assert summary.method == "mixed"
    # the reasoning and markdown are gone, the good sentence is kept (cleaned) and leads
    assert "<think>" not in joined and "**" not in joined and "Reasoning" not in joined
    assert summary.lead.startswith("Heavy rain caused rivers") and summary.lead not in texts
    # the invented number, the misquote and the assistant phrasing are rejected, with reasons
    assert "40 people" not in joined and "such a disaster" not in joined and "As an AI" not in joined
    notes = " | ".join(summary.notes)
    assert "llm sentence 2 rejected (number 40 not in sources)" in notes
    assert "llm sentence 3 rejected (quote not verbatim)" in notes
    assert "llm sentence 4 rejected (assistant phrasing)" in notes
    assert "reasoning block" in notes and "code fence" in notes
    # replacements are extractive sentences, verbatim from the articles, citing their articles
    replaced = [s for s in summary.sentences if s.source_article is not None]
    assert replaced, "rejected sentences should be replaced by extractive ones"
    for s in replaced:
        assert s.text in source_texts()
        assert s.cites
    assert summary.headline == "Valencia floods"  # markdown stripped; names and words all in the sources
    # the same decisions as fields: no prose to parse back
    review = summary.llm
    assert (review.model, review.proposed, review.kept, review.unchecked, review.failure) == ("fake-7b", 4, 1, 0, None)
    assert [(r.number, r.fault) for r in review.rejected] == [
        (2, Fault.NUMBER), (3, Fault.QUOTATION), (4, Fault.ASSISTANT)]
    assert any(r.replaced and r.replaced_by in {"wire-1", "paper-2"} for r in review.rejected)
    assert review.headline_kept
    assert review.tally() == {"proposed": 4, "kept": 1, "unchecked": 0,
                              "rejected": {"number": 1, "quotation": 1, "assistant phrasing": 1}}


@pytest.mark.parametrize("mode", ["http500", "timeout", "garbage"])
def test_llm_failure_falls_back_to_extractive(mode):
    answers = {
        "http500": lambda body: (500, {"error": {"message": "model overloaded"}}, 0.0),
        "timeout": lambda body: (200, completion(json.dumps(GOOD)), 2.0),
        "garbage": lambda body: (200, b"<html>proxy error</html>", 0.0),
    }
    with FakeOpenAI(answers[mode]) as server:
        started = time.perf_counter()
        summary = summarize_with_llm(ARTICLES, client_for(server, timeout=0.5), words=80)
        elapsed = time.perf_counter() - started
    assert summary.method == "extractive"
    assert summary.sentences and all(s.text in source_texts() for s in summary.sentences)
    note = summary.notes[-1]
    assert note.startswith("llm failed (") and note.endswith("extractive summary used")
    expected = {"http500": "HTTP 500", "timeout": "timed out after 0.5s", "garbage": "not a chat-completions answer"}
    assert expected[mode] in note
    assert summary.llm.failure and expected[mode] in summary.llm.failure and summary.llm.proposed == 0
    if mode == "timeout":
        assert elapsed < 2.0


def test_unreachable_endpoint_raises_clear_error():
    client = OpenAIChatClient(LLMConfig(base_url="http://127.0.0.1:9/v1", model="m", timeout=1.0))
    with pytest.raises(LLMError, match="cannot reach http://127.0.0.1:9/v1/chat/completions"):
        client.complete([{"role": "user", "content": "hi"}])


def test_config_table_is_read(tmp_path):
    path = tmp_path / "tidings.toml"
    path.write_text('[summarize.llm]\nbase_url = "http://127.0.0.1:8080/v1"\nmodel = "qwen"\ntimeout = 12\n'
                    'api_key_env = "MY_KEY"\n', encoding="utf-8")
    cfg = llm_config(load_config(path, environ={}))
    assert cfg == LLMConfig(base_url="http://127.0.0.1:8080/v1", model="qwen", api_key_env="MY_KEY", timeout=12.0)
    bare = tmp_path / "bare.toml"
    bare.write_text('[summarize]\nwords = 120\n', encoding="utf-8")
    assert llm_config(load_config(bare, environ={})) is None
    path.write_text('[summarize.llm]\nmodel = "qwen"\ncolour = "blue"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[summarize\] llm.colour: unknown setting"):
        load_config(path, environ={})


def test_parse_answer_reads_text_with_citation_marks():
    draft = parse_answer("<think>plan</think>\n- Rivers burst their banks on Sunday. [1, 2]\n- Schools stay shut. [1]")
    assert [(s.text.strip("- ").strip(), s.articles) for s in draft.sentences] == [
        ("Rivers burst their banks on Sunday. [1, 2]", [1, 2]),
        ("Schools stay shut. [1]", [1]),
    ]
    assert clean_sentence(draft.sentences[0].text) == "Rivers burst their banks on Sunday."


def test_configured_summary_uses_the_llm_table(tmp_path):
    from tidings.summarize.llm import summarize_configured

    with FakeOpenAI(lambda body: (200, completion(json.dumps(GOOD)), 0.0)) as server:
        path = tmp_path / "tidings.toml"
        path.write_text(f'[summarize.llm]\nbase_url = "{server.base_url}"\nmodel = "fake-7b"\n', encoding="utf-8")
        summary = summarize_configured(ARTICLES, load_config(path, environ={}), words=120)
        assert summary.method == "llm" and len(server.requests) == 1
    bare = tmp_path / "bare.toml"
    bare.write_text("[summarize]\n", encoding="utf-8")
    assert summarize_configured(ARTICLES, load_config(bare, environ={}), words=120).method == "extractive"
    broken = tmp_path / "broken.toml"
    broken.write_text('[summarize.llm]\nbackend = "llama-cpp"\nmodel_path = "/nonexistent/model.gguf"\n', encoding="utf-8")
    fallback = summarize_configured(ARTICLES, load_config(broken, environ={}), words=120)
    assert fallback.method == "extractive" and fallback.notes[-1].startswith("llm failed (")


def test_llm_judge_can_reject_what_the_guard_accepts():
    def answer(body: dict) -> tuple[int, object, float]:
        system = body["messages"][0]["content"]
        if "fact-checker" not in system:
            return 200, completion(json.dumps(GOOD)), 0.0
        claim = body["messages"][1]["content"].rsplit("Claim: ", 1)[1]
        if claim.startswith("Schools"):
            return 200, completion('<think>hmm</think>{"supported": false, "reason": "towns not named"}'), 0.0
        if claim.startswith("Rescue"):
            return 200, completion("I am not sure."), 0.0
        return 200, completion('{"supported": true, "reason": "stated"}'), 0.0

    with FakeOpenAI(answer) as server:
        client = client_for(server)
        summary = summarize_with_llm(ARTICLES, client, words=120, judge=client)
    judged = [b for _, _, b in server.requests if "fact-checker" in b["messages"][0]["content"]]
    assert len(judged) == 3  # every sentence the guard accepted
    notes = " | ".join(summary.notes)
    assert "llm sentence 3 rejected (llm judge: towns not named)" in notes
    assert "llm judge gave no verdict on sentence 2 (judge answer not understood); guard verdict kept" in notes
    assert summary.method == "mixed"
    assert GOOD["sentences"][2]["text"] not in [s.text for s in summary.sentences]
    assert summary.lead not in [s.text for s in summary.sentences]


def test_answer_cut_short_keeps_its_complete_sentences():
    full = json.dumps(GOOD)
    cut = full[: full.index("Schools") + 10]  # max_tokens ran out inside the third sentence
    draft = parse_answer("```json\n" + cut)
    assert draft.headline == GOOD["headline"]
    assert [(s.text, s.articles) for s in draft.sentences] == [
        (s["text"], s["articles"]) for s in GOOD["sentences"][:2]]
    assert "unfinished JSON, its complete sentences read" in draft.cleaned
    with FakeOpenAI(lambda body: (200, completion(cut), 0.0)) as server:
        summary = summarize_with_llm(ARTICLES, client_for(server), words=120)
    assert summary.method == "llm" and summary.lead == GOOD["sentences"][0]["text"]
    assert [s.text for s in summary.sentences] == [GOOD["sentences"][1]["text"]]


def test_looping_answer_is_read_once():
    looping = {"headline": "Valencia floods", "sentences": [GOOD["sentences"][1]] * 6 + [GOOD["sentences"][2]]}
    draft = parse_answer(json.dumps(looping))
    assert [s.text for s in draft.sentences] == [GOOD["sentences"][1]["text"], GOOD["sentences"][2]["text"]]
    assert draft.cleaned == ["5 repeated sentences"]
    text = parse_answer("Rivers burst their banks. [1]\nRivers burst their banks. [1]\nSchools stay shut. [1]")
    assert len(text.sentences) == 2 and text.cleaned == ["not JSON, read as text", "1 repeated sentences"]


def test_sentences_that_claim_nothing_are_not_published():
    empty = {"headline": "...", "sentences": [
        {"text": "...", "articles": [1]},
        {"text": "Valencia.", "articles": [1, 2]},
        GOOD["sentences"][1],
    ]}
    with FakeOpenAI(lambda body: (200, completion(json.dumps(empty)), 0.0)) as server:
        summary = summarize_with_llm(ARTICLES, client_for(server), words=120)
    published = [summary.lead, summary.headline, *[s.text for s in summary.sentences]]
    assert "..." not in published and "Valencia." not in published
    notes = " | ".join(summary.notes)
    assert "llm sentence 1 rejected (too short to say anything)" in notes
    assert "llm sentence 2 rejected (too short to say anything)" in notes
    assert "llm headline rejected (too short to say anything: '...')" in notes
    assert summary.method == "mixed" and GOOD["sentences"][1]["text"] in published


def test_the_summarize_command_runs_the_configured_summarizer(tmp_path):
    """`tidings summarize` is the pipeline's summarizer: it honours [summarize] words and [summarize.llm]."""
    from click.testing import CliRunner

    from tidings.cli import cli

    story = json.dumps({"id": "valencia", "articles": [a.to_json() for a in ARTICLES]})
    with FakeOpenAI(lambda body: (200, completion(json.dumps(GOOD)), 0.0)) as server:
        path = tmp_path / "tidings.toml"
        path.write_text(f'[summarize]\nwords = 45\n[summarize.llm]\nbase_url = "{server.base_url}"\n'
                        f'model = "fake-7b"\n', encoding="utf-8")
        result = CliRunner().invoke(cli, ["--config", str(path), "summarize"], input=story + "\n")
        assert result.exit_code == 0, result.output
        answer = json.loads(result.output.splitlines()[0])
        assert answer["method"] == "llm" and len(server.requests) == 1
        prompt = json.dumps(server.requests[0][2])
        assert "45" in prompt  # the configured budget reached the model
    bare = tmp_path / "bare.toml"
    bare.write_text("[summarize]\nwords = 30\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bare), "summarize"], input=story + "\n")
    short = json.loads(result.output.splitlines()[0])
    assert short["method"] == "extractive"
    result = CliRunner().invoke(cli, ["--config", str(bare), "summarize", "--words", "150"], input=story + "\n")
    longer = json.loads(result.output.splitlines()[0])
    seen = [len((s["lead"] + " " + " ".join(x["text"] for x in s["sentences"])).split()) for s in (short, longer)]
    assert seen[0] < seen[1]  # --words overrides [summarize] words
