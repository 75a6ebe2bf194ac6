"""``tidings summarize`` through click's CliRunner: JSON Lines in, cited summaries out, bad lines reported."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tidings.cli import cli

STORY = {
    "id": "story-1",
    "articles": [
        {"id": "a", "title": "Storm floods northern coast", "published": "2026-03-02T08:00:00Z", "language": "en",
         "source": "one.example",
         "text": ("A powerful storm hit the northern coast on Monday, flooding hundreds of homes and cutting power "
                  "to thousands of people. Officials said rescue teams were working through the night to reach "
                  "stranded families. Schools in the region will stay closed until Wednesday at the earliest.")},
        {"id": "b", "title": "Why is the coast flooding again?", "published": "2026-03-02T10:00:00Z",
         "language": "en", "source": "two.example",
         "text": ("A powerful storm hit the northern coast on Monday, flooding hundreds of homes and cutting power "
                  "to thousands of people. The national weather service warned that more heavy rain was expected "
                  "on Tuesday along the whole coast.")},
    ],
}


def test_summarize_command_with_a_malformed_line() -> None:
    lines = [
        json.dumps(STORY),
        "{not json",
        json.dumps({"id": "empty", "articles": []}),
        json.dumps({"id": "bad-article", "articles": [{"title": "no id here", "text": "Some text."}]}),
    ]
    result = CliRunner().invoke(cli, ["summarize", "--words", "60"], input="\n".join(lines) + "\n")
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    good = out[0]
    assert good["id"] == "story-1"
    assert good["headline"] == "Storm floods northern coast"
    assert good["lead"]
    assert good["language"] == "en" and good["languages"] == ["en"]
    assert 1 <= len(good["sentences"]) <= 6
    assert sum(len(s["text"].split()) for s in good["sentences"]) <= 60
    for sentence in good["sentences"]:
        assert any(sentence["text"] in a["text"] for a in STORY["articles"])
        stating = {a["id"] for a in STORY["articles"] if sentence["text"] in a["text"]}
        assert stating <= set(sentence["cites"])
    assert out[1]["line"] == 2 and "not valid JSON" in out[1]["error"]
    assert out[2] == {"id": "empty", "line": 3, "error": "a story needs a non-empty 'articles' list"}
    assert out[3]["id"] == "bad-article" and "article 1" in out[3]["error"]


def test_summarize_command_all_good_exits_zero() -> None:
    result = CliRunner().invoke(cli, ["summarize"], input=json.dumps(STORY) + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "story-1"
