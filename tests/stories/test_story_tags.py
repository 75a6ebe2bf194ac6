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
