import io
import json

from tidings.jsonl import run_batches, run_lines


def _lines(text):
    return [json.loads(line) for line in text.getvalue().splitlines()]


def test_run_lines_reports_each_bad_line_and_goes_on():
    def handle(record):
        if record["id"] == "boom":
            raise RuntimeError("model exploded")
        return {"id": record["id"], "ok": True}

    out = io.StringIO()
    failures = run_lines(handle, io.StringIO('{"id": "a"}\nnot json\n[1]\n{"id": "boom"}\n\n{"id": "b"}\n'), out)
    rows = _lines(out)
    assert failures == 3
    assert rows[0] == {"id": "a", "ok": True} and rows[-1] == {"id": "b", "ok": True}
    assert rows[1]["line"] == 2 and "not valid JSON" in rows[1]["error"]
    assert rows[2]["line"] == 3 and "object" in rows[2]["error"]
    assert rows[3] == {"id": "boom", "line": 4, "error": "model exploded"}


def test_run_batches_keeps_order_and_per_record_errors():
    def handle(batch):
        return [ValueError("empty") if not r.get("text") else {"id": r["id"], "n": len(r["text"])} for r in batch]

    out = io.StringIO()
    text = "\n".join(json.dumps({"id": i, "text": "x" * (i % 3)}) for i in range(7)) + "\n"
    failures = run_batches(handle, batch_size=3, stdin=io.StringIO(text), stdout=out)
    rows = _lines(out)
    assert [r["id"] for r in rows] == list(range(7))
    assert failures == 3 and all("error" in rows[i] for i in (0, 3, 6))
