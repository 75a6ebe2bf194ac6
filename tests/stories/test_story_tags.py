"""A story page's tags (the one path of `tidings update` and `tidings tags`): names whole, generic words gone."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tidings.cli import cli
from tidings.stories.tags import GENERIC_KEYS, TagText, join_phrases, lead_text, story_tags_for, tags_for

DEAL = [
    TagText("Corvid AI signs licensing deal with Agence continentale de presse",
            "Corvid AI has signed a multi-year licensing agreement with the Agence continentale de presse, the "
            "European news agency said on Saturday. The Agence continentale de presse will let Corvid use its "
            "dispatches in eleven languages to train and ground its assistant. The agency's chief executive said "
            "the Agence continentale de presse would keep control of how its reporting is shown.", "en"),
    TagText("Agence continentale de presse licenses its archive to Corvid AI",
            "The Agence continentale de presse said the agreement with Corvid AI covers its archive and its "
            "daily dispatches. Corvid AI will pay the agency a yearly fee, the company said.", "en"),
]


def test_a_name_the_text_writes_whole_stays_whole():
    tags = [t.name for t in story_tags_for(DEAL)]
    assert "Agence continentale de presse" in tags
    assert not {"Agence", "Continentale"} & set(tags)


def test_generic_words_are_not_tags_alone():
    assert {"model", "company", "server", "operator", "centre", "agency"} <= GENERIC_KEYS
    keys = {t.key for t in story_tags_for(DEAL)}
    assert not keys & GENERIC_KEYS


def test_join_needs_a_repeated_pair():
    candidates = tags_for(["Agence continentale", "The agence met a continentale team once."], "en", top=10)
    assert join_phrases(candidates, ["The agence met a continentale team once."]) == candidates


def test_the_lead_text_ends_at_a_sentence_not_mid_name():
    text = "The deal was signed on Saturday. It comes five days after Meridian Press Group sued Corvid."
    cut = lead_text(text, 60)
    assert cut == "The deal was signed on Saturday."
    assert lead_text("one two three four", 9) == "one two"


def test_the_tags_command_gives_what_a_story_page_shows():
    line = {"id": "deal", "articles": [{"id": f"a{i}", "title": a.title, "text": a.text, "language": a.language}
                                       for i, a in enumerate(DEAL)]}
    result = CliRunner().invoke(cli, ["tags"], input=json.dumps(line) + "\n")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert [t["name"] for t in answer["tags"]] == [t.name for t in story_tags_for(DEAL)]


def _demo_story(event_id: str) -> list[TagText]:
    from tidings.demo.corpus import load_corpus

    corpus = load_corpus()
    by_id = {a.id: a for a in corpus.articles}
    event = next(e for e in corpus.truth.events if e.id == event_id)
    articles = sorted((by_id[i] for i in event.articles), key=lambda a: (a.published, a.id))
    return [TagText(a.title, a.text, a.language) for a in articles]


def test_names_two_languages_give_lead_a_story_told_in_several():
    # the French-led compute plan: its English article names the minister too, so she is a tag, ahead of
    # names only the French articles give; the keyphrases stay in the page's (main) language
    story = _demo_story("france-compute-plan")
    assert {a.language for a in story} == {"en", "fr"}
    tags = story_tags_for(story)
    names = [t.name for t in tags if t.kind == "entity"]
    assert "Claire Dufresne" in names
    assert {"France", "Saclay", "Grenoble"} <= set(names)
    english = " ".join(f"{a.title} {a.text}" for a in story if a.language == "en")
    assert all(name in english for name in names)  # every name shown is one the English article gives too


def test_names_across_languages_orders_names_and_keeps_keyphrases_in_place():
    from tidings.stories.tags import Tag, names_across_languages

    ranked = [Tag("Calcul", "calcul", "entity", 3.0), Tag("Investissement", "investissement", "keyphrase", 2.9),
              Tag("Skagen AI", "skagen ai", "entity", 2.5), Tag("Chercheurs", "chercheurs", "keyphrase", 2.0)]
    wide = [*ranked, Tag("Claire Dufresne", "claire dufresne", "entity", 1.0), Tag("Bercy", "bercy", "entity", 0.9)]
    out = names_across_languages(ranked, wide, [{"claire dufresne", "skagen", "paris"}])
    assert [t.name for t in out] == ["Skagen AI", "Investissement", "Claire Dufresne", "Chercheurs", "Calcul"]
    assert names_across_languages(ranked, wide, [set()]) == ranked
