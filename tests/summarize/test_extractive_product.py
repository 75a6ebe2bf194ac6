"""Regressions from the demo corpus: titles are not sentences, the lead is not repeated nor the headline,
sentences that need context stay out, and the story's main thread wins over a side piece."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tidings.records import Article
from tidings.summarize.cleanup import reject_reason
from tidings.summarize.extractive import is_title, same_words, summarize_articles


def day(n: int) -> datetime:
    return datetime(2026, 5, n, 9, 0, tzinfo=timezone.utc)


PATCH_TITLE = "Patch now: Quillstack model server hit by critical remote code execution bug"
ANALYSIS_TITLE = "Why news agencies are the AI industry's favourite licensing partners"
MAIN = ("The maintainers of Quillstack, a widely used open-source server for running language models, on Saturday "
        "urged users to update after disclosing a critical flaw that lets an attacker run code on a server.")
QUILLSTACK = [
    # the extractor kept the headline as the first line of the text
    Article(id="q1", source="wire.example", published=day(2), language="en", title=PATCH_TITLE,
            text=(f"{PATCH_TITLE}\n\n{MAIN} The flaw, rated 9.8 out of 10 for severity, affects every Quillstack "
                  "version released since March. Version 2.14.1, released on Saturday, disables remote adapter "
                  "loading by default and checks the files it loads.")),
    Article(id="q2", source="daily.example", published=day(2), language="en",
            title="Quillstack users told to update after critical vulnerability disclosed",
            text=(f"{MAIN} Security firm Tallis Labs, which reported the bug, said scans found about 14,000 "
                  "Quillstack servers reachable from the public internet. The maintainers said they had seen no "
                  "confirmed attacks but expected exploit code to appear within days. "
                  # another article's headline quoted as a line of this one
                  f"{ANALYSIS_TITLE}.")),
    Article(id="q3", source="tech.example", published=day(3), language="en", title=ANALYSIS_TITLE,
            text=("Cloud providers that offer Quillstack as a managed service said on Sunday they had already applied "
                  "the fix to every customer server. The flaw, rated 9.8 out of 10 for severity, affects every "
                  "Quillstack version released since March. Tallis Labs said about 14,000 Quillstack servers were "
                  "reachable from the public internet, many of them at universities.")),
]


@pytest.fixture(scope="module")
def quillstack():
    return summarize_articles(QUILLSTACK, words=120)


def test_titles_are_never_summary_sentences(quillstack) -> None:
    titles = [a.title for a in QUILLSTACK]
    texts = [s.text for s in quillstack.sentences]
    assert texts
    for text in texts + [quillstack.lead]:
        assert not is_title(text, titles), text
        assert PATCH_TITLE not in text and ANALYSIS_TITLE not in text


def test_a_title_at_the_top_of_the_text_is_not_counted_as_its_first_sentence(quillstack) -> None:
    main = [s for s in quillstack.sentences if s.source_article == "q1"]
    for sentence in main:
        # source_index still numbers the splitter's sentences, the pasted title included
        assert sentence.source_index >= 2


def test_lead_is_not_repeated_in_the_sentences(quillstack) -> None:
    assert quillstack.lead == MAIN
    for sentence in quillstack.sentences:
        assert sentence.text != quillstack.lead
        assert not same_words(sentence.text, quillstack.lead, 0.6), sentence.text


def test_lead_is_not_the_headline() -> None:
    headline = "Munich court rules Lumen Labs ignored artists' opt-out when training image model"
    story = [
        # the text repeats the headline as a sentence, with a full stop
        Article(id="m1", source="a.example", published=day(4), language="en", title=headline,
                text=(f"{headline}. A regional court in Munich ruled on Friday that Lumen Labs infringed the "
                      "copyright of German illustrators by training an image model on their work after they had "
                      "reserved their rights. The case was brought by an association of about 2,300 illustrators "
                      "over roughly 80,000 drawings collected from the web in 2024. Lumen Labs said it would "
                      "appeal the ruling of the Munich court.")),
        Article(id="m2", source="b.example", published=day(4), language="en",
                title="Lumen Labs loses Munich copyright case",
                text=("Lumen Labs had a week of contrasts. A court in Munich found on Friday that Lumen Labs broke "
                      "German copyright law when it trained an image model on drawings by illustrators. "
                      "Bildwerk says it is examining that claim. The illustrators' association Bildwerk said "
                      "the ruling protects about 2,300 artists.")),
    ]
    result = summarize_articles(story, words=120)
    assert result.headline == headline
    assert result.lead and not same_words(result.lead, result.headline, 0.6)
    assert result.lead.startswith("A regional court in Munich ruled")  # the copyright in it is not boilerplate
    texts = [s.text for s in result.sentences] + [result.lead]
    assert "Lumen Labs had a week of contrasts." not in texts
    assert "Bildwerk says it is examining that claim." not in texts


@pytest.mark.parametrize("sentence", [
    "Lumen Labs had a week of contrasts.",
    "Bildwerk says it is examining that claim of the company on Friday.",
    "Those allegations were denied by the company on Monday in Paris.",
    "Read closely, it makes an argument that could prove harder for AI developers to answer.",
    "\"The question is how it does on real customer workloads and at what price.\"",
    PATCH_TITLE,  # no closing punctuation: a heading
])
def test_context_less_sentences_are_rejected(sentence: str) -> None:
    assert reject_reason(sentence, 4, 60) is not None


@pytest.mark.parametrize("sentence", [
    "Officials said that claims would be processed by the court within days.",
    "\"We are not accusing anyone of cheating,\" said Amira Haddad, the study's lead author.",
    "A court ruled that the company infringed the copyright of 2,300 illustrators.",
    "Spain fined the retailer for using an AI voice in radio advertisements without telling listeners.",
    "Das Landgericht München hat am Freitag einer Klage des Verbands gegen Lumen Labs stattgegeben.",
])
def test_self_contained_sentences_pass(sentence: str) -> None:
    assert reject_reason(sentence, 4, 60) is None


def test_the_main_thread_beats_a_side_piece() -> None:
    news = ("Corvid AI has signed a multi-year licensing agreement with the Agence continentale de presse, a news "
            "agency that supplies 900 outlets, giving Corvid rights to use its reporting for training.")
    story = [
        Article(id="n1", source="a.example", published=day(5), language="en",
                title="Corvid AI signs licensing deal with European news agency",
                text=(f"{news} Financial terms were not disclosed, but two people familiar with the deal put its "
                      "value at more than 40 million euros over three years. The agreement requires Corvid to "
                      "credit the agency and link to its dispatches.")),
        Article(id="n2", source="b.example", published=day(5), language="en",
                title="Agence continentale de presse licenses its reporting to Corvid AI",
                text=("The Agence continentale de presse signed a multi-year licensing agreement with Corvid AI on "
                      "Saturday that lets Corvid use its reporting for training. The deal is worth more than 40 "
                      "million euros over three years, two people familiar with the deal said.")),
        Article(id="n3", source="c.example", published=day(5), language="en", title=ANALYSIS_TITLE,
                text=("Saturday's agreement between Corvid AI and the Agence continentale de presse follows a "
                      "pattern. Of the two dozen news licensing deals announced this year, more than half involve "
                      "wire services, whose plain factual copy in many languages is easy to license in bulk.")),
    ]
    result = summarize_articles(story, words=120)
    # the lead is a news lead from the reports, not the analysis piece's teaser
    assert result.lead in (news, "The Agence continentale de presse signed a multi-year licensing agreement with "
                           "Corvid AI on Saturday that lets Corvid use its reporting for training.")


def _seen(summary) -> int:
    """Words a reader sees: the lead and the summary sentences."""
    return len(summary.lead.split()) + sum(len(s.text.split()) for s in summary.sentences)


def test_the_budget_counts_the_lead_and_the_summary_ends_near_it() -> None:
    within = summarize_articles(QUILLSTACK, words=60, fill="none")
    assert within.lead
    assert _seen(within) <= 60
    product = summarize_articles(QUILLSTACK, words=60)  # the default: the lead counts, "about" 60 words
    # one more sentence only when it ends nearer the budget, or at most a fifth past it
    assert _seen(product) - 60 <= max(60 - _seen(within), 0.2 * 60)
    assert [s.text for s in product.sentences][: len(within.sentences)] == [s.text for s in within.sentences]
    filled = summarize_articles(QUILLSTACK, words=60, fill="always")
    assert _seen(filled) > 60  # one more sentence, to be cut by a fixed-length evaluation
    assert [s.text for s in filled.sentences[:-1]] == [s.text for s in within.sentences]
    apart = summarize_articles(QUILLSTACK, words=60, lead_in_budget=False, fill="none")
    assert sum(len(s.text.split()) for s in apart.sentences) <= 60


def test_the_sentence_cap_follows_the_budget() -> None:
    from tidings.summarize.extractive import DEFAULT_CONFIG, sentence_cap

    assert sentence_cap(100) == DEFAULT_CONFIG.max_sentences
    assert sentence_cap(250) > DEFAULT_CONFIG.max_sentences
    assert sentence_cap(400) >= 400 // DEFAULT_CONFIG.words_per_sentence


def _demo_story(event_id: str) -> list[Article]:
    from tidings.demo.corpus import load_corpus

    corpus = load_corpus()
    by_id = {a.id: a for a in corpus.articles}
    event = next(e for e in corpus.truth.events if e.id == event_id)
    return [Article(id=a.id, source=a.outlet, published=a.published, language=a.language, title=a.title, text=a.text)
            for a in sorted((by_id[i] for i in event.articles), key=lambda a: (a.published, a.id))]


def test_two_outlets_wordings_of_one_fact_are_not_both_in_a_long_summary() -> None:
    from tidings.summarize.extractive import retells, stems

    # the lead says Stratus invested 8 billion dollars and supplies Corvid's cloud; a second outlet's sentence
    # saying it again in other words came back at 250 words, as did two wordings of the models' lost points
    summary = summarize_articles(_demo_story("uk-inquiry-stratus-corvid"), words=250)
    texts = [summary.lead] + [s.text for s in summary.sentences]
    assert "Under the arrangement, Stratus has put 8 billion dollars into Corvid and is its exclusive cloud " \
           "supplier." not in texts
    assert len(texts) >= 6
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert not retells(stems(a, "en"), stems(b, "en")), (a, b)


def test_retells_needs_most_of_the_words_of_the_shorter_sentence() -> None:
    from tidings.summarize.extractive import retells, stems

    lead = ("Britain's Competition and Markets Authority on Friday opened a formal inquiry into the partnership "
            "between Stratus Cloud and Corvid AI, under which the cloud provider has invested 8 billion dollars in "
            "the AI developer and become its exclusive infrastructure supplier.")
    again = "Under the arrangement, Stratus has put 8 billion dollars into Corvid and is its exclusive cloud supplier."
    other = "Irish officials said the country's own competition regulator had not opened a case."
    assert retells(stems(lead, "en"), stems(again, "en"))
    assert not retells(stems(lead, "en"), stems(other, "en"))
    assert not retells(stems(lead, "en"), stems(again, "en"), least=0)  # off


def test_two_wordings_that_give_the_same_numbers_are_one_fact() -> None:
    from tidings.summarize.extractive import same_numbers

    a = ("On the cleaned sets, the scores of eleven widely used models fell by between 2 and 14 points, and the "
         "ranking of the models changed in five of the eight benchmarks.")
    b = ("When the team removed the contaminated questions, eleven models lost between 2 and 14 points, and their "
         "order on the leaderboard shifted in five of the eight tests.")
    assert same_numbers(a, b, "en")
    assert not same_numbers(a, "Eleven models were tested in 2026 on two benchmarks.", "en")
    assert not same_numbers(a, b, "en", least=0)
    summary = summarize_articles(_demo_story("aldgate-contamination-study"), words=250)
    texts = [summary.lead] + [s.text for s in summary.sentences]
    assert not (a in texts and b in texts)


def test_what_the_solver_prints_does_not_reach_standard_output(capfd) -> None:
    import os

    from tidings.summarize.extractive import solver_output_to_stderr

    with solver_output_to_stderr():
        os.write(1, b"HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();\n")
    os.write(1, b'{"id": "1"}\n')
    out, err = capfd.readouterr()
    assert out == '{"id": "1"}\n'
    assert "HighsMipSolverData" in err
