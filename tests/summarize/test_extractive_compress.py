"""Compressed sentences and restated facts in extractive summaries.

A sentence may reach the summary without an aside (a relative clause, an appositive, a
dash aside, an age, a leading connective): its words stay in the source's order, it still
cites every article that states it, and the guard finds it supported. Two sentences that
give the same distinctive number in other words are one fact, said once.
"""

from __future__ import annotations

from datetime import datetime, timezone

from tidings.records import Article
from tidings.summarize.extractive import (
    DEFAULT_CONFIG,
    distinctive_numbers,
    same_fact,
    summarize_articles,
    with_config,
)
from tidings.summarize.guard import build_index, check_sentence


def day(n: int) -> datetime:
    return datetime(2026, 4, n, 8, 0, tzinfo=timezone.utc)


LEAD = ("The maintainers of Quillstack, an open-source server for language models, urged users on Saturday to "
        "update at once after disclosing a critical flaw that lets an attacker run code on an exposed server.")
ASIDE = ("Tallis Labs, which audits free software from an office in Oslo, said scans found about 14,000 "
         "Quillstack servers reachable from the public internet.")
RESTATED = "Researchers at Tallis Labs counted about 14,000 instances reachable from the internet."
FIX = "Version 2.14.1 disables remote adapter loading by default and checks every file it loads."
ATTACKS = "The maintainers said they had seen no confirmed attacks but expected exploit code within days."
SEVERITY = "The flaw was rated 9.8 out of 10 for severity and affects every Quillstack version released since March."

ARTICLES = [
    Article(id="wire", source="wire", published=day(4), language="en", title="Quillstack users told to update",
            text=" ".join([LEAD, SEVERITY, ASIDE, FIX, ATTACKS])),
    Article(id="circuit", source="circuit", published=day(4), language="en",
            title="Critical flaw found in Quillstack model server",
            text=" ".join([LEAD, SEVERITY, ATTACKS, FIX])),
    Article(id="servo", source="servo", published=day(5), language="en",
            title="Update Quillstack now, maintainers say",
            text=" ".join([RESTATED, FIX, SEVERITY,
                           "Many of the exposed servers run on machines with costly accelerators and internal data."])),
]


def _in_order(short: str, long: str) -> bool:
    """Every word of ``short`` appears in ``long``, in the same order (case and commas aside)."""
    rest = iter(long.lower().replace(",", "").split())
    return all(word in rest for word in short.lower().replace(",", "").split())


def test_default_config_compresses() -> None:
    assert DEFAULT_CONFIG.compress and DEFAULT_CONFIG.fact_overlap > 0


def test_compressed_sentence_is_a_subsequence_cited_and_supported() -> None:
    summary = summarize_articles(ARTICLES, words=120)
    texts = [s.text for s in summary.sentences]
    assert ASIDE not in texts
    short = [s for s in summary.sentences if s.text.startswith("Tallis Labs said")]
    assert short, texts
    sentence = short[0]
    assert _in_order(sentence.text, ASIDE)
    assert sentence.cites[0] == sentence.source_article == "wire"  # the article that states the full sentence
    index = build_index([a.text for a in ARTICLES if a.id in sentence.cites])
    assert check_sentence(sentence.text, index).supported


def test_without_compression_the_full_sentence_is_used() -> None:
    summary = summarize_articles(ARTICLES, words=120, config=with_config(compress=()))
    assert all(_in_order(s.text, " ".join(a.text for a in ARTICLES)) for s in summary.sentences)
    assert not any(s.text.startswith("Tallis Labs said") for s in summary.sentences)


def test_one_fact_is_said_once() -> None:
    for config in (DEFAULT_CONFIG, with_config(compress=())):
        summary = summarize_articles(ARTICLES, words=200, config=config)
        said = [t for t in [summary.lead, *(s.text for s in summary.sentences)] if "14,000" in t]
        assert len(said) == 1, said


def test_same_fact() -> None:
    assert same_fact(ASIDE, RESTATED)
    assert not same_fact(ASIDE, RESTATED.replace("14,000", "9,000"))  # other numbers: other facts
    assert not same_fact(ASIDE, "About 14,000 fans watched the final at the stadium on Sunday night.")
    assert not same_fact(ASIDE, RESTATED, overlap=0.0)  # switched off


def test_distinctive_numbers() -> None:
    assert distinctive_numbers("On March 3, 1998, about 14,000 of 80 servers scored 9.8.") == {"14000", "80", "9.8"}
