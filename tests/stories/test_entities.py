"""Named entities and their keys: spaCy for English and French, the fallback for
German and Spanish, and the normalisation that makes mentions comparable."""

from __future__ import annotations

import pytest

from tidings.stories.entities import (
    detect_language,
    entity_key,
    entity_keys,
    extract_entities,
    load_aliases,
    normalise_key,
)


def by_key(entities):
    return {e.key: e for e in entities}


def test_english_names_with_labels_counts_and_title():
    ents = extract_entities(
        "Yann LeCun warns Europe over open models",
        "Meta's chief AI scientist, Yann LeCun, spoke at a summit in Paris on Monday. "
        "LeCun said Meta would keep publishing its Llama models.",
        "en",
    )
    keys = by_key(ents)
    assert keys["yann lecun"].label == "PERSON"
    assert keys["yann lecun"].in_title
    assert keys["yann lecun"].count == 3  # the bare surname joins the full name
    assert "lecun" not in keys
    assert keys["meta"].count == 2  # "Meta's" twice: possessive trimmed
    assert keys["paris"].label == "PLACE"
    assert "monday" not in keys  # dates are not names


def test_french_names():
    keys = entity_keys(
        "Emmanuel Macron reçoit Sam Altman",
        "Le président Emmanuel Macron a rencontré Sam Altman à Paris pour parler de l'Union européenne.",
        "fr",
    )
    assert {"emmanuel macron", "sam altman", "paris"} <= keys
    assert "european union" in keys  # "Union européenne" through the alias table


def test_fallback_german_skips_common_nouns_and_sentence_starts():
    ents = extract_entities(
        "Neue Regeln für Sprachmodelle",
        "Die Europäische Kommission hat am Montag neue Regeln vorgestellt. Laut Olaf Scholz soll das "
        "Modell Aurora-7B von der EU geprüft werden. Auch OpenAI äußerte sich.",
        "de",
    )
    keys = by_key(ents)
    assert {"european commission", "olaf scholz", "aurora-7b", "european union", "openai"} <= set(keys)
    assert keys["aurora-7b"].text == "Aurora-7B"  # the model name stands alone, not "Modell Aurora-7B"
    for noun in ("regeln", "montag", "modell", "neue regeln", "die", "auch"):
        assert noun not in keys


def test_fallback_spanish_single_names_and_surnames():
    keys = by_key(extract_entities(
        "Pedro Sánchez presenta el plan",
        "El presidente Pedro Sánchez anunció que la Unión Europea y Google DeepMind colaborarán. "
        "Según Sánchez, el modelo GPT-4o será evaluado en Madrid.",
        "es",
    ))
    assert keys["pedro sanchez"].count == 3  # accents stripped; "Sánchez" alone joins the full name
    assert {"european union", "google deepmind", "gpt-4o", "madrid"} <= set(keys)
    assert "el" not in keys and "segun" not in keys


def test_language_is_detected_when_not_given():
    keys = entity_keys("", "Le Premier ministre Michel Barnier a rencontré Ursula von der Leyen à Bruxelles.", None)
    assert "michel barnier" in keys


@pytest.mark.parametrize(
    ("surface", "key"),
    [
        ("Meta Platforms", "meta"),
        ("Meta Platforms Inc.", "meta"),
        ("OpenAI Inc.", "openai"),
        ("the E.U.", "european union"),
        ("U.S.", "united state"),  # the canonical key is trimmed like any other
        ("États-Unis", "united state"),
        ("LLMs", "llm"),
        ("LeCun's", "lecun"),
        ("Nvidia Corporation", "nvidia"),
    ],
)
def test_keys_merge_aliases_suffixes_plurals_possessives(surface, key):
    assert entity_key(surface) == key


def test_normalise_key_folds_case_and_accents():
    assert normalise_key("Zürich") == normalise_key("ZURICH") == "zurich"
    assert normalise_key("Companies") == "company"
    assert normalise_key("Business") == "business"  # "-ss" is not a plural


def test_alias_file_can_be_extended(tmp_path):
    extra = tmp_path / "aliases.toml"
    extra.write_text('[aliases]\n"Acme Robotics" = ["Acme", "ACME Corp"]\n[generic]\nkeys = ["widget"]\n')
    table = load_aliases(extra)
    assert entity_key("ACME Corp.", table) == "acme robotics"
    assert table.display["acme robotics"] == "Acme Robotics"
    ents = extract_entities("", "Acme said Widget sales grew while Acme Robotics hired Jane Doe.", "en", aliases=table)
    keys = by_key(ents)
    assert keys["acme robotics"].text == "Acme Robotics"
    assert "widget" not in keys


def test_bad_alias_file_is_reported(tmp_path):
    bad = tmp_path / "aliases.toml"
    bad.write_text('[aliases]\n"Acme" = "not a list"\n')
    with pytest.raises(ValueError, match="must be a list"):
        load_aliases(bad)


def test_a_batch_of_articles_gets_the_keys_each_gets_alone():
    """``entity_keys_many`` (the features stage: one spaCy pass a language over a batch) gives
    every article exactly the keys ``entity_keys`` gives it alone, in a batch of mixed languages."""
    from tidings.demo.corpus import load_corpus
    from tidings.stories.entities import entity_keys_many, spacy_model

    articles = load_corpus().articles
    batch = [(a.title, a.text[:2000], None) for a in articles[:40]]
    batch.insert(3, ("", "", None))  # an empty article keeps its place
    alone = [entity_keys(*item) for item in batch]
    assert entity_keys_many(batch) == alone
    assert sum(map(len, alone)) > 100 and alone[3] == set()
    languages = {detect_language(f"{title}\n{text}") for title, text, _ in batch if text}
    assert {"en", "fr"} <= languages and languages - {"en", "fr"}  # spaCy's and the fallback's languages
    # the models run thinc's numpy ops (the same entities, less CPU: benchmarks.spacy_ops)
    ops = spacy_model("en").get_pipe("ner").model.ops
    assert type(ops).__name__ == "NumpyOps" and ops.use_blis is False


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_recogniser_alone_finds_what_it_found_beside_the_shared_tok2vec(language):
    """The product keeps only ``ner`` (it has its own token vectors); with the shared ``tok2vec`` kept
    too, as before, it finds the same entities, span for span, on the demo corpus's articles of that
    language. (With the parser kept as well, French differs: the parser's sentence ends bound the
    entities; the product never ran the parser.)"""
    from tidings.demo.corpus import load_corpus
    from tidings.stories.entities import load_spacy, spacy_model

    texts = [t for a in load_corpus().articles if a.language == language for t in (a.title, a.text[:2000])]
    assert len(texts) >= 10
    nlp = spacy_model(language)
    assert nlp.pipe_names == ["ner"]
    before = load_spacy(language, keep={"tok2vec", "ner"})
    assert before.pipe_names == ["tok2vec", "ner"]

    def spans(model):
        return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in model.pipe(texts)]

    found = spans(nlp)
    assert sum(map(len, found)) > 50
    assert found == spans(before)
