"""``tidings check`` through the real CLI entry point (click's CliRunner)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tidings.cli import cli

ARTICLE = {
    "id": "a1",
    "title": "Port strike ends",
    "text": "Dock workers at the port of Rotterdam ended their strike on Friday after 12 days. "
    "The union said “the agreement gives us what we asked for” and members approved it by 85%.",
}


def run(lines: list[str]):
    result = CliRunner().invoke(cli, ["check"], input="\n".join(lines) + "\n")
    return result, [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_check_reports_each_sentence_and_a_malformed_line():
    good = {"id": "s1", "sources": [ARTICLE], "summary": "Dock workers at the port of Rotterdam ended their strike on Friday after 12 days."}
    bad = {
        "id": "s2",
        "sources": [ARTICLE, "A plain text source: the port reopened on Saturday."],
        "summary": "Dock workers ended their strike on Friday after 14 days. "
        "The union said “the deal gives us everything we asked for”.",
    }
    result, out = run([json.dumps(good), "{not json", json.dumps({"id": "s3", "summary": "x"}), json.dumps(bad)])
    assert result.exit_code == 1  # two lines failed
    assert len(out) == 4
    assert out[0] == {
        "id": "s1",
        "supported": True,
        "score": 1.0,
        "sentences": [{"text": good["summary"], "supported": True, "score": 1.0, "reason": None}],
    }
    assert out[1]["line"] == 2 and "not valid JSON" in out[1]["error"]
    assert out[2]["id"] == "s3" and "'sources'" in out[2]["error"]
    assert out[3]["id"] == "s2" and out[3]["supported"] is False
    reasons = [s["reason"] for s in out[3]["sentences"]]
    assert reasons == ["number 14 not in sources", "quote not verbatim"]


def test_check_all_good_exits_zero():
    line = {"id": 7, "sources": [ARTICLE["text"]], "summary": ["Members approved it by 85%."]}
    result, out = run([json.dumps(line)])
    assert result.exit_code == 0, result.output
    assert out[0]["id"] == 7 and out[0]["supported"] is True


def test_a_summary_longer_than_the_bound_is_checked_up_to_it_and_says_so():
    """[limits] summary_sentences (50): later sentences are answered unchecked, never dropped."""
    sentence = "Dock workers at the port of Rotterdam ended their strike on Friday after 12 days."
    line = {"id": "long", "sources": [ARTICLE], "summary": " ".join([sentence] * 60)}
    result, out = run([json.dumps(line)])
    assert result.exit_code == 0, result.output
    answer = out[0]
    assert len(answer["sentences"]) == 60
    assert all(s["supported"] for s in answer["sentences"][:50])
    rest = answer["sentences"][50:]
    assert all(not s["supported"] and s["reason"].startswith("not checked") for s in rest)
    assert answer["supported"] is False and answer["score"] == round(50 / 60, 4)
