"""Tags: keyphrases and entities, normalised, merged and ranked; and ``tidings tags``."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from tidings.cli import cli
from tidings.stories.tag_rank import FEATURES, RANKER, WEIGHTS, WEIGHTS_NO_TABLE, linear_score, weights_for
from tidings.stories.tags import (
    cooccurrence_rank,
    display_name,
    document_frequencies,
    document_terms,
    rank_candidates,
    reserve_names,
    sentence_case_title,
    stem_key,
    tag_candidates,
    tag_key,
    tags_for,
)

STORY = [
    "Meta's LeCun warns Europe against restricting open-source AI",
    "Meta's chief AI scientist, Yann LeCun, warned Europe on Monday that restricting open-source models "
    "would leave the continent behind. Speaking at the AI Action Summit in Paris, LeCun said open-source "
    "models let everyone build on each other's work, and that regulation of open-source models should not "
    "favour a few companies. DeepSeek's open-source model R1 showed what open research can do, he said, "
    "and Meta will keep releasing its Llama models as open-source models.",
    "Open-source AI: LeCun says Europe must not fall behind",
    "LeCun told the summit that Europe's regulation risks slowing open-source development, and that Meta "
    "Platforms would go on publishing open-source models for researchers in Europe.",
]


def test_story_tags_best_first_with_entities_and_keyphrases():
    tags = tags_for(STORY, "en", top=10)
    assert len(tags) == 10
    scores = [t.score for t in tags]
    assert scores == sorted(scores, reverse=True)
    by_key = {t.key: t for t in tags}
    assert by_key["open source"].kind == "keyphrase"  # "open-source" folded to one key
    assert by_key["meta"].kind == "entity" and by_key["meta"].name == "Meta"  # "Meta Platforms" merged in
    # the text names him "LeCun" four times and "Yann LeCun" once: the surname is the tag shown
    assert by_key["yann lecun"].name == "LeCun"
    assert "lecun" not in by_key  # the bare surname is the person, not a tag of its own
    assert by_key["europe"].kind == "entity"
    # near-identical phrases are one tag: "model" and "models" share a key, shown in the singular
    assert len([t for t in tags if t.key in {"model", "models"}]) <= 1
    keys = [t.key for t in tags]
    assert len(keys) == len(set(keys))
    # the most repeated topic words come before passing mentions
    assert keys.index("open source") < keys.index("yann lecun") or keys.index("open source") < 3


def test_top_limits_and_empty_input():
    assert len(tags_for(STORY, "en", top=3)) == 3
    assert tags_for([], "en") == []
    assert tags_for(["", "   "], "en") == []


def test_french_story_uses_french_stopwords():
    tags = tags_for([
        "Le Parlement européen adopte le règlement sur l'intelligence artificielle",
        "Le Parlement européen a adopté mercredi le règlement sur l'intelligence artificielle. Le règlement "
        "encadre les systèmes d'intelligence artificielle à haut risque et les modèles de fondation. "
        "Thierry Breton a salué un règlement historique pour l'Union européenne.",
    ], None, top=16)  # as many candidates as `tidings update` weighs (it shows names first)
    keys = {t.key for t in tags}
    assert "reglement" in keys
    assert "thierry breton" in keys and [t.name for t in tags if t.key == "thierry breton"] == ["Thierry Breton"]
    # "Parlement européen" is the European Parliament; its words are not tags of their own
    assert "european parliament" in keys and not keys & {"parlement", "europeen"}
    assert not keys & {"le", "la", "les", "sur", "des", "pour"}


def test_tag_keys_fold_case_accents_plurals_hyphens_and_aliases():
    assert tag_key("Open-Source Models") == tag_key("open source model") == "open source model"
    assert tag_key("Régulation") == "regulation"
    assert tag_key("Meta Platforms Inc.") == "meta"
    assert tag_key("OpenAI Inc.") == "openai"


def test_display_names():
    assert display_name("open-source model") == "Open-Source Model"
    assert display_name("regulation of AI") == "Regulation of AI"
    assert display_name("GPT-4o") == "GPT-4o"
    assert display_name("DeepSeek") == "DeepSeek"


def test_sentence_case_title_only_for_title_case_headlines():
    body = "the company releases its weights for anyone to download"
    assert sentence_case_title("Meta Releases Weights For Anyone To Download", body) == \
        "Meta releases weights for anyone to download"
    assert sentence_case_title("Meta releases its weights", body) == "Meta releases its weights"


def test_tags_command_reports_a_bad_line_and_goes_on():
    lines = [
        json.dumps({"id": "a", "title": STORY[0], "text": STORY[1], "language": "en"}),
        '["not", "an", "object"]',
        json.dumps({"id": "b", "title": "Waymo robotaxis expand to Miami",
                    "text": "Waymo said its robotaxis will carry riders in Miami. The robotaxis drive alone."}),
        json.dumps({"id": "s", "articles": [{"title": STORY[0], "text": STORY[1]},
                                            {"title": STORY[2], "text": STORY[3]}]}),
        json.dumps({"id": "bad", "articles": "nope"}),
    ]
    result = CliRunner().invoke(cli, ["tags", "--top", "5"], input="\n".join(lines) + "\n")
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, "b", "s", "bad"]
    assert len(out[0]["tags"]) == 5 and {"name", "key", "kind", "score"} <= set(out[0]["tags"][0])
    assert out[1]["line"] == 2 and "JSON object" in out[1]["error"]
    assert {"waymo", "miami"} <= {t["key"] for t in out[2]["tags"]}
    assert "meta" in {t["key"] for t in out[3]["tags"]}
    assert "'articles' must be" in out[4]["error"]


def test_word_variants_of_one_stem_count_as_one_candidate():
    assert stem_key("hiring", "en") == stem_key("hire", "en") == stem_key("hires", "en")
    assert stem_key("hiring", "xx") == "hiring"  # no stemmer for the language: the key itself
    text = ("Factories are hiring again. Hiring rose in March, and firms that hire now say they "
            "will hire more; the hiring wave reached retailers, the report said.")
    tags = tags_for(["Factories hiring again", text], "en", top=10)
    hire = [t for t in tags if stem_key(t.key, "en") == stem_key("hire", "en")]
    assert len(hire) == 1 and tags[0] is hire[0]  # five uses in three forms: one tag, ranked first


def test_doc_freq_rarity_and_leave_one_out():
    docs = [["Farm report", "The farm sold wheat this year."],
            ["City report", "The city said this year was calm."],
            ["Port report", "The port said trade grew this year."]]
    table = document_frequencies(docs, "en")
    assert table.docs == 3
    year, wheat = stem_key("year", "en"), stem_key("wheat", "en")
    assert table.counts[year] == 3 and table.counts[wheat] == 1
    assert table.rarity(wheat) > table.rarity(year)
    assert table.rarity(stem_key("unseen", "en")) == 1.0
    # leave the first document out: "wheat" is then used nowhere else, "year" by both others
    alone = table.without(document_terms(docs[0], "en"))
    assert alone.rarity(wheat) == 1.0
    assert alone.rarity(year) == 0.0


_COUNCIL = ["Council approves the budget",
            "In the community the council approved the budget to fund libraries. Officials expect the libraries "
            "to open longer in the community, and the community saw with the budget passed."]


def test_doc_freq_ranks_a_word_common_everywhere_lower():
    story = _COUNCIL
    others = [["Weather", "Rain is likely in the community, the weather service warned."],
              ["Trade", "Exports grew in the community, the ministry reported."],
              ["Sport", "The team played well in the community, fans cheered."]]
    unrelated = [["Weather", "Rain is likely, the weather service warned."],
                 ["Trade", "Exports grew, the ministry reported."],
                 ["Sport", "The team played well, fans cheered."]]
    table = document_frequencies([story, *others], "en").without(document_terms(story, "en"))
    # the same story against other stories that use none of its words: every word is rare
    rare = document_frequencies([story, *unrelated], "en").without(document_terms(story, "en"))
    for ranker in ("learned", "hand"):
        plain = {t.key: t.score for t in tags_for(story, "en", top=20, doc_freq=rare, ranker=ranker)}
        weighted = {t.key: t.score for t in tags_for(story, "en", top=20, doc_freq=table, ranker=ranker)}
        assert weighted["budget"] == plain["budget"]  # no other document uses it
        assert weighted["community"] < plain["community"]  # every other document does
        ranked = sorted(weighted, key=lambda k: -weighted[k])
        assert ranked.index("community") > sorted(plain, key=lambda k: -plain[k]).index("community")


def test_html_entities_are_decoded_before_tagging():
    tags = tags_for(["Profits &amp; losses at the bakery",
                     "The bakery reported profits &amp; losses for the year; profits rose at the bakery."], "en")
    assert "amp" not in {t.key for t in tags}
    assert "bakery" in {t.key for t in tags}


def test_reserve_names_gives_the_weakest_places_to_the_best_names():
    ranked = ["model", "release", "public", "general", "nordlicht", "olbrich", "junk"]
    names = {"nordlicht", "olbrich"}
    assert reserve_names(ranked, names, 4, 0.5) == ["model", "release", "nordlicht", "olbrich"]
    assert reserve_names(ranked, names, 4, 0.25) == ["model", "release", "public", "nordlicht"]
    assert reserve_names(ranked, names, 4, 0.0) == ranked[:4]
    assert reserve_names(ranked, set(), 4, 0.5) == ranked[:4]  # no names: nothing to reserve
    assert reserve_names(ranked, {"model", "olbrich"}, 4, 0.5) == ["model", "release", "public", "olbrich"]
    assert reserve_names(ranked, {"model", "public"}, 4, 0.5) == ranked[:4]  # already two names in


def test_a_story_keeps_its_names_among_common_words():
    story = ["Consortium releases open model for public administration",
             "The Nordlicht consortium released an open model for public administration on Wednesday. "
             "The model was trained for public administration tasks, and the model is released under an "
             "open licence. Matthias Olbrich, who leads Nordlicht, said the model would help public offices; "
             "Olbrich said the release is open to every public office."]
    tags = tags_for(story, "en", top=8)
    entity_keys = [t.key for t in tags if t.kind == "entity"]
    assert len(entity_keys) >= 2 and "matthias olbrich" in entity_keys
    # without places kept for names, the common words push them out
    assert sum(t.kind == "entity" for t in tags_for(story, "en", top=8, min_names=0)) < len(entity_keys)


def test_english_past_forms_are_actions_not_tags():
    text = ("The lab launched a new model on Monday. The model launched in Europe first and the lab opened "
            "a waiting list. Critics opened an inquiry into the model's seed funding, which the lab needed.")
    keys = {t.key for t in tags_for(["Lab launches model", text], "en", top=16)}
    assert "model" in keys and "seed" in keys
    assert not keys & {"launched", "opened", "needed"}


# ---------------------------------------------------------------------------------------------
# the learned ranking (tidings.stories.tag_rank)


def test_weight_tables_cover_every_feature_and_the_candidates_use_only_those():
    assert RANKER == "learned"
    assert set(WEIGHTS) == set(FEATURES) == set(WEIGHTS_NO_TABLE) and len(FEATURES) == len(set(FEATURES))
    assert weights_for(True) is WEIGHTS and weights_for(False) is WEIGHTS_NO_TABLE
    table = document_frequencies([STORY, _COUNCIL], "en")
    for doc_freq in (None, table.without(document_terms(STORY, "en"))):
        candidates = tag_candidates(STORY, "en", doc_freq=doc_freq)
        kinds = {"w": False, "p": False, "e": False}
        for c in candidates + [a for cand in candidates for a in cand.absorbs]:
            assert set(c.features) <= set(FEATURES), set(c.features) - set(FEATURES)
            for block in kinds:
                kinds[block] |= block in c.features
        assert all(kinds.values())  # words, phrases and names all compete


_DROUGHT = ["Drought empties valley reservoir",
            "The drought has emptied the reservoir that feeds the valley. Farmers say the drought is the worst "
            "in memory, and the reservoir is at a tenth of its level. Officials plan to truck water while the "
            "drought lasts. The mayor, speaking after a concert, asked residents to save water."]


def test_learned_ranking_puts_a_frequent_early_topic_word_above_one_used_once_late():
    tags = tags_for(_DROUGHT, "en", top=20, ranker="learned")
    keys = [t.key for t in tags]
    assert keys[0] in {"drought", "reservoir"}
    assert keys.index("drought") < keys.index("concert")
    assert keys.index("reservoir") < keys.index("concert")


def test_rank_candidates_scores_by_the_linear_weights():
    candidates = tag_candidates(_COUNCIL, "en")
    tags = rank_candidates(candidates, top=5, min_names=0, weights=WEIGHTS_NO_TABLE)
    by_key = {c.key: c for c in candidates}
    for tag in tags:
        c = by_key[tag.key]
        best = max([linear_score(c.features, WEIGHTS_NO_TABLE)]
                   + [linear_score(a.features, WEIGHTS_NO_TABLE) for a in c.absorbs])
        assert abs(tag.score - best) < 1e-3
    assert [t.score for t in tags] == sorted((t.score for t in tags), reverse=True)
    # the hand-set weights rank the same candidates by their own scores
    hand = rank_candidates(candidates, top=5, min_names=0, weights=None)
    assert [t.key for t in hand] == [t.key for t in tags_for(_COUNCIL, "en", top=5, min_names=0, ranker="hand")]


def test_unknown_ranker_is_an_error():
    with pytest.raises(ValueError):
        tags_for(_COUNCIL, "en", ranker="magic")


def test_cooccurrence_rank_favours_the_word_that_links_the_others():
    # "budget" is used in every sentence, the others in one each
    rank = cooccurrence_rank({"budget": [0, 1, 2], "library": [0], "council": [1], "vote": [2], "alone": [3]})
    assert rank["budget"] == 1.0
    assert rank["library"] < 1.0 and rank["alone"] < rank["library"]
    assert cooccurrence_rank({}) == {}


def test_german_words_written_in_lower_case_are_not_tags():
    story = ["Gericht stoppt Ausbau des Flughafens",
             "Das Verwaltungsgericht hat dem Eilantrag der Anwohner stattgegeben. Der Ausbau des Flughafens in "
             "Leipzig wird vorerst gestoppt. Die Richter sahen Mängel beim Lärmschutz. Die Flughafengesellschaft "
             "will gegen den Beschluss Beschwerde einlegen, sagte ein Sprecher."]
    for ranker in ("learned", "hand"):
        keys = {t.key for t in tags_for(story, "de", top=16, ranker=ranker)}
        assert {"ausbau", "flughafens", "verwaltungsgericht"} <= keys or {"ausbau", "flughafen"} <= keys
        assert not keys & {"stattgegeben", "gestoppt", "einlegen", "vorerst"}
        assert not [k for k in keys if "gestoppt" in k]  # nor a phrase in lower case ("vorerst gestoppt")


def test_refit_learns_weights_from_labelled_candidates():
    # benchmarks/keyphrases.py --fit, on three stories whose "gold" are the words used three times or more
    from tests.stories.keyphrase_fit import evaluate, fit_weights, porter_stemmer

    stemmer = porter_stemmer()
    if stemmer is None:
        pytest.skip("nltk (the test extra) is not installed")
    docs = [tag_candidates(story, "en") for story in (STORY, _COUNCIL, _DROUGHT)]
    golds = [[c.name for c in doc if c.features.get("w_count", 0.0) >= math.log1p(3)] for doc in docs]
    assert all(golds)
    weights = fit_weights(docs, golds, stemmer.stem, c=1.0)
    assert set(weights) == set(FEATURES)
    assert weights["w_count"] > 0
    assert evaluate(docs, golds, stemmer.stem, weights, top=3) > evaluate(docs, golds, stemmer.stem, {}, top=3)


def test_readme_tags_example_prints_what_the_readme_shows():
    """The README's `tidings tags` example is a real run: its input gives the output printed under it."""
    from pathlib import Path

    lines = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").splitlines()
    at = next(k for k, line in enumerate(lines) if "| .venv/bin/tidings tags" in line)
    command = lines[at]
    payload = command[command.index("echo '") + len("echo '"): command.rindex("' |")]
    top = int(command.rsplit("--top", 1)[1])
    result = CliRunner().invoke(cli, ["tags", "--top", str(top)], input=payload + "\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(lines[at + 1])
