"""Learned concept worth: the feature rows, the weights they give, and the summarizer using them."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from tidings.records import Article
from tidings.summarize.concept_weights import (
    COEFFICIENTS,
    FEATURES,
    INTERCEPT,
    Mention,
    concept_features,
    counted,
    learned_weights,
    probability,
)
from tidings.summarize.extractive import story_concept_rows, summarize_articles, with_config

F = {name: k for k, name in enumerate(FEATURES)}
SHARED = ("bridg", "close")
LATE = ("ferri", "oper")


def _story() -> list[Mention]:
    # three articles; "bridge close(d)" opens every one, "ferry operators" comes late in one
    out = []
    for a in range(3):
        out.append(Mention(article=a, index=0, concepts=frozenset({SHARED, ("bridg", "")}),
                           capitals=frozenset({"ell"})))
        out.append(Mention(article=a, index=1, concepts=frozenset(("said", str(k)) for k in range(10))))
        for i in range(2, 6):
            concepts = {("filler", str(a * 10 + i))}
            if a == 2 and i == 5:
                concepts |= {LATE, ("40,000", "vehicl")}
            out.append(Mention(article=a, index=i, concepts=frozenset(concepts)))
    return out


def test_feature_rows_describe_where_and_how_widely_a_concept_comes() -> None:
    rows = concept_features(_story(), 3, titles={0: frozenset({SHARED})}, stop=frozenset({"the"}))
    shared, late = rows[SHARED], rows[LATE]
    assert len(shared) == len(FEATURES)
    assert shared[F["df_share"]] == 1.0 and late[F["df_share"]] == pytest.approx(1 / 3)
    assert shared[F["log_df"]] == pytest.approx(math.log(3)) and late[F["log_df"]] == 0.0
    assert shared[F["first_share"]] == 1.0 and shared[F["early_share"]] == 1.0 and late[F["early_share"]] == 0.0
    assert shared[F["first_index"]] == 0.0 and late[F["first_index"]] == pytest.approx(math.log1p(5))
    assert late[F["relative_position"]] == pytest.approx(5 / 6)
    assert shared[F["title_share"]] == pytest.approx(1 / 3) and late[F["title_share"]] == 0.0
    assert rows[("bridg", "")][F["unigram"]] == 1.0 and shared[F["unigram"]] == 0.0
    assert rows[("40,000", "vehicl")][F["number"]] == 1.0 and shared[F["number"]] == 0.0
    assert shared[F["capital_share"]] == 0.0


def test_capitals_and_stop_words_are_counted_per_word() -> None:
    mentions = [Mention(article=a, index=0, concepts=frozenset({("ana", "ruiz"), ("of", "harbour")}),
                        capitals=frozenset({"ana", "ruiz", "harbour"} if a == 0 else {"ana"})) for a in range(2)]
    rows = concept_features(mentions, 2, titles={}, stop=frozenset({"of"}))
    assert rows[("ana", "ruiz")][F["capital_share"]] == 1.0
    assert rows[("of", "harbour")][F["capital_share"]] == 0.5
    assert rows[("of", "harbour")][F["stop_share"]] == 0.5 and rows[("ana", "ruiz")][F["stop_share"]] == 0.0


def test_shipped_model_prefers_what_every_outlet_opens_with() -> None:
    rows = concept_features(_story(), 3, titles={})
    assert probability(rows[SHARED]) > probability(rows[LATE])
    assert 0.0 < probability(rows[LATE]) < probability(rows[SHARED]) < 1.0
    assert len(COEFFICIENTS) == len(FEATURES) and math.isfinite(INTERCEPT)


def test_learned_weights_keep_shared_concepts_and_apply_floor_and_scale() -> None:
    rows = concept_features(_story(), 3, titles={})
    weights = learned_weights(rows, 3, min_df=2, scale=10.0, power=2.0)
    assert SHARED in weights and LATE not in weights  # LATE is in one article only
    assert weights[SHARED] == pytest.approx(10.0 * probability(rows[SHARED]) ** 2)
    everything = learned_weights(rows, 3, min_df=1, scale=1.0)  # no df bar
    assert LATE in everything and everything[LATE] < everything[SHARED]
    floored = learned_weights(rows, 3, min_df=1, scale=1.0, floor=probability(rows[LATE]) + 1e-6)
    assert LATE not in floored and SHARED in floored


def test_the_df_bar_is_a_share_of_the_articles() -> None:
    mentions = [Mention(article=a, index=0, concepts=frozenset({("in", str(k)) for k in range(24) if a < 1 + k % 4}))
                for a in range(4)]  # ("in", k) is in 1 + k % 4 of the 4 articles
    rows = concept_features(mentions, 4, titles={})
    assert len(counted(rows, 4, min_df=2)) == 18  # in 2, 3 or 4 articles
    in_three = sorted(("in", str(k)) for k in range(24) if k % 4 >= 2)
    assert sorted(counted(rows, 4, min_df=2, min_df_fraction=0.75)) == in_three
    assert sorted(counted(rows, 4, min_df=2, min_df_fraction=1.0)) == in_three  # six in all 4: the bar falls


def test_min_df_falls_when_too_few_concepts_are_shared() -> None:
    mentions = [Mention(article=0, index=0, concepts=frozenset({("a", str(k)) for k in range(12)})),
                Mention(article=1, index=0, concepts=frozenset({("a", "0"), ("b", "1")}))]
    rows = concept_features(mentions, 2, titles={})
    assert len(learned_weights(rows, 2, min_df=2)) == 13  # only one pair is shared: the bar falls to one article


def day(n: int) -> datetime:
    return datetime(2026, 3, n, 9, 0, tzinfo=timezone.utc)


OWN = ["A local baker handed out free bread to the volunteers who spent the night at the fire station.",
       "Tourism operators in the valley reported a wave of cancellations for the coming summer season.",
       "A school gymnasium in the neighbouring village served as a shelter for two nights this week.",
       "Meteorologists expect cooler weather and light rain across the region from Thursday onwards."]
FIRE = "Firefighters contained a wildfire near the town of Arden on Tuesday after it burned 3,000 hectares of forest."
ARTICLES = [
    Article(id=f"a{k}", source=f"s{k}.example", published=day(k + 1), language="en",
            title="Wildfire near Arden contained after burning 3,000 hectares",
            text=(f"{FIRE} Officials said about 400 residents who had been evacuated could return home on Wednesday. "
                  + ("Investigators believe a power line sparked the fire during strong winds on Sunday. "
                     if k % 2 == 0 else "The regional council said it would pay for repairs to damaged roads. ")
                  + OWN[k]))
    for k in range(4)
]


def test_story_rows_come_from_the_summarizers_own_sentences() -> None:
    main, n_main, rows = story_concept_rows(ARTICLES)
    assert main == "en" and n_main == 4
    wildfire = [row for c, row in rows.items() if c[0] == "wildfir" and c[1] == ""]
    assert wildfire and wildfire[0][F["df_share"]] == 1.0 and wildfire[0][F["title_share"]] == 1.0
    assert rows[("power", "line")][F["df_share"]] == 0.5


def test_summarizer_with_learned_weights_picks_verbatim_cited_sentences() -> None:
    # the budget counts the lead (about 25 words) since round six; 30 words were for the sentences alone before
    summary = summarize_articles(ARTICLES, words=55, config=with_config(concept_model="learned"))
    assert "3,000 hectares" in summary.lead
    texts = [s.text for s in summary.sentences]
    assert any("400 residents" in t for t in texts) and any("power line" in t for t in texts)  # shared by 4 and 2
    assert not any(t in OWN for t in texts)  # each told by one outlet only
    for s in summary.sentences:
        assert any(s.text in a.text for a in ARTICLES)
        assert s.cites[0] == s.source_article


def test_refit_learns_which_feature_tells_the_references_concepts() -> None:
    import random

    import numpy as np

    from tests.summarize.concept_fit import fit_concept_model, folds_of

    rng = random.Random(5)
    examples = []
    for _ in range(6):
        rows, target = [], []
        for _ in range(200):
            row = [rng.random() for _ in FEATURES]
            rows.append(row)
            target.append(1.0 if row[F["early_share"]] > 0.6 else 0.25 * (row[F["early_share"]] > 0.3))
        examples.append(([], np.array(rows), np.array(target)))
    fitted = fit_concept_model(examples)
    assert len(fitted) == len(FEATURES) + 1
    weights = dict(zip(FEATURES, fitted[1:]))
    assert weights["early_share"] > 5 and all(abs(w) < 1 for k, w in weights.items() if k != "early_share")
    assert folds_of(7, 3) == [[0, 3, 6], [1, 4], [2, 5]]


def test_one_article_stories_keep_the_counting_rule() -> None:
    lone = [Article(id="solo", source="s.example", published=day(1), language="en",
                    title=ARTICLES[0].title, text=" ".join([ARTICLES[0].text, ARTICLES[1].text, OWN[1], OWN[2]]))]
    learned = summarize_articles(lone, words=40, config=with_config(concept_model="learned"))
    counted_ = summarize_articles(lone, words=40, config=with_config(concept_model="counts"))
    assert learned.sentences
    assert (learned.lead, [s.text for s in learned.sentences]) == (counted_.lead, [s.text for s in counted_.sentences])


def test_paired_bootstrap_of_two_settings_over_clusters() -> None:
    from tests.summarize.concept_fit import paired

    base = [(0.30, 0.08), (0.40, 0.10), (0.35, 0.09), (0.38, 0.07)]
    same = paired(base, base)
    assert same == (0.0, 0.0, 0.0, 0)
    better = paired(base, [(r1 + 0.01 * (k + 1), r2) for k, (r1, r2) in enumerate(base)])
    diff, low, high, ahead = better
    assert abs(diff - 2.5) < 1e-9 and 1.0 <= low <= diff <= high <= 4.0 and ahead == 4
