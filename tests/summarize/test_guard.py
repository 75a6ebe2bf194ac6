"""The faithfulness guard: numbers, dates, names, quotations, negation and support."""

from __future__ import annotations

import pytest

from tidings.summarize.guard import (
    SentenceVerdict,
    build_index,
    check_sentence,
    check_summary,
    extract_numbers,
    negation_mismatch,
)

SOURCES = [
    (
        "Central bank raises rates\n\n"
        "The central bank raised its main interest rate by 0.5% on Tuesday, to 4.25%, its third increase this year. "
        "Governor Ana Ruiz said “inflation is still far too high for comfort” and warned of more to come. "
        "The bank expects growth of 1.2 per cent in 2025. Mortgage lenders said about three million households "
        "would pay more from March."
    ),
    (
        "The decision surprised few economists. Banks in the euro zone have lent $5.2bn less since January, "
        "and the government did not raise its own spending plans, officials in Madrid said."
    ),
]


@pytest.fixture(scope="module")
def index():
    return build_index(SOURCES)


def verdict(sentence: str, index) -> SentenceVerdict:
    return check_sentence(sentence, index)


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "sentence",
    [
        "The central bank raised its main interest rate by 0.5% on Tuesday.",
        "The central bank raised its main interest rate by 0.5 per cent on Tuesday, to 4.25%.",
        "Mortgage lenders said about 3 million households would pay more from March.",  # written -> digits
        "Banks in the euro zone have lent $5.2 billion less since January.",  # bn -> billion
        "The bank expects growth of 1.2% in 2025.",
    ],
)
def test_numbers_found_by_value_pass(sentence, index):
    v = verdict(sentence, index)
    assert v.supported, v.reasons


@pytest.mark.parametrize(
    "sentence, reason",
    [
        ("The central bank raised its main interest rate by 0.75% on Tuesday.", "number 0.75% not in sources"),
        ("The bank expects growth of 1.2 per cent in 2026.", "number 2026 not in sources"),
        ("Mortgage lenders said about four million households would pay more from March.",
         "number four million not in sources"),
        ("Banks in the euro zone have lent $7.2bn less since January.", "number $7.2bn not in sources"),
    ],
)
def test_changed_numbers_fail(sentence, reason, index):
    v = verdict(sentence, index)
    assert not v.supported
    assert reason in v.reasons


def test_number_extraction_normalises_scale_and_separators():
    values = {n.value for n in extract_numbers("$5m, 5 million, 1,500 people, 2.3bn and twenty-five")}
    assert {5e6, 1500.0, 2.3e9, 25.0} <= values


# ---------------------------------------------------------------- dates


def test_dates_true_and_false(index):
    assert verdict("Mortgage lenders said about three million households would pay more from March.", index).supported
    moved = verdict("The central bank raised its main interest rate by 0.5% on Thursday.", index)
    assert not moved.supported and "date 'Thursday' not in sources" in moved.reasons
    month = verdict("Mortgage lenders said about three million households would pay more from April.", index)
    assert "date 'April' not in sources" in month.reasons


# ---------------------------------------------------------------- names


def test_names_true_and_false(index):
    assert verdict("Governor Ana Ruiz said inflation is still far too high for comfort.", index).supported
    wrong = verdict("Governor Maria Lopez said inflation is still far too high for comfort.", index)
    assert not wrong.supported
    assert "name 'Governor Maria Lopez' not in sources" in wrong.reasons
    # a sentence that leaves a few words of its source out is still supported; a name swapped into it is not
    assert verdict("The central bank raised its rate by 0.5% on Tuesday, to 4.25%.", index).supported


def test_ordinary_word_opening_a_sentence_is_not_a_name(index):
    v = verdict("Officials in Madrid said the government did not raise its own spending plans.", index)
    assert v.supported, v.reasons


# ---------------------------------------------------------------- quotations


def test_quote_verbatim_modulo_quote_style_passes(index):
    v = verdict('Governor Ana Ruiz said "inflation is still far too high for comfort".', index)
    assert v.supported, v.reasons


def test_misquote_fails(index):
    v = verdict("Governor Ana Ruiz said “inflation is still much too high for comfort”.", index)
    assert not v.supported
    assert v.reason == "quote not verbatim"


def test_quote_with_ellipsis_must_match_each_part(index):
    elided = verdict("Ana Ruiz said “inflation is still … too high for comfort”.", index)
    assert "quote not verbatim" not in elided.reasons
    changed = verdict("Ana Ruiz said “inflation is still … too low for comfort”.", index)
    assert "quote not verbatim" in changed.reasons


# ---------------------------------------------------------------- negation and support


