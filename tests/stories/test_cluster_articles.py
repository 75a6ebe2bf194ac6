"""The clusterer on real articles with the real embedder and entity keys, and the
``tidings cluster`` / ``tidings similarity`` stage commands."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from tidings.cli import cli
from tidings.records import Article
from tidings.stories.cluster import ClusterConfig, OnlineClusterer, features_for, pair_similarity, similarity
from tidings.stories.embed import get_embedder


def at(day: int, hour: int) -> datetime:
    return datetime(2023, 9, day, hour, tzinfo=timezone.utc)


ARTICLES = [
    Article(
        id="quake-en-1",
        title="Earthquake in Morocco kills more than 2,000 people",
        text="A magnitude 6.8 earthquake struck the High Atlas mountains south-west of Marrakech late on Friday, "
        "killing more than 2,000 people, Morocco's interior ministry said. Rescue teams searched collapsed "
        "villages in Al Haouz province through the night.",
        published=at(9, 8),
        language="en",
    ),
    Article(
        id="quake-fr",
        title="Séisme au Maroc : plus de 2 000 morts",
        text="Un séisme de magnitude 6,8 a frappé vendredi soir le Haut Atlas, au sud-ouest de Marrakech, faisant "
        "plus de 2 000 morts selon le ministère de l'Intérieur. Les secours fouillent les villages effondrés de "
        "la province d'Al Haouz.",
        published=at(9, 10),
        language="fr",
    ),
    Article(
        id="quake-en-2",
        title="Morocco quake: rescuers dig through rubble as death toll passes 2,000",
        text="Rescuers in Morocco dug through the rubble of mountain villages on Saturday after the magnitude 6.8 "
        "earthquake near Marrakech, the deadliest in the country in decades. The interior ministry said more "
        "than 2,000 people had died, most of them in Al Haouz.",
        published=at(9, 14),
        language="en",
    ),
    Article(
        id="japan-quake",
        title="Strong earthquake hits Japan's Noto peninsula, tsunami warning issued",
        text="A magnitude 7.1 earthquake struck the Noto peninsula in Ishikawa prefecture on Monday, the Japan "
        "Meteorological Agency said, and a tsunami warning was issued for the coast of the Sea of Japan. "
        "Nuclear plants in the region reported no abnormalities.",
        published=at(11, 6),
        language="en",
    ),
    Article(
        id="ecb",
        title="ECB raises interest rates for a tenth time",
        text="The European Central Bank raised its deposit rate to a record 4% on Thursday, its tenth increase in a "
        "row, and signalled that borrowing costs in the euro zone may now have peaked. President Christine "
        "Lagarde said inflation was still expected to remain too high for too long.",
        published=at(14, 12),
        language="en",
    ),
]


@pytest.fixture(scope="module")
def feats():
    return {f.id: f for f in features_for(ARTICLES, get_embedder(), ClusterConfig())}


def test_features_are_unit_vectors_with_keys(feats):
    f = feats["quake-en-1"]
    assert f.vector.shape == (get_embedder().dim,) and abs(float(f.vector @ f.vector) - 1.0) < 1e-5
    assert "#6.8" in f.keys and "#2000" in f.keys and "marrakech" in f.keys
    assert feats["quake-fr"].language == "fr" and "#2000" in feats["quake-fr"].keys


def test_same_event_joins_across_outlets_and_languages_and_other_events_split(feats):
    clusterer = OnlineClusterer(ClusterConfig())
    story = {f.id: clusterer.place(f).story_id for f in (feats[a.id] for a in ARTICLES)}
    assert story["quake-en-1"] == story["quake-fr"] == story["quake-en-2"]
    assert story["japan-quake"] != story["quake-en-1"]
    assert story["ecb"] not in {story["quake-en-1"], story["japan-quake"]}
    assert len(clusterer.stories) == 3


def test_pair_similarity_uses_the_same_rule(feats):
    config = ClusterConfig()
    score, same = pair_similarity(feats["quake-en-2"], feats["quake-en-1"], config)
    assert same and 0.0 <= score <= 1.0
    score_other, same_other = pair_similarity(feats["japan-quake"], feats["quake-en-1"], config)
    assert not same_other and score_other < score
    assert similarity(ARTICLES[1], ARTICLES[0])[1]  # the French report and the English one


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_cluster_command_places_in_input_order_and_reports_a_bad_line(feats):
    lines = [json.dumps(a.to_json()) for a in ARTICLES[:2]]
    lines.insert(1, "{not json")
    lines.append(json.dumps({"id": "no-text"}))
    lines.append(json.dumps(ARTICLES[4].to_json()))
    result = CliRunner().invoke(cli, ["cluster"], input="\n".join(lines) + "\n")
    out = _lines(result.output)
    assert result.exit_code == 1
    assert [o.get("id") for o in out] == ["quake-en-1", None, "quake-fr", "no-text", "ecb"]
    assert out[1]["line"] == 2 and "error" in out[1] and "error" in out[3]
    assert out[0]["story"] == out[2]["story"] == "s1"
    assert out[4]["story"] == "s2"


def test_similarity_command(feats):
    a, fr, _, japan, _ = (a.to_json() for a in ARTICLES)
    lines = [
        json.dumps({"id": "p1", "a": a, "b": fr}),
        json.dumps({"id": "p2", "a": a, "b": "not an article"}),
        json.dumps({"id": "p3", "a": japan, "b": a}),
    ]
    result = CliRunner().invoke(cli, ["similarity"], input="\n".join(lines) + "\n")
    out = _lines(result.output)
    assert result.exit_code == 1
    assert out[0]["id"] == "p1" and out[0]["same_story"] is True and 0 <= out[0]["score"] <= 1
    assert out[1]["id"] == "p2" and "error" in out[1]
    assert out[2]["id"] == "p3" and out[2]["same_story"] is False and out[2]["score"] < out[0]["score"]
