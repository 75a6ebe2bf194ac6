"""Hostile shapes of article fields (a 200,000-character title, a 20,000-word sentence, ...) and an
ordinary article to compare them with: the inputs of tests/test_bounds.py and benchmarks/hostile.py."""

from __future__ import annotations

ORDINARY_TITLE = "Open-weight model from Paris lab tops multilingual benchmark"
ORDINARY_TEXT = (
    "A Paris laboratory released an open-weight language model on Tuesday that it says beats larger "
    "systems on a multilingual benchmark. The model, with 12 billion parameters, is published under "
    "the Apache 2.0 licence, the lab said in a statement. Researchers at two universities confirmed "
    "the results on their own test sets, though they cautioned that benchmarks measure only part of "
    "what a model can do. The release follows a year in which several European labs opened their "
    "weights, a shift that regulators in Brussels have welcomed. "
) * 3

WORDS = ("model lab release open weights benchmark data researchers said Tuesday company "
         "billion parameters licence regulators Europe compute").split()


def _words(n: int) -> str:
    return " ".join(WORDS[i % len(WORDS)] for i in range(n))


def shapes() -> dict[str, dict[str, str]]:
    """name -> article fields. Sizes as in issue #15 (and a few more)."""
    return {
        "ordinary": {"title": ORDINARY_TITLE, "text": ORDINARY_TEXT},
        "title 200,000 chars of words": {"title": _words(40_000)[:200_000], "text": ORDINARY_TEXT},
        "title 200,000 chars, one word": {"title": "x" * 200_000, "text": ORDINARY_TEXT},
        "title 50,000 chars": {"title": _words(10_000)[:50_000], "text": ORDINARY_TEXT},
        "text 50,000 one-letter words": {"title": ORDINARY_TITLE, "text": " ".join("a" * 50_000)},
        "text one 200,000-char word": {"title": ORDINARY_TITLE, "text": "y" * 200_000},
        "text one 20,000-word sentence": {"title": ORDINARY_TITLE, "text": _words(20_000)},
        "text 1 MB of sentences": {"title": ORDINARY_TITLE, "text": (ORDINARY_TEXT * 400)[:1_000_000]},
        "text 50,000 one-word sentences": {"title": ORDINARY_TITLE, "text": " ".join(["Yes."] * 50_000)},
    }


def article(name: str, fields: dict[str, str]) -> dict:
    return {"id": name, "language": "en", "published": "2026-11-20T10:00:00+00:00", **fields}


def stage_line(stage: str, name: str, fields: dict[str, str]) -> dict:
    a = article(name, fields)
    if stage == "similarity":
        return {"id": name, "a": a, "b": article("b", shapes()["ordinary"])}
    if stage == "summarize":
        return {"id": name, "articles": [a, article("o", shapes()["ordinary"])]}
    if stage == "check":
        return {"id": name, "sources": [a], "summary": fields["text"][:200_000]}
    return a
