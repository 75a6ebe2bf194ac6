"""Sections: loading the configuration, zero-shot filing from descriptions, and
examples that move the decision; adapting the prototypes to a batch
(:func:`refine_prototypes`); plus the ``tidings classify`` command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from tidings.cli import cli
from tidings.stories.embed import get_embedder
from tidings.stories.sections import (
    DEFAULT_SECTIONS_PATH,
    Section,
    SectionClassifier,
    SectionsError,
    load_sections,
    refine_prototypes,
    story_vector,
)


@pytest.fixture(scope="module")
def embedder():
    return get_embedder()


@pytest.fixture(scope="module")
def default_classifier(embedder):
    return SectionClassifier(load_sections(), embedder, use_examples=False)


def test_default_sections_follow_the_newsletter():
    names = [s.name for s in load_sections()]
    assert names == ["GenAI", "Open-source AI", "Closed-source AI", "Policy & regulation", "Robotics", "Research"]
    assert all(s.description and s.examples for s in load_sections(DEFAULT_SECTIONS_PATH))


def test_config_dict_without_sections_gives_the_defaults():
    assert [s.name for s in load_sections({"database": {}})] == [s.name for s in load_sections()]
    raw = {"sections": [{"name": "A", "description": "first"}, {"name": "B", "description": "second"}]}
    assert [s.name for s in load_sections(raw)] == ["A", "B"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[sections]]\nname = "A"\n[[sections]]\nname = "B"\ndescription = "b"\n', "'description' must be"),
        ('[[sections]]\nname = "A"\ndescription = "a"\ncolour = "red"\n'
         '[[sections]]\nname = "B"\ndescription = "b"\n', "unknown key"),
        ('[[sections]]\nname = "A"\ndescription = "a"\nexamples = "one"\n'
         '[[sections]]\nname = "B"\ndescription = "b"\n', "'examples' must be a list"),
        ('[[sections]]\nname = "A"\ndescription = "a"\n', "at least two"),
        ('[sections]\nname = "A"\n', "expected one or more"),
        ('[[sections]]\nname = "A"\ndescription = "a"\n[[sections]]\nname = "a"\ndescription = "b"\n', "twice"),
        ("[[sections]\nname = ", "not valid TOML"),
        ('title = "no sections here"\n', "no [[sections]]"),
    ],
)
def test_bad_sections_file_gives_a_clear_error(tmp_path, toml, message):
    path = tmp_path / "sections.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(SectionsError, match=message.replace("[", r"\[")) as info:
        load_sections(path)
    assert str(path) in str(info.value)


def test_zero_shot_files_clear_headlines(default_classifier):
    cases = {
        "EU Parliament passes the AI Act, setting rules for high-risk systems": "Policy & regulation",
        "Tesla's Optimus humanoid robot walks across the factory floor": "Robotics",
        "Waymo expands its driverless taxis to Miami": "Robotics",
        "US judge rules AI training on books is fair use in authors' lawsuit": "Policy & regulation",
        "Meta releases Llama weights for anyone to download and fine-tune": "Open-source AI",
        "Google adds its Gemini assistant to Gmail and Docs for all users": "GenAI",
    }
    results = default_classifier.classify(list(cases))
    for (headline, expected), result in zip(cases.items(), results):
        assert result.section == expected, (headline, result.scores)
        assert result.section == max(result.scores, key=result.scores.get)
        assert sum(result.scores.values()) == pytest.approx(1.0, abs=1e-3)


def test_examples_decide_when_the_descriptions_cannot(embedder):
    # the same description twice: on its own it cannot tell the sections apart
    sections = [
        Section("Desk A", "News stories", ["Striker scores twice as United win the derby",
                                           "Tennis champion knocked out in the first round"]),
        Section("Desk B", "News stories", ["Slow-cooked lamb with rosemary and garlic",
                                           "Five easy weeknight pasta recipes"]),
    ]
    text = "Goalkeeper saves a penalty in the cup final"
    zero = SectionClassifier(sections, embedder, use_examples=False).classify([text])[0]
    assert zero.scores["Desk A"] == pytest.approx(zero.scores["Desk B"], abs=1e-3)
    shots = SectionClassifier(sections, embedder, use_examples=True).classify([text])[0]
    assert shots.section == "Desk A"
    assert shots.scores["Desk A"] > 0.6
    # and the same examples send a recipe the other way
    assert SectionClassifier(sections, embedder).classify(["Roast chicken with lemon"])[0].section == "Desk B"


def _at(degrees):
    """Unit vectors in the plane at the given angles."""
    r = np.radians(np.asarray(degrees, dtype=np.float64))
    return np.stack([np.cos(r), np.sin(r)], axis=-1).astype(np.float32)


def _two_clusters(rng, n):
    """Two clusters of n unit vectors each, around 30 and -30 degrees."""
    labels = np.repeat([0, 1], n)
    return _at(np.where(labels == 0, 30.0, -30.0) + 8.0 * rng.standard_normal(2 * n)), labels


def test_refine_prototypes_moves_skewed_anchors_onto_the_clusters():
    rng = np.random.default_rng(0)
    vectors, labels = _two_clusters(rng, 40)
    anchors = _at([55.0, 0.0])  # both anchors tilted: the boundary cuts through the first cluster
    before = np.mean(np.argmax(vectors @ anchors.T, axis=1) == labels)
    refined = refine_prototypes(anchors, vectors)
    after = np.mean(np.argmax(vectors @ refined.T, axis=1) == labels)
    assert before < 0.85 and after > 0.95
    assert np.allclose(np.linalg.norm(refined, axis=1), 1.0, atol=1e-5)
    # anchored: each prototype ends between its anchor and its cluster, not on the cluster
    angles = np.degrees(np.arctan2(refined[:, 1], refined[:, 0]))
    assert 30.0 < angles[0] < 55.0 and -30.0 < angles[1] < 0.0


def test_refine_prototypes_degrades_to_the_anchors():
    rng = np.random.default_rng(1)
    vectors, _ = _two_clusters(rng, 10)
    anchors = _at([35.0, -25.0, 180.0])  # the third section is far from everything in the batch
    assert np.array_equal(refine_prototypes(anchors, np.zeros((0, 2), np.float32)), anchors)
    assert np.array_equal(refine_prototypes(anchors, vectors, weight=0.0), anchors)
    one = refine_prototypes(anchors, vectors[:1])
    assert np.array_equal(one[1:], anchors[1:])  # sections that won nothing do not move
    assert float(one[0] @ anchors[0]) > 0.99  # and a batch of one story barely moves its winner
    many = refine_prototypes(anchors, vectors)
    assert np.array_equal(many[2], anchors[2])  # a section absent from the batch keeps its anchor
    with pytest.raises(ValueError):
        refine_prototypes(anchors, vectors, weight=1.5)


def test_adapting_to_a_batch_keeps_clear_headlines_in_place(default_classifier):
    cases = {
        "EU Parliament passes the AI Act, setting rules for high-risk systems": "Policy & regulation",
        "Tesla's Optimus humanoid robot walks across the factory floor": "Robotics",
        "US judge rules AI training on books is fair use in authors' lawsuit": "Policy & regulation",
        "Meta releases Llama weights for anyone to download and fine-tune": "Open-source AI",
        "Google adds its Gemini assistant to Gmail and Docs for all users": "GenAI",
    }
    vectors = default_classifier.embed(list(cases))
    adapted = default_classifier.classify_vectors(vectors, adapt=True)
    assert [r.section for r in adapted] == list(cases.values())
    assert all(sum(r.scores.values()) == pytest.approx(1.0, abs=1e-3) for r in adapted)
    # one story alone: the adapted answer is the plain one
    for i in range(len(cases)):
        plain = default_classifier.classify_vectors(vectors[i:i + 1])[0]
        assert default_classifier.classify_vectors(vectors[i:i + 1], adapt=True)[0].section == plain.section


def test_context_vectors_adapt_without_being_classified(default_classifier):
    headlines = [
        "EU Parliament passes the AI Act, setting rules for high-risk systems",
        "Tesla's Optimus humanoid robot walks across the factory floor",
        "Meta releases Llama weights for anyone to download and fine-tune",
        "Google adds its Gemini assistant to Gmail and Docs for all users",
        "Boston Dynamics shows a warehouse robot that unloads trucks",
        "OpenAI keeps the weights of its newest model private",
    ]
    vectors = default_classifier.embed(headlines)
    whole = default_classifier.classify_vectors(vectors, adapt=True)
    first = default_classifier.classify_vectors(vectors[:2], adapt=True, context=vectors[2:])
    assert len(first) == 2
    assert [(r.section, r.scores) for r in first] == [(r.section, r.scores) for r in whole[:2]]
    empty = default_classifier.classify_vectors(vectors[:2], adapt=True, context=vectors[:0])
    assert [r.scores for r in empty] == [r.scores for r in default_classifier.classify_vectors(vectors[:2], adapt=True)]


def test_a_batch_from_one_section_is_not_taken_over_by_the_others(embedder):
    sections = [
        Section("Sport", "Sports: matches, teams, players and championships."),
        Section("Food", "Cooking: recipes, restaurants, chefs and food."),
        Section("Politics", "Politics: governments, parliaments, elections and ministers."),
    ]
    classifier = SectionClassifier(sections, embedder)
    headlines = [
        "Striker scores twice as United win the derby",
        "Tennis champion knocked out in the first round",
        "Goalkeeper saves a penalty in the cup final",
        "Marathon runner breaks the course record in Berlin",
        "Coach sacked after five straight defeats",
        "Cyclist takes the yellow jersey on the mountain stage",
    ]
    plain = [r.section for r in classifier.classify(headlines)]
    adapted = [r.section for r in classifier.classify(headlines, adapt=True)]
    assert plain == ["Sport"] * len(headlines)
    assert adapted == plain


def test_story_vector_is_the_unit_mean_of_its_articles():
    rows = np.array([[3.0, 0.0, 0.0], [0.0, 4.0, 0.0]], dtype=np.float32)
    vector = story_vector(rows)
    assert vector.dtype == np.float32
    assert np.allclose(vector, np.array([0.6, 0.8, 0.0]))  # (1.5, 2, 0) / 2.5
    assert np.allclose(story_vector(rows[:1]), [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="at least one article"):
        story_vector(np.zeros((0, 3), dtype=np.float32))


def test_a_story_is_filed_by_its_articles_vectors_as_the_clusterer_embeds_them(embedder):
    """The classifier's texts and the clusterer's articles are the same vectors (title and lead,
    passage kind), so a story needs no embedding of its own."""
    from tidings.records import Article
    from tidings.stories.cluster import features_for

    articles = [Article(id="a", url="https://example.org/a", title="Striker scores twice in the derby",
                        text="The champions won three to one on Sunday."),
                Article(id="b", url="https://example.org/b", title="Le buteur marque deux fois",
                        text="Les champions ont gagne trois a un dimanche.")]
    placed = np.vstack([f.vector for f in features_for(articles, embedder)])
    classifier = SectionClassifier(load_sections(), embedder)
    assert np.allclose(classifier.embed([f"{a.title}\n{a.text}" for a in articles]), placed, atol=1e-6)


def test_classify_command(tmp_path):
    path = tmp_path / "sections.toml"
    path.write_text(
        '[[sections]]\nname = "Sport"\ndescription = "Sports: matches, teams, players and championships."\n'
        'examples = ["Striker scores twice in the derby"]\n'
        '[[sections]]\nname = "Food"\ndescription = "Cooking: recipes, restaurants, chefs and food."\n',
        encoding="utf-8",
    )
    lines = [
        {"id": "1", "title": "Goalkeeper saves a penalty in the cup final", "text": "The match went to extra time."},
        "{not json",
        {"id": "2", "title": "Slow-roasted tomatoes with basil", "text": "A recipe for late summer."},
        {"id": "3", "title": "", "text": ""},
        {"id": "4", "articles": [{"title": "Chef opens a new bistro", "text": ""},
                                 {"title": "Le chef ouvre un bistrot", "text": "Cuisine de saison."}]},
    ]
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    result = CliRunner().invoke(cli, ["classify", "--sections", str(path)], input=stdin)
    assert result.exit_code == 1  # some lines failed
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["1", None, "2", "3", "4"]
    assert out[0]["section"] == "Sport" and set(out[0]["scores"]) == {"Sport", "Food"}
    assert out[1]["line"] == 2 and "not valid JSON" in out[1]["error"]
    assert out[2]["section"] == "Food"
    assert "neither 'title' nor 'text'" in out[3]["error"]
    assert out[4]["section"] == "Food"


def test_classify_command_reports_a_bad_sections_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[[sections]]\nname = "Only"\ndescription = "one"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["classify", "--sections", str(path)], input="")
    assert result.exit_code == 1
    assert "at least two sections" in result.output


def test_classify_command_adapts_to_earlier_lines_as_update_does(embedder):
    titles = ["Striker scores twice as the champions win the derby", "Central bank raises interest rates again",
              "Quarterback injured before the championship game", "Chip maker unveils a faster processor"]
    stdin = "".join(json.dumps({"id": str(i), "title": t, "text": ""}) + "\n" for i, t in enumerate(titles))
    adapted = CliRunner().invoke(cli, ["classify", "--batch-size", "1"], input=stdin)
    plain = CliRunner().invoke(cli, ["classify", "--batch-size", "1", "--no-adapt"], input=stdin)
    assert adapted.exit_code == 0 and plain.exit_code == 0
    adapted_out = [json.loads(line) for line in adapted.stdout.splitlines()]
    plain_out = [json.loads(line) for line in plain.stdout.splitlines()]
    classifier = SectionClassifier(load_sections(), embedder)
    vectors = classifier.embed(titles)
    for i in range(len(titles)):
        assert plain_out[i]["scores"] == classifier.classify_vectors(vectors[i:i + 1])[0].scores
        expected = classifier.classify_vectors(vectors[i:i + 1], adapt=True, context=vectors[:i])[0]
        assert adapted_out[i]["scores"] == expected.scores
    assert adapted_out[-1]["scores"] != plain_out[-1]["scores"]  # the earlier lines moved the sections


def test_the_embed_stage_is_the_features_stage_embedding(embedder):
    """The throughput benchmark's floor embeds through the ``embed`` stage: the very vectors
    ``features`` computes for the same articles (title and lead, passage kind)."""
    from tidings.engine.config import EngineConfig
    from tidings.engine.executors import InlineExecutor
    from tidings.records import Article
    from tidings.stories.cluster import ClusterConfig, title_and_lead

    config = ClusterConfig()
    articles = [Article(id=str(i), title=f"Headline number {i}", text="Word " * (100 + i)) for i in range(3)]
    executor = InlineExecutor(EngineConfig(batch_size=2))
    features = list(executor.map("features", articles, config))
    texts = [title_and_lead(a.title, a.text, config.lead_words) for a in articles]
    vectors = list(executor.map("embed", texts, (config.embedder, config.embed_kind)))
    assert len(vectors) == 3
    for f, v in zip(features, vectors, strict=True):
        assert np.array_equal(f.vector, v)
    assert not np.array_equal(vectors[0], vectors[1])
