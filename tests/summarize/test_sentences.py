"""Sentence splitting: abbreviations, initials, decimals, quotes, paragraphs, French/German/Spanish."""

from __future__ import annotations

import pytest

from tidings.text.sentences import split_sentences, split_spans


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Dr. Smith arrived in Washington on Monday. He met Mr. Jones and Mrs. Lee.",
            "en",
            ["Dr. Smith arrived in Washington on Monday.", "He met Mr. Jones and Mrs. Lee."],
        ),
        (
            "The U.S. economy grew 3.5 percent in the quarter. Prices rose 0.2 percent.",
            "en",
            ["The U.S. economy grew 3.5 percent in the quarter.", "Prices rose 0.2 percent."],
        ),
        (
            "The talks will resume at 10 a.m. on Friday. No date was set for a vote.",
            "en",
            ["The talks will resume at 10 a.m. on Friday.", "No date was set for a vote."],
        ),
        (
            "The book was written by J. R. R. Tolkien in England. It sold well.",
            "en",
            ["The book was written by J. R. R. Tolkien in England.", "It sold well."],
        ),
        (
            '"We will not give up," she said. "Never!" the crowd answered. Was it over? Nobody knew.',
            "en",
            ['"We will not give up," she said.', '"Never!" the crowd answered.', "Was it over?", "Nobody knew."],
        ),
        (
            "He said: “The vote is over.” The count began at once.",
            "en",
            ["He said: “The vote is over.”", "The count began at once."],
        ),
        (
            "M. Macron a parlé mardi. « C'est fini ! » a-t-il dit devant les députés. Le vote aura lieu jeudi.",
            "fr",
            ["M. Macron a parlé mardi.", "« C'est fini ! » a-t-il dit devant les députés.", "Le vote aura lieu jeudi."],
        ),
        (
            "Das ist z.B. ein wichtiger Test. Dr. Müller kam um 3 Uhr an. Er sagte: „Nein.“ Dann ging er.",
            "de",
            ["Das ist z.B. ein wichtiger Test.", "Dr. Müller kam um 3 Uhr an.", "Er sagte: „Nein.“", "Dann ging er."],
        ),
        (
            "¿Qué pasó en la reunión? El Sr. García llegó a EE.UU. ayer. ¡Qué sorpresa!",
            "es",
            ["¿Qué pasó en la reunión?", "El Sr. García llegó a EE.UU. ayer.", "¡Qué sorpresa!"],
        ),
    ],
)
def test_split(text: str, language: str, expected: list[str]) -> None:
    assert split_sentences(text, language) == expected


def test_paragraphs_end_sentences_even_without_punctuation() -> None:
    text = "Storm hits the coast\n\nThousands of homes lost power on Monday. Crews were sent out."
    assert split_sentences(text, "en") == [
        "Storm hits the coast",
        "Thousands of homes lost power on Monday.",
        "Crews were sent out.",
    ]


def test_wire_paragraph_mark_and_backtick_quotes() -> None:
    text = "The plan failed. _ Officials said ``it is over.'' The company declined to comment."
    assert split_sentences(text, "en") == [
        "The plan failed.",
        "_ Officials said ``it is over.''",
        "The company declined to comment.",
    ]


def test_spans_are_verbatim_substrings() -> None:
    text = "  First one here.   Second, with Dr. Who!\nThird line?  "
    for span in split_spans(text, "en"):
        assert text[span.start:span.end] == span.text
    assert [s.text for s in split_spans(text, "en")] == ["First one here.", "Second, with Dr. Who!", "Third line?"]


def test_lowercase_continuation_is_not_a_new_sentence() -> None:
    assert split_sentences("He works for the U.S. government in Geneva.", "en") == [
        "He works for the U.S. government in Geneva."
    ]
