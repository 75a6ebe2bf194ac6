"""The capped body reader and its bounded decompressors, fed in awkward pieces."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from tidings.fetch.body import read_capped
from tidings.fetch.errors import FetchError

DATA = b"The quick brown fox jumps over the lazy dog. " * 2000


async def pieces(data: bytes, size: int):
    for start in range(0, len(data), size):
        yield data[start:start + size]


@pytest.mark.parametrize("encoding, payload", [
    (None, DATA),
    ("identity", DATA),
    ("gzip", gzip.compress(DATA[:40000]) + gzip.compress(DATA[40000:])),  # two gzip members
    ("x-gzip", gzip.compress(DATA)),
    ("deflate", zlib.compress(DATA)),
    ("deflate", zlib.compress(DATA)[2:-4]),  # raw deflate, as some servers send it
    ("br", brotli.compress(DATA)),
])
@pytest.mark.parametrize("size", [1, 997, 65536])
async def test_decoding_in_any_chunking(encoding, payload, size):
    if size == 1 and len(payload) > 20000:
        payload_pieces = pieces(payload, 13)
    else:
        payload_pieces = pieces(payload, size)
    body, truncated = await read_capped(payload_pieces, url="u", max_bytes=len(DATA), content_encoding=encoding)
    assert body == DATA and not truncated


async def test_cap_is_exact():
    with pytest.raises(FetchError) as caught:
        await read_capped(pieces(DATA, 4096), url="u", max_bytes=len(DATA) - 1)
    assert caught.value.kind == "too_large"


async def test_truncate_mode_keeps_the_head():
    body, truncated = await read_capped(pieces(gzip.compress(DATA), 512), url="u", max_bytes=1000,
                                        content_encoding="gzip", truncate=True)
    assert truncated and body == DATA[:1000]


async def test_unknown_and_corrupt_encodings():
    with pytest.raises(FetchError) as unknown:
        await read_capped(pieces(DATA, 100), url="u", max_bytes=10**6, content_encoding="compress")
    assert unknown.value.kind == "decode"
    with pytest.raises(FetchError) as corrupt:
        await read_capped(pieces(b"not brotli at all" * 10, 100), url="u", max_bytes=10**6, content_encoding="br")
    assert corrupt.value.kind == "decode"
