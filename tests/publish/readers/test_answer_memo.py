"""The reader APIs' memo of encoded answers: reused only for the same data version, and bounded in bytes."""

from __future__ import annotations

from tidings.publish.readers.service import ResponseMemo


def test_an_answer_is_reused_only_while_its_version_holds():
    memo = ResponseMemo(budget=1000)
    memo.put(("alice", "reading-list"), (1, 10), b"old answer")
    assert memo.get(("alice", "reading-list"), (1, 10)) == b"old answer"
    assert memo.get(("alice", "reading-list"), (2, 10)) is None  # a mark: the answer is stale
    assert memo.get(("bob", "reading-list"), (1, 10)) is None
    memo.put(("alice", "reading-list"), (2, 10), b"new answer")
    assert memo.get(("alice", "reading-list"), (2, 10)) == b"new answer" and memo.size == len(b"new answer")


def test_the_memo_keeps_to_its_byte_budget_dropping_the_least_recently_used():
    memo = ResponseMemo(budget=1000)
    for n in range(5):
        memo.put(("user", n), (1,), bytes(200))
    assert memo.size == 1000
    assert memo.get(("user", 0), (1,)) is not None  # used again: now the most recent
    memo.put(("user", 5), (1,), bytes(200))
    assert memo.size == 1000
    assert memo.get(("user", 1), (1,)) is None  # the least recently used went
    assert memo.get(("user", 0), (1,)) is not None
    memo.put(("user", "huge"), (1,), bytes(600))  # over a quarter of the budget: never kept
    assert memo.get(("user", "huge"), (1,)) is None and memo.size == 1000


def test_the_gzip_form_is_made_once_a_version_and_counted_in_the_budget():
    import gzip

    memo = ResponseMemo(budget=100_000)
    body = b'{"ids":"' + b",".join(str(n).encode() for n in range(3000)) + b'"}'
    memo.put(("user", "ids"), (1,), body)
    packed = memo.gzipped(("user", "ids"), body)
    assert gzip.decompress(packed) == body and len(packed) < len(body)
    assert memo.gzipped(("user", "ids"), body) is packed  # kept, not compressed again
    assert memo.size == len(body) + len(packed)
    memo.put(("user", "ids"), (2,), body + b" ")  # a new version replaces both forms
    assert memo.size == len(body) + 1
