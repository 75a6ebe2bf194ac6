"""The sentence space's cosine: the same float as scipy's row product, read without building matrices."""

from __future__ import annotations

import itertools

from tidings.records import Article
from tidings.summarize.extractive_config import ExtractiveConfig
from tidings.summarize.sentence_space import analyse, cosine


def _story() -> list[Article]:
    return [
        Article(id="a", title="Council approves new tram line",
                text="The city council approved a new tram line on Tuesday. The line will cost 300 million euros. "
                     "Construction starts next spring and ends in 2029. Critics say the tram line is too costly."),
        Article(id="b", title="Tram line wins council vote",
                text="A new tram line won the council vote on Tuesday. It will cost 300 million euros, the mayor said. "
                     "Work begins in spring. Shop owners along the route fear two years of roadworks."),
    ]


def test_cosine_is_scipys_row_product_bit_for_bit():
    sentences, spaces = analyse(_story(), ["en", "en"], "en", ExtractiveConfig())
    space = spaces["en"]
    assert len(space.members) >= 8
    values = []
    for a, b in itertools.combinations(space.members, 2):
        expected = float(space.matrix[a.row].multiply(space.matrix[b.row]).sum())
        assert cosine(space, a, b) == expected
        values.append(expected)
    assert any(v == 0.0 for v in values) and any(0.2 < v < 1.0 for v in values)  # disjoint and shared words
    first = space.members[0]
    assert abs(cosine(space, first, first) - 1.0) < 1e-12
