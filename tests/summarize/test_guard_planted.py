"""Planted errors on a small hand-written sample (the benchmark runs the same code on DUC 2003)."""

from __future__ import annotations

import random

from tests.summarize.planted import ERROR_TYPES, evaluate, plant_all

SOURCES = [
    "Lisbon, Portugal. The Portuguese parliament approved the 2024 budget on Wednesday by 116 votes to 90, "
    "after Prime Minister Luis Montenegro agreed to cut income tax for 1.5 million young workers. "
    "Finance Minister Joaquim Miranda Sarmento said “this budget keeps the accounts in surplus” and "
    "promised a review in October. The opposition Socialists abstained.",
    "The vote came after three weeks of talks. Montenegro's minority government holds 80 of the 230 seats, "
    "and the far-right Chega party voted against the plan. Analysts at Banco de Portugal expect growth of 1.8% "
    "next year, down from 2.1% in March.",
]

SENTENCES = [
    "The Portuguese parliament approved the 2024 budget on Wednesday by 116 votes to 90, after Prime Minister "
    "Luis Montenegro agreed to cut income tax for 1.5 million young workers.",
    "Finance Minister Joaquim Miranda Sarmento said “this budget keeps the accounts in surplus” and promised a "
    "review in October.",
    "Montenegro's minority government holds 80 of the 230 seats, and the far-right Chega party voted against the plan.",
    "Analysts at Banco de Portugal expect growth of 1.8% next year, down from 2.1% in March.",
]


def test_each_error_type_can_be_planted():
    rng = random.Random(1)
    kinds = {p.kind for s in SENTENCES for p in plant_all(s, "\n".join(SOURCES), rng)}
    assert kinds == set(ERROR_TYPES)


def test_planted_errors_flagged_and_untouched_pass():
    tally = evaluate([(s, SOURCES) for s in SENTENCES], seed=3)
    flagged = sum(f for f, _ in tally.planted.values())
    planted = sum(n for _, n in tally.planted.values())
    assert planted >= 8
    assert flagged / planted >= 0.95, tally.misses
    assert tally.untouched == [0, len(SENTENCES)], tally.false_alarms
