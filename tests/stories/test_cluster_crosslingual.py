"""Cross-language joins: the lower cosine floor across languages, per-language member
means, and money amounts as language-agnostic keys (real embedder and entity keys)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone

import numpy as np
import pytest

from tidings.records import Article
from tidings.stories.cluster import (
    ArticleFeatures,
    ClusterConfig,
    OnlineClusterer,
    StoryState,
    features_for,
    number_keys,
    pair_similarity,
    story_score,
)
from tidings.stories.embed import get_embedder


def at(day: int, hour: int) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=timezone.utc)


# Written for these tests: two fines of one kind in one week, one reported in two languages.
FINE_EN = Article(
    id="fine-en",
    title="EU fines Dutch chipmaker Veldhoven Photonics 340 million euros over supply deals",
    text="The European Commission on Tuesday fined Veldhoven Photonics 340 million euros for tying customers "
    "to exclusive supply contracts, ending an investigation that began in 2022. Competition commissioner "
    "Margrethe Lindqvist said the company had shut rivals out of the market for lithography lenses for "
    "four years. Veldhoven Photonics said it would appeal to the General Court in Luxembourg.",
    published=at(11, 9),
    language="en",
)
FINE_DE = Article(
    id="fine-de",
    title="Brüssel verhängt 340 Millionen Euro Strafe gegen Veldhoven Photonics",
    text="Die EU-Kommission hat gegen den niederländischen Chiphersteller Veldhoven Photonics eine Geldbuße "
    "von 340 Millionen Euro verhängt. Das Unternehmen habe Kunden vier Jahre lang mit Exklusivverträgen an "
    "sich gebunden und Wettbewerber vom Markt für Lithografie-Linsen ferngehalten, erklärte "
    "Wettbewerbskommissarin Margrethe Lindqvist am Dienstag. Veldhoven Photonics kündigte an, vor dem "
    "Gericht der EU in Luxemburg zu klagen.",
    published=at(11, 13),
    language="de",
)
OTHER_FINE_DE = Article(
    id="bank-fine-de",
    title="EU-Kommission bestraft Nordbank wegen Absprachen bei Staatsanleihen mit 1,2 Milliarden Euro",
    text="Die EU-Kommission hat die Hamburger Nordbank zu einer Geldbuße von 1,2 Milliarden Euro verurteilt. "
    "Händler der Bank hätten sich zwischen 2019 und 2021 in Chatgruppen mit Konkurrenten über Preise von "
    "Staatsanleihen abgesprochen, teilte die Behörde am Donnerstag mit. Die Nordbank prüft nach eigenen "
    "Angaben rechtliche Schritte.",
    published=at(13, 10),
    language="de",
)


@pytest.fixture(scope="module")
def feats() -> dict[str, ArticleFeatures]:
    articles = [FINE_EN, FINE_DE, OTHER_FINE_DE]
    return {f.id: f for f in features_for(articles, get_embedder(), ClusterConfig())}


def test_money_amounts_are_one_key_in_every_language():
    want = {"#340000000"}
    assert number_keys("340 million dollars") == want
    assert number_keys("340 millions de dollars") == want
    assert number_keys("340 Millionen Dollar") == want
    assert number_keys("340 millones de dólares") == want
    assert number_keys("1.2 billion") == number_keys("1,2 Milliarden") == number_keys("1,2 mil millones") \
        == number_keys("1,2 milliards") == {"#1200000000"}
    assert number_keys("15 Mio. Euro") == {"#15000000"} and number_keys("2 000 morts") == {"#2000"}
    assert number_keys("2,000 people and 6.8") == {"#2000", "#6.8"}


def test_german_and_english_reports_of_one_event_join(feats):
    assert "#340000000" in feats["fine-en"].keys and "#340000000" in feats["fine-de"].keys
    score, same = pair_similarity(feats["fine-de"], feats["fine-en"])
    assert same
    clusterer = OnlineClusterer(ClusterConfig())
    first = clusterer.place(feats["fine-en"])
    assert clusterer.place(feats["fine-de"]).story_id == first.story_id


def test_german_and_english_reports_of_two_fines_stay_apart(feats):
    score, same = pair_similarity(feats["bank-fine-de"], feats["fine-en"])
    assert not same
    assert score < pair_similarity(feats["fine-de"], feats["fine-en"])[0]
    clusterer = OnlineClusterer(ClusterConfig())
    ids = [clusterer.place(feats[i]).story_id for i in ("fine-en", "fine-de", "bank-fine-de")]
    assert ids[0] == ids[1] != ids[2]


def test_the_cross_language_floor_raises_only_cross_language_scores():
    config = ClusterConfig()
    assert config.xl_shift > 0
    same = story_score(0.87, None, True, None, config)
    cross = story_score(0.87, None, False, None, config)
    flat = story_score(0.87, None, False, None, replace(config, xl_shift=0.0))
    assert cross > same == pytest.approx(flat)


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def _feat(name: str, vector, language: str) -> ArticleFeatures:
    return ArticleFeatures(id=name, vector=_unit(vector), published=at(11, 9), language=language)


def test_a_mixed_story_keeps_each_languages_mean_and_compares_an_article_with_its_own():
    # plain-cosine scale for hand-made vectors; time neutral (no first-hours bonus), as this is about languages
    config = ClusterConfig(cos_floor=0.0, xl_shift=0.0, threshold=0.7, merge_threshold=0.99, fresh_bonus=0.0)
    clusterer = OnlineClusterer(config)
    en, de = _unit([1, 0, 0, 0]), _unit([0.8, 0.6, 0, 0])
    story_id = clusterer.place(_feat("a", en, "en")).story_id
    assert clusterer.place(_feat("b", de, "de")).story_id == story_id
    story = clusterer.stories[story_id]
    assert set(story.by_language) == {"en", "de"}
    np.testing.assert_allclose(story.by_language["en"], en, atol=1e-6)
    np.testing.assert_allclose(story.by_language["de"], de, atol=1e-6)
    # an English article far from the mixed centroid but close to the English member joins
    near_en = _unit([0.8, -0.6, 0, 0])
    assert float(near_en @ story.unit()) < 0.7 < float(near_en @ story.language_unit("en"))
    assert clusterer.place(_feat("c", near_en, "en")).story_id == story_id
    restored = StoryState.from_dict(story.to_dict())
    assert restored.languages == Counter({"en": 2, "de": 1})
    np.testing.assert_allclose(restored.by_language["de"], de, atol=1e-6)
    np.testing.assert_allclose(restored.by_language["en"], (en + near_en) / 2, atol=1e-6)


def test_merging_stories_combines_their_language_means():
    config = ClusterConfig(cos_floor=0.0, xl_shift=0.0, threshold=0.6, merge_threshold=0.7, fresh_bonus=0.0)
    clusterer = OnlineClusterer(config)
    a = clusterer.place(_feat("a", [1, 0, 0, 0], "en")).story_id
    b = clusterer.place(_feat("b", [0.5, 0.866, 0, 0], "de")).story_id
    assert a != b  # cosine 0.5
    # a French article between them (cosine 0.87 with each) joins one and pulls the other in
    joined = clusterer.place(_feat("c", [0.866, 0.5, 0, 0], "fr"))
    assert not joined.is_new and len(clusterer.stories) == 1
    story = clusterer.stories[joined.story_id]
    assert story.languages == Counter({"en": 1, "de": 1, "fr": 1})
    np.testing.assert_allclose(story.by_language["en"], _unit([1, 0, 0, 0]), atol=1e-6)
    np.testing.assert_allclose(story.by_language["de"], _unit([0.5, 0.866, 0, 0]), atol=1e-6)
    np.testing.assert_allclose(story.by_language["fr"], _unit([0.866, 0.5, 0, 0]), atol=1e-6)
