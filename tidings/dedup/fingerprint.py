"""Text fingerprints for dedup: a content hash for exact copies and a MinHash
signature, cut into LSH bands, for near-duplicate (syndicated) copies.

Pure functions: the same text always gives the same fingerprint, in any process.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

_WORD = re.compile(r"\w+", re.UNICODE)
MIN_WORDS = 25  # shorter texts (teasers, "read more" stubs) are never called copies


def words(text: str) -> list[str]:
    """Lower-cased word tokens after Unicode normalisation (punctuation and case ignored)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(words(text)).encode("utf-8")).hexdigest()


def shingles(tokens: list[str], size: int) -> set[bytes]:
    if len(tokens) <= size:
        return {" ".join(tokens).encode("utf-8")} if tokens else set()
    return {" ".join(tokens[i : i + size]).encode("utf-8") for i in range(len(tokens) - size + 1)}


def jaccard(a: AbstractSet[bytes], b: AbstractSet[bytes]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@lru_cache(maxsize=16)
def lsh_params(threshold: float, num_perm: int, recall: float = 0.98, margin: float = 0.05) -> tuple[int, int]:
    """(bands, rows) for the LSH index, tuned for recall: a pair whose Jaccard similarity is
    ``margin`` below the threshold still becomes a candidate with probability ``recall``.
    Candidates are then confirmed on their exact shingle sets, so false positives only cost a
    comparison, while a false negative would be a missed copy."""
    low = max(threshold - margin, 0.05)
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - low**rows) ** bands >= recall:
            best = (bands, rows)
    return best


@dataclass(frozen=True, slots=True)
class Fingerprint:
    content_hash: str
    signature: np.ndarray  # uint32 MinHash values
    word_count: int
    bands: tuple[tuple[int, int], ...]  # (band number, 63-bit key)
    shingles: frozenset[bytes]  # for the exact confirmation of LSH candidates

    @property
    def eligible(self) -> bool:
        """Long enough to be compared at all."""
        return self.word_count >= MIN_WORDS

    def signature_bytes(self) -> bytes:
        return self.signature.astype("<u4").tobytes()


def band_keys(signature: np.ndarray, bands: int, rows: int) -> tuple[tuple[int, int], ...]:
    keys = []
    for band in range(bands):
        chunk = signature[band * rows : (band + 1) * rows].astype("<u4").tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        keys.append((band, int.from_bytes(digest, "little") >> 1))  # fits a signed BIGINT
    return tuple(keys)


def fingerprint(text: str, *, num_perm: int = 128, shingle_size: int = 5, threshold: float = 0.85) -> Fingerprint:
    tokens = words(text)
    m = MinHash(num_perm=num_perm, seed=1)
    sh = shingles(tokens, shingle_size)
    if sh:
        m.update_batch(list(sh))
    signature = np.asarray(m.hashvalues, dtype=np.uint32)
    bands, rows = lsh_params(threshold, num_perm)
    return Fingerprint(
        content_hash=hashlib.sha256(" ".join(tokens).encode("utf-8")).hexdigest(),
        signature=signature,
        word_count=len(tokens),
        bands=band_keys(signature, bands, rows),
        shingles=frozenset(sh),
    )
