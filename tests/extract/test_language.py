"""detect_language on paragraphs in several languages, and its refusals."""

from __future__ import annotations

import pytest

from tidings.text.language import detect_language

PARAGRAPHS = {
    "en": "The council voted on Friday to rebuild the sea wall after the spring floods forced families from their homes.",
    "fr": "Le conseil municipal a voté vendredi la reconstruction de la digue après les inondations du printemps.",
    "de": "Der Stadtrat hat am Freitag beschlossen, die Ufermauer nach den Überschwemmungen im Frühjahr neu zu bauen.",
    "es": "El ayuntamiento votó el viernes reconstruir el dique tras las inundaciones de la primavera pasada.",
    "it": "Il consiglio comunale ha votato venerdì per ricostruire la diga dopo le alluvioni della primavera.",
}


@pytest.mark.parametrize("lang", sorted(PARAGRAPHS))
def test_paragraphs(lang: str) -> None:
    assert detect_language(PARAGRAPHS[lang]) == lang


@pytest.mark.parametrize("text", ["", None, "Hello", "OpenAI GPT-5", "12345 67890 2026-03-01 12:00 !!!"])
def test_too_short_or_no_letters_gives_none(text: str | None) -> None:
    assert detect_language(text) is None


def test_threshold_is_honoured() -> None:
    text = "Nvidia unveils new chips for data centres"
    assert detect_language(text, min_confidence=0.0) == "en"
    assert detect_language(text, min_confidence=0.99) is None
