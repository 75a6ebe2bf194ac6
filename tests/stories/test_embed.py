"""The sentence embedders: shapes, unit rows, determinism, caching and a cross-lingual check."""

from __future__ import annotations

import numpy as np
import pytest

from tests.stories.translations import LANGUAGES, TRANSLATIONS
from tidings.stories.embed import DEFAULT_EMBEDDER, available_embedders, get_embedder, resolve_name

TEXTS = ["The central bank raised interest rates.", "Le match s'est terminé sur un score nul.", ""]


@pytest.fixture(scope="module", params=available_embedders())
def embedder(request):
    return get_embedder(request.param)


def test_shapes_unit_rows_and_dtype(embedder):
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (3, embedder.dim)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_deterministic_and_independent_of_batching(embedder):
    once = embedder.embed(TEXTS[:2], batch_size=64)
    again = embedder.embed(TEXTS[:2], batch_size=1)
    assert np.allclose(once, again, atol=1e-5)


def test_related_texts_are_closer(embedder):
    v = embedder.embed(["Stocks fell sharply on Wall Street.", "Shares dropped steeply in New York trading.",
                        "The volcano erupted, covering villages in ash."])
    assert v[0] @ v[1] > v[0] @ v[2]


def test_get_embedder_is_cached_and_resolves_aliases():
    assert get_embedder() is get_embedder(DEFAULT_EMBEDDER)
    assert resolve_name("e5") == "multilingual-e5-small" and resolve_name("use") == "use-multilingual-v3"
    with pytest.raises(ValueError):
        resolve_name("no-such-model")
    with pytest.raises(ValueError):
        get_embedder().embed(["x"], kind="document")


def test_query_prefix_changes_e5_vectors():
    e5 = get_embedder("multilingual-e5-small")
    q = e5.embed(["earthquake in Morocco"], kind="query")
    p = e5.embed(["earthquake in Morocco"], kind="passage")
    assert not np.allclose(q, p) and float(q[0] @ p[0]) > 0.8


def test_default_embedder_finds_translations():
    """Every sentence's nearest neighbour is one of its translations (12 news sentences
    in four languages, several of them about events of the same kind)."""
    rows = TRANSLATIONS[:12]
    texts = [t for row in rows for t in row]
    group = np.repeat(np.arange(len(rows)), len(LANGUAGES))
    v = get_embedder().embed(texts)
    sims = v @ v.T
    np.fill_diagonal(sims, -1.0)
    nearest = sims.argmax(axis=1)
    assert (group[nearest] == group).all()


def test_e5_input_is_cut_to_the_token_bound():
    """A text is cut to ``[limits] embed_tokens`` of the model's own tokens: 1,000 characters
    of one-letter words (about 500 tokens) are embedded as their first words, while a
    news paragraph under the bound is embedded as it is."""
    from tests.hostile_shapes import ORDINARY_TEXT
    from tidings.stories.embed import fit_tokens
    from tidings.text.bounds import limits

    e5 = get_embedder("multilingual-e5-small")
    model = e5._model  # the engine's own token counter

    def count(s: str) -> int:
        return model.token_count(s, False)

    cap = limits().embed_tokens
    letters = " ".join("a" * 500)
    assert count(letters) > cap
    cut = fit_tokens(letters, cap, count)
    assert count(cut) <= cap and count(cut) > cap * 0.8 and letters.startswith(cut)
    assert np.allclose(e5.embed([letters]), e5.embed([cut]), atol=1e-6)

    prose = ORDINARY_TEXT[:900]
    assert count(prose) <= cap and fit_tokens(prose, cap, count) == prose
    symbols = "€" * 2000  # no white space to cut at
    assert count(fit_tokens(symbols, cap, count)) <= cap
