"""Every input in the fuzz corpus (benchmarks/fuzz_corpus/<target>/), replayed: the seeds and
each input that once crashed or hung `benchmarks/fuzz.py` now ends in a documented error at
most. The crash-*.bin files are the regression tests of the crashes the fuzz run found."""

from __future__ import annotations

import pytest

from tests.fuzz.targets import CORPUS, targets

CASES = sorted((p.parent.name, p) for p in CORPUS.glob("*/*") if p.is_file())


def test_the_corpus_has_seeds_and_the_crashes_found():
    names = {name for name, _ in CASES}
    assert {"feeds", "sitemaps", "safexml", "charset", "urls", "extract", "jsonl", "numbers"} <= names
    assert any(p.name.startswith("crash-") for _, p in CASES)


@pytest.mark.parametrize("name,path", CASES, ids=[f"{n}/{p.name}" for n, p in CASES])
def test_corpus_input_ends_in_a_documented_error_at_most(name, path):
    target = targets()[name]
    try:
        target.run(path.read_bytes())
    except target.allowed:
        pass
