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