def test_negation_flip_fails(index):
    flipped = verdict("Officials in Madrid said the government raised its own spending plans.", index)
    assert not flipped.supported
    assert "negation mismatch" in flipped.reasons
    added = verdict("The central bank did not raise its main interest rate on Tuesday.", index)
    assert "negation mismatch" in added.reasons


def test_negation_mismatch_is_local():
    evidence = "Adams has no intention of retiring, and she is preparing to return to the ring next week."
    assert not negation_mismatch("She is preparing to return to the ring next week.", evidence)
    assert negation_mismatch("Adams has intention of retiring.", evidence)


def test_unrelated_sentence_has_low_support(index):
    v = verdict("The football club signed a new goalkeeper for the coming season.", index)
    assert not v.supported
    assert v.reason is not None and v.reason.startswith("low support")


def test_stitched_sentence_scores_lower_than_copied_one(index):
    copied = verdict("The decision surprised few economists.", index)
    stitched = verdict("The decision surprised the euro zone households more from comfort.", index)
    assert copied.score == 1.0
    assert stitched.score < 0.5


@pytest.fixture(scope="module")
def embedder():
    from tidings.stories.embed import get_embedder

    return get_embedder("multilingual-e5-small")


BRIDGE = [
    "The city council voted on Monday to close the old bridge to cars because engineers found deep cracks "
    "in its supports. Cyclists and pedestrians may still use it.",
    "Tourism in the region grew strongly this summer, hotels said.",
]


def test_paraphrase_supported_only_with_embedding(embedder):
    paraphrase = "Engineers discovered serious cracking in the supports, so the council decided to shut the old bridge to motor traffic."
    lexical = check_sentence(paraphrase, BRIDGE)
    semantic = check_sentence(paraphrase, BRIDGE, embedder=embedder)
    assert not lexical.supported  # few of its word trigrams are in the source
    assert semantic.supported, semantic.reasons
    assert semantic.score > lexical.score


def test_embedding_does_not_rescue_a_contradiction(embedder):
    v = check_sentence("The council voted to keep the old bridge open to cars.", BRIDGE, embedder=embedder)
    assert not v.supported


# ---------------------------------------------------------------- whole summaries


def test_check_summary_text_and_list(index):
    good = check_summary(
        "The central bank raised its main interest rate by 0.5% on Tuesday. The decision surprised few economists.",
        SOURCES,
    )
    assert good.supported and len(good.sentences) == 2 and good.score == 1.0
    bad = check_summary(
        ["The central bank raised its main interest rate by 0.5% on Tuesday.",
         "Governor Ana Ruiz said “inflation is now under control”."],
        SOURCES,
    )
    assert not bad.supported
    assert [s.supported for s in bad.sentences] == [True, False]
    assert bad.score < good.score
    assert bad.to_json()["sentences"][1]["reason"] == "quote not verbatim"


def test_empty_summary_is_trivially_supported():
    assert check_summary("", SOURCES).supported


def test_no_before_a_number_is_not_a_sentence_end_or_a_negation():
    sources = ["The Danish player was ranked No. 1 in the world for 12 weeks. She did not play in Paris."]
    result = check_summary("The Danish player was ranked No. 1 in the world for 12 weeks.", sources)
    assert len(result.sentences) == 1
    assert result.supported, result.to_json()
    assert not check_summary("The Danish player was not ranked No. 1 in the world.", sources).supported


def test_a_misspelt_name_opening_the_sentence_is_caught():
    sources = ["Spain's AI supervisor fined the utility Luzverde 2.4 million euros for synthetic voices in its ads. "
               "Luzverde said on Friday that it would appeal the fine."]
    assert check_summary("Luzverde said it would appeal the fine.", sources).supported
    bad = check_summary("Luxverde said it would appeal the fine.", sources)
    assert not bad.supported and bad.sentences[0].reason == "name 'Luxverde' not in sources"
    # an ordinary word opening a sentence is still not taken for a name
    ordinary = check_summary("Regulators fined the utility Luzverde 2.4 million euros for synthetic voices.", sources)
    assert not any(r.startswith("name") for r in ordinary.sentences[0].reasons)



def test_a_sentence_without_its_sources_aside_is_supported():
    """The extractive summarizer may drop a dash aside (cleanup.compress_sentence); the guard must accept it."""
    source = ["As auction sites proliferate _ there are nearly 200 auction sites open on the Internet _ so do "
              "concerns about consumer fraud."]
    assert check_summary("As auction sites proliferate so do concerns about consumer fraud.", source).supported
    stitched = check_summary("As auction sites proliferate so do concerns about the Internet.", source)
    assert not stitched.supported
