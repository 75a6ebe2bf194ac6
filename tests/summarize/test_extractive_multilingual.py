"""Citations across languages with the real multilingual embedder (loaded once for the module)."""

from __future__ import annotations

import pytest

from tidings.records import Article
from tidings.summarize.extractive import summarize_articles

SHARED = ("Engineers closed the Elling Harbour Bridge on Monday after finding deep cracks in two of its "
          "steel support cables during a routine inspection.")
COST = ("The regional government said replacement work would take at least six months and cost about "
        "80 million euros.")

ENGLISH = [
    Article(id="en-1", source="wire.example", language="en", title="Elling Harbour Bridge closed after cracks found",
            text=(f"{SHARED} About 40,000 vehicles cross the bridge every day, and commuters were told to expect "
                  f"long delays on the ring road. {COST}")),
    Article(id="en-2", source="daily.example", language="en", title="Bridge shut as cables crack",
            text=(f"{SHARED} {COST} Ferry operators added extra crossings to carry stranded commuters.")),
]
FRENCH_SAME = Article(
    id="fr-1", source="journal.example", language="fr", title="Le pont du port d'Elling fermé",
    text=("Des ingénieurs ont fermé lundi le pont du port d'Elling après avoir découvert de profondes fissures "
          "dans deux de ses câbles d'acier lors d'une inspection de routine. Le gouvernement régional a indiqué "
          "que les travaux de remplacement dureraient au moins six mois et coûteraient environ 80 millions d'euros."))
FRENCH_OTHER = Article(
    id="fr-2", source="sport.example", language="fr", title="Le club local remporte la coupe",
    text="Le club de football de la ville a remporté dimanche la coupe régionale devant dix mille supporters.")


@pytest.fixture(scope="module")
def embedder():
    from tidings.stories.embed import get_embedder

    return get_embedder()


def test_translation_is_cited_with_embedder(embedder) -> None:
    result = summarize_articles(ENGLISH + [FRENCH_SAME, FRENCH_OTHER], words=100, embedder=embedder)
    assert result.language == "en"
    assert result.languages == ["en", "fr"]
    assert result.lead == SHARED  # the lead, so not repeated among the sentences
    cost = [s for s in result.sentences if s.text == COST]
    assert cost, [s.text for s in result.sentences]
    assert set(cost[0].cites) == {"en-1", "en-2", "fr-1"}
    for sentence in result.sentences:
        assert "fr-2" not in sentence.cites


def test_without_embedder_other_languages_are_not_cited() -> None:
    result = summarize_articles(ENGLISH + [FRENCH_SAME], words=100)
    assert all("fr-1" not in s.cites for s in result.sentences)
